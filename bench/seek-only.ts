// Only the seek figure of bench/seek.ts (issue 15 item 4): a request for segment 120 of a 10-minute film right after
// its VOD playlist, to the last byte, against raw FFmpeg with the seek head's own arguments. Medians of SEEK_RUNS.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeMedia } from '../test/helpers/media.js';
import { median } from './measure.js';
import { makeSeekMedia, seekOnce } from './seek.js';
import { forgetHardwareProfile, warmHardwareProfile } from './worker-process.js';

const runs = Math.max(1, Number(process.env.SEEK_RUNS ?? 5));
const mount = mkdtempSync(path.join(tmpdir(), 'tw-bench-seek-'));
makeSeekMedia(
  mount,
  makeMedia({ seconds: 600, width: 1280, height: 720, rate: 24 }),
  makeMedia({ seconds: 600, width: 160, height: 90, rate: 24 }),
);
await warmHardwareProfile(mount);
const seek: number[] = [];
const raw: number[] = [];
try {
  for (let i = 0; i < runs; i++) {
    const r = await seekOnce(mount, i);
    seek.push(r.seekMs);
    raw.push(r.rawMs);
  }
} finally {
  forgetHardwareProfile();
}
const m = (xs: number[]): number => Math.round(median(xs));
console.log(
  JSON.stringify({
    runs,
    seekMs: m(seek),
    rawSeekMs: m(raw),
    deltaMs: m(seek) - m(raw),
    seek: seek.map(Math.round),
    raw: raw.map(Math.round),
  }),
);
