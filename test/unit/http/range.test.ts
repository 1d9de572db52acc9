import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseRange } from '../../../src/http/hls.js';
import { checkBearer } from '../../../src/http/auth.js';
import { WorkerError } from '../../../src/errors.js';

describe('parseRange', () => {
  it('parses single byte ranges like a static file server', () => {
    assert.equal(parseRange(undefined, 100), null);
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 99 });
    assert.equal(parseRange('bytes=100-', 100), 'invalid');
    assert.equal(parseRange('bytes=5-1', 100), 'invalid');
    assert.equal(parseRange('bytes=-0', 100), 'invalid');
    assert.equal(parseRange('bytes=0-1,5-6', 100), null);
  });
});

describe('checkBearer', () => {
  const code = (h: string | undefined): string => {
    try {
      checkBearer(h, 'secret-token');
      return 'ok';
    } catch (e) {
      assert.ok(e instanceof WorkerError);
      return e.code;
    }
  };
  it('accepts the right token only', () => {
    assert.equal(code('Bearer secret-token'), 'ok');
    assert.equal(code('bearer secret-token'), 'ok');
    assert.equal(code(undefined), 'UNAUTHORIZED');
    assert.equal(code('Basic abc'), 'UNAUTHORIZED');
    assert.equal(code('Bearer wrong'), 'FORBIDDEN');
    assert.equal(code('Bearer secret-token-longer'), 'FORBIDDEN');
  });
});
