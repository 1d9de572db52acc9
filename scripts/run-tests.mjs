// Runs the whole suite: type check, lint, then node:test over test/unit and test/integration (TypeScript via tsx).
// `node scripts/run-tests.mjs unit` runs one folder only.
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const only = process.argv[2];
const root = path.resolve(import.meta.dirname, '..');

function files(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    const p = path.join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (name.endsWith('.test.ts')) out.push(p);
  }
  return out.sort();
}

function run(cmd, args) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit' });
  if (r.status !== 0) process.exit(r.status ?? 1);
}

const bin = (name) => path.join(root, 'node_modules', '.bin', name);
if (only === undefined) {
  console.log('== type check');
  run(bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']);
  console.log('== lint');
  run(bin('eslint'), ['.']);
  run(bin('prettier'), ['--check', '--log-level', 'warn', '.']);
  console.log('== import circles');
  run(process.execPath, [path.join(root, 'scripts', 'check-import-cycles.mjs'), 'src']);
}
const dirs = only === undefined ? ['unit', 'integration'] : [only];
const tests = dirs.flatMap((d) => files(path.join(root, 'test', d)));
console.log(`== ${tests.length} test files`);
// One file at a time on small machines: integration tests run real FFmpeg and measure timing-sensitive paths.
run(process.execPath, [
  '--import',
  'tsx',
  '--test',
  '--test-concurrency=1',
  '--test-reporter=spec',
  ...tests,
]);
