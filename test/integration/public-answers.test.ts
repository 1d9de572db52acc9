// What the worker answers without a token never names a job id: an id is the capability to a job's stream and view.
// The heartbeat, sent to the orchestrator with its token, does name them.
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import {
  startOrchestrator,
  startTestDaemon,
  testConfig,
  waitFor,
  type TestDaemon,
  type TestOrchestrator,
} from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

describe('public answers name no job id', () => {
  let d: TestDaemon;
  let orchestrator: TestOrchestrator;
  const ids: string[] = [];
  before(async () => {
    const mount = makeMountDir();
    // Made before the daemon starts: generating media blocks this process's event loop.
    copyFileSync(await makeMedia({ seconds: 30, width: 640, height: 360 }), path.join(mount, 'film.mp4'));
    orchestrator = await startOrchestrator();
    d = await startTestDaemon(
      testConfig(mount, {
        orchestrator: {
          url: orchestrator.url,
          token: 'o-token-0123456789',
          heartbeat_interval_seconds: 0.25,
        },
        // Heads pause 2 s of media ahead of their (absent) viewers: the jobs stay live without spending the CPU.
        throttle: { ahead_seconds: 2 },
      }),
      { measureSpeed: false },
    );
    for (const id of ['film-chosen-id', undefined]) {
      const res = await d.api('POST', '/jobs', {
        ...(id === undefined ? {} : { id }),
        input: 'film.mp4',
        video: { codec: 'h264', height: 240 },
      });
      const text = await res.text();
      assert.equal(res.status, 202, text);
      ids.push((JSON.parse(text) as { id: string }).id);
    }
    for (const id of ids) {
      await waitFor(
        async () => ((await (await d.api('GET', `/jobs/${id}`)).json()) as JobView).status === 'running',
        20_000,
        `job ${id} running`,
      );
    }
  });
  after(async () => {
    await d.stop();
    await orchestrator.close();
  });

  const leaked = (body: string): string[] => ids.filter((id) => body.includes(id));

  it('GET /health has the counts of the live jobs and none of their ids', async () => {
    const res = await fetch(`${d.localUrl}/health`);
    assert.equal(res.status, 200);
    const text = await res.text();
    assert.deepEqual(leaked(text), [], text);
    const health = JSON.parse(text) as { jobs: { running: number; max: number; load: number } };
    assert.equal(health.jobs.running, 2);
    assert.equal(health.jobs.max, 2);
    assert.equal(typeof health.jobs.load, 'number');
  });

  it('no other answer without the token names one: status page, errors, refused bearer routes', async () => {
    const requests: [string, string, Record<string, string>?][] = [
      ['GET', '/'],
      ['GET', '/assets/status.js'],
      ['HEAD', '/health'],
      ['GET', '/jobs'],
      ['GET', '/jobs', { authorization: 'Bearer wrong-token-0123456789' }],
      ['GET', '/metrics'],
      ['GET', '/metrics', { authorization: 'Bearer wrong-token-0123456789' }],
      ['DELETE', `/jobs/${ids[0] ?? ''}x`],
      ['GET', '/jobs/not-a-live-job'],
      ['GET', '/streams/not-a-live-job/stream.m3u8'],
      ['GET', '/nothing-here'],
      ['PUT', '/health'],
    ];
    for (const [method, route, headers] of requests) {
      const res = await fetch(`${d.localUrl}${route}`, { method, ...(headers ? { headers } : {}) });
      const text = await res.text();
      assert.deepEqual(leaked(text), [], `${method} ${route} (${res.status}): ${text.slice(0, 300)}`);
    }
  });

  it('the heartbeat the orchestrator receives names every live job', async () => {
    const beatWithIds = (): boolean =>
      orchestrator.beats.some((b) => {
        const listed = (b.body.jobs as { ids?: unknown } | undefined)?.ids;
        return Array.isArray(listed) && ids.every((id) => listed.includes(id));
      });
    await waitFor(beatWithIds, 5000, 'a heartbeat listing both jobs');
    const beat = orchestrator.beats.at(-1);
    assert.equal(beat?.headers.authorization, 'Bearer o-token-0123456789');
  });
});
