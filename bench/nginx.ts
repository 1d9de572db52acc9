// The baseline for figure 4: Debian's nginx with sendfile, started in the foreground from a generated config on a
// loopback port, and wrk as the load generator.
import { execFile, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

export interface Nginx {
  readonly url: string;
  readonly pid: number;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise((resolve) => server.close(resolve));
  if (address === null || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** nginx serving `root` at its URL root. One process (master_process off, one worker): as fair as it gets to one Node.js process. */
export async function startNginx(root: string): Promise<Nginx> {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-bench-nginx-'));
  const port = await freePort();
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((t) => `  ${t}_temp_path ${path.join(dir, t)};`)
    .join('\n');
  // sendfile + tcp_nopush (as in Debian's own nginx.conf) and a cache of open files: nginx at its static-file best.
  // tcp_nopush matters most: without it the headers leave in a packet of their own and nginx served ~3,700 req/s
  // of this 900 KB segment here instead of ~6,300 (the worker already sends headers and body in one writev).
  const conf = `daemon off;
master_process off;
worker_processes 1;
pid ${path.join(dir, 'nginx.pid')};
error_log ${path.join(dir, 'error.log')} warn;
events { worker_connections 1024; }
http {
  access_log off;
  sendfile on;
  tcp_nopush on;
  keepalive_requests 1000000;
  open_file_cache max=1000 inactive=60s;
${temp}
  types { video/mp2t ts; application/vnd.apple.mpegurl m3u8; }
  server { listen 127.0.0.1:${port}; root ${root}; }
}
`;
  const file = path.join(dir, 'nginx.conf');
  writeFileSync(file, conf);
  const child = spawn('nginx', ['-c', file, '-p', dir], { stdio: ['ignore', 'ignore', 'inherit'] });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 5000;
  for (;;) {
    try {
      await (await fetch(`${url}/`)).arrayBuffer();
      break;
    } catch {
      if (Date.now() > deadline) throw new Error('nginx did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
  }
  return {
    url,
    pid: child.pid ?? -1,
    stop: async () => {
      child.kill('SIGQUIT');
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface WrkResult {
  readonly requests: number;
  readonly seconds: number;
  readonly rps: number;
  /** Non-2xx answers plus socket errors. */
  readonly errors: number;
}

/** wrk with 2 threads and `connections` keep-alive connections for `seconds`. */
export async function wrk(url: string, connections: number, seconds: number): Promise<WrkResult> {
  const { stdout } = await promisify(execFile)('wrk', ['-t2', `-c${connections}`, `-d${seconds}s`, url]);
  const m = /(\d+) requests in ([\d.]+)(m?s)/.exec(stdout);
  if (m === null) throw new Error(`unexpected wrk output: ${stdout}`);
  const requests = Number(m[1]);
  const elapsed = Number(m[2]) / (m[3] === 'ms' ? 1000 : 1);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(stdout)?.[1] ?? 0);
  const socket = /Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)/.exec(stdout);
  const socketErrors = socket === null ? 0 : socket.slice(1).reduce((a, b) => a + Number(b), 0);
  return { requests, seconds: elapsed, rps: requests / elapsed, errors: non2xx + socketErrors };
}
