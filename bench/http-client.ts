// A lean HTTP/1.1 client for the bench (node:http, keep-alive): when the answer's first bytes and its last byte arrived.
import { Agent, get } from 'node:http';

export interface Timed {
  readonly status: number;
  /** performance.now() when the request was handed to the socket layer. */
  readonly sentAt: number;
  /** When the status line and headers were parsed: the first bytes of the answer. */
  readonly firstByteAt: number;
  readonly endAt: number;
  readonly bytes: number;
  /** The body as text when asked for (playlists), else ''. */
  readonly text: string;
}

/** One keep-alive connection pool per simulated player. */
export function newAgent(): Agent {
  return new Agent({ keepAlive: true, maxSockets: 1 });
}

/** GET a URL; rejects on a network error, resolves with any status. */
export function timedGet(url: string, agent: Agent | false, keepText = false): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const sentAt = performance.now();
    const req = get(url, { agent }, (res) => {
      const firstByteAt = performance.now();
      let bytes = 0;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => {
        bytes += c.length;
        if (keepText) chunks.push(c);
      });
      res.once('end', () => {
        resolve({
          status: res.statusCode ?? 0,
          sentAt,
          firstByteAt,
          endAt: performance.now(),
          bytes,
          text: keepText ? Buffer.concat(chunks).toString('utf8') : '',
        });
      });
      res.once('error', reject);
    });
    req.once('error', reject);
  });
}
