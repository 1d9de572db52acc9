// Real workers for the pool's integration tests: a plain one, one with the fake GPU of
// test/fixtures/fake-gpu-ffmpeg.mjs behind a fake AMD render node (its VAAPI encoders verified at start), and any of
// them with speed figures seeded into its profile cache (the worker's own cache file, read back at its next start), so
// a 2-core test machine can stand in for a board and a GPU box without measuring for minutes.
import { chmodSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigFile } from '../../src/config.js';
import { CACHE_FILE, type CachedProfile } from '../../src/hardware/profile-cache.js';
import { startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir } from '../helpers/media.js';
import { fakeTree, type FakeTree } from '../unit/hardware/fake-tree.js';

const FIXTURE = fileURLToPath(new URL('../fixtures/fake-gpu-ffmpeg.mjs', import.meta.url));

/** An executable "ffmpeg" that runs the fixture in one mode. */
export function fakeGpuFfmpeg(mode = 'works'): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-fakegpu-'));
  const file = path.join(dir, 'ffmpeg');
  writeFileSync(file, `#!/bin/sh\nexec node '${FIXTURE}' --gpu=${mode} -- "$@"\n`);
  chmodSync(file, 0o755);
  return file;
}

export interface WorkerOptions {
  /** The pool (or a recording orchestrator) the worker beats into; none: it beats nowhere. */
  readonly orchestrator?: { readonly url: string; readonly token: string; readonly intervalSeconds?: number };
  readonly gpu?: boolean;
  readonly name?: string;
  readonly mount?: string;
  readonly overrides?: Partial<ConfigFile>;
}

/** One machine: its devices, FFmpeg and work_dir stay the same across restarts (so its profile cache holds). */
export interface Machine {
  readonly options: WorkerOptions;
  readonly tree: FakeTree;
  readonly workDir: string;
  readonly ffmpegPath: string | null;
}

/** Describes a machine; nothing starts yet. */
export function machine(o: WorkerOptions): Machine {
  const tree = fakeTree();
  if (o.gpu === true) {
    tree.file('dev/dri/renderD128');
    tree.file('sys/class/drm/renderD128/device/vendor', '0x1002\n');
  }
  return {
    options: o,
    tree,
    workDir: mkdtempSync(path.join(tmpdir(), 'tw-work-')),
    ffmpegPath: o.gpu === true ? fakeGpuFfmpeg() : null,
  };
}

/** Starts a real worker in this process (no speed runs) and waits until its hardware probe has finished. */
export async function startMachine(m: Machine, beatTo = m.options.orchestrator): Promise<TestDaemon> {
  const o = m.options;
  const d = await startTestDaemon(
    testConfig(o.mount ?? makeMountDir(), {
      work_dir: m.workDir,
      ...(o.name === undefined ? {} : { name: o.name }),
      ...(m.ffmpegPath === null ? {} : { ffmpeg: { path: m.ffmpegPath, ffprobe_path: 'ffprobe' } }),
      ...(beatTo === undefined
        ? {}
        : {
            orchestrator: {
              url: beatTo.url,
              token: beatTo.token,
              heartbeat_interval_seconds: beatTo.intervalSeconds ?? 0.5,
            },
          }),
      ...o.overrides,
    }),
    { roots: { sysRoot: m.tree.sysRoot, devRoot: m.tree.devRoot, procRoot: '/proc' }, measureSpeed: false },
  );
  await waitFor(
    async () => {
      const h = (await (await fetch(`${d.localUrl}/health`)).json()) as { hardware: { probing: boolean } };
      return !h.hardware.probing;
    },
    60_000,
    'the hardware probe',
  );
  return d;
}

/** A machine started once. */
export async function startWorker(o: WorkerOptions): Promise<TestDaemon> {
  return startMachine(machine(o));
}

export type Speeds = Readonly<Record<string, { readonly '720p'?: number; readonly '1080p'?: number }>>;

/**
 * Starts the machine once beating nowhere (its test encodes fill its profile cache), writes `speeds` into that cache
 * as if measured, and starts it again for real: the worker then reports those figures in every beat.
 */
export async function startWithSpeeds(m: Machine, speeds: Speeds): Promise<TestDaemon> {
  const first = await startMachine(m, undefined);
  await first.stop();
  const file = path.join(m.workDir, CACHE_FILE);
  const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedProfile;
  const at = new Date().toISOString();
  const seeded: CachedProfile = {
    ...cached,
    speedMeasured: true,
    encoders: cached.encoders.map((e) => {
      const s = speeds[e.name];
      if (s === undefined || !e.usable) return e;
      return { ...e, speed: s, measuredAt: Object.fromEntries(Object.keys(s).map((k) => [k, at])) };
    }),
  };
  writeFileSync(file, JSON.stringify(seeded));
  return startMachine(m);
}
