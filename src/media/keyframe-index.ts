// The source's keyframe times (ffprobe's packet list, read as it streams in: a two-hour film's index never holds
// up the first segment) and, pure, where FFmpeg's HLS muxer will cut a stream copy: at the first keyframe at or
// after the next multiple of the segment length, counted in segments made so far.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileUrl, inputHardening } from './demuxers.js';

/** Cut times (seconds from the first keyframe) of a stream copy; the first is 0. */
export function copyCuts(keyframes: readonly number[], segmentSeconds: number): number[] {
  const first = keyframes[0];
  if (first === undefined) return [];
  const cuts = [0];
  for (const k of keyframes) {
    const t = k - first;
    // The muxer's n-th cut waits for a keyframe at or after n × hls_time (n = segments so far).
    if (t >= cuts.length * segmentSeconds - 1e-6) cuts.push(t);
  }
  return cuts;
}

/** The copy's segment durations: between cuts, the last one to the end of the video. */
export function copyDurations(
  keyframes: readonly number[],
  segmentSeconds: number,
  endSeconds: number,
): number[] {
  const cuts = copyCuts(keyframes, segmentSeconds);
  return cuts.map((c, i) => (cuts[i + 1] ?? endSeconds) - c).filter((d) => d > 0);
}

/** Keyframe presentation times of the first video stream, ascending; null if ffprobe fails. */
export function readKeyframes(
  ffprobePath: string,
  file: string,
  signal: AbortSignal,
): Promise<number[] | null> {
  return new Promise((resolve) => {
    // prettier-ignore
    const child = spawn(ffprobePath, [
      '-v', 'error', ...inputHardening(),
      // Packets only, no decoding: the index of a two-hour film is a read of the file.
      '-select_streams', 'v:0', '-show_entries', 'packet=pts_time,flags', '-of', 'csv=p=0',
      fileUrl(file),
    ], { stdio: ['ignore', 'pipe', 'ignore'], signal, windowsHide: true });
    const times: number[] = [];
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      const [pts = '', flags = ''] = line.split(',');
      if (!flags.startsWith('K')) return;
      const t = Number.parseFloat(pts);
      if (Number.isFinite(t)) times.push(t);
    });
    child.once('error', () => {
      resolve(null);
    });
    child.once('close', (code) => {
      resolve(code === 0 && times.length > 0 ? times.sort((a, b) => a - b) : null);
    });
  });
}
