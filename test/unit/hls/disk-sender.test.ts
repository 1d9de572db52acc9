// The disk path through a real HTTP server on loopback: chunked reads across 1 MiB boundaries, a bounded pool.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { CHUNK_BYTES, ChunkPool, sendFileSpan } from '../../../src/hls/disk-sender.js';

const dir = mkdtempSync(path.join(tmpdir(), 'tw-disk-'));
const file = path.join(dir, 'big.ts');
const bytes = randomBytes(2 * CHUNK_BYTES + 12345);
writeFileSync(file, bytes);

describe('sendFileSpan', () => {
  // One buffer for every request: concurrent responses must take turns and still all complete.
  const pool = new ChunkPool(1);
  let server: Server;
  let url = '';
  before(async () => {
    server = createServer((req, res) => {
      const [start = 0, end = bytes.length - 1] = (req.url ?? '/').slice(1).split('-').map(Number);
      void (async () => {
        const fd = openSync(file, 'r');
        try {
          res.writeHead(200, { 'content-length': String(end - start + 1) });
          await sendFileSpan(res, fd, start, end, pool);
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
});
