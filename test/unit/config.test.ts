import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import {
  buildConfig,
  ConfigFileSchema,
  loadConfig,
  parseConfigText,
  tokenProblem,
  type ConfigInputs,
} from '../../src/config.js';
import { WorkerError } from '../../src/errors.js';

const inputs: ConfigInputs = { env: {}, hostname: 'host-a', cwd: '/srv' };
const minimal = { auth_token: 'a-long-enough-token', nas_mount_path: '/mnt/media', work_dir: 'work' };

function problems(raw: unknown, env: ConfigInputs['env'] = {}): string[] {
  try {
    buildConfig(raw, '/etc/tw', { ...inputs, env }, '/etc/tw/config.yml');
  } catch (err) {
    assert.ok(err instanceof WorkerError);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.message.split('\n');
  }
  assert.fail('expected CONFIG_INVALID');
}

describe('config', () => {
  it('fills defaults and resolves relative paths against the config folder', () => {
    const c = buildConfig(minimal, '/etc/tw', inputs, 'x');
    assert.equal(c.name, 'host-a');
    assert.deepEqual(c.listen, { host: '0.0.0.0', port: 8081 });
    assert.equal(c.workDir, '/etc/tw/work');
    assert.equal(c.nasMountPath, '/mnt/media');
    assert.equal(c.limits.maxJobs, 2);
    assert.equal(c.limits.minFreeMemoryBytes, 150 * 1024 * 1024);
    assert.deepEqual(c.ffmpeg, { path: 'ffmpeg', ffprobePath: 'ffprobe', nice: 10, threads: 'auto' });
    assert.equal(c.orchestrator, null);
    assert.equal(c.advertiseUrl, null);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.limits));
  });

  it('reads the full example shape', () => {
    const c = buildConfig(
      {
        ...minimal,
        name: 'living-room-pc',
        listen: { host: '0.0.0.0', port: 8082 },
        advertise_url: 'http://192.168.1.50:8082/',
        orchestrator: {
          url: 'http://orchestrator:9000',
          token: 'orch-secret',
          heartbeat_interval_seconds: 5,
        },
        limits: { max_jobs: 3, min_free_memory_mb: 200 },
        ffmpeg: { path: '/opt/ff/bin/ffmpeg', nice: 5, threads: 4 },
      },
      '/',
      inputs,
      'x',
    );
    assert.equal(c.advertiseUrl, 'http://192.168.1.50:8082');
    assert.deepEqual(c.orchestrator, {
      url: 'http://orchestrator:9000',
      token: 'orch-secret',
      heartbeatIntervalMs: 5000,
      timeoutMs: 5000,
    });
    assert.equal(c.ffmpeg.ffprobePath, '/opt/ff/bin/ffprobe');
    assert.equal(c.ffmpeg.threads, 4);
  });

  it('names each bad key on its own line', () => {
    const lines = problems({
      ...minimal,
      limits: { max_jobs: 0, min_free_memory_mb: -1 },
      listen: { port: 70000 },
      ffmpeg: { threads: 'many' },
      lmits: {},
    });
    assert.ok(
      lines.some((l) => l.startsWith('limits.max_jobs: ')),
      lines.join('|'),
    );
    assert.ok(lines.some((l) => l.startsWith('limits.min_free_memory_mb: ')));
    assert.ok(lines.some((l) => l.startsWith('listen.port: ')));
    assert.ok(lines.some((l) => l.startsWith('ffmpeg.threads: ')));
    assert.ok(lines.includes('lmits: unknown key'));
    assert.equal(new Set(lines.map((l) => l.split(':')[0])).size, lines.length, 'one line per key');
  });

  it('requires the mount, work_dir and a token', () => {
    const lines = problems({});
    assert.ok(lines.includes('nas_mount_path: required'));
    assert.ok(lines.includes('work_dir: required'));
    assert.deepEqual(problems({ nas_mount_path: '/m', work_dir: '/w' }), [
      'auth_token: required (or set TRANSCODE_WORKER_AUTH_TOKEN)',
    ]);
  });

  it('takes secrets from the environment over the file', () => {
    const c = buildConfig(
      { ...minimal, orchestrator: { url: 'http://o:9000', token: 'file' } },
      '/',
      {
        ...inputs,
        env: { TRANSCODE_WORKER_AUTH_TOKEN: 'from-env', TRANSCODE_WORKER_ORCHESTRATOR_TOKEN: 'orch-env' },
      },
      'x',
    );
    assert.equal(c.authToken, 'from-env');
    assert.equal(c.orchestrator?.token, 'orch-env');
  });

  it('refuses placeholder tokens and tokens with whitespace, naming the key or variable', () => {
    const orchestrator = (token: string) => ({ url: 'http://o:9000', token });
    assert.deepEqual(
      problems({
        ...minimal,
        auth_token: 'change-me',
        orchestrator: orchestrator('orchestrator-secret'),
      }).map((l) => l.split(':')[0]),
      ['auth_token', 'orchestrator.token'],
    );
    assert.match(
      problems({ ...minimal, auth_token: 'Change-Me' })[0] ?? '',
      /^auth_token: .*placeholder.*replace/,
    );
    for (const bad of ['two words', ' leading', 'trailing\n', 'tab\tin', 'nul\u0000in', 'nbsp\u00a0in']) {
      assert.deepEqual(
        problems({ ...minimal, auth_token: bad }).map((l) => l.split(':')[0]),
        ['auth_token'],
        JSON.stringify(bad),
      );
      assert.match(
        problems({ ...minimal, orchestrator: orchestrator(bad) })[0] ?? '',
        /^orchestrator\.token: contains whitespace/,
      );
    }
    // The environment wins over the file, so its variable is what is named (and the file's placeholder is unused).
    assert.deepEqual(
      problems(
        { ...minimal, auth_token: 'change-me', orchestrator: orchestrator('fine-token-0123') },
        { TRANSCODE_WORKER_AUTH_TOKEN: 'a b', TRANSCODE_WORKER_ORCHESTRATOR_TOKEN: 'change-me' },
      ).map((l) => l.split(':')[0]),
      ['TRANSCODE_WORKER_AUTH_TOKEN', 'TRANSCODE_WORKER_ORCHESTRATOR_TOKEN'],
    );
    const fromEnv = buildConfig(
      { ...minimal, auth_token: 'change-me' },
      '/',
      {
        ...inputs,
        env: { TRANSCODE_WORKER_AUTH_TOKEN: 'a-real-token-0123' },
      },
      'x',
    );
    assert.equal(fromEnv.authToken, 'a-real-token-0123');
    // `service install` and `probe` use no token: they run where the service's environment file is not loaded.
    const service = buildConfig(
      { ...minimal, auth_token: 'change-me' },
      '/',
      { ...inputs, checkTokens: false },
      'x',
    );
    assert.equal(service.authToken, 'change-me');
    // An orchestrator token from the environment without an orchestrator is never sent: not checked.
    buildConfig(minimal, '/', { ...inputs, env: { TRANSCODE_WORKER_ORCHESTRATOR_TOKEN: 'change-me' } }, 'x');
  });

  it('refuses every token value the README, config.example.yml and the service files show', () => {
    const root = path.resolve(import.meta.dirname, '../..');
    const shown = [
      'README.md',
      'config.example.yml',
      'packaging/transcode-worker.service',
      'docs/operations.md',
    ]
      .map((f) => readFileSync(path.join(root, f), 'utf8'))
      .flatMap((text) => [
        ...[...text.matchAll(/^\s*#?\s*(?:auth_token|token):\s*([^\s#]+)/gm)].map((m) => m[1] ?? ''),
        ...[...text.matchAll(/TRANSCODE_WORKER_\w*TOKEN=([^\s$'"%]+)/g)].map((m) => m[1] ?? ''),
      ]);
    assert.ok(shown.length >= 5, `found ${shown.join(', ')}`);
    for (const token of shown) assert.notEqual(tokenProblem(token), null, `${token} is accepted`);
    assert.equal(tokenProblem('x7Kp2vQ9mWz4Lr8T'), null);
  });

  it('rejects a non-URL orchestrator and a YAML syntax error with its position', () => {
    assert.ok(
      problems({ ...minimal, orchestrator: { url: 'orchestrator:9000' } }).some((l) =>
        l.startsWith('orchestrator.url: '),
      ),
    );
    assert.throws(
      () => parseConfigText('name: [unclosed\n', 'c.yml'),
      (e: unknown) => e instanceof WorkerError && /c\.yml:\d+:\d+/.test(e.message),
    );
    assert.throws(() => buildConfig(['a'], '/', inputs, 'c.yml'), /expected a YAML mapping/);
  });

  it('uses the embedded default only when no config was named and ./config.yml is absent', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-cfg-'));
    const embedded = loadConfig(undefined, { ...inputs, cwd: dir });
    assert.equal(embedded.source, 'embedded default');
    assert.equal(embedded.listen.host, '127.0.0.1');
    assert.equal(embedded.nasMountPath, path.join(dir, 'data/media'));
    assert.equal(embedded.sampleMedia, true);
    assert.throws(() => loadConfig('missing.yml', { ...inputs, cwd: dir }), /cannot read/);
    writeFileSync(path.join(dir, 'config.yml'), 'auth_token: abcdefgh\nnas_mount_path: m\nwork_dir: w\n');
    const fromFile = loadConfig(undefined, { ...inputs, cwd: dir });
    assert.equal(fromFile.nasMountPath, path.join(dir, 'm'));
    assert.equal(fromFile.sampleMedia, false);
  });
});

describe('config.example.yml', () => {
  it('is valid once its token is replaced, and documents every key of the schema', () => {
    const text = readFileSync(path.resolve(import.meta.dirname, '../../config.example.yml'), 'utf8');
    const parsed = parseConfigText(text, 'config.example.yml');
    // As copied, the placeholder token is refused with what to do.
    assert.throws(
      () => buildConfig(parsed, '/', inputs, 'config.example.yml'),
      (e: unknown) => e instanceof WorkerError && /^auth_token: .*placeholder.*replace it/.test(e.message),
    );
    // The install in docs/operations.md puts the token in the environment.
    const env = { TRANSCODE_WORKER_AUTH_TOKEN: 'x7Kp2vQ9mWz4Lr8T' };
    const config = buildConfig(parsed, '/', { ...inputs, env }, 'config.example.yml');
    assert.equal(config.name, 'living-room-pc');
    const keys = (schema: { properties?: Record<string, unknown> }, prefix = ''): string[] =>
      Object.entries(schema.properties ?? {}).flatMap(([k, v]) => {
        const inner =
          (v as { properties?: Record<string, unknown> }).properties === undefined
            ? []
            : keys(v as never, `${k}.`);
        return [`${prefix}${k}`, ...inner];
      });
    for (const key of keys(ConfigFileSchema)) {
      const leaf = key.split('.').pop() ?? key;
      assert.match(text, new RegExp(`^\\s*#?\\s*${leaf}:`, 'm'), `config.example.yml documents ${key}`);
    }
  });
});
