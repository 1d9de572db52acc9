// A minimal keep-alive HTTP/1.1 GET client for simulating many players on the same 2 cores as the worker: it reads
// into one shared, reused buffer (net's `onread`) and only counts body bytes, so the load generator costs little more
// than the kernel's copy. node:http allocates a fresh 64 KiB buffer per read and parses every chunk.
import { connect, type Socket } from 'node:net';

export interface LeanAnswer {
  readonly status: number;
  readonly sentAt: number;
  readonly firstByteAt: number;
  readonly endAt: number;
  readonly bytes: number;
  /** The body as text when asked for (playlists), else ''. */
  readonly text: string;
}

// Safe to share between sockets: each read callback runs to completion before the next read fills it again.
const SHARED = Buffer.allocUnsafeSlow(256 * 1024);
const HEADER_END = Buffer.from('\r\n\r\n');

interface Pending {
  readonly keepText: boolean;
  readonly sentAt: number;
  readonly resolve: (a: LeanAnswer) => void;
  readonly reject: (e: Error) => void;
  firstByteAt: number;
  head: Buffer;
  status: number;
  remaining: number;
  bytes: number;
  chunks: Buffer[];
}

/** One player's connection: one request at a time. */
export class LeanConnection {
  readonly #socket: Socket;
  readonly #host: string;
  #pending: Pending | null = null;
  #error: Error | null = null;

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.#host = `${hostname}:${port}`;
    this.#socket = connect({
      host: hostname,
      port: Number(port),
      onread: {
        buffer: SHARED,
        callback: (n) => {
          this.#onData(SHARED.subarray(0, n));
          return true;
        },
      },
    });
    this.#socket.setNoDelay(true);
    const fail = (err: Error): void => {
      this.#error = err;
      const p = this.#pending;
      this.#pending = null;
      p?.reject(err);
    };
    this.#socket.on('error', fail);
    this.#socket.on('close', () => fail(new Error('connection closed')));
  }

  /** GET a path; rejects on a connection error. */
  get(pathname: string, keepText = false): Promise<LeanAnswer> {
    if (this.#error !== null) return Promise.reject(this.#error);
    if (this.#pending !== null) return Promise.reject(new Error('one request at a time'));
    return new Promise((resolve, reject) => {
      const sentAt = performance.now();
      this.#pending = {
        keepText,
        sentAt,
        resolve,
        reject,
        firstByteAt: NaN,
        head: Buffer.alloc(0),
        status: 0,
        remaining: -1,
        bytes: 0,
        chunks: [],
      };
      this.#socket.write(`GET ${pathname} HTTP/1.1\r\nHost: ${this.#host}\r\n\r\n`);
    });
  }

  close(): void {
    this.#socket.destroy();
  }

  #onData(data: Buffer): void {
    const p = this.#pending;
    if (p === null) return;
    if (Number.isNaN(p.firstByteAt)) p.firstByteAt = performance.now();
    let body = data;
    if (p.remaining < 0) {
      // Still in the header: it is small, so copying it is cheap.
      const head = Buffer.concat([p.head, data]);
      const end = head.indexOf(HEADER_END);
      if (end < 0) {
        p.head = head;
        return;
      }
      const text = head.subarray(0, end).toString('latin1');
      p.status = Number(text.slice(9, 12));
      p.remaining = Number(/\r\ncontent-length: *(\d+)/i.exec(text)?.[1] ?? 0);
      body = head.subarray(end + 4);
    }
    p.bytes += body.length;
    p.remaining -= body.length;
    if (p.keepText) p.chunks.push(Buffer.from(body));
    if (p.remaining > 0) return;
    this.#pending = null;
    p.resolve({
      status: p.status,
      sentAt: p.sentAt,
      firstByteAt: p.firstByteAt,
      endAt: performance.now(),
      bytes: p.bytes,
      text: p.keepText ? Buffer.concat(p.chunks).toString('utf8') : '',
    });
  }
}
