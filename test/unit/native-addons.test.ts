// No native addons in the dependency tree (armv7/arm64 boards install without a compiler): the real tree and lock
// file pass, and each kind of addon the check exists for is caught in a small fake tree.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, describe, it } from 'node:test';
import {
  checkNativeAddons,
  lockProblems,
  packageName,
  productionPackages,
  treeProblems,
} from '../../scripts/check-native-addons.js';

const ROOT = path.resolve(import.meta.dirname, '..', '..');
const temp: string[] = [];
after(() => {
  for (const d of temp) rmSync(d, { recursive: true, force: true });
});

function tree(files: string[]): string {
  const root = mkdtempSync(path.join(tmpdir(), 'tw-addons-'));
  temp.push(root);
  for (const f of files) {
    mkdirSync(path.dirname(path.join(root, f)), { recursive: true });
    writeFileSync(path.join(root, f), '');
  }
  return root;
}

describe('native addon check', () => {
  it('this project: none in the lock file or node_modules; production deps resolved by npm', () => {
    const prod = productionPackages(ROOT);
    assert.ok(prod.has('fastify') && prod.has('pino'), 'npm ls --omit=dev lists the production tree');
    assert.ok(!prod.has('tsx') && !prod.has('esbuild'), 'dev tools are not production');
    assert.deepEqual(checkNativeAddons(ROOT), []);
  });

  it('catches binding.gyp and .node files, allowing only dev-only prebuilt tools', () => {
    const root = tree([
      'node_modules/sharp-like/binding.gyp',
      'node_modules/a/node_modules/@scope/addon/build/Release/addon.node',
      'node_modules/@esbuild/linux-x64/bin/esbuild',
      'node_modules/fsevents/fsevents.node',
      'node_modules/dev-addon/prebuilds/linux-x64/dev.node',
    ]);
    const problems = treeProblems(root, new Set(['sharp-like', 'a', '@scope/addon']));
    assert.deepEqual(
      problems.map((p) => [p.pkg, p.what.split(' (')[0]]).sort(),
      [
        ['@scope/addon', 'production dependency ships addon.node'],
        ['dev-addon', 'dev dependency ships dev.node'],
        ['sharp-like', 'production dependency ships binding.gyp'],
      ].sort(),
    );
    // fsevents allowed as a dev dependency only: in production it is a problem.
    assert.equal(treeProblems(root, new Set(['fsevents'])).filter((p) => p.pkg === 'fsevents').length, 1);
  });

  it('catches install scripts and platform binaries in the lock file (other platforms included)', () => {
    const problems = lockProblems({
      packages: {
        '': { hasInstallScript: true },
        'node_modules/better-sqlite3': { hasInstallScript: true },
        'node_modules/@esbuild/linux-arm': { dev: true, os: ['linux'], cpu: ['arm'] },
        'node_modules/esbuild': { dev: true, hasInstallScript: true },
        'node_modules/@esbuild/linux-arm64': { os: ['linux'], cpu: ['arm64'] },
        'node_modules/@img/sharp-linux-arm': { dev: true, os: ['linux'], cpu: ['arm'] },
        'node_modules/yaml': {},
      },
    });
    assert.deepEqual(
      problems.map((p) => p.pkg),
      ['better-sqlite3', '@esbuild/linux-arm64', '@img/sharp-linux-arm'],
    );
  });

  it('names packages from nested and scoped paths', () => {
    assert.equal(packageName('node_modules/a/node_modules/@s/b/x.node'), '@s/b');
    assert.equal(packageName('/abs/node_modules/fastify'), 'fastify');
  });
});
