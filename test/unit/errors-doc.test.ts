// docs/errors.md and the OpenAPI ErrorCode enum list exactly the codes in src/errors.ts, each with its status.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { ERROR_CODES, EXIT_STATUS } from '../../src/errors.js';

const root = new URL('../../', import.meta.url);

describe('error code documentation', () => {
  it('docs/errors.md has one row per code with its HTTP status or exit status', () => {
    const text = readFileSync(new URL('docs/errors.md', root), 'utf8');
    const rows = new Map<string, string>();
    for (const m of text.matchAll(/^\| `([A-Z_]+)` +\| ([^|]+?) +\|/gm)) {
      assert.ok(!rows.has(m[1] ?? ''), `${m[1] ?? ''} documented twice`);
      rows.set(m[1] ?? '', m[2] ?? '');
    }
    assert.deepEqual(
      [...rows.keys()].sort(),
      [...Object.keys(ERROR_CODES), ...Object.keys(EXIT_STATUS)].sort(),
    );
    for (const [code, status] of Object.entries(ERROR_CODES))
      assert.equal(rows.get(code), String(status), code);
    for (const [code, status] of Object.entries(EXIT_STATUS))
      assert.equal(rows.get(code), `exit ${status}`, code);
  });

  it('docs/openapi.yaml ErrorCode lists every code an HTTP answer can carry', () => {
    const text = readFileSync(new URL('docs/openapi.yaml', root), 'utf8');
    const block = /^ {4}ErrorCode:\n(?:.*\n)*? {6}enum:\n((?: {8}- [A-Z_]+\n)+)/m.exec(text)?.[1] ?? '';
    const listed = block
      .split('\n')
      .map((l) => l.trim().replace(/^- /, ''))
      .filter(Boolean);
    assert.deepEqual(listed.sort(), Object.keys(ERROR_CODES).sort());
  });
});
