import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseAnswer, fileEtag, noneMatchHits, parseRange } from '../../../src/hls/byte-serving.js';
import { checkBearer } from '../../../src/http/auth.js';
import { WorkerError } from '../../../src/errors.js';

describe('parseRange', () => {
  it('parses single byte ranges like a static file server', () => {
    assert.equal(parseRange(undefined, 100), null);
    assert.deepEqual(parseRange('bytes=0-9', 100), { start: 0, end: 9 });
    assert.deepEqual(parseRange('bytes=90-', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-10', 100), { start: 90, end: 99 });
    assert.deepEqual(parseRange('bytes=-500', 100), { start: 0, end: 99 });
    assert.deepEqual(parseRange('bytes=95-200', 100), { start: 95, end: 99 });
    assert.deepEqual(parseRange('Bytes=3-3', 100), { start: 3, end: 3 }, 'the unit is case-insensitive');
  });

  it('ignores syntactically invalid ranges (whole body), as RFC 9110 says', () => {
    assert.equal(parseRange('bytes=5-3', 100), null, 'last before first');
    assert.equal(parseRange('bytes=-', 100), null);
    assert.equal(parseRange('bytes=0-1,5-6', 100), null, 'several ranges are not supported');
    assert.equal(parseRange('items=0-1', 100), null, 'another unit');
    assert.equal(parseRange('bytes=a-b', 100), null);
  });

  it('reports valid ranges that select nothing as unsatisfiable (416)', () => {
    assert.equal(parseRange('bytes=100-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=99999-', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=100-200', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=-0', 100), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-', 0), 'unsatisfiable');
  });
});

describe('If-None-Match', () => {
  const etag = '"a1-2b-3c"';
  it('matches the current tag in a list, under weak comparison, and *', () => {
    assert.equal(noneMatchHits(undefined, etag), false);
    assert.equal(noneMatchHits(etag, etag), true);
    assert.equal(noneMatchHits(`"x", ${etag}`, etag), true);
    assert.equal(noneMatchHits(`"x",${etag} , "y"`, etag), true);
    assert.equal(noneMatchHits(`W/${etag}`, etag), true);
    assert.equal(noneMatchHits(`"x", W/${etag}`, `W/${etag}`), true);
    assert.equal(noneMatchHits('*', etag), true);
    assert.equal(noneMatchHits(' * ', etag), true);
  });
  it('does not match other tags, unquoted values or substrings', () => {
    assert.equal(noneMatchHits('"x", "y"', etag), false);
    assert.equal(noneMatchHits('a1-2b-3c', etag), false);
    assert.equal(noneMatchHits('"a1-2b-3c-e"', etag), false);
    assert.equal(noneMatchHits('"a1-2b"', etag), false);
    assert.equal(noneMatchHits('"a,b", "c"', '"a"'), false, 'a comma inside a tag does not split it');
    assert.equal(noneMatchHits('"a,b", "c"', '"a,b"'), true);
  });
});

describe('chooseAnswer', () => {
  const etag = '"1-64-5"';
  it('answers 304 before looking at Range, 416 for unsatisfiable, 206 for a range, 200 otherwise', () => {
    assert.deepEqual(chooseAnswer({}, 100, etag), { status: 200, start: 0, end: 99 });
    assert.deepEqual(chooseAnswer({ range: 'bytes=5-3' }, 100, etag), { status: 200, start: 0, end: 99 });
    assert.deepEqual(chooseAnswer({ range: 'bytes=10-19' }, 100, etag), { status: 206, start: 10, end: 19 });
    assert.deepEqual(chooseAnswer({ range: 'bytes=99999-' }, 100, etag), { status: 416 });
    assert.deepEqual(chooseAnswer({ range: 'bytes=99999-', 'if-none-match': etag }, 100, etag), {
      status: 304,
    });
    assert.deepEqual(chooseAnswer({ 'if-none-match': '"other"' }, 100, etag), {
      status: 200,
      start: 0,
      end: 99,
    });
  });
});

describe('fileEtag', () => {
  const id = { ino: 1234, size: 1000, mtimeMs: 1_700_000_000_123.456 };
  it('changes with the inode, the size and the mtime, so a reused path gets a new tag', () => {
    const base = fileEtag(id);
    assert.match(base, /^"[0-9a-f]+-[0-9a-f]+-[0-9a-f]+"$/);
    assert.equal(fileEtag({ ...id }), base);
    assert.notEqual(fileEtag({ ...id, ino: 1235 }), base);
    assert.notEqual(fileEtag({ ...id, size: 1001 }), base);
    assert.notEqual(fileEtag({ ...id, mtimeMs: id.mtimeMs + 0.001 }), base);
    assert.notEqual(fileEtag(id, '-e'), base);
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
