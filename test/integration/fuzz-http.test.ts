// Property-based, over raw sockets: random request lines, paths and headers, broken framing, slowloris headers and
// bodies, and 1,000 simultaneous connections. Every answer is a JSON error with a registered code or a success, never
// a 5xx or a hang; stalled clients are cut off with 408 while /health keeps answering.
// FUZZ_RUNS=n sets the cases per property (default 600).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { startDaemon, type Daemon } from '../../src/daemon.js';
import { ERROR_CODES } from '../../src/errors.js';
import { createLogger } from '../../src/log.js';
import { testConfig, TOKEN } from '../helpers/daemon.js';
import { makeMountDir } from '../helpers/media.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
const SEED = 20_062;
const TIMEOUTS = { headersMs: 1500, requestMs: 2500, keepAliveMs: 2000, checkIntervalMs: 250 };

interface RawAnswer {
  readonly status: number;
  readonly headers: Map<string, string>;
  readonly body: string;
}

/** Parses one HTTP/1.1 answer from raw bytes (the server closes the connection after it). */
function parseAnswer(raw: Buffer): RawAnswer {
  // Skip interim answers (100 Continue for an Expect header): the final one follows.
  const text = raw.toString('latin1').replace(/^(HTTP\/1\.1 1\d\d [^\r]*\r\n(?:[^\r]+\r\n)*\r\n)+/, '');
  const end = text.indexOf('\r\n\r\n');
  const head = end < 0 ? text : text.slice(0, end);
  const [statusLine = '', ...lines] = head.split('\r\n');
  const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(statusLine)?.[1] ?? NaN);
  const headers = new Map<string, string>();
  for (const line of lines) {
    const i = line.indexOf(':');
    if (i > 0) headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = end < 0 ? '' : text.slice(end + 4);
  const length = headers.get('content-length');
  if (length !== undefined) body = body.slice(0, Number(length));
  return { status, headers, body: Buffer.from(body, 'latin1').toString('utf8') };
}

/** Sends raw bytes and reads until the server closes; fails on a hang. */
const tally = { requests: 0, byStatus: new Map<number, number>() };

function exchange(port: number, bytes: Buffer | string, timeoutMs = 5000): Promise<RawAnswer> {
  tally.requests++;
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(
        new Error(`no answer within ${timeoutMs} ms to ${JSON.stringify(bytes.toString().slice(0, 200))}`),
      );
    }, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(timer);
      resolve(parseAnswer(Buffer.concat(chunks)));
    });
    // Written, not ended: a half-closed socket makes Node drop answers that are not ready at once.
    socket.write(bytes);
  });
}

/** The contract for any answer: below 500, and every error is our JSON envelope with a matching code. */
function checkAnswer(a: RawAnswer, what: string, method = 'GET'): void {
  tally.byStatus.set(a.status, (tally.byStatus.get(a.status) ?? 0) + 1);
  assert.ok(Number.isInteger(a.status), `no status line for ${what}`);
  assert.ok(a.status < 500, `${a.status} for ${what}: ${a.body}`);
  assert.doesNotMatch(a.body, /root:x?:0:0/, `file contents leaked for ${what}`);
  if (a.status < 400 || method === 'HEAD') return;
  assert.match(a.headers.get('content-type') ?? '', /application\/json/, `${what}: ${a.body}`);
  const json = JSON.parse(a.body) as { error?: { code?: string; message?: string } };
  const code = json.error?.code ?? '';
  assert.ok(code in ERROR_CODES, `unregistered code "${code}" for ${what}`);
  assert.equal(
    ERROR_CODES[code as keyof typeof ERROR_CODES],
    a.status,
    `${code} with ${a.status} for ${what}`,
  );
  if (a.status === 405) assert.ok((a.headers.get('allow') ?? '').length > 0, `405 without Allow for ${what}`);
}

describe('fuzzed HTTP', () => {
  let d: Daemon;
  let port = 0;
  before(async () => {
    d = await startDaemon(testConfig(makeMountDir()), {
      log: createLogger('silent'),
      platform: process.platform,
      envPath: process.env.PATH,
      httpTimeouts: TIMEOUTS,
    });
    port = Number(new URL(d.localUrl).port);
  });
  after(async () => {
    await d.stop();
    const statuses = [...tally.byStatus].map(([s, n]) => `${s}=${n}`).join(' ');
    process.stdout.write(`# fuzz-http: ${tally.requests} raw requests checked; ${statuses}\n`);
  });

  const segment = fc.oneof(
    fc.constantFrom(
      'jobs',
      'streams',
      'health',
      'metrics',
      'assets',
      'hls.min.js',
      'status.js',
      'stream.m3u8',
      'seg-0.ts',
      'seg-00.ts',
      'seg-99999999999999999999.ts',
      '..',
      '.',
      '%2e%2e',
      '%2E%2e%2F',
      '%2f',
      '%00',
      '%zz',
      '%',
      '%c0%ae',
      '%e2%80%ae',
      '..%5c..%5cetc%5cpasswd',
      'etc',
      'passwd',
      '',
      'a'.repeat(120),
      'b'.repeat(9000),
    ),
    fc.string({ unit: 'grapheme-ascii', maxLength: 10 }).map(encodeURIComponent),
    fc.string({ unit: 'grapheme', maxLength: 6 }).map(encodeURIComponent),
  );
  const method = fc.constantFrom('GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE', 'FOO');
  const target = fc
    .tuple(fc.array(segment, { maxLength: 5 }), fc.option(fc.constantFrom('?a=1', '?', '?%zz', '#x')))
    .map(([parts, q]) => '/' + parts.join('/') + (q ?? ''));

  it('random methods and paths', async () => {
    await fc.assert(
      fc.asyncProperty(method, target, async (m, t) => {
        const auth = m === 'GET' ? `Authorization: Bearer ${TOKEN}\r\n` : '';
        const a = await exchange(port, `${m} ${t} HTTP/1.1\r\nHost: w\r\n${auth}Connection: close\r\n\r\n`);
        checkAnswer(a, `${m} ${t.slice(0, 100)}`, m);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  // Header names and values, printable or not; the parser refuses some (400), the routes the rest.
  const headerName = fc.oneof(
    fc.constantFrom(
      'authorization',
      'content-type',
      'accept',
      'range',
      'if-none-match',
      'expect',
      'x-forwarded-for',
    ),
    fc.stringMatching(/^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/),
    fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 8 }),
  );
  const headerValue = fc.oneof(
    fc.constantFrom(
      `Bearer ${TOKEN}`,
      `bearer  ${TOKEN}  `,
      'Bearer',
      'Basic dXNlcjpwYXNz',
      'application/json; charset=utf-16',
      'garbage',
      'multipart/form-data; boundary=x',
      'bytes=0-',
      'bytes=-0',
      'bytes=5-1',
      '100-continue',
      'x'.repeat(4000),
    ),
    fc.string({ unit: 'binary-ascii', maxLength: 40 }),
    fc.string({ maxLength: 20 }).map((s) => Buffer.from(s, 'utf8').toString('latin1')),
  );

  it('random headers on GET /health and POST /jobs', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.boolean(),
        fc.array(fc.tuple(headerName, headerValue), { maxLength: 8 }),
        async (post, headers) => {
          const body = '{"input":"none.mp4","video":{"codec":"h264"}}';
          const lines = headers.map(([n, v]) => `${n}: ${v}\r\n`).join('');
          const request = post
            ? `POST /jobs HTTP/1.1\r\nHost: w\r\n${lines}Content-Length: ${body.length}\r\nConnection: close\r\n\r\n${body}`
            : `GET /health HTTP/1.1\r\nHost: w\r\n${lines}Connection: close\r\n\r\n`;
          const a = await exchange(port, Buffer.from(request, 'latin1'));
          checkAnswer(a, JSON.stringify(request.slice(0, 300)));
        },
      ),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('broken framing, oversized headers, garbage request lines, and routing errors', async () => {
    const H = `Host: w\r\nConnection: close\r\nAuthorization: Bearer ${TOKEN}\r\n`;
    const cases: [string, number][] = [
      [`POST /jobs HTTP/1.1\r\n${H}Content-Length: -1\r\n\r\n`, 400],
      [`POST /jobs HTTP/1.1\r\n${H}Content-Length: 1e3\r\n\r\n`, 400],
      [`POST /jobs HTTP/1.1\r\n${H}Content-Length: 2\r\nContent-Length: 3\r\n\r\nab`, 400],
      [`POST /jobs HTTP/1.1\r\n${H}Content-Length: 2\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n`, 400],
      [`POST /jobs HTTP/1.1\r\n${H}Transfer-Encoding: chunked\r\n\r\nzz\r\nab\r\n0\r\n\r\n`, 400],
      [`POST /jobs HTTP/1.1\r\n${H}Transfer-Encoding: gzip, chunked, x\r\n\r\n`, 400],
      [`GET /health HTTP/1.1\r\n${H}X-Big: ${'a'.repeat(20_000)}\r\n\r\n`, 431],
      [`GET /health HTTP/1.1\r\n${H}${'X-Many: 1\r\n'.repeat(3000)}\r\n`, 431],
      [`GET /${'a'.repeat(20_000)} HTTP/1.1\r\n${H}\r\n`, 431],
      [`GET /health HTTP/9.9\r\n${H}\r\n`, 400],
      [`\x00\x01\x02\x03 / HTTP/1.1\r\n${H}\r\n`, 400],
      [`GET /he\x00alth HTTP/1.1\r\n${H}\r\n`, 400],
      [`GET /health HTTP/1.1\r\nConnection: close\r\n\r\n`, 400],
      // Node keeps the first Host; nothing here depends on it.
      [`GET /health HTTP/1.1\r\n${H}Host: b\r\n\r\n`, 200],
      // Bare LF line ends: Node's strict parser refuses them (request smuggling guard).
      [`GET /health HTTP/1.1\nHost: a\nConnection: close\n\n`, 400],
      [`GET /health HTTP/1.1\r\n${H}Expect: something-else\r\n\r\n`, 200],
      [`GET /health HTTP/1.0\r\n\r\n`, 200],
      // Routing: a known path with another method is 405 (with Allow, checked above), an unknown one 404.
      [`PUT /jobs HTTP/1.1\r\n${H}\r\n`, 405],
      [`POST /health HTTP/1.1\r\n${H}Content-Length: 0\r\n\r\n`, 405],
      [`GET /nothing HTTP/1.1\r\n${H}\r\n`, 404],
      [`GET /jobs/${'a'.repeat(150)} HTTP/1.1\r\n${H}\r\n`, 404],
      // The job list needs the token: its ids are stream capabilities.
      [`GET /jobs HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n`, 401],
      [`GET /jobs HTTP/1.1\r\nHost: w\r\nConnection: close\r\nAuthorization: Bearer nope\r\n\r\n`, 403],
    ];
    for (const [request, status] of cases) {
      const a = await exchange(port, Buffer.from(request, 'latin1'));
      const what = JSON.stringify(request.slice(0, 80));
      checkAnswer(a, what);
      assert.equal(a.status, status, `${what}: ${a.body}`);
    }
  });

  it('slowloris headers and slow bodies are cut off with 408 JSON; /health answers meanwhile', async () => {
    const started = Date.now();
    // A new header line every 300 ms, forever: only the header timeout ends it.
    const slowHeaders = exchangeSlowly(port, 'GET /health HTTP/1.1\r\nHost: w\r\n', 'X-A: 1\r\n', 300);
    // Headers at once, then a 200-byte body two bytes at a time: the request timeout ends it.
    const slowBody = exchangeSlowly(
      port,
      `POST /jobs HTTP/1.1\r\nHost: w\r\nAuthorization: Bearer ${TOKEN}\r\nContent-Length: 200\r\n\r\n`,
      '  ',
      300,
    );
    // One byte of a header value at a time.
    const trickle = exchangeSlowly(port, 'GET /health HTTP/1.1\r\nX-Slow: ', 'a', 100);
    for (let i = 0; i < 10; i++) {
      const t = Date.now();
      assert.equal((await fetch(`${d.localUrl}/health`)).status, 200);
      assert.ok(Date.now() - t < 1000);
      await new Promise((r) => setTimeout(r, 100));
    }
    for (const a of await Promise.all([slowHeaders, slowBody, trickle])) {
      checkAnswer(a, 'slow client');
      assert.equal(a.status, 408);
      assert.equal((JSON.parse(a.body) as { error: { code: string } }).error.code, 'REQUEST_TIMEOUT');
    }
    // Cut off by the limits (1.5 s headers, 2.5 s request, checked every 250 ms), not by the client giving up.
    assert.ok(Date.now() - started < TIMEOUTS.requestMs + 1500, `took ${Date.now() - started} ms`);
  });

  it('holds 1,000 simultaneous connections: all answered, and /health answers while 1,000 more stall', async () => {
    const limit = Number(/Max open files\s+(\d+)/.exec(readFileSync('/proc/self/limits', 'utf8'))?.[1] ?? 0);
    // Both ends of every connection live in this process.
    assert.ok(limit >= 2500, `open file limit ${limit} < 2500: raise it (ulimit -n 4096) before npm test`);
    const answers = await Promise.all(
      Array.from({ length: 1000 }, () =>
        exchange(port, 'GET /health HTTP/1.1\r\nHost: w\r\nConnection: close\r\n\r\n', 20_000),
      ),
    );
    assert.equal(answers.filter((a) => a.status === 200).length, 1000);

    const stalled: Socket[] = [];
    const closed: Promise<void>[] = [];
    const answers408: string[] = [];
    for (let i = 0; i < 1000; i++) {
      const s = connect({ host: '127.0.0.1', port });
      s.on('error', () => undefined);
      s.on('data', (b: Buffer) => {
        if (b.toString('latin1').startsWith('HTTP/1.1 408')) answers408.push(b.toString('latin1'));
      });
      s.write('GET /health HTTP/1.1\r\nHost: w\r\n');
      closed.push(new Promise((r) => s.once('close', () => r())));
      stalled.push(s);
    }
    await new Promise((r) => setTimeout(r, 300));
    const t = Date.now();
    for (let i = 0; i < 5; i++) assert.equal((await fetch(`${d.localUrl}/health`)).status, 200);
    assert.ok(Date.now() - t < 2000, `5 health checks took ${Date.now() - t} ms`);
    // The header timeout frees every stalled socket.
    await Promise.race([
      Promise.all(closed),
      new Promise((_, reject) =>
        setTimeout(
          () =>
            reject(new Error(`stalled sockets not closed: ${stalled.filter((s) => !s.destroyed).length}`)),
          TIMEOUTS.headersMs + 5000,
        ),
      ),
    ]);
    assert.equal(answers408.length, 1000, 'every stalled client got a 408');
    assert.ok(answers408.every((a) => a.includes('"REQUEST_TIMEOUT"')));
    for (const s of stalled) s.destroy();
  });
});

/** Writes `first`, then `repeat` after every pause, until the server answers and closes. */
function exchangeSlowly(port: number, first: string, repeat: string, pauseMs: number): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect({ host: '127.0.0.1', port });
    const guard = setTimeout(() => {
      socket.destroy();
      reject(new Error('slow client never cut off'));
    }, 15_000);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearTimeout(guard);
      resolve(parseAnswer(Buffer.concat(chunks)));
    });
    socket.write(first);
    const next = (): void => {
      if (socket.destroyed) return;
      socket.write(repeat);
      setTimeout(next, pauseMs);
    };
    setTimeout(next, pauseMs);
  });
}
