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
}

async function jobCpu(worker: WorkerProcess, id: string, job: Record<string, unknown>): Promise<number> {
  const before = processCpu(worker.pid).children;
  await worker.submit({ id, input: 'film60.mp4', segmentSeconds: 4, prepare: true, ...job });
  const done = await worker.finished(id);
  if (done.status !== 'completed') throw new Error(`${id} ${done.status}: ${done.error ?? ''}`);
  return processCpu(worker.pid).children - before;
}

/** `film60.mp4` (60 s 1080p30) copied and transcoded to 720p, `runs` times each. */
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
  const perMinute = 60 / mediaSeconds;
  return { copyCpuPerMinute: median(copy) * perMinute, transcodeCpuPerMinute: median(transcode) * perMinute };
}
