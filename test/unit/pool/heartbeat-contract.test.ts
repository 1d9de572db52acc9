// The heartbeat contract: what a worker sends validates; what would mislead placement is refused with the field named.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseWorkerState } from '../../../src/contract/heartbeat.js';
import { WorkerError } from '../../../src/errors.js';
import { encoder, workerState } from './worker-state.js';

/** The body as the pool receives it: through JSON, as the worker's fetch sends it. */
function wire(value: unknown): unknown {
  return JSON.parse(JSON.stringify(value));
}

function refusal(body: unknown): string {
  try {
    parseWorkerState(body);
  } catch (err) {
    assert.ok(err instanceof WorkerError);
    assert.equal(err.code, 'INVALID_BODY');
    return err.message;
  }
  assert.fail('accepted');
}

const DELETE = Symbol('delete');

/** A deep copy of a valid state with the field at the dotted `path` set to `value` (or deleted). */
function edited(path: string, value: unknown): unknown {
  const s = wire(workerState({ encoders: [encoder('libx264', 'h264', { '720p': 4, '1080p': 2 })] }));
  const keys = path.split('.');
  const last = keys.pop() ?? '';
  let node = s as Record<string, unknown>;
  for (const k of keys) node = node[k] as Record<string, unknown>;
  if (value === DELETE) Reflect.deleteProperty(node, last);
  else node[last] = value;
  return s;
}

describe('heartbeat contract', () => {
  it('accepts the worker payload in each status, with and without measured speeds', () => {
    for (const status of ['ready', 'busy', 'draining'] as const) {
      const s = workerState({
        status,
        encoders: [
          encoder('libx264', 'h264', { '720p': 4.1, '1080p': 2 }),
          encoder('h264_vaapi', 'h264'),
          encoder('hevc_vaapi', 'hevc', undefined, false),
        ],
      });
      assert.deepEqual(parseWorkerState(wire(s)), wire(s));
    }
  });

  it('accepts fields a newer worker adds', () => {
    for (const [path, value] of [
      ['gpuTemperature', 61],
      ['jobs.queued', 0],
      ['hardware.encoders.0.speed.2160p', 0.5],
      ['hardware.encoders.0.toneMapping', true],
    ] as const)
      assert.doesNotThrow(() => parseWorkerState(edited(path, value)), path);
  });

  it('refuses a status placement does not know, naming the field', () => {
    assert.match(refusal(edited('status', 'idle')), /status/);
  });

  it('refuses a url that is not http(s)', () => {
    assert.match(refusal(edited('url', 'file:///etc/passwd')), /url/);
    assert.match(refusal(edited('url', 'http://a b')), /url/);
  });

  it('refuses negative, fractional, huge and non-numeric counts', () => {
    assert.match(refusal(edited('jobs.load', -1)), /jobs\.load/);
    assert.match(refusal(edited('jobs.max', 0)), /jobs\.max/);
    assert.match(refusal(edited('jobs.running', 1.5)), /jobs\.running/);
    assert.match(refusal(edited('jobs.max', 1e9)), /jobs\.max/);
    assert.match(refusal(edited('jobs.load', '1')), /jobs\.load/);
  });

  it('refuses speeds that are zero, negative, null, a string or beyond any encoder', () => {
    for (const bad of [0, -2, null, '4', 1e6]) {
      const body = edited('hardware.encoders.0.speed.720p', bad);
      assert.match(refusal(body), /hardware\.encoders\[0\]\.speed\.720p/, String(bad));
    }
    // JSON has no Infinity: 1e400 parses to it, and it is refused like any huge figure.
    const text = JSON.stringify(edited('name', 'w1')).replace('"720p":4', '"720p":1e400');
    assert.match(refusal(JSON.parse(text)), /speed\.720p/);
  });

  it('refuses a payload without the fields placement reads', () => {
    assert.match(refusal(edited('hardware.probing', DELETE)), /hardware\.probing: required/);
    assert.match(refusal(edited('hardware.encoders.0.usable', DELETE)), /usable: required/);
    assert.match(refusal(edited('jobs', DELETE)), /jobs: required/);
    assert.match(refusal(edited('hardware.encoders', 'libx264')), /hardware\.encoders/);
  });

  it('refuses job ids outside the worker pattern and oversized lists', () => {
    assert.match(refusal(edited('jobs.ids', ['../x'])), /jobs\.ids\[0\]/);
    assert.match(
      refusal(edited('hardware.encoders', Array(257).fill(encoder('libx264', 'h264')))),
      /hardware\.encoders: expected at most 256/,
    );
  });

  it('refuses non-objects', () => {
    for (const body of [null, [], 'ready', 42]) refusal(body);
  });
});
