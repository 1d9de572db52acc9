// Runs the real CLI as a child process (TypeScript through tsx) and reads its JSON log lines.
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { stringify } from 'yaml';

export const ROOT = path.resolve(import.meta.dirname, '..', '..');
export const CLI = path.join(ROOT, 'src', 'cli.ts');

export interface CliProcess {
  readonly child: ChildProcess;
  readonly lines: Record<string, unknown>[];
  stderr: string;
  /** Resolves with the first log line whose msg matches. */
  waitForLog(msg: string | RegExp, timeoutMs?: number): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** Writes a YAML config into `dir` and returns its path. */
export function writeConfig(dir: string, config: Record<string, unknown>): string {
  const file = path.join(dir, 'config.yml');
  writeFileSync(file, stringify(config));
  return file;
}

/** `user`: run the worker as another user (uid and gid), as an operator's service user would. */
export function runCli(
  args: string[],
  env: NodeJS.ProcessEnv = {},
  user?: { readonly uid: number; readonly gid: number },
): CliProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', CLI, ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
    ...user,
  });
  const lines: Record<string, unknown>[] = [];
  const listeners: (() => void)[] = [];
  let partial = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop() ?? '';
    for (const p of parts) {
      try {
        lines.push(JSON.parse(p) as Record<string, unknown>);
      } catch {
        lines.push({ msg: p });
      }
    }
    for (const l of listeners) l();
  });
  const proc: CliProcess = {
    child,
    lines,
    stderr: '',
    exited: new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal }))),
    waitForLog: (msg, timeoutMs = 15_000) =>
      new Promise((resolve, reject) => {
        const match = (): boolean => {
          const hit = lines.find((l) => (typeof msg === 'string' ? l.msg === msg : msg.test(String(l.msg))));
          if (hit !== undefined) {
            clearTimeout(timer);
            resolve(hit);
            return true;
          }
          return false;
        };
        const timer = setTimeout(() => {
          reject(
            new Error(
              `no log line ${String(msg)} within ${timeoutMs} ms; stderr: ${proc.stderr}; lines: ${JSON.stringify(lines)}`,
            ),
          );
        }, timeoutMs);
        if (!match()) listeners.push(() => void match());
      }),
  };
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (c: string) => {
    proc.stderr += c;
  });
  return proc;
}
