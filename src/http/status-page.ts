// GET / (a status page with a player) and the hls.js it uses, served from the package: no build step, no CDN.
import { createReadStream } from 'node:fs';
import { createRequire } from 'node:module';
import { packageFile } from '../package-files.js';
import type { App } from './server.js';

const PAGE = packageFile('assets', 'status.html');
const SCRIPT = packageFile('assets', 'status.js');
const HLS_JS = createRequire(packageFile('package.json')).resolve('hls.js/dist/hls.min.js');

/** Registers the status page routes: open, since the page holds no data; it asks for the token to list jobs. */
export function registerStatusPage(app: App): void {
  app.get('/', (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-cache').send(createReadStream(PAGE)),
  );
  app.get('/assets/status.js', (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'no-cache')
      .send(createReadStream(SCRIPT)),
  );
  app.get('/assets/hls.min.js', (_request, reply) =>
    reply
      .type('text/javascript; charset=utf-8')
      .header('cache-control', 'public, max-age=86400')
      .send(createReadStream(HLS_JS, { highWaterMark: 1 << 20 })),
  );
}
