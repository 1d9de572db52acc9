// config.yml → validated, frozen Config. The only module that reads process.env.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Type, type Static } from 'typebox';
import { Value } from 'typebox/value';
import { parseDocument } from 'yaml';
import { WorkerError } from './errors.js';
import { describeSchemaErrors } from './schema-errors.js';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const HttpUrl = Type.String({ pattern: '^https?://[^\\s/$.?#][^\\s]*$', minLength: 8, maxLength: 2048 });

/** The YAML document's schema (snake_case, as operators write it). */
export const ConfigFileSchema = Type.Object(
  {
    name: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
    listen: Type.Optional(
      Type.Object(
        {
          host: Type.Optional(Type.String({ minLength: 1, maxLength: 255 })),
          port: Type.Optional(Type.Integer({ minimum: 0, maximum: 65535 })),
        },
        { additionalProperties: false },
      ),
    ),
    advertise_url: Type.Optional(HttpUrl),
    auth_token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
    nas_mount_path: Type.String({ minLength: 1 }),
    work_dir: Type.String({ minLength: 1 }),
    orchestrator: Type.Optional(
      Type.Object(
        {
          url: HttpUrl,
          token: Type.Optional(Type.String({ minLength: 1, maxLength: 4096 })),
          heartbeat_interval_seconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 3600 })),
          timeout_seconds: Type.Optional(Type.Number({ minimum: 0.1, maximum: 600 })),
        },
        { additionalProperties: false },
      ),
    ),
    limits: Type.Optional(
      Type.Object(
        {
          max_jobs: Type.Optional(Type.Integer({ minimum: 1, maximum: 64 })),
          min_free_memory_mb: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_048_576 })),
        },
        { additionalProperties: false },
      ),
    ),
    ffmpeg: Type.Optional(
      Type.Object(
        {
          path: Type.Optional(Type.String({ minLength: 1 })),
          ffprobe_path: Type.Optional(Type.String({ minLength: 1 })),
          nice: Type.Optional(Type.Integer({ minimum: -20, maximum: 19 })),
          threads: Type.Optional(
            Type.Union([Type.Literal('auto'), Type.Integer({ minimum: 1, maximum: 256 })]),
          ),
        },
        { additionalProperties: false },
      ),
    ),
    streams: Type.Optional(
      Type.Object(
        {
          segment_wait_seconds: Type.Optional(Type.Number({ minimum: 1, maximum: 600 })),
          keep_minutes: Type.Optional(Type.Number({ minimum: 0, maximum: 525_600 })),
          max_disk_mb: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_073_741_824 })),
          min_free_disk_mb: Type.Optional(Type.Integer({ minimum: 0, maximum: 1_073_741_824 })),
        },
        { additionalProperties: false },
      ),
    ),
    jobs: Type.Optional(
      Type.Object(
        {
          idle_cancel_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 })),
        },
        { additionalProperties: false },
      ),
    ),
    seek: Type.Optional(
      Type.Object(
        {
          ahead_segments: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000 })),
          idle_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 })),
          max_heads: Type.Optional(Type.Integer({ minimum: 1, maximum: 8 })),
        },
        { additionalProperties: false },
      ),
    ),
    throttle: Type.Optional(
      Type.Object(
        {
          ahead_seconds: Type.Optional(Type.Number({ minimum: 0, maximum: 86_400 })),
        },
        { additionalProperties: false },
      ),
    ),
    serving: Type.Optional(
      Type.Object(
        {
          cache_mb: Type.Optional(Type.Integer({ minimum: 0, maximum: 65536 })),
        },
        { additionalProperties: false },
      ),
    ),
    log_level: Type.Optional(
      Type.Union([
        Type.Literal('fatal'),
        Type.Literal('error'),
        Type.Literal('warn'),
        Type.Literal('info'),
        Type.Literal('debug'),
        Type.Literal('trace'),
        Type.Literal('silent'),
      ]),
    ),
  },
  { additionalProperties: false },
);
export type ConfigFile = Static<typeof ConfigFileSchema>;

export type LogLevel = (typeof LOG_LEVELS)[number];

/** The validated configuration every part of the worker receives (absolute paths, defaults filled in). */
export interface Config {
  readonly name: string;
  readonly listen: { readonly host: string; readonly port: number };
  /** Explicit advertise_url, or null to derive it from the bound address. */
  readonly advertiseUrl: string | null;
  /** null only for the embedded default, which generates one in work_dir. */
  readonly authToken: string | null;
  readonly nasMountPath: string;
  readonly workDir: string;
  readonly orchestrator: {
    readonly url: string;
    readonly token: string | null;
    readonly heartbeatIntervalMs: number;
    readonly timeoutMs: number;
  } | null;
  readonly limits: { readonly maxJobs: number; readonly minFreeMemoryBytes: number };
  readonly ffmpeg: {
    readonly path: string;
    readonly ffprobePath: string;
    readonly nice: number;
    readonly threads: 'auto' | number;
  };
  readonly streams: {
    readonly segmentWaitMs: number;
    /** A stopped job's stream stays this long after its last request (and after it ended). */
    readonly keepMs: number;
    /** Budget for work_dir's streams; 0: no budget (the free-disk floor still applies). */
    readonly maxDiskBytes: number;
    /** Refuse jobs (507) below this much free space on work_dir's filesystem; null: 10 % of it, at most 1 GiB. */
    readonly minFreeDiskBytes: number | null;
  };
  readonly jobs: {
    /** Park a running job nobody fetched anything from for this long (its FFmpeg stops, its stream stays); 0: never. */
    readonly idleCancelMs: number;
  };
  readonly seek: {
    /** A request more than this many segments ahead of every head starts a new head there. */
    readonly aheadSegments: number;
    /** A head nobody fetched near for this long stops; 0: never. */
    readonly idleMs: number;
    /** Heads (FFmpeg runs) at once per job. */
    readonly maxHeads: number;
  };
  /** Pause a head this many seconds of media ahead of its furthest viewer; 0: never. */
  readonly throttle: { readonly aheadSeconds: number };
  /** Bytes of finished files kept in memory; null: derived from total memory at start. */
  readonly serving: { readonly cacheBytes: number | null };
  readonly logLevel: LogLevel;
  /** Where the config came from: a file path, or 'embedded default'. */
  readonly source: string;
  /** True for the embedded default: create sample media when the media folder is empty. */
  readonly sampleMedia: boolean;
}

export interface ConfigInputs {
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly hostname: string;
  readonly cwd: string;
  /**
   * Refuse unusable tokens (default true). Only `start` uses them: `service install` and `probe` run in a shell
   * without the service's environment file, where config.yml may still hold the example's placeholder.
   */
  readonly checkTokens?: boolean;
}

const MB = 1024 * 1024;

function ffprobeBeside(ffmpegPath: string): string {
  // An ffmpeg given by path has its ffprobe beside it; a bare name is looked up on PATH like ffmpeg.
  if (!ffmpegPath.includes('/') && !ffmpegPath.includes('\\')) return 'ffprobe';
  const dir = path.dirname(ffmpegPath);
  const base = path.basename(ffmpegPath).replace(/ffmpeg/i, 'ffprobe');
  return path.join(dir, base === path.basename(ffmpegPath) ? 'ffprobe' : base);
}

/** Token values the README, config.example.yml and the service files show: a copied example is no secret. */
export const PLACEHOLDER_TOKENS: readonly string[] = [
  'change-me',
  'change-me-to-a-long-random-string',
  'orchestrator-secret',
  '…',
  '...',
];

/** Pure: why a token cannot serve (a documented placeholder, or a character no bearer header carries), else null. */
export function tokenProblem(token: string): string | null {
  // The bearer check reads one word (\S+), and a header cannot carry a control character: such a token never matches.
  if (/[\s\p{Cc}]/u.test(token))
    return 'contains whitespace or a control character, so no request could ever match it: use one word';
  const placeholder = PLACEHOLDER_TOKENS.find((p) => p === token.toLowerCase());
  if (placeholder !== undefined)
    return (
      `is "${placeholder}", the placeholder from the documentation: replace it with a long random string ` +
      `(head -c 32 /dev/urandom | base64 | tr -d '/+=')`
    );
  return null;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value === '' ? undefined : value;
}

/** Validates a parsed YAML value; relative paths resolve against baseDir. Throws CONFIG_INVALID with one line per problem. */
export function buildConfig(raw: unknown, baseDir: string, inputs: ConfigInputs, source: string): Config {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) {
    throw new WorkerError('CONFIG_INVALID', `${source}: expected a YAML mapping of keys`);
  }
  if (!Value.Check(ConfigFileSchema, raw)) {
    const lines = describeSchemaErrors(Value.Errors(ConfigFileSchema, raw));
    throw new WorkerError('CONFIG_INVALID', lines.join('\n'));
  }
  const file: ConfigFile = raw;
  const problems: string[] = [];
  const authEnv = nonEmpty(inputs.env.TRANSCODE_WORKER_AUTH_TOKEN);
  const authToken = authEnv ?? file.auth_token ?? null;
  if (authToken === null && !source.startsWith('embedded')) {
    problems.push('auth_token: required (or set TRANSCODE_WORKER_AUTH_TOKEN)');
  }
  const orchestratorEnv = nonEmpty(inputs.env.TRANSCODE_WORKER_ORCHESTRATOR_TOKEN);
  const orchestratorToken = orchestratorEnv ?? file.orchestrator?.token ?? null;
  // Named where the value came from: the environment wins over the file, so that is what the operator must change.
  const tokens: [string, string | null][] = [
    [authEnv === undefined ? 'auth_token' : 'TRANSCODE_WORKER_AUTH_TOKEN', authToken],
    [
      orchestratorEnv === undefined ? 'orchestrator.token' : 'TRANSCODE_WORKER_ORCHESTRATOR_TOKEN',
      file.orchestrator === undefined ? null : orchestratorToken,
    ],
  ];
  for (const [key, token] of tokens) {
    const problem = token === null || inputs.checkTokens === false ? null : tokenProblem(token);
    if (problem !== null) problems.push(`${key}: ${problem}`);
  }
  const listenHost = file.listen?.host ?? '0.0.0.0';
  const intervalSeconds = file.orchestrator?.heartbeat_interval_seconds ?? 5;
  if (problems.length > 0) throw new WorkerError('CONFIG_INVALID', problems.join('\n'));
  const ffmpegPath = file.ffmpeg?.path ?? 'ffmpeg';
  const config: Config = {
    name: file.name ?? inputs.hostname,
    listen: { host: listenHost, port: file.listen?.port ?? 8081 },
    advertiseUrl: file.advertise_url?.replace(/\/+$/, '') ?? null,
    authToken,
    nasMountPath: path.resolve(baseDir, file.nas_mount_path),
    workDir: path.resolve(baseDir, file.work_dir),
    orchestrator:
      file.orchestrator === undefined
        ? null
        : {
            url: file.orchestrator.url.replace(/\/+$/, ''),
            token: orchestratorToken,
            heartbeatIntervalMs: Math.round(intervalSeconds * 1000),
            // A beat may take at most the interval (capped at 10 s) before it is abandoned.
            timeoutMs: Math.round(
              (file.orchestrator.timeout_seconds ?? Math.min(intervalSeconds, 10)) * 1000,
            ),
          },
    limits: {
      maxJobs: file.limits?.max_jobs ?? 2,
      minFreeMemoryBytes: (file.limits?.min_free_memory_mb ?? 150) * 1024 * 1024,
    },
    ffmpeg: {
      path: ffmpegPath,
      ffprobePath: file.ffmpeg?.ffprobe_path ?? ffprobeBeside(ffmpegPath),
      nice: file.ffmpeg?.nice ?? 10,
      threads: file.ffmpeg?.threads ?? 'auto',
    },
    streams: {
      segmentWaitMs: Math.round((file.streams?.segment_wait_seconds ?? 30) * 1000),
      keepMs: Math.round((file.streams?.keep_minutes ?? 60) * 60_000),
      maxDiskBytes: (file.streams?.max_disk_mb ?? 0) * MB,
      minFreeDiskBytes:
        file.streams?.min_free_disk_mb === undefined ? null : file.streams.min_free_disk_mb * MB,
    },
    jobs: { idleCancelMs: Math.round((file.jobs?.idle_cancel_seconds ?? 120) * 1000) },
    seek: {
      aheadSegments: file.seek?.ahead_segments ?? 5,
      idleMs: Math.round((file.seek?.idle_seconds ?? 60) * 1000),
      maxHeads: file.seek?.max_heads ?? 2,
    },
    throttle: { aheadSeconds: file.throttle?.ahead_seconds ?? 90 },
    serving: { cacheBytes: file.serving?.cache_mb === undefined ? null : file.serving.cache_mb * MB },
    logLevel:
      nonEmpty(inputs.env.TRANSCODE_WORKER_LOG_LEVEL) === undefined
        ? (file.log_level ?? 'info')
        : parseLevel(inputs.env.TRANSCODE_WORKER_LOG_LEVEL),
    source,
    sampleMedia: source.startsWith('embedded'),
  };
  return deepFreeze(config);
}

function parseLevel(value: string | undefined): LogLevel {
  const found = LOG_LEVELS.find((l) => l === value);
  if (found === undefined) {
    throw new WorkerError(
      'CONFIG_INVALID',
      `TRANSCODE_WORKER_LOG_LEVEL: expected one of ${LOG_LEVELS.join(', ')}`,
    );
  }
  return found;
}

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object') {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}

/** Parses YAML text; syntax errors name line and column. */
export function parseConfigText(text: string, source: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const lines = doc.errors.map((e) => {
      const pos = e.linePos?.[0];
      const message = (e.message.split('\n')[0] ?? e.code).replace(/ at line \d+, column \d+:?$/, '');
      return `${source}${pos ? `:${pos.line}:${pos.col}` : ''}: ${message}`;
    });
    throw new WorkerError('CONFIG_INVALID', lines.join('\n'));
  }
  return doc.toJS() as unknown;
}

/** The embedded default: no orchestrator, no NAS; sample media and state under ./data, loopback only. */
export function embeddedDefault(inputs: ConfigInputs): Config {
  const raw = {
    listen: { host: '127.0.0.1', port: 8081 },
    nas_mount_path: 'data/media',
    work_dir: 'data/work',
  };
  return buildConfig(raw, inputs.cwd, inputs, 'embedded default');
}

/** Loads config from a file (or the embedded default when no path was given and ./config.yml is absent). */
export function loadConfig(configPath: string | undefined, inputs: ConfigInputs): Config {
  const explicit = configPath !== undefined;
  const file = path.resolve(inputs.cwd, configPath ?? 'config.yml');
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    if (!explicit && (err as NodeJS.ErrnoException).code === 'ENOENT') return embeddedDefault(inputs);
    throw new WorkerError(
      'CONFIG_INVALID',
      `${file}: cannot read (${(err as NodeJS.ErrnoException).code ?? String(err)})`,
      {
        cause: err,
      },
    );
  }
  return buildConfig(parseConfigText(text, file), path.dirname(file), inputs, file);
}
