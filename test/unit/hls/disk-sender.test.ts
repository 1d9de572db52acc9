// The disk path through a real HTTP server on loopback: chunked reads across 1 MiB boundaries, a bounded pool, and
// raw sockets that stop reading.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHUNK_BYTES, ChunkPool, sendFileSpan } from '../../../src/hls/disk-sender.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-disk-'));
const file = path.join(dir, 'big.ts');
const bytes = randomBytes(2 * CHUNK_BYTES + 12345);
writeFileSync(file, bytes);
// More than the kernel holds for a client that never reads (4 MiB send buffer, 128 KiB receive window).
const hugeFile = path.join(dir, 'huge.ts');
writeFileSync(hugeFile, randomBytes(16 * CHUNK_BYTES));

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms),
    ),
  ]);

describe('sendFileSpan', () => {
  // One buffer for every request: concurrent responses must take turns and still all complete.
  const pool = new ChunkPool(1);
  let server: Server;
  let url = '';
  before(async () => {
    server = createServer((req, res) => {
      const huge = req.url === '/huge';
      const [start = 0, end = huge ? 16 * CHUNK_BYTES - 1 : bytes.length - 1] = huge
        ? []
        : (req.url ?? '/').slice(1).split('-').map(Number);
      void (async () => {
        const fd = openSync(huge ? hugeFile : file, 'r');
        try {
          res.writeHead(200, { 'content-length': String(end - start + 1) });
          await sendFileSpan(res, fd, start, end, pool, { waitMs: 10_000 });
        } finally {
          closeSync(fd);
        }
      })();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(async () => {
    await new Promise((resolve) => server.close(resolve));
    rmSync(dir, { recursive: true, force: true });
  });

  const fetchSpan = async (start: number, end: number): Promise<Buffer> =>
    Buffer.from(await (await fetch(`${url}/${start}-${end}`)).arrayBuffer());

  it('sends a file larger than one chunk whole, and spans that cross chunk boundaries', async () => {
    assert.ok((await fetchSpan(0, bytes.length - 1)).equals(bytes));
    const a = CHUNK_BYTES - 10;
    const b = 2 * CHUNK_BYTES + 10;
    assert.ok((await fetchSpan(a, b)).equals(bytes.subarray(a, b + 1)));
    assert.ok((await fetchSpan(5, 5)).equals(bytes.subarray(5, 6)));
  });

  it('serves concurrent clients through a pool of one buffer without mixing their bytes', async () => {
    const spans: [number, number][] = [
      [0, bytes.length - 1],
      [100, CHUNK_BYTES + 100],
      [CHUNK_BYTES * 2, bytes.length - 1],
      [7, 70_000],
    ];
    const bodies = await Promise.all(spans.map(([s, e]) => fetchSpan(s, e)));
    spans.forEach(([s, e], i) => {
      assert.ok(bodies[i]?.equals(bytes.subarray(s, e + 1)), `span ${s}-${e}`);
    });
  });

  it('gives its buffer back when a client leaves mid-body, so the next client is served', async () => {
    const controller = new AbortController();
    const res = await fetch(`${url}/0-${bytes.length - 1}`, { signal: controller.signal });
    const reader = res.body?.getReader();
    await reader?.read();
    controller.abort();
    await new Promise((r) => setTimeout(r, 50));
    assert.ok((await fetchSpan(0, bytes.length - 1)).equals(bytes));
  });

  it('reuses its buffer: clients one after another cost one buffer, none handed over', async () => {
    // (The concurrent test above may have handed some over on a loaded machine: count from here.)
    const { handedOver } = pool.stats();
    for (let i = 0; i < 3; i++) assert.ok((await fetchSpan(0, bytes.length - 1)).equals(bytes));
    assert.deepEqual(pool.stats(), { counted: 1, free: 1, waiting: 0, handedOver });
  });

  it('serves the next client while one that stopped reading holds the only buffer in a blocked write', async () => {
    const stalled = connect((server.address() as AddressInfo).port, '127.0.0.1');
    stalled.on('error', () => undefined);
    stalled.write('GET /huge HTTP/1.1\r\nHost: x\r\n\r\n');
    await new Promise<void>((resolve) => stalled.once('data', () => resolve()));
    stalled.pause();
    await new Promise((r) => setTimeout(r, 200));
    const started = performance.now();
    const body = await within(fetchSpan(0, bytes.length - 1), 5000, 'the second client');
    assert.ok(body.equals(bytes));
    assert.ok(performance.now() - started < 2000, `${performance.now() - started} ms`);
    assert.ok(pool.stats().handedOver >= 1, 'the blocked write gave up its place');
    stalled.destroy();
  });
});

describe('ChunkPool', () => {
  it('ends a wait for a buffer after waitMs with null, and lends again once one is given back', async () => {
    const pool = new ChunkPool(1);
    const held = await pool.take(1000);
    assert.ok(held !== null);
    const started = performance.now();
    assert.equal(await pool.take(50), null);
    assert.ok(performance.now() - started >= 45);
    assert.equal(pool.stats().waiting, 0);
    const next = pool.take(1000);
    pool.give(held);
    assert.equal((await next)?.buffer, held.buffer);
  });

  it('hands a write stuck past the hold over to it and makes a new buffer for the one waiting', async () => {
    const pool = new ChunkPool(1, 20);
    const writing = await pool.take(1000);
    assert.ok(writing !== null);
    pool.writing(writing);
    const waiting = await pool.take(1000);
    assert.ok(waiting !== null && waiting.buffer !== writing.buffer);
    assert.deepEqual(pool.stats(), { counted: 1, free: 0, waiting: 0, handedOver: 1 });
    // The stuck write completes: its buffer returns only if the pool has room, never beyond max.
    pool.give(writing);
    assert.equal(pool.stats().counted, 1);
    pool.give(waiting);
    assert.deepEqual(pool.stats(), { counted: 1, free: 1, waiting: 0, handedOver: 1 });
  });
});
