// pool.yml → validated, frozen PoolConfig, as src/config.ts does for the worker; reads no process.env itself (the
// environment is passed in by the CLI, which gets it from src/config.ts's inputs).
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parseConfigText, tokenProblem, type ConfigInputs, type LogLevel } from '../config.js';
import { WorkerError } from '../errors.js';
import { describeSchemaErrors } from '../schema-errors.js';

export const DEFAULT_POOL_PORT = 8790;
const Token = Type.String({ minLength: 1, maxLength: 4096 });
const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;

/** The YAML document's schema (snake_case, as operators write it). */
export const PoolFileSchema = Type.Object(
  {
    listen: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** The URL workers reach the pool at: what their orchestrator.url must be. */
    advertise_url: Type.Optional(
      Type.String({ pattern: '^https?://[^\\s/$.?#][^\\s]*$', minLength: 8, maxLength: 2048 }),
    ),
    /** Workers present it on heartbeats: their orchestrator.token. */
    worker_token: Type.Optional(Token),
    /** Clients (the media server, the drop-in) present it on every other route. */
    client_token: Type.Optional(Token),
    workers: Type.Optional(
      Type.Object(
        {
          /** The auth_token the workers share: the pool's bearer on the POST /jobs it forwards. */
          auth_token: Type.Optional(Token),
          /** Per worker name, for workers with a token of their own. */
          auth_tokens: Type.Optional(
            Type.Record(Type.String({ minLength: 1, maxLength: 256 }), Token, { maxProperties: 1024 }),
          ),
          silence_intervals: Type.Optional(Type.Number({ minimum: 1, maximum: 100 })),
          silence_seconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 86_400 })),
          /** A forwarded POST /jobs is abandoned (and the next worker tried) after this. */
          timeout_seconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 600 })),
        },
        { additionalProperties: false },
      ),
    ),
    /** Where the embedded default keeps the tokens it generates. */
    state_dir: Type.Optional(Type.String({ minLength: 1 })),
    decisions: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_000 })),
    log_level: Type.Optional(Type.Union(LOG_LEVELS.map((l) => Type.Literal(l)))),
  },
  { additionalProperties: false },
);
export type PoolFile = Static<typeof PoolFileSchema>;

export interface PoolConfig {
  readonly listen: { readonly host: string; readonly port: number };
  readonly advertiseUrl: string | null;
  /** null only in the embedded default: generated into stateDir. */
  readonly workerToken: string | null;
  readonly clientToken: string | null;
  readonly workers: {
    /** null in the embedded default (generated); may be null in a file, then forwarded jobs carry no token. */
    readonly authToken: string | null;
    readonly authTokens: Readonly<Record<string, string>>;
    readonly silenceIntervals: number;
    readonly silenceMs: number | null;
    readonly timeoutMs: number;
  };
  readonly stateDir: string;
  readonly decisions: number;
  readonly logLevel: LogLevel;
  readonly source: string;
  /** True for the embedded default: missing tokens are generated into stateDir. */
  readonly generateTokens: boolean;
}

const ENV = {
  worker: 'TRANSCODE_POOL_WORKER_TOKEN',
  client: 'TRANSCODE_POOL_CLIENT_TOKEN',
  workersAuth: 'TRANSCODE_POOL_WORKERS_AUTH_TOKEN',
} as const;

function fromEnv(inputs: ConfigInputs, key: string): string | undefined {
  const v = inputs.env[key];
  return v === undefined || v === '' ? undefined : v;
}

function freeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) freeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Validates a parsed pool.yml; throws CONFIG_INVALID with one "key: problem" line per problem. */
export function buildPoolConfig(
  raw: unknown,
  baseDir: string,
  inputs: ConfigInputs,
  source: string,
): PoolConfig {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw))
    throw new WorkerError('CONFIG_INVALID', `${source}: expected a YAML mapping of keys`);
  if (!Value.Check(PoolFileSchema, raw))
    throw new WorkerError(
      'CONFIG_INVALID',
      describeSchemaErrors(Value.Errors(PoolFileSchema, raw)).join('\n'),
    );
  const file: PoolFile = raw;
  const embedded = source.startsWith('embedded');
  const tokens = {
    worker: [fromEnv(inputs, ENV.worker), 'worker_token', file.worker_token],
    client: [fromEnv(inputs, ENV.client), 'client_token', file.client_token],
    workersAuth: [fromEnv(inputs, ENV.workersAuth), 'workers.auth_token', file.workers?.auth_token],
  } as const;
  const problems: string[] = [];
  const pick = (which: keyof typeof ENV, required: boolean): string | null => {
    const [env, key, value] = tokens[which];
    const token = env ?? value ?? null;
    const named = env === undefined ? key : ENV[which];
    if (token === null) {
      // checkTokens false (service install): the tokens may be in the service's environment file, read at start.
      if (required && !embedded && inputs.checkTokens !== false)
        problems.push(`${key}: required (or set ${ENV[which]})`);
      return null;
    }
    const problem = inputs.checkTokens === false ? null : tokenProblem(token);
    if (problem !== null) problems.push(`${named}: ${problem}`);
    return token;
  };
  const workerToken = pick('worker', true);
  const clientToken = pick('client', true);
  const workersAuth = pick('workersAuth', false);
  for (const [name, token] of Object.entries(file.workers?.auth_tokens ?? {})) {
    const problem = inputs.checkTokens === false ? null : tokenProblem(token);
    if (problem !== null) problems.push(`workers.auth_tokens.${name}: ${problem}`);
  }
  if (workerToken !== null && workerToken === clientToken)
    problems.push('client_token: must differ from worker_token (a worker must not be able to place jobs)');
  const logEnv = fromEnv(inputs, 'TRANSCODE_WORKER_LOG_LEVEL');
  const envLevel = LOG_LEVELS.find((l) => l === logEnv);
  if (logEnv !== undefined && envLevel === undefined)
    problems.push(`TRANSCODE_WORKER_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}`);
  if (problems.length > 0) throw new WorkerError('CONFIG_INVALID', problems.join('\n'));
  const logLevel = envLevel ?? file.log_level ?? 'info';
  const config: PoolConfig = {
    listen: { host: file.listen?.host ?? '0.0.0.0', port: file.listen?.port ?? DEFAULT_POOL_PORT },
    advertiseUrl: file.advertise_url?.replace(/\/+$/, '') ?? null,
    workerToken,
    clientToken,
    workers: {
      authToken: workersAuth,
      authTokens: { ...file.workers?.auth_tokens },
      silenceIntervals: file.workers?.silence_intervals ?? 3,
      silenceMs:
        file.workers?.silence_seconds === undefined ? null : Math.round(file.workers.silence_seconds * 1000),
      timeoutMs: Math.round((file.workers?.timeout_seconds ?? 10) * 1000),
    },
    stateDir: path.resolve(baseDir, file.state_dir ?? 'data/pool'),
    decisions: file.decisions ?? 200,
    logLevel,
    source,
    generateTokens: embedded,
  };
  return freeze(config);
}

/** The embedded default: loopback only, tokens generated into ./data/pool. */
export function embeddedPoolDefault(inputs: ConfigInputs): PoolConfig {
  return buildPoolConfig(
    { listen: { host: '127.0.0.1', port: DEFAULT_POOL_PORT } },
    inputs.cwd,
    inputs,
    'embedded default',
  );
}

/** Loads pool.yml (or the embedded default when no path was given and ./pool.yml is absent). */
export function loadPoolConfig(configPath: string | undefined, inputs: ConfigInputs): PoolConfig {
  const file = path.resolve(inputs.cwd, configPath ?? 'pool.yml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (configPath === undefined && code === 'ENOENT') return embeddedPoolDefault(inputs);
    throw new WorkerError('CONFIG_INVALID', `${file}: cannot read (${code ?? String(err)})`, { cause: err });
  }
  return buildPoolConfig(parseConfigText(text, file), path.dirname(file), inputs, file);
}
