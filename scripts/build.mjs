// Builds dist/cli.js: the worker and its npm dependencies in one ES module. One file loads in about a third of the
// time of ~100 separate modules and leaves less parsed code in memory (start-up and idle RSS targets, issue 5).
// Type checking is tsc's job (npm test runs tsc --noEmit); esbuild only strips types.
import { rmSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';

const root = path.resolve(import.meta.dirname, '..');
rmSync(path.join(root, 'dist'), { recursive: true, force: true });
await build({
  entryPoints: [path.join(root, 'src', 'cli.ts')],
  outfile: path.join(root, 'dist', 'cli.js'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  // CommonJS dependencies (pino, fastify's) call require(); an ES module has none unless it makes one.
  banner: {
    js: "import { createRequire as __twRequire } from 'node:module'; const require = __twRequire(import.meta.url);",
  },
  // Whitespace and syntax only: function and class names stay readable in stack traces and logs.
  minifyWhitespace: true,
  minifySyntax: true,
  legalComments: 'none',
  logLevel: 'warning',
});
