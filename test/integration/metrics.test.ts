// GET /metrics on the real daemon with a real job: every series moves with what the worker actually did.
import assert from 'node:assert/strict';
import { copyFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  startOrchestrator,
  startTestDaemon,
  testConfig,
  waitFor,
  type TestDaemon,
  type TestOrchestrator,
} from '../helpers/daemon.js';
import { makeMedia, makeMountDir } from '../helpers/media.js';

/** Parses Prometheus text into "name{labels}" → value (labels as written, in order). */
function parseMetrics(text: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const cut = line.lastIndexOf(' ');
    out.set(line.slice(0, cut), Number(line.slice(cut + 1)));
  }
  return out;
}

describe('GET /metrics', () => {
  let d: TestDaemon;
  let orchestrator: TestOrchestrator;
  before(async () => {
    const mount = makeMountDir();
    copyFileSync(await makeMedia({ seconds: 30, width: 1280, height: 720 }), path.join(mount, 'long.mp4'));
    orchestrator = await startOrchestrator();
    d = await startTestDaemon(
      testConfig(mount, { orchestrator: { url: orchestrator.url, heartbeat_interval_seconds: 0.2 } }),
    );
  });
  after(async () => {
    await d.stop();
    await orchestrator.close();
  });

  const scrape = async (): Promise<Map<string, number>> => {
    const res = await d.api('GET', '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    return parseMetrics(await res.text());
  };

  it('needs the bearer token (per-job series name job ids, which are stream capabilities)', async () => {
    const res = await fetch(`${d.localUrl}/metrics`);
    assert.equal(res.status, 401);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  });

  it('starts at zero with process metrics and the worker status', async () => {
    const m = await scrape();
    assert.equal(m.get('transcode_worker_jobs{status="running"}'), 0);
    assert.equal(m.get('transcode_worker_status{status="ready"}'), 1);
    assert.equal(m.get('transcode_worker_stream_files_served_total{kind="segment"}'), 0);
    assert.ok((m.get('process_resident_memory_bytes') ?? 0) > 10_000_000);
    assert.ok((m.get('process_open_fds') ?? 0) > 0);
    assert.ok([...m.keys()].some((k) => k.startsWith('transcode_worker_info{version="')));
  });

  it('follows a running job: status, speed, served segments and bytes, cache, waits, heartbeats', async () => {
    const res = await d.api('POST', '/jobs', {
      id: 'metrics-job',
      input: 'long.mp4',
      video: { codec: 'h264', height: 360 },
      segmentSeconds: 2,
    });
    assert.equal(res.status, 202);
    // Segment 3 (6-8 s) is not written yet: this request waits for it.
    const seg = await fetch(`${d.localUrl}/streams/metrics-job/seg-3.ts`);
    assert.equal(seg.status, 200);
    const body = Buffer.from(await seg.arrayBuffer());
    const again = await fetch(`${d.localUrl}/streams/metrics-job/seg-3.ts`);
    assert.equal(Buffer.from(await again.arrayBuffer()).length, body.length);
    const head = await fetch(`${d.localUrl}/streams/metrics-job/seg-3.ts`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    const onDisk = statSync(path.join(d.config.workDir, 'streams', 'metrics-job', 'seg-3.ts')).size;
    assert.equal(body.length, onDisk);

    let m = await scrape();
    await waitFor(
      async () => {
        m = await scrape();
        return (m.get('transcode_worker_job_speed{job="metrics-job"}') ?? 0) > 0;
      },
      10_000,
      'a speed for the running job',
    );
    assert.equal(m.get('transcode_worker_jobs{status="running"}'), 1);
    const progress = m.get('transcode_worker_job_progress{job="metrics-job"}') ?? -1;
    assert.ok(progress > 0 && progress <= 1, `progress ${progress}`);
    assert.equal(m.get('transcode_worker_stream_files_served_total{kind="segment"}'), 3);
    // Two GETs send the body; the HEAD sends none.
    assert.equal(m.get('transcode_worker_stream_bytes_served_total{kind="segment"}'), 2 * onDisk);
    // Three lookups; the first is a miss unless the worker's read-ahead (it follows a stream from its first
    // request on) read segment 3 the moment FFmpeg renamed it into place.
    const misses = m.get('transcode_worker_segment_cache_misses_total') ?? -1;
    assert.ok(misses === 0 || misses === 1, `misses ${misses}`);
    assert.equal(m.get('transcode_worker_segment_cache_hits_total'), 3 - misses);
    assert.equal(m.get('transcode_worker_segment_waits_total{outcome="ready"}'), 1);
    assert.equal(m.get('transcode_worker_segment_wait_seconds_count'), 1);
    assert.ok((m.get('transcode_worker_heartbeats_total{result="ok"}') ?? 0) >= 1);
    assert.equal(m.get('transcode_worker_heartbeats_total{result="failed"}'), 0);

    const cancelled = await d.api('DELETE', '/jobs/metrics-job');
    assert.equal(cancelled.status, 200);
    m = await scrape();
    assert.equal(m.get('transcode_worker_jobs{status="running"}'), 0);
    assert.equal(m.get('transcode_worker_jobs{status="cancelled"}'), 1);
    assert.equal(m.get('transcode_worker_job_speed{job="metrics-job"}'), undefined);
  });

  it('counts failed heartbeats while the orchestrator answers 500', async () => {
    orchestrator.mode = 'fail';
    try {
      await waitFor(
        async () => ((await scrape()).get('transcode_worker_heartbeats_total{result="failed"}') ?? 0) >= 1,
        5_000,
        'a failed heartbeat in the metrics',
      );
    } finally {
      orchestrator.mode = 'ok';
    }
  });
});
