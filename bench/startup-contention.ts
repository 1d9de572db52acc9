// Not part of `npm run bench`: how long a job posted right after start waits for its FFmpeg, its VOD playlist and
// its first segment, against the same worker at rest (speed measurement off, test encodes done), and how many
// measurement processes ran beside its FFmpeg. `node --import tsx bench/startup-contention.ts [rounds]`
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConfig, type Config } from '../src/config.js';
import { startDaemon, type Daemon } from '../src/daemon.js';
import { createLogger } from '../src/log.js';
import { makeMedia } from '../test/helpers/media.js';
import { childrenOf, type ProcInfo } from '../test/helpers/procs.js';

const TOKEN = 'bench-token-0123456789abcdef';
const ROUNDS = Number(process.argv[2] ?? 3);

const isMeasurement = (p: ProcInfo): boolean =>
  p.cmdline.some((a) => /^testsrc2=size=(1920x1080|256x256)/.test(a));
const liveChildren = (): ProcInfo[] => childrenOf(process.pid).filter((p) => p.state !== 'Z');

interface Timing {
  readonly ffmpegMs: number;
  readonly playlistMs: number;
  readonly firstSegmentMs: number;
  readonly measurementsBeside: number;
}

async function timeJob(d: Daemon, workDir: string, id: string): Promise<Timing> {
  const auth = { authorization: `Bearer ${TOKEN}` };
  const t0 = performance.now();
  const res = await fetch(`${d.localUrl}/jobs`, {
    method: 'POST',
    headers: { ...auth, 'content-type': 'application/json' },
    body: JSON.stringify({ id, input: 'film.mp4', video: { codec: 'h264', height: 720 }, segmentSeconds: 2 }),
  });
  if (res.status !== 202) throw new Error(`POST ${res.status} ${await res.text()}`);
  const streamDir = path.join(workDir, 'streams', id);
  let ffmpegMs = NaN;
  let beside = 0;
  while (performance.now() - t0 < 30_000) {
    const children = liveChildren();
    if (children.some((p) => p.comm === 'ffmpeg' && p.cmdline.some((a) => a.includes(streamDir)))) {
      ffmpegMs = performance.now() - t0;
      beside = children.filter(isMeasurement).length;
      break;
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  await (await fetch(`${d.localUrl}/streams/${id}/stream.m3u8`)).text();
  const playlistMs = performance.now() - t0;
  await (await fetch(`${d.localUrl}/streams/${id}/seg-0.ts`)).arrayBuffer();
  const firstSegmentMs = performance.now() - t0;
  await fetch(`${d.localUrl}/jobs/${id}`, { method: 'DELETE', headers: auth });
  const ms = (x: number): number => Math.round(x);
  return {
    ffmpegMs: ms(ffmpegMs),
    playlistMs: ms(playlistMs),
    firstSegmentMs: ms(firstSegmentMs),
    measurementsBeside: beside,
  };
}

function config(cwd: string, mount: string): Config {
  const raw = {
    listen: { host: '127.0.0.1', port: 0 },
    auth_token: TOKEN,
    nas_mount_path: mount,
    work_dir: mkdtempSync(path.join(cwd, 'work-')),
    log_level: 'warn',
  };
  return buildConfig(raw, cwd, { env: {}, hostname: 'bench', cwd }, 'bench');
}

const cwd = mkdtempSync(path.join(tmpdir(), 'tw-bench-start-'));
const mount = path.join(cwd, 'media');
mkdirSync(mount);
copyFileSync(await makeMedia({ seconds: 60, width: 1920, height: 1080 }), path.join(mount, 'film.mp4'));
const env = { platform: process.platform, envPath: process.env.PATH };
const loadavg = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

const early: Timing[] = [];
const rest: Timing[] = [];
for (let round = 0; round < ROUNDS; round++) {
  const c = config(cwd, mount);
  const fresh = await startDaemon(c, { ...env, log: createLogger(c.logLevel) });
  // Right after start: the test encodes are under way.
  early.push(await timeJob(fresh, c.workDir, `early-${round}`));
  await fresh.stop();
  const r = config(cwd, mount);
  const resting = await startDaemon(r, {
    ...env,
    log: createLogger(r.logLevel),
    hardware: { measureSpeed: false },
  });
  await resting.hardware.settled;
  rest.push(await timeJob(resting, r.workDir, `rest-${round}`));
  await resting.stop();
}
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? NaN;
const summary = (ts: Timing[]): Record<string, number> => ({
  ffmpegMs: median(ts.map((t) => t.ffmpegMs)),
  playlistMs: median(ts.map((t) => t.playlistMs)),
  firstSegmentMs: median(ts.map((t) => t.firstSegmentMs)),
  mostMeasurementsBeside: Math.max(...ts.map((t) => t.measurementsBeside)),
});
console.log(
  JSON.stringify({ loadavg: loadavg(), rightAfterStart: summary(early), atRest: summary(rest), early, rest }),
);
