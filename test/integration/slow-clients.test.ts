// Clients that stop reading, on real loopback sockets: a large segment served from disk (a stream copy of a
// high-bitrate source, a cache too small to keep it), eight clients that never read it and a ninth that does.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { connect, type Socket } from 'node:net';
import path from 'node:path';
import { promisify } from 'node:util';
import { after, before, describe, it } from 'node:test';
import { startTestDaemon, testConfig, waitForJobEnd, type TestDaemon } from '../helpers/daemon.js';
import { makeMountDir } from '../helpers/media.js';

const STALL_MS = 1500;
const STALLED = 8;
const SEGMENT = '/streams/film/seg-0.ts';
const CHUNK = 1 << 20;

/** A raw HTTP/1.1 GET; its socket, the bytes it received and the header's Content-Length once parsed. */
interface RawClient {
  readonly socket: Socket;
  received: number;
  contentLength: number | null;
  firstByteMs: number | null;
  readonly closed: Promise<void>;
}

function rawGet(port: number, route: string): RawClient {
  const socket = connect(port, '127.0.0.1');
  const started = performance.now();
  let head = '';
  const client: RawClient = {
    socket,
    received: 0,
    contentLength: null,
    firstByteMs: null,
    closed: new Promise((resolve) => socket.once('close', () => resolve())),
  };
  socket.on('error', () => undefined);
  socket.on('data', (chunk: Buffer) => {
    client.firstByteMs ??= performance.now() - started;
    if (client.contentLength === null) {
      head += chunk.toString('latin1');
      const end = head.indexOf('\r\n\r\n');
      if (end === -1) return;
      client.contentLength = Number(/content-length: (\d+)/i.exec(head.slice(0, end))?.[1]);
      client.received = head.length - end - 4;
      return;
    }
    client.received += chunk.length;
  });
  socket.write(`GET ${route} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
  return client;
}

/** A client that reads its first bytes and then never again: the kernel's buffers fill and the server's write blocks. */
async function stalledClient(port: number, route: string): Promise<RawClient> {
  const client = rawGet(port, route);
  await new Promise<void>((resolve) => client.socket.once('data', () => resolve()));
  client.socket.pause();
  return client;
}

const within = <T>(p: Promise<T>, ms: number, what: string): Promise<T> =>
  Promise.race([
    p,
    new Promise<never>((_, reject) =>
      setTimeout(() => reject(new Error(`${what}: not within ${ms} ms`)), ms),
    ),
  ]);

describe('clients that stop reading', () => {
  let d: TestDaemon;
  let port = 0;
  let segmentBytes = 0;
  before(async () => {
    const mount = makeMountDir();
    // Noise compresses to nothing: ~5 MB/s even at 320x240, so a 4 s segment is ~20 MB, far more than the kernel's
    // socket buffers hold (4 MiB send, 128 KiB receive for a client that never reads). Made before the daemon starts.
    // prettier-ignore
    await promisify(execFile)('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=30:duration=8', '-vf', 'noise=alls=100:allf=t',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-qp', '0', '-g', '120', '-pix_fmt', 'yuv420p',
      path.join(mount, 'noisy.mp4'),
    ]);
    // cache_mb 1 admits files up to 256 KiB: every segment of this film is sent from disk through the buffer pool.
    d = await startTestDaemon(testConfig(mount, { serving: { cache_mb: 1 } }), undefined, {
      sendStallMs: STALL_MS,
    });
    port = Number(new URL(d.localUrl).port);
    const res = await d.api('POST', '/jobs', {
      id: 'film',
      input: 'noisy.mp4',
      video: { codec: 'copy' },
      segmentSeconds: 4,
    });
    assert.equal(res.status, 202);
    const done = await waitForJobEnd(d, 'film');
    assert.equal(done.status, 'completed', done.error);
    const head = await fetch(`${d.localUrl}${SEGMENT}`, { method: 'HEAD' });
    segmentBytes = Number(head.headers.get('content-length'));
    assert.ok(segmentBytes > 12_000_000, `segment of ${segmentBytes} bytes`);
  });
  after(async () => {
    await d.stop();
  });

  it('serves a ninth client at once while eight others stop reading, and cuts those eight off', async () => {
    const stalled = await Promise.all(Array.from({ length: STALLED }, () => stalledClient(port, SEGMENT)));
    // Long enough for each of their writes to fill the kernel's buffers and block.
    await new Promise((r) => setTimeout(r, 300));
    const ninth = rawGet(port, SEGMENT);
    await within(
      new Promise<void>((resolve) => ninth.socket.once('data', () => resolve())),
      6000,
      'the ninth client’s first byte',
    );
    console.log(`ninth client: first byte after ${ninth.firstByteMs?.toFixed(1)} ms`);
    await within(
      new Promise<void>((resolve) => {
        const check = (): void => {
          if (ninth.received >= segmentBytes) resolve();
          else setTimeout(check, 20);
        };
        check();
      }),
      10_000,
      'the ninth client’s whole segment',
    );
    assert.equal(ninth.received, segmentBytes);
    ninth.socket.destroy();

    // No write progress for STALL_MS: the server destroys their sockets. Reading again now drains what the kernel
    // still held, then the connection ends short of the segment.
    await new Promise((r) => setTimeout(r, STALL_MS + 1000));
    for (const client of stalled) client.socket.resume();
    await within(Promise.all(stalled.map((c) => c.closed)), 5000, 'the stalled sockets to be closed');
    for (const client of stalled)
      assert.ok(client.received < segmentBytes, `${client.received} of ${segmentBytes}`);
  });

  it('keeps a client that reads slowly but steadily', async () => {
    const slow = rawGet(port, SEGMENT);
    await new Promise<void>((resolve) => slow.socket.once('data', () => resolve()));
    slow.socket.pause();
    // 1 MiB every 300 ms (~3.5 MB/s), for 3 × the stall limit: the kernel frees room in the server's send buffer
    // well within the limit each time, so its writes keep progressing.
    let allowance = slow.received;
    slow.socket.on('data', () => {
      if (slow.received >= allowance) slow.socket.pause();
    });
    const seen = { closed: false };
    void slow.closed.then(() => (seen.closed = true));
    const deadline = performance.now() + 3 * STALL_MS;
    while (performance.now() < deadline && !seen.closed) {
      await new Promise((r) => setTimeout(r, 300));
      allowance = slow.received + CHUNK;
      slow.socket.resume();
    }
    assert.equal(seen.closed, false, `cut off after ${slow.received} bytes`);
    assert.ok(slow.received < segmentBytes, 'the test read the whole segment: it was not slow');
    slow.socket.destroy();
  });
});
