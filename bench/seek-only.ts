// Only the seek figure of bench/seek.ts: a request for segment 120 of a 10-minute film right after its VOD playlist,
// to the last byte, against raw FFmpeg with the seek head's own arguments; medians of SEEK_RUNS. With
// SEEK_BASELINE_CLI (another build's dist/cli.js) the runs alternate between it and this build, so a before/after
// comparison meets the same machine load.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { makeMedia } from '../test/helpers/media.js';
import { median } from './measure.js';
import { makeSeekMedia, seekOnce } from './seek.js';
import { forgetHardwareProfile, warmHardwareProfile } from './worker-process.js';

const runs = Math.max(1, Number(process.env.SEEK_RUNS ?? 5));
const baseline = process.env.SEEK_BASELINE_CLI;
const mount = mkdtempSync(path.join(tmpdir(), 'tw-bench-seek-'));
makeSeekMedia(
  mount,
  await makeMedia({ seconds: 600, width: 1280, height: 720, rate: 24 }),
  await makeMedia({ seconds: 600, width: 160, height: 90, rate: 24 }),
);
await warmHardwareProfile(mount);

interface Side {
  readonly seek: number[];
  readonly raw: number[];
}
const sides: Record<'this' | 'baseline', Side> = {
  this: { seek: [], raw: [] },
  baseline: { seek: [], raw: [] },
};
// The worker is started as `node <cli> start …`: the wrapper swaps the cli for the baseline's (bash's $0).
const swap =
  baseline === undefined ? undefined : ['bash', '-c', 'a=("$@"); a[1]="$0"; exec "${a[@]}"', baseline];
try {
  for (let i = 0; i < runs; i++) {
    // Each pair in turn order: whichever goes first meets the machine as the other left it.
    const pair = i % 2 === 0 ? (['baseline', 'this'] as const) : (['this', 'baseline'] as const);
    for (const side of baseline === undefined ? (['this'] as const) : pair) {
      const wrapper = side === 'baseline' && swap !== undefined ? { wrapper: swap } : {};
      const r = await seekOnce(mount, i, wrapper);
      sides[side].seek.push(r.seekMs);
      sides[side].raw.push(r.rawMs);
    }
  }
} finally {
  forgetHardwareProfile();
  rmSync(mount, { recursive: true, force: true });
}
for (const [name, side] of Object.entries(sides)) {
  if (side.seek.length === 0) continue;
  const m = (xs: number[]): number => Math.round(median(xs));
  console.log(
    JSON.stringify({
      build: name,
      runs: side.seek.length,
      seekMs: m(side.seek),
      rawSeekMs: m(side.raw),
      deltaMs: m(side.seek) - m(side.raw),
      seek: side.seek.map(Math.round),
      raw: side.raw.map(Math.round),
    }),
  );
}
