import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createLogger, formatEntry, readableStream } from '../../src/log.js';

describe('readable log lines for a terminal', () => {
  it('formats level, message and fields on one line, quoting only what needs it', () => {
    const time = new Date(2026, 0, 2, 3, 4, 5, 67).getTime();
    const line = formatEntry(
      {
        level: 40,
        time,
        pid: 1,
        hostname: 'h',
        name: 'transcode-worker',
        msg: 'heartbeat failed',
        failures: 3,
        error: 'timed out after 300 ms',
        ids: ['a', 'b'],
      },
      false,
    );
    assert.equal(
      line,
      '03:04:05.067 WARN  heartbeat failed failures=3 error="timed out after 300 ms" ids=["a","b"]\n',
    );
  });

  it('puts an error stack under the line and colours the level only when asked', () => {
    const line = formatEntry(
      { level: 50, time: 0, msg: 'request failed', err: { message: 'boom', stack: 'Error: boom\n    at x' } },
      true,
    );
    assert.ok(line.includes('\x1b[31mERROR\x1b[0m request failed\n    Error: boom\n        at x\n'));
  });

  it('receives pino output, with secrets still redacted', () => {
    const out: string[] = [];
    const log = createLogger('info', readableStream({ write: (s: string) => out.push(s) }, false));
    log.info({ jobId: 'a1', token: 'secret-value', headers: { authorization: 'Bearer x' } }, 'job accepted');
    assert.equal(out.length, 1);
    assert.match(out[0] ?? '', /INFO {2}job accepted jobId=a1 token=\[redacted\] headers=/);
    assert.doesNotMatch(out[0] ?? '', /secret-value|Bearer x/);
  });

  it('writes JSON lines to a non-terminal destination', () => {
    const out: string[] = [];
    const log = createLogger('info', { write: (s: string) => out.push(s) });
    log.info({ jobId: 'a1' }, 'job accepted');
    const entry = JSON.parse(out[0] ?? '') as { msg: string; jobId: string; level: number };
    assert.deepEqual([entry.msg, entry.jobId, entry.level], ['job accepted', 'a1', 30]);
  });
});
