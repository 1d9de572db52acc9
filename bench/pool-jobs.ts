// Time to first segment through the pool against the worker directly: the same 1080p → 720p job posted to the pool's
// POST /jobs (placed, forwarded to the one worker beating into it) and to the worker's own, alternately; each time is
// from the POST to the first segment's last byte, as a player sees it. The job is cancelled once that segment is in.
import { setTimeout as sleep } from 'node:timers/promises';
import { median } from './measure.js';
import { CLIENT_TOKEN, startPoolProcess, WORKER_TOKEN } from './pool.js';
import { startWorker, TOKEN } from './worker-process.js';

export interface PoolJobsResult {
  readonly directMs: number;
  readonly throughPoolMs: number;
  readonly runs: number;
}

const JOB = { input: 'film.mp4', video: { codec: 'h264', height: 720 }, segmentSeconds: 2 };

/** POST → playlist (the worker holds it until a segment is listed) → first segment's body; milliseconds. */
async function firstSegment(post: () => Promise<Response>): Promise<{ ms: number; playlistUrl: string }> {
  const started = performance.now();
  const res = await post();
  const text = await res.text();
  if (res.status !== 202) throw new Error(`POST /jobs answered ${res.status}: ${text}`);
  const { playlistUrl } = JSON.parse(text) as { playlistUrl: string };
  const playlist = await (await fetch(playlistUrl)).text();
  const first = playlist.split('\n').find((l) => l !== '' && !l.startsWith('#'));
  if (first === undefined) throw new Error(`no segment in ${playlistUrl}`);
  const segment = await fetch(new URL(first, playlistUrl));
  await segment.arrayBuffer();
  if (!segment.ok) throw new Error(`first segment answered ${segment.status}`);
  return { ms: performance.now() - started, playlistUrl };
}

/** `2 × runs` pairs on one worker process and one pool process, medians. */
export async function measurePoolJobs(mount: string, runs: number): Promise<PoolJobsResult> {
  const pool = await startPoolProcess({ workers: { auth_token: TOKEN } });
  const worker = await startWorker({
    mount,
    extraConfig: {
      orchestrator: { url: pool.url, token: WORKER_TOKEN, heartbeat_interval_seconds: 1 },
    },
  });
  const direct: number[] = [];
  const through: number[] = [];
  try {
    for (const t = Date.now(); ;) {
      const res = await fetch(`${pool.url}/workers`, {
        headers: { authorization: `Bearer ${CLIENT_TOKEN}` },
      });
      const { workers } = (await res.json()) as { workers: { probing: boolean }[] };
      if (workers.some((w) => !w.probing)) break;
      if (Date.now() - t > 180_000) throw new Error('the worker did not finish probing within 180 s');
      await sleep(100);
    }
    const cancel = async (id: string): Promise<void> => {
      await (await worker.api('DELETE', `/jobs/${id}`)).arrayBuffer();
      // Let the pool see the freed slot in the next beat before the next job.
      await sleep(1500);
    };
    const viaWorker = async (i: number): Promise<void> => {
      direct.push((await firstSegment(() => worker.api('POST', '/jobs', { ...JOB, id: `direct-${i}` }))).ms);
      await cancel(`direct-${i}`);
    };
    const viaPool = async (i: number): Promise<void> => {
      const b = await firstSegment(() =>
        fetch(`${pool.url}/jobs`, {
          method: 'POST',
          headers: { authorization: `Bearer ${CLIENT_TOKEN}`, 'content-type': 'application/json' },
          body: JSON.stringify({ ...JOB, id: `pool-${i}` }),
        }),
      );
      if (!b.playlistUrl.startsWith(worker.url)) throw new Error(`placed elsewhere: ${b.playlistUrl}`);
      through.push(b.ms);
      await cancel(`pool-${i}`);
    };
    // Each goes first in every other pair, so neither gains from running after the other.
    for (let i = 0; i < runs * 2; i++) {
      if (i % 2 === 0) {
        await viaWorker(i);
        await viaPool(i);
      } else {
        await viaPool(i);
        await viaWorker(i);
      }
    }
  } finally {
    await worker.stop();
    await pool.stop();
  }
  return { directMs: median(direct), throughPoolMs: median(through), runs: direct.length };
}
