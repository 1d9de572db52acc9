// Jobs that never wrote a file (not media, no video stream, a playlist renamed .mp4, a failed burn-in check, a cancel
// during the probe) follow the stopped streams' retention, and their errors name the input as the orchestrator gave
// it, never the NAS path.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  realpathSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import {
  startOrchestrator,
  startTestDaemon,
  testConfig,
  waitFor,
  waitForJobEnd,
  type TestDaemon,
  type TestOrchestrator,
} from '../helpers/daemon.js';
import { sweep } from '../../src/jobs/housekeeper.js';
import { createLogger } from '../../src/log.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { processes } from '../helpers/procs.js';

/** keep_minutes 0.05: a stopped stream's folder goes 3 s after the job ended. */
const KEEP_MINUTES = 0.05;

/**
 * An "ffprobe" that holds itself (SIGSTOP) before reading held.mp4, as a stalled NAS read would, and runs the real
 * ffprobe for everything else: a job can then be cancelled while its source is being probed.
 */
function holdingFfprobe(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-ffprobe-'));
  const file = path.join(dir, 'ffprobe');
  writeFileSync(file, '#!/bin/sh\ncase "$*" in *held.mp4*) kill -STOP $$ ;; esac\nexec ffprobe "$@"\n');
  chmodSync(file, 0o755);
  return file;
}

describe('jobs that never wrote a file', () => {
  let d: TestDaemon;
  let orchestrator: TestOrchestrator;
  /** nas_mount_path as configured (a symlink, as /srv/media often is) and the folder it leads to. */
  let mount: string;
  let realMount: string;
  /** Job id → the input it was posted with. */
  const inputs = new Map<string, string>();
  const views = new Map<string, JobView>();

  before(async () => {
    // Media is made before the daemon starts: a synchronous FFmpeg run must not block the daemon's event loop.
    realMount = realpathSync(makeMountDir());
    mount = path.join(mkdtempSync(path.join(tmpdir(), 'tw-nas-')), 'media');
    symlinkSync(realMount, mount);
    mkdirSync(path.join(realMount, 'films'));
    writeFileSync(path.join(realMount, 'films', 'notes.mp4'), 'a shopping list, not a film\n');
    symlinkSync(path.join('films', 'notes.mp4'), path.join(realMount, 'latest.mp4'));
    writeFileSync(
      path.join(realMount, 'films', 'playlist.mp4'),
      '#EXTM3U\n#EXT-X-TARGETDURATION:4\n#EXTINF:4,\nseg-0.ts\n#EXT-X-ENDLIST\n',
    );
    writeFileSync(path.join(realMount, 'held.mp4'), 'never read\n');
    // prettier-ignore
    execFileSync('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1',
      path.join(realMount, 'films', 'sound.wav'),
    ]);
    copyFileSync(await makeMedia({ seconds: 2, width: 320, height: 180 }), path.join(realMount, 'clip.mp4'));
    orchestrator = await startOrchestrator();
    d = await startTestDaemon(
      testConfig(mount, {
        streams: { keep_minutes: KEEP_MINUTES },
        ffmpeg: { ffprobe_path: holdingFfprobe() },
        orchestrator: { url: orchestrator.url, token: 'o-token-0123456789' },
      }),
      { measureSpeed: false },
    );

    const post = async (body: Record<string, unknown> & { id: string; input: string }): Promise<void> => {
      const res = await d.api('POST', '/jobs', { video: { codec: 'h264', height: 180 }, ...body });
      assert.equal(res.status, 202, await res.text());
      // Every job gets its stream folder at once: what must not stay forever.
      assert.ok(existsSync(path.join(d.config.workDir, 'streams', body.id)), `folder of ${body.id}`);
      inputs.set(body.id, body.input);
      // One after the other, as an orchestrator retries: each ends (at once) before the next.
      if (body.id !== 'held') views.set(body.id, await waitForJobEnd(d, body.id));
    };
    // An orchestrator retrying a film that is not media.
    for (const id of ['junk-1', 'junk-2', 'junk-3']) await post({ id, input: 'films/notes.mp4' });
    await post({ id: 'alias', input: 'latest.mp4' });
    await post({ id: 'playlist', input: 'films/playlist.mp4' });
    await post({ id: 'sound', input: 'films/sound.wav' });
    await post({ id: 'burn', input: 'clip.mp4', burnSubtitles: { track: 0 } });
    await post({ id: 'held', input: 'held.mp4' });
    const heldProbe = (a: string): boolean => a.endsWith(path.join(realMount, 'held.mp4'));
    await waitFor(
      () => processes().some((p) => p.state === 'T' && p.cmdline.some(heldProbe)),
      10_000,
      'the probe of held.mp4 to be held',
    );
    const cancelled = (await (await d.api('DELETE', '/jobs/held')).json()) as JobView;
    assert.equal(cancelled.status, 'cancelled');
    assert.deepEqual(
      processes().filter((p) => p.cmdline.some(heldProbe)),
      [],
      'the held probe is gone when DELETE answers',
    );
    views.set('held', cancelled);
  });
  after(async () => {
    await d.stop();
    await orchestrator.close();
  });

  it('each failed or was cancelled without writing a file', () => {
    for (const [id, v] of views) {
      assert.equal(v.status, id === 'held' ? 'cancelled' : 'failed', `${id}: ${JSON.stringify(v)}`);
      assert.equal(v.segmentsReady, 0, id);
    }
  });

  it("names the input as the orchestrator gave it in a job's error, never nas_mount_path", async () => {
    for (const [id, v] of views) {
      if (id === 'held') continue;
      const error = v.error ?? '';
      assert.ok(error !== '', `${id} has an error`);
      assert.ok(!error.includes(mount) && !error.includes(realMount), `${id}: ${error}`);
      assert.doesNotMatch(error, /file:/, `${id}: ${error}`);
    }
    // FFmpeg's own words, about the file as posted (through the symlink: as posted, not where it leads).
    assert.match(views.get('junk-1')?.error ?? '', /(^|; )films\/notes\.mp4: Invalid data found/);
    assert.match(views.get('alias')?.error ?? '', /(^|; )latest\.mp4: Invalid data found/);
    assert.match(views.get('playlist')?.error ?? '', /(^|; )films\/playlist\.mp4: /);
    // Every answer that carries job errors or the hardware profile, public or not.
    const answers = [
      await (await d.api('GET', '/jobs')).text(),
      await (await d.api('GET', '/jobs/junk-1')).text(),
      await (await d.api('GET', '/metrics')).text(),
      await (await fetch(`${d.localUrl}/health`)).text(),
    ];
    await waitFor(() => orchestrator.beats.length > 0, 10_000, 'a heartbeat');
    answers.push(...orchestrator.beats.map((b) => JSON.stringify(b.body)));
    for (const text of answers) {
      assert.ok(!text.includes(realMount), text.slice(0, 300));
      assert.ok(!text.includes(mount), text.slice(0, 300));
    }
  });

  it('deletes their stream folders keep_minutes after they ended; records stay, stream URLs answer 404', async () => {
    const dirs = [...views.keys()].map((id) => path.join(d.config.workDir, 'streams', id));
    // 3 s after the end, noticed by a sweep every 2 s: 10 s leaves room on a busy machine.
    await waitFor(
      () => dirs.every((dir) => !existsSync(dir)),
      10_000,
      `their folders to go (left: ${dirs.filter((dir) => existsSync(dir)).join(', ')})`,
    );
    assert.deepEqual(readdirSync(path.join(d.config.workDir, 'streams')), []);
    for (const [id, v] of views) {
      const now = (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
      assert.equal(now.status, v.status, id);
      const res = await fetch(`${d.localUrl}/streams/${id}/stream.m3u8`);
      assert.equal(res.status, 404, id);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'STREAM_NOT_FOUND');
    }
  });

  it("forgetting a spent record (the sweep's cap of 500) frees its id and its empty folder", async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'junk-4',
      input: 'films/notes.mp4',
      video: { codec: 'h264' },
    });
    assert.equal(res.status, 202);
    assert.equal((await waitForJobEnd(d, 'junk-4')).status, 'failed');
    for (const id of ['junk-1', 'junk-4']) {
      await d.jobs.forget(id);
      assert.equal((await d.api('GET', `/jobs/${id}`)).status, 404, id);
      assert.ok(!existsSync(path.join(d.config.workDir, 'streams', id)), id);
    }
    const again = await d.api('POST', '/jobs', {
      id: 'junk-1',
      input: 'films/notes.mp4',
      video: { codec: 'h264' },
    });
    assert.equal(again.status, 202, 'the id is free again');
    assert.equal((await waitForJobEnd(d, 'junk-1')).status, 'failed');
  });

  it('the record cap applies to them: a sweep forgets the earliest ended beyond it, ids and folders with them', async () => {
    // The sweep the daemon runs every 2 s, with a cap of 3 instead of 500 (posting 501 jobs would take a minute).
    await sweep({
      jobs: d.jobs,
      config: d.config,
      availableMemoryBytes: () => Number.MAX_SAFE_INTEGER,
      log: createLogger('silent'),
      signal: new AbortController().signal,
      maxRecords: 3,
    });
    // Ended in this order: junk-2, junk-3, alias, playlist, sound, burn, held, then junk-1 posted again.
    const listed = ((await (await d.api('GET', '/jobs')).json()) as { jobs: JobView[] }).jobs.map(
      (j) => j.id,
    );
    assert.deepEqual(listed.sort(), ['burn', 'held', 'junk-1']);
    for (const id of ['junk-2', 'junk-3', 'alias', 'playlist', 'sound']) {
      const res = await d.api('GET', `/jobs/${id}`);
      assert.equal(res.status, 404, id);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'JOB_NOT_FOUND');
    }
    assert.deepEqual(
      readdirSync(path.join(d.config.workDir, 'streams')).filter((n) => n !== 'junk-1'),
      [],
    );
  });
});
