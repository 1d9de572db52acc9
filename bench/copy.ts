// Issue 8's figure: FFmpeg CPU seconds per minute of media for a stream copy against a 720p transcode of the same
// 1080p source, through the worker (its FFmpeg children's CPU, read from /proc after each job). A one-minute film:
// a copy's fixed costs (FFmpeg's start, the probe, the keyframe index) are ~0.15 CPU s per job, which a 20 s clip
// would triple per minute.
import { median, processCpu } from './measure.js';
import type { WorkerProcess } from './worker-process.js';

export interface CopyResult {
  /** FFmpeg CPU seconds per minute of media. */
  readonly copyCpuPerMinute: number;
  readonly transcodeCpuPerMinute: number;
  /** A ladder (copy + 720p + 480p + 360p) from one decode, and the same four as separate jobs. */
  readonly ladderCpuPerMinute: number;
  readonly separateCpuPerMinute: number;
}

async function jobCpu(worker: WorkerProcess, id: string, job: Record<string, unknown>): Promise<number> {
  const before = processCpu(worker.pid).children;
  await worker.submit({ id, input: 'film60.mp4', segmentSeconds: 4, prepare: true, ...job });
  const done = await worker.finished(id);
  if (done.status !== 'completed') throw new Error(`${id} ${done.status}: ${done.error ?? ''}`);
  return processCpu(worker.pid).children - before;
}

/** `film60.mp4` (60 s 1080p30) copied and transcoded to 720p, `runs` times each; then the ladder against singles. */
export async function measureCopy(
  worker: WorkerProcess,
  mediaSeconds: number,
  runs: number,
): Promise<CopyResult> {
  const copy: number[] = [];
  const transcode: number[] = [];
  for (let i = 0; i < runs; i++) {
    // Direct stream: video copied, and the source's AAC stereo copied too (audio auto).
    copy.push(await jobCpu(worker, `copy-${i}`, { video: { codec: 'copy' }, audio: { codec: 'auto' } }));
    transcode.push(await jobCpu(worker, `transcode-${i}`, { video: { codec: 'h264', height: 720 } }));
  }
  // Issue 8's ladder: one FFmpeg decodes the 1080p source once for three encodes and a copy, against the same four
  // as separate jobs (each decoding the source itself). Once each: a 1080p decode is the same work every run.
  const ladder = await jobCpu(worker, 'ladder', {
    video: { codec: 'h264' },
    variants: [{ codec: 'copy' }, { height: 720 }, { height: 480 }, { height: 360 }],
    audio: { codec: 'auto' },
  });
  let separate = median(copy) + median(transcode);
  for (const height of [480, 360])
    separate += await jobCpu(worker, `single-${height}`, { video: { codec: 'h264', height } });
  const perMinute = 60 / mediaSeconds;
  return {
    copyCpuPerMinute: median(copy) * perMinute,
    transcodeCpuPerMinute: median(transcode) * perMinute,
    ladderCpuPerMinute: ladder * perMinute,
    separateCpuPerMinute: separate * perMinute,
  };
}
