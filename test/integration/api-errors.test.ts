// Every bad request gets a JSON error with the right status and code, and leaves no FFmpeg and no state behind.
import assert from 'node:assert/strict';
import { mkdirSync, copyFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { startTestDaemon, testConfig, type TestDaemon } from '../helpers/daemon.js';

describe('POST /jobs refusals', () => {
  let d: TestDaemon;
  let mount: string;
  before(async () => {
    mount = makeMountDir();
    mkdirSync(path.join(mount, 'movies'));
    copyFileSync(await makeMedia({ seconds: 2 }), path.join(mount, 'movies', 'ok.mp4'));
    copyFileSync(
      await makeMedia({ seconds: 30, width: 1280, height: 720 }),
      path.join(mount, 'movies', 'long.mp4'),
    );
    writeFileSync(path.join(path.dirname(mount), `outside-${path.basename(mount)}.mp4`), 'x');
    symlinkSync(
      path.join(path.dirname(mount), `outside-${path.basename(mount)}.mp4`),
      path.join(mount, 'escape.mp4'),
    );
    d = await startTestDaemon(testConfig(mount, { limits: { max_jobs: 1 } }));
  });
  after(async () => {
    await d.stop();
  });

  async function expectError(res: Response, status: number, code: string): Promise<string> {
    assert.equal(res.status, status, `status for ${code}`);
    assert.match(res.headers.get('content-type') ?? '', /application\/json/);
    const body = (await res.json()) as { error?: { code?: string; message?: string } };
    assert.equal(body.error?.code, code, JSON.stringify(body));
    assert.ok((body.error.message ?? '').length > 0);
    return body.error.message ?? '';
  }

  const good = { input: 'movies/ok.mp4', video: { codec: 'h264', height: 240 } };

  it('needs the bearer token', async () => {
    await expectError(await d.api('POST', '/jobs', good, { authorization: '' }), 401, 'UNAUTHORIZED');
    await expectError(await d.api('POST', '/jobs', good, { authorization: 'Bearer nope' }), 403, 'FORBIDDEN');
    await expectError(
      await d.api('DELETE', '/jobs/abc', undefined, { authorization: '' }),
      401,
      'UNAUTHORIZED',
    );
  });

  it('refuses malformed, non-object, oversized and empty bodies', async () => {
    await expectError(await d.api('POST', '/jobs', '{"input": '), 400, 'INVALID_JSON');
    await expectError(await d.api('POST', '/jobs', '[1,2]'), 400, 'INVALID_BODY');
    await expectError(await d.api('POST', '/jobs', '"text"'), 400, 'INVALID_BODY');
    await expectError(await d.api('POST', '/jobs', 'null'), 400, 'INVALID_BODY');
    await expectError(await d.api('POST', '/jobs', ''), 400, 'INVALID_JSON');
    const big = JSON.stringify({ ...good, pad: 'x'.repeat(70 * 1024) });
    await expectError(await d.api('POST', '/jobs', big), 413, 'BODY_TOO_LARGE');
  });

  it('names the field that is wrong', async () => {
    const cases: [unknown, string][] = [
      [{ ...good, video: { codec: 'vp9' } }, 'video.codec'],
      [{ ...good, video: { codec: 'h264', height: 100 } }, 'video.height'],
      [{ ...good, video: { codec: 'h264', height: '720' } }, 'video.height'],
      [{ ...good, video: { codec: 'h264', bitrateKbps: 100001 } }, 'video.bitrateKbps'],
      [{ ...good, audio: { codec: 'mp3' } }, 'audio.codec'],
      [{ ...good, audio: { codec: 'aac', channels: 9 } }, 'audio.channels'],
      [{ ...good, segmentSeconds: 0 }, 'segmentSeconds'],
      [{ ...good, segmentSeconds: 31 }, 'segmentSeconds'],
      [{ ...good, id: 'has space' }, 'id'],
      [{ ...good, id: 'x'.repeat(65) }, 'id'],
      [{ ...good, extra: true }, 'extra'],
      [{ video: { codec: 'h264' } }, 'input'],
      [{ input: 'movies/ok.mp4' }, 'video'],
    ];
    for (const [body, field] of cases) {
      const message = await expectError(await d.api('POST', '/jobs', body), 400, 'INVALID_BODY');
      assert.ok(message.includes(field), `${JSON.stringify(body)} → ${message}`);
    }
  });

  it('refuses inputs outside the mount, protocols and missing files', async () => {
    const input = async (value: string): Promise<Response> =>
      d.api('POST', '/jobs', { ...good, input: value });
    await expectError(await input('../etc/passwd'), 403, 'INPUT_OUTSIDE_MOUNT');
    await expectError(await input('movies/../../x.mp4'), 403, 'INPUT_OUTSIDE_MOUNT');
    await expectError(await input('escape.mp4'), 403, 'INPUT_OUTSIDE_MOUNT');
    await expectError(await input('/etc/passwd'), 400, 'INPUT_INVALID');
    await expectError(await input('-i'), 400, 'INPUT_INVALID');
    for (const p of [
      'http://127.0.0.1/x.mp4',
      'concat:a|b',
      'file:movies/ok.mp4',
      'pipe:0',
      'tcp://x:1',
      'data:,x',
    ]) {
      await expectError(await input(p), 400, 'INPUT_PROTOCOL');
    }
    await expectError(await input('movies/none.mp4'), 404, 'INPUT_NOT_FOUND');
    await expectError(await input('movies'), 400, 'INPUT_NOT_FILE');
  });

  it('answers unknown jobs, streams and routes with 404 JSON', async () => {
    await expectError(await d.api('GET', '/jobs/nope'), 404, 'JOB_NOT_FOUND');
    await expectError(await d.api('DELETE', '/jobs/nope'), 404, 'JOB_NOT_FOUND');
    await expectError(await d.api('GET', '/jobs/..%2F..%2Fetc'), 404, 'JOB_NOT_FOUND');
    await expectError(await fetch(`${d.localUrl}/streams/nope/stream.m3u8`), 404, 'STREAM_NOT_FOUND');
    await expectError(await fetch(`${d.localUrl}/streams/../../etc/passwd`), 404, 'NOT_FOUND');
    await expectError(await fetch(`${d.localUrl}/nothing-here`), 404, 'NOT_FOUND');
  });

  it('left nothing behind: no job, no FFmpeg, still healthy', async () => {
    assert.deepEqual(d.jobs.list(), []);
    assert.deepEqual(d.jobs.pids(), {});
    const health = await fetch(`${d.localUrl}/health`);
    assert.equal(health.status, 200);
    assert.equal(((await health.json()) as { status: string }).status, 'ready');
  });

  it('answers 409 for a duplicate id and 503 with Retry-After at max_jobs', async () => {
    const long = { input: 'movies/long.mp4', video: { codec: 'h264', height: 720 } };
    const first = await d.api('POST', '/jobs', { ...long, id: 'dup-1' });
    assert.equal(first.status, 202);
    await expectError(await d.api('POST', '/jobs', { ...good, id: 'dup-1' }), 409, 'JOB_EXISTS');
    const busy = await d.api('POST', '/jobs', good);
    await expectError(busy, 503, 'AT_CAPACITY');
    assert.ok(Number(busy.headers.get('retry-after')) > 0);
    const health = (await (await fetch(`${d.localUrl}/health`)).json()) as { status: string };
    assert.equal(health.status, 'busy');
    const del = await d.api('DELETE', '/jobs/dup-1');
    assert.equal(del.status, 200);
    assert.equal(((await del.json()) as { status: string }).status, 'cancelled');
    assert.deepEqual(d.jobs.pids(), {});
  });
});

describe('request edge cases', () => {
  let d: TestDaemon;
  before(async () => {
    d = await startTestDaemon(testConfig(makeMountDir()));
  });
  after(async () => {
    await d.stop();
  });

  it('answers a malformed URL and a body-less DELETE with JSON content-type sensibly', async () => {
    const bad = await fetch(`${d.localUrl}/jobs/%zz`);
    assert.equal(bad.status, 400);
    assert.equal(((await bad.json()) as { error: { code: string } }).error.code, 'INVALID_REQUEST');
    const del = await d.api('DELETE', '/jobs/none', undefined, { 'content-type': 'application/json' });
    assert.equal(del.status, 404);
    assert.equal(((await del.json()) as { error: { code: string } }).error.code, 'JOB_NOT_FOUND');
  });

  it('tells a missing NAS mount (503, retry) from a missing file', async () => {
    const gone = await startTestDaemon(testConfig('/nonexistent/nas/mount'));
    try {
      const res = await gone.api('POST', '/jobs', { input: 'a.mkv', video: { codec: 'h264' } });
      assert.equal(res.status, 503);
      assert.ok(Number(res.headers.get('retry-after')) > 0);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NAS_UNAVAILABLE');
    } finally {
      await gone.stop();
    }
  });
});
