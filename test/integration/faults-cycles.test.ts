// 50 start-job/cancel cycles in a row leave nothing behind: no FFmpeg, no zombie, open file descriptors and RSS
// back near where they started, read the way an operator reads them (GET /metrics: process_open_fds,
// process_resident_memory_bytes).
import assert from 'node:assert/strict';
import { copyFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { JobView } from '../../src/contract/job-view.js';
import { pidAlive, startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';
import { childrenOf, ffmpegMentioning } from '../helpers/procs.js';

const CYCLES = 50;
/** Bounds: a few descriptors for kept-alive HTTP sockets and lazily opened files; RSS with room for GC timing. */
const FD_SLACK = 5;
const RSS_SLACK_BYTES = 40 * 1024 * 1024;

async function metric(d: TestDaemon, name: string): Promise<number> {
  const text = await (await d.api('GET', '/metrics')).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name} `));
  assert.ok(line !== undefined, `metric ${name}`);
  return Number(line.slice(name.length + 1));
}

describe('start-job/cancel cycles', () => {
  let d: TestDaemon;
  before(async () => {
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 30, width: 640, height: 360 }), path.join(mount, 'film.mp4'));
    d = await startTestDaemon(testConfig(mount), { measureSpeed: false });
    await d.hardware.tested;
  });
  after(async () => {
    await d.stop();
  });

  async function view(id: string): Promise<JobView> {
    return (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
  }

  /** One cycle: start a job and cancel it: while the source is probed, just after FFmpeg started, or once it encodes. */
  async function cycle(i: number): Promise<void> {
    const id = `cycle-${i}`;
    const res = await d.api('POST', '/jobs', {
      id,
      input: 'film.mp4',
      video: { codec: 'h264', height: 240 },
    });
    assert.equal(res.status, 202, await res.text());
    let pid: number | undefined;
    if (i % 5 !== 0) {
      await waitFor(() => (pid = d.jobs.pids()[id]) !== undefined, 10_000, `FFmpeg of ${id}`);
    }
    if (i % 5 === 1) {
      // Also once FFmpeg is well under way: its first progress report.
      await waitFor(async () => (await view(id)).speed !== null, 10_000, `progress of ${id}`);
    }
    const cancelled = (await (await d.api('DELETE', `/jobs/${id}`)).json()) as JobView;
    assert.equal(cancelled.status, 'cancelled', `${id} cancelled`);
    if (pid !== undefined) assert.ok(!pidAlive(pid), `FFmpeg of ${id} reaped when DELETE answers`);
  }

  it(`${CYCLES} cycles: no FFmpeg or zombie left, fds within +${FD_SLACK}, RSS within +40 MB`, async () => {
    // Warm-up: the first jobs load code and open what stays open (inotify, the HTTP connection).
    for (let i = 0; i < 3; i++) await cycle(-1 - i);
    const fds = await metric(d, 'process_open_fds');
    const rss = await metric(d, 'process_resident_memory_bytes');

    const started = Date.now();
    for (let i = 0; i < CYCLES; i++) await cycle(i);
    const seconds = (Date.now() - started) / 1000;

    assert.deepEqual(d.jobs.pids(), {});
    assert.deepEqual(ffmpegMentioning(d.config.workDir), [], 'no FFmpeg of this worker left');
    const children = childrenOf(process.pid);
    assert.deepEqual(
      children.filter((c) => c.comm === 'ffmpeg' || c.state === 'Z'),
      [],
      'no FFmpeg child and no zombie',
    );
    const fdsAfter = await metric(d, 'process_open_fds');
    const rssAfter = await metric(d, 'process_resident_memory_bytes');
    const report = `${CYCLES} cycles in ${seconds.toFixed(1)} s; fds ${fds} → ${fdsAfter}; RSS ${(rss / 1048576).toFixed(1)} → ${(rssAfter / 1048576).toFixed(1)} MB`;
    console.log(report);
    assert.ok(fdsAfter <= fds + FD_SLACK, report);
    assert.ok(rssAfter <= rss + RSS_SLACK_BYTES, report);
    const jobs = (await (await d.api('GET', '/jobs')).json()) as { jobs: JobView[] };
    assert.equal(jobs.jobs.filter((j) => j.status === 'cancelled').length, CYCLES + 3);
  });
});
