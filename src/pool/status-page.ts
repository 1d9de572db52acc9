// GET / on the pool: a status page (workers, what each can do and is doing, the last placements and why), served
// from the package like the worker's: no build step, no CDN.
import { createReadStream } from 'node:fs';
import { packageFile } from '../package-files.js';
import type { PoolApp } from './server.js';

const PAGE = packageFile('assets', 'pool.html');
const SCRIPT = packageFile('assets', 'pool.js');

/** Registers the page routes: open, since the page holds no data; it asks for the client token to read the pool. */
export function registerPoolStatusPage(app: PoolApp): void {
  app.get('/', (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(createReadStream(PAGE)),
  );
  app.get('/assets/pool.js', (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(createReadStream(SCRIPT)),
  );
}
