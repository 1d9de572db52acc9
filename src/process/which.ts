// Finds a command on PATH without a shell.
import { accessSync, constants, statSync } from 'node:fs';
import path from 'node:path';

/** True when `command` (a bare name, or a path) names an executable file. */
export function commandExists(
  command: string,
  envPath: string | undefined,
  platform: NodeJS.Platform,
): boolean {
  const isFile = (p: string): boolean => {
    try {
      if (!statSync(p).isFile()) return false;
      accessSync(p, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  if (command.includes('/') || command.includes('\\')) return isFile(command);
  const exts = platform === 'win32' ? ['', '.exe', '.cmd'] : [''];
  for (const dir of (envPath ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    for (const ext of exts) if (isFile(path.join(dir, command + ext))) return true;
  }
  return false;
}
