// Composition root of `transcode-worker pool`: tokens, registry, decision log, forwarding and the HTTP server, with
// their start and stop order. The real clock, fetch and file system are wired only here.
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { networkInterfaces } from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import { deriveAdvertiseUrl } from '../advertise.js';
import { VERSION } from '../version.js';
import type { PoolConfig } from './config.js';
import { DecisionLog } from './decision-log.js';
import { forwardJob } from './forward.js';
import { createPoolMetrics } from './metrics.js';
import { WorkerRegistry } from './registry.js';
import { createPoolServer, type PoolApp } from './server.js';
import { registerPoolStatusPage } from './status-page.js';

/** Where a token came from, for the join snippet: never its value. */
export type TokenSource = { readonly file: string } | { readonly key: string };

export interface Pool {
  readonly localUrl: string;
  /** What workers put in orchestrator.url. */
  readonly advertiseUrl: string;
  readonly registry: WorkerRegistry;
  readonly app: PoolApp;
  readonly tokens: {
    readonly worker: TokenSource;
    readonly client: TokenSource;
    readonly workersAuth: TokenSource | null;
  };
  stop(): Promise<void>;
}

export interface PoolEnv {
  readonly log: Logger;
  /** Tests: a fake clock. */
  readonly now?: () => number;
  readonly fetch?: typeof fetch;
}

/** A token kept in stateDir, created on first start, readable by the owner only. */
function generated(stateDir: string, name: string): { token: string; file: string } {
  const file = path.join(stateDir, name);
  try {
    const token = readFileSync(file, 'utf8').trim();
    if (token !== '') return { token, file };
  } catch {
    // First start: created below.
  }
  const token = randomBytes(24).toString('base64url');
  writeFileSync(file, `${token}\n`, { mode: 0o600 });
  return { token, file };
}

function resolveToken(
  config: PoolConfig,
  value: string | null,
  key: string,
  file: string,
): { token: string; source: TokenSource } | null {
  if (value !== null) return { token: value, source: { key } };
  if (!config.generateTokens) return null;
  mkdirSync(config.stateDir, { recursive: true });
  const g = generated(config.stateDir, file);
  return { token: g.token, source: { file: g.file } };
}

/** Starts the pool: listen, then sweep silent workers every second until stopped. */
export async function startPool(config: PoolConfig, env: PoolEnv): Promise<Pool> {
  const { log } = env;
  const now = env.now ?? Date.now;
  const worker = resolveToken(config, config.workerToken, 'worker_token', 'worker-token');
  const client = resolveToken(config, config.clientToken, 'client_token', 'client-token');
  // buildPoolConfig requires both outside the embedded default, which generates them.
  if (worker === null || client === null) throw new Error('pool tokens missing');
  const workersAuth = resolveToken(
    config,
    config.workers.authToken,
    'workers.auth_token',
    'workers-auth-token',
  );
  if (workersAuth === null && Object.keys(config.workers.authTokens).length === 0)
    log.warn(
      'workers.auth_token is not set: jobs forwarded to workers carry no token, and workers refuse them',
    );

  const registry = new WorkerRegistry({
    now,
    silenceIntervals: config.workers.silenceIntervals,
    silenceMs: config.workers.silenceMs,
  });
  const decisions = new DecisionLog(config.decisions);
  const metrics = createPoolMetrics({ registry, version: VERSION });
  const app = await createPoolServer({
    log,
    observe: { decision: metrics.onDecision, attempts: metrics.onAttempts },
    extraRoutes: (app, client) => {
      registerPoolStatusPage(app);
      metrics.register(app, client);
    },
    workerToken: worker.token,
    clientToken: client.token,
    registry,
    decisions,
    now,
    forward: (candidates, body) =>
      forwardJob(
        {
          fetch: env.fetch ?? fetch,
          timeoutMs: config.workers.timeoutMs,
          tokenFor: (c) => config.workers.authTokens[c.name] ?? workersAuth?.token ?? null,
        },
        candidates,
        body,
      ),
  });
  await app.listen({ host: config.listen.host, port: config.listen.port, backlog: 1024 });
  const address = app.server.address() as AddressInfo;
  const advertiseUrl = deriveAdvertiseUrl(
    config.advertiseUrl,
    config.listen.host,
    address.port,
    networkInterfaces(),
  );
  const localHost = ['0.0.0.0', '::'].includes(config.listen.host) ? '127.0.0.1' : config.listen.host;
  const localUrl = `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${address.port}`;
  log.info({ url: localUrl, advertiseUrl, version: VERSION, config: config.source }, 'pool listening');

  // Reads already skip silent workers; this sweep removes them and logs each one once.
  const sweeper = setInterval(() => {
    for (const w of registry.sweep())
      log.warn(
        { workerId: w.state.workerId, name: w.state.name, silentSeconds: (now() - w.lastSeenAt) / 1000 },
        'worker gone silent: no longer placed',
      );
  }, 1000);
  sweeper.unref();

  let stopping: Promise<void> | null = null;
  return {
    localUrl,
    advertiseUrl,
    registry,
    app,
    tokens: { worker: worker.source, client: client.source, workersAuth: workersAuth?.source ?? null },
    stop: () => {
      stopping ??= (async () => {
        clearInterval(sweeper);
        await app.close();
        log.info('pool stopped');
      })();
      return stopping;
    },
  };
}

function tokenText(source: TokenSource | null, what: string): string {
  if (source === null) return `<${what}: set workers.auth_token in pool.yml>`;
  return 'file' in source
    ? `<${what}: the content of ${source.file}>`
    : `<${what}: ${source.key} in pool.yml>`;
}

/** Pure: the config.yml lines a worker needs to join this pool, naming where each token is (never its value). */
export function joinSnippet(pool: Pick<Pool, 'advertiseUrl' | 'tokens'>): string {
  return [
    '# In each worker config.yml, to join this pool:',
    'orchestrator:',
    `  url: ${pool.advertiseUrl}`,
    `  token: ${tokenText(pool.tokens.worker, 'worker token')}`,
    `auth_token: ${tokenText(pool.tokens.workersAuth, 'the auth token the pool sends with jobs')}`,
    '# Clients (the media server) call the pool with Authorization: Bearer ' +
      tokenText(pool.tokens.client, 'client token'),
  ].join('\n');
}
