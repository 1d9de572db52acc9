// Starts the real daemon in this process on port 0 with a temp work_dir, and a loopback orchestrator that records beats.
import { mkdtempSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildConfig, type Config, type ConfigFile } from '../../src/config.js';
import { startDaemon, type Daemon, type DaemonEnv } from '../../src/daemon.js';
import type { JobView } from '../../src/contract/job-view.js';
import { isLive } from '../../src/jobs/job-state.js';
import { createLogger } from '../../src/log.js';

export const TOKEN = 'test-token-0123456789';

export interface TestDaemon extends Daemon {
  readonly config: Config;
  /** fetch against the daemon with the bearer token. */
  api(method: string, route: string, body?: unknown, headers?: Record<string, string>): Promise<Response>;
}

/** Config for a test: loopback, port 0, temp work_dir; `overrides` are YAML-level keys. */
export function testConfig(mount: string, overrides: Partial<ConfigFile> = {}): Config {
  const raw: ConfigFile = {
    listen: { host: '127.0.0.1', port: 0 },
    auth_token: TOKEN,
    nas_mount_path: mount,
    work_dir: mkdtempSync(path.join(tmpdir(), 'tw-work-')),
    log_level: 'silent',
    ...overrides,
  };
  return buildConfig(raw, '/', { env: {}, hostname: 'test-host', cwd: '/' }, 'test');
}

/**
 * `hardware`: a fake /sys and /dev for a GPU this machine cannot have, and whether to measure speeds; `http`: shorter
 * HTTP limits for tests of slow clients.
 */
export async function startTestDaemon(
  config: Config,
  hardware?: DaemonEnv['hardware'],
  http?: DaemonEnv['httpTimeouts'],
): Promise<TestDaemon> {
  const daemon = await startDaemon(config, {
    log: createLogger(config.logLevel),
    platform: process.platform,
    envPath: process.env.PATH,
    ...(hardware === undefined ? {} : { hardware }),
    ...(http === undefined ? {} : { httpTimeouts: http }),
  });
  const api = (
    method: string,
    route: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Response> =>
    fetch(`${daemon.localUrl}${route}`, {
      method,
      headers: {
        authorization: `Bearer ${TOKEN}`,
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...headers,
      },
      ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    });
  return { ...daemon, config, api };
}

export interface Beat {
  readonly headers: IncomingMessage['headers'];
  readonly body: Record<string, unknown>;
  readonly at: number;
}

export interface TestOrchestrator {
  readonly url: string;
  readonly beats: Beat[];
  /** 'ok' answers 200; 'fail' answers 500; 'hang' never answers. */
  mode: 'ok' | 'fail' | 'hang';
  close(): Promise<void>;
}

/** A loopback orchestrator: records POST /workers/heartbeat. */
export async function startOrchestrator(): Promise<TestOrchestrator> {
  const beats: Beat[] = [];
  const state: { mode: 'ok' | 'fail' | 'hang' } = { mode: 'ok' };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      if (req.url === '/workers/heartbeat' && req.method === 'POST') {
        if (state.mode === 'hang') return;
        beats.push({
          headers: req.headers,
          body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>,
          at: Date.now(),
        });
        res.writeHead(state.mode === 'ok' ? 200 : 500, { 'content-type': 'application/json' }).end('{}');
        return;
      }
      res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    beats,
    get mode() {
      return state.mode;
    },
    set mode(m) {
      state.mode = m;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Polls a condition until true or the deadline (for effects we cannot await directly). */
export async function waitFor(
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
  what = 'condition',
): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (performance.now() < deadline) {
    if (await check()) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
}

/** True while a process exists and is not a zombie. */
export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/\) Z /.test(stat);
  } catch {
    return false;
  }
}

/** Polls GET /jobs/{id} until the job has stopped (completed, failed or cancelled); returns that view. */
export async function waitForJobEnd(d: TestDaemon, id: string, timeoutMs = 60_000): Promise<JobView> {
  let view: JobView | undefined;
  await waitFor(
    async () => {
      view = (await (await d.api('GET', `/jobs/${id}`)).json()) as JobView;
      return !isLive(view.status);
    },
    timeoutMs,
    `job ${id} to end`,
  );
  return view as JobView;
}
