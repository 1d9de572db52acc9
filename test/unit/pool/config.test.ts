// pool.yml: defaults, the embedded default, tokens from the file or the environment, and every problem named by key.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { tokenProblem, type ConfigInputs } from '../../../src/config.js';
import { WorkerError } from '../../../src/errors.js';
import { buildPoolConfig, embeddedPoolDefault } from '../../../src/pool/config.js';

const inputs = (env: Record<string, string> = {}): ConfigInputs => ({ env, hostname: 'h', cwd: '/srv' });
const TOKENS = { worker_token: 'w-0123456789abcdef', client_token: 'c-0123456789abcdef' };

function problems(raw: unknown, env: Record<string, string> = {}): string[] {
  try {
    buildPoolConfig(raw, '/etc/pool', inputs(env), '/etc/pool/pool.yml');
  } catch (err) {
    assert.ok(err instanceof WorkerError);
    assert.equal(err.code, 'CONFIG_INVALID');
    return err.message.split('\n');
  }
  assert.fail('accepted');
}

describe('pool config', () => {
  it('fills the defaults and freezes the result', () => {
    const c = buildPoolConfig(TOKENS, '/etc/pool', inputs(), 'f');
    assert.deepEqual(c.listen, { host: '0.0.0.0', port: 8790 });
    assert.equal(c.workers.silenceIntervals, 3);
    assert.equal(c.workers.silenceMs, null);
    assert.equal(c.workers.authToken, null);
    assert.equal(c.stateDir, '/etc/pool/data/pool');
    assert.equal(c.generateTokens, false);
    assert.ok(Object.isFrozen(c) && Object.isFrozen(c.workers) && Object.isFrozen(c.workers.authTokens));
  });

  it('the embedded default listens on loopback and will generate its tokens', () => {
    const c = embeddedPoolDefault(inputs());
    assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8790 });
    assert.equal(c.workerToken, null);
    assert.equal(c.clientToken, null);
    assert.equal(c.generateTokens, true);
    assert.equal(c.stateDir, '/srv/data/pool');
  });

  it('requires both tokens in a file, or from the environment', () => {
    assert.deepEqual(problems({}), [
      'worker_token: required (or set TRANSCODE_POOL_WORKER_TOKEN)',
      'client_token: required (or set TRANSCODE_POOL_CLIENT_TOKEN)',
    ]);
    const c = buildPoolConfig(
      {},
      '/',
      inputs({
        TRANSCODE_POOL_WORKER_TOKEN: 'env-w-0123456789',
        TRANSCODE_POOL_CLIENT_TOKEN: 'env-c-0123456789',
        TRANSCODE_POOL_WORKERS_AUTH_TOKEN: 'env-a-0123456789',
      }),
      'f',
    );
    assert.equal(c.workerToken, 'env-w-0123456789');
    assert.equal(c.workers.authToken, 'env-a-0123456789');
  });

  it('refuses placeholders, shared tokens and bad values, naming where they came from', () => {
    assert.deepEqual(problems({ ...TOKENS, worker_token: 'change-me' }).length, 1);
    assert.match(
      problems({ ...TOKENS, worker_token: 'change-me' })[0] ?? '',
      /^worker_token: is "change-me"/,
    );
    assert.match(
      problems(TOKENS, { TRANSCODE_POOL_CLIENT_TOKEN: 'orchestrator-secret' })[0] ?? '',
      /^TRANSCODE_POOL_CLIENT_TOKEN: /,
    );
    assert.match(
      problems({ ...TOKENS, workers: { auth_tokens: { board: 'a b' } } })[0] ?? '',
      /^workers\.auth_tokens\.board: contains whitespace/,
    );
    assert.deepEqual(problems({ worker_token: 'same-0123456789', client_token: 'same-0123456789' }), [
      'client_token: must differ from worker_token (a worker must not be able to place jobs)',
    ]);
    assert.deepEqual(problems(TOKENS, { TRANSCODE_WORKER_LOG_LEVEL: 'loud' }), [
      'TRANSCODE_WORKER_LOG_LEVEL: expected one of fatal, error, warn, info, debug, trace, silent',
    ]);
  });

  it('names unknown keys and out-of-range values', () => {
    const lines = problems({
      ...TOKENS,
      listen: { port: 70000 },
      workers: { silence_intervals: 0, silens_seconds: 3 },
      bogus: true,
    });
    assert.ok(lines.includes('bogus: unknown key'), lines.join('\n'));
    assert.ok(lines.includes('workers.silens_seconds: unknown key'), lines.join('\n'));
    assert.ok(
      lines.some((l) => l.startsWith('listen.port: ')),
      lines.join('\n'),
    );
    assert.ok(
      lines.some((l) => l.startsWith('workers.silence_intervals: ')),
      lines.join('\n'),
    );
  });

  it('takes a fixed silence window and per-worker tokens', () => {
    const c = buildPoolConfig(
      { ...TOKENS, workers: { silence_seconds: 2.5, auth_tokens: { board: 'b-0123456789abcdef' } } },
      '/',
      inputs(),
      'f',
    );
    assert.equal(c.workers.silenceMs, 2500);
    assert.deepEqual(c.workers.authTokens, { board: 'b-0123456789abcdef' });
  });

  it('refuses every token value docs/pool.md and the README show', () => {
    const shown = ['docs/pool.md', 'README.md']
      .map((f) => readFileSync(new URL(`../../../${f}`, import.meta.url), 'utf8'))
      .flatMap((text) => [
        ...text.matchAll(/^\s*#?\s*(?:worker_token|client_token|auth_token|token|board):\s*([^\s#},]+)/gm),
        ...text.matchAll(/TRANSCODE_POOL_\w*TOKEN=([^\s$'"%]+)/g),
      ])
      .map((m) => m[1] ?? '')
      // "<worker token: the content of …>" names a file; copied as it is, it is not even one YAML value.
      .filter((t) => !t.startsWith('<'));
    assert.ok(shown.length >= 4, `found ${shown.join(', ')}`);
    for (const token of shown) assert.notEqual(tokenProblem(token), null, `${token} is accepted`);
  });
});
