// Why a job failed, as its view and the heartbeat show it: a full disk, and FFmpeg's words without the NAS path.
import { diskFullReason, type DiskState } from './sweep-rules.js';

/** The full-disk reason when work_dir has no room left (FFmpeg 5.1 exits 0 without a word when its writes fail). */
export async function fullDisk(readDisk: () => Promise<DiskState>): Promise<string | null> {
  return readDisk().then(
    (disk) => diskFullReason(disk.freeBytes),
    () => null,
  );
}

/** Where a job's source is: the input as posted, the real path FFmpeg opened, and nas_mount_path in its spellings. */
export interface InputNames {
  /** The input as the orchestrator posted it (relative to nas_mount_path). */
  readonly input: string;
  /** The verified absolute path handed to ffprobe and FFmpeg (symlinks followed), without the file: prefix. */
  readonly opened: string;
  /** nas_mount_path as configured and as its real path. */
  readonly mounts: readonly string[];
}

/**
 * A reason as the job's view and the heartbeat show it. FFmpeg names the file as it was given, `file:` and the whole
 * NAS path (`file:/srv/media/films/x.mkv: Invalid data…`); the job names it as posted (`films/x.mkv: Invalid data…`),
 * and any other path under nas_mount_path relative to it.
 */
export function publicReason(text: string, names: InputNames): string {
  let out = text.split(`file:${names.opened}`).join(names.input).split(names.opened).join(names.input);
  // Longest first: a mount inside another's spelling is replaced whole. A root mount (/, C:\) names nothing.
  const mounts = [...new Set(names.mounts.map((m) => m.replace(/[\\/]+$/, '')))]
    .filter((m) => m !== '' && !/^[A-Za-z]:$/.test(m))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) {
    for (const sep of ['/', '\\'])
      out = out.split(`file:${mount}${sep}`).join('').split(`${mount}${sep}`).join('');
    out = out.split(`file:${mount}`).join('nas_mount_path').split(mount).join('nas_mount_path');
  }
  return out;
}
