// Files shipped with the package (package.json, assets/), found from this module's own location: one level up
// from src/ under tsx, from the bundled dist/cli.js, and from any other layout a build may produce.
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

function findRoot(from: string): string {
  for (let dir = from; ; dir = path.dirname(dir)) {
    if (existsSync(path.join(dir, 'package.json'))) return dir;
    if (path.dirname(dir) === dir) return path.dirname(from);
  }
}

/** The package's root directory (where package.json is). */
export const PACKAGE_ROOT: string = findRoot(path.dirname(fileURLToPath(import.meta.url)));

/** A path inside the package, e.g. packageFile('assets', 'status.html'). */
export function packageFile(...parts: string[]): string {
  return path.join(PACKAGE_ROOT, ...parts);
}
