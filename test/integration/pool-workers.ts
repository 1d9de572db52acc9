// Real workers for the pool's integration tests: a plain one, and one with the fake GPU of
// test/fixtures/fake-gpu-ffmpeg.mjs behind a fake AMD render node (its VAAPI encoders verified at start).
import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ConfigFile } from '../../src/config.js';
import { startTestDaemon, testConfig, waitFor, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir } from '../helpers/media.js';
import { fakeTree } from '../unit/hardware/fake-tree.js';

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
  /** The pool (or a recording orchestrator) the worker beats into. */
  readonly orchestrator: { readonly url: string; readonly token: string; readonly intervalSeconds?: number };
  readonly gpu?: boolean;
  readonly name?: string;
  readonly mount?: string;
  readonly overrides?: Partial<ConfigFile>;
}

/** Starts a real worker in this process (no speed runs) and waits until its hardware probe has finished. */
export async function startWorker(o: WorkerOptions): Promise<TestDaemon> {
  const tree = fakeTree();
  if (o.gpu === true) {
    tree.file('dev/dri/renderD128');
    tree.file('sys/class/drm/renderD128/device/vendor', '0x1002\n');
  }
  const d = await startTestDaemon(
    testConfig(o.mount ?? makeMountDir(), {
      ...(o.name === undefined ? {} : { name: o.name }),
      ...(o.gpu === true ? { ffmpeg: { path: fakeGpuFfmpeg(), ffprobe_path: 'ffprobe' } } : {}),
      orchestrator: {
        url: o.orchestrator.url,
        token: o.orchestrator.token,
        heartbeat_interval_seconds: o.orchestrator.intervalSeconds ?? 0.5,
      },
      ...o.overrides,
    }),
    { roots: { sysRoot: tree.sysRoot, devRoot: tree.devRoot, procRoot: '/proc' }, measureSpeed: false },
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
