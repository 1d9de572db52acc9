// Fails when a native addon enters the dependency tree, so `npm ci` keeps working on armv7 and arm64 boards without a
// compiler. Checks two things: the installed tree (binding.gyp or *.node files under node_modules) and the lock file
// (packages with install scripts or os/cpu-specific binaries, which may be other platforms' and so not installed here).
// Production dependencies (`npm ls --omit=dev`) may have none of these; dev-only tools are allowed by name below.
// Usage: node --import tsx scripts/check-native-addons.ts [root]   (exit 1 and one line per problem)
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';

/** Dev-only packages allowed to carry platform binaries or install scripts, each with the reason. */
export const DEV_ALLOWED: readonly { readonly pattern: RegExp; readonly why: string }[] = [
  {
    pattern: /^@esbuild\/[a-z0-9-]+$/,
    why:
      "esbuild's per-platform packages (tsx uses esbuild): an executable run as a child process, not a Node " +
      'addon; npm installs only the one matching os/cpu (linux-arm, linux-arm64 exist), nothing is compiled',
  },
  {
    pattern: /^esbuild$/,
    why: 'its install script checks that the platform package above is present; it compiles nothing',
  },
  {
    pattern: /^fsevents$/,
    why: "macOS-only optional dependency of tsx's watcher: a prebuilt fsevents.node shipped in the tarball, never built and never installed on Linux",
  },
];

export interface Problem {
  readonly pkg: string;
  readonly what: string;
}

/** The package name of a node_modules path ("node_modules/a/node_modules/@s/b" → "@s/b"). */
export function packageName(location: string): string {
  const parts = location.split(/[\\/]/);
  const i = parts.lastIndexOf('node_modules');
  const first = parts[i + 1] ?? '';
  return first.startsWith('@') ? `${first}/${parts[i + 2] ?? ''}` : first;
}

const allowed = (name: string, dev: boolean): boolean => dev && DEV_ALLOWED.some((a) => a.pattern.test(name));

interface LockEntry {
  readonly dev?: boolean;
  readonly hasInstallScript?: boolean;
  readonly os?: readonly string[];
  readonly cpu?: readonly string[];
}

/** Pure: problems in package-lock.json's "packages" (every platform's optional packages are listed there). */
export function lockProblems(lock: { readonly packages?: Readonly<Record<string, LockEntry>> }): Problem[] {
  const out: Problem[] = [];
  for (const [location, entry] of Object.entries(lock.packages ?? {})) {
    if (location === '') continue;
    const pkg = packageName(location);
    const dev = entry.dev === true;
    if (allowed(pkg, dev)) continue;
    const scope = dev ? 'dev dependency' : 'production dependency';
    if (entry.hasInstallScript === true)
      out.push({ pkg, what: `${scope} with an install script (node-gyp or a download)` });
    if (entry.os !== undefined || entry.cpu !== undefined)
      out.push({ pkg, what: `${scope} with a platform-specific binary (os/cpu)` });
  }
  return out;
}

/** Files that make a native addon: a node-gyp build file or a compiled module. */
function addonFiles(dir: string, found: string[] = []): string[] {
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    return found;
  }
  for (const name of names) {
    const p = path.join(dir, name);
    let isDir = false;
    try {
      isDir = statSync(p).isDirectory();
    } catch {
      continue;
    }
    if (isDir) addonFiles(p, found);
    else if (name === 'binding.gyp' || name.endsWith('.node')) found.push(p);
  }
  return found;
}

/** Problems in the installed tree: addon files, outside dev-only allowed packages; `production` names prod packages. */
export function treeProblems(root: string, production: ReadonlySet<string>): Problem[] {
  return addonFiles(path.join(root, 'node_modules')).flatMap((file) => {
    const pkg = packageName(path.relative(root, file));
    const dev = !production.has(pkg);
    if (allowed(pkg, dev)) return [];
    const scope = dev ? 'dev dependency' : 'production dependency';
    return [{ pkg, what: `${scope} ships ${path.basename(file)} (${path.relative(root, file)})` }];
  });
}

/** Names of the production packages as npm resolves them (`npm ls --omit=dev --all --parseable`). */
export function productionPackages(root: string): Set<string> {
  const out = execFileSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], {
    cwd: root,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return new Set(
    out
      .split('\n')
      .filter((l) => l.includes('node_modules'))
      .map((l) => packageName(l)),
  );
}

/** Every problem of a project root: the lock file and the installed tree. */
export function checkNativeAddons(root: string): Problem[] {
  const lock = JSON.parse(readFileSync(path.join(root, 'package-lock.json'), 'utf8')) as Parameters<
    typeof lockProblems
  >[0];
  return [...lockProblems(lock), ...treeProblems(root, productionPackages(root))];
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === path.resolve(import.meta.filename)) {
  const root = path.resolve(process.argv[2] ?? path.join(import.meta.dirname, '..'));
  const problems = checkNativeAddons(root);
  for (const p of problems) process.stderr.write(`native addon check: ${p.pkg}: ${p.what}\n`);
  if (problems.length > 0) process.exit(1);
  process.stdout.write('native addon check: no native addons (dev-only exceptions: esbuild, fsevents)\n');
}
