// The worker as the operator runs it: `node dist/cli.js start --config` in its own process, so its CPU and memory are
// its own (read from /proc/PID) and the bench's clients do not share its event loop.
import { spawn, type ChildProcess } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { stringify } from 'yaml';
import type { JobView } from '../src/contract/job-view.js';

export const ROOT = path.resolve(import.meta.dirname, '..');
const CLI = path.join(ROOT, 'dist', 'cli.js');
/** The bench workers' auth_token (the pool's workers.auth_token in bench/pool-jobs.ts). */
export const TOKEN = 'bench-token-0123456789abcdef';
const PROFILE = 'hardware-profile.json';

export interface WorkerOptions {
  readonly mount: string;
  /** serving.cache_mb; absent: the worker's own default. */
  readonly cacheMb?: number;
  readonly maxJobs?: number;
  /** A command the worker is started through (e.g. a cgroup entry); it must exec its arguments. */
  readonly wrapper?: readonly string[];
  /** Flags for node itself (e.g. --cpu-prof when looking for where the time goes). */
  readonly nodeArgs?: readonly string[];
  /** More config.yml sections (e.g. { throttle: { ahead_seconds: 0 } }). */
  readonly extraConfig?: Record<string, unknown>;
}

export interface WorkerProcess {
  readonly url: string;
  readonly pid: number;
  readonly workDir: string;
  /** Spawn → first 200 from /health. */
  readonly startupMs: number;
  api(method: string, route: string, body?: unknown): Promise<Response>;
  job(id: string): Promise<JobView>;
  /** POSTs a job; throws unless it was accepted. */
  submit(body: Record<string, unknown>): Promise<void>;
  /** Polls GET /jobs/{id} until it is no longer queued or running. */
  finished(id: string, timeoutMs?: number): Promise<JobView>;
  /** SIGTERM, wait for the exit, remove its work_dir. */
  stop(): Promise<void>;
}

let warmDir: string | null = null;

/** Removes the warmed profile's folder (end of the bench). */
export function forgetHardwareProfile(): void {
  if (warmDir !== null) rmSync(warmDir, { recursive: true, force: true });
  warmDir = null;
}

/** Runs `probe` once so every bench worker starts from a cached hardware profile (no test encodes at start). */
export async function warmHardwareProfile(mount: string): Promise<void> {
  if (warmDir !== null) return;
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-bench-warm-'));
  const config = writeConfig(dir, { mount });
  const child = spawn(process.execPath, [CLI, 'probe', '--config', config], { stdio: 'ignore' });
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0 || !existsSync(path.join(dir, PROFILE))) throw new Error(`probe exited with ${code}`);
  warmDir = dir;
}

function writeConfig(workDir: string, options: WorkerOptions): string {
  const file = path.join(workDir, 'config.yml');
  const config = {
    listen: { host: '127.0.0.1', port: 0 },
    auth_token: TOKEN,
    nas_mount_path: options.mount,
    work_dir: workDir,
    limits: { max_jobs: options.maxJobs ?? 2, min_free_memory_mb: 0 },
    ...(options.cacheMb === undefined ? {} : { serving: { cache_mb: options.cacheMb } }),
    log_level: 'info',
    ...options.extraConfig,
  };
  writeFileSync(file, stringify(config));
  return file;
}

/** Resolves with the `url` of the "worker listening" log line. */
function listeningUrl(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let partial = '';
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr += c.toString()));
    child.stdout?.on('data', (chunk: Buffer) => {
      const lines = (partial + chunk.toString()).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        if (!line.includes('"worker listening"')) continue;
        resolve((JSON.parse(line) as { url: string }).url);
      }
    });
    child.once('exit', (code) => reject(new Error(`worker exited with ${code} before listening: ${stderr}`)));
  });
}

export async function startWorker(options: WorkerOptions): Promise<WorkerProcess> {
  const workDir = mkdtempSync(path.join(tmpdir(), 'tw-bench-work-'));
  if (warmDir !== null) copyFileSync(path.join(warmDir, PROFILE), path.join(workDir, PROFILE));
  const config = writeConfig(workDir, options);
  const argv = [
    ...(options.wrapper ?? []),
    process.execPath,
    ...(options.nodeArgs ?? []),
    CLI,
    'start',
    '--config',
    config,
  ];
  const started = performance.now();
  const [command = '', ...args] = argv;
  const child = spawn(command, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  let url: string;
  let startupMs: number;
  try {
    url = await listeningUrl(child);
    const health = await fetch(`${url}/health`);
    if (health.status !== 200) throw new Error(`/health answered ${health.status}`);
    await health.arrayBuffer();
    startupMs = performance.now() - started;
  } catch (err) {
    child.kill('SIGKILL');
    await exited;
    rmSync(workDir, { recursive: true, force: true });
    throw err;
  }

  const api = (method: string, route: string, body?: unknown): Promise<Response> =>
    fetch(`${url}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
  const job = async (id: string): Promise<JobView> =>
    (await (await api('GET', `/jobs/${id}`)).json()) as JobView;
  return {
    url,
    pid: child.pid ?? -1,
    workDir,
    startupMs,
    api,
    job,
    submit: async (body) => {
      const res = await api('POST', '/jobs', body);
      if (res.status !== 202) throw new Error(`POST /jobs: ${res.status} ${await res.text()}`);
    },
    finished: async (id, timeoutMs = 300_000) => {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const view = await job(id);
        if (view.status !== 'queued' && view.status !== 'running') return view;
        if (Date.now() > deadline) throw new Error(`job ${id} still ${view.status}`);
        await new Promise((r) => setTimeout(r, 100));
      }
    },
    stop: async () => {
      child.kill('SIGTERM');
      await exited;
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}

/** Wall seconds FFmpeg ran for a finished job, and its speed as a multiple of real time. */
export function jobSpeed(view: JobView): { seconds: number; speed: number } {
  if (view.status !== 'completed' || view.startedAt === null || view.finishedAt === null) {
    throw new Error(`job ${view.id} ended ${view.status}: ${view.error ?? ''}`);
  }
  const seconds = (Date.parse(view.finishedAt) - Date.parse(view.startedAt)) / 1000;
  return { seconds, speed: (view.durationSeconds ?? NaN) / seconds };
}
