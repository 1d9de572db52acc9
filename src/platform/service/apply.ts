// Carries out a service plan: writes or removes its files and runs its commands through the injected runner (argument
// arrays, never a shell). --dry-run prints instead; an install root (--root) writes files and runs no command.
import type { CommandLine } from '../process-control.js';
import type { RunCommand } from '../../process/run-command.js';
import type { ServicePlan, ServiceStep } from './plan.js';

export type ServiceAction = 'install' | 'uninstall' | 'status';

export interface ApplyDeps {
  readonly runCommand: RunCommand;
  readonly writeFile: (file: string, content: string, encoding: 'utf8' | 'utf16le') => void;
  readonly removeFile: (file: string) => void;
  readonly exists: (file: string) => boolean;
  /** One line of output for the operator. */
  readonly print: (line: string) => void;
}

export interface ApplyOptions {
  readonly dryRun: boolean;
  /** Files only (an install root): no command runs. */
  readonly filesOnly: boolean;
}

const COMMAND_TIMEOUT_MS = 60_000;

/** A command as an operator would type it (for output only; it is run as an argument array). */
export function shown(c: CommandLine): string {
  return [c.file, ...c.args].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : JSON.stringify(a))).join(' ');
}

async function step(s: ServiceStep, deps: ApplyDeps, options: ApplyOptions): Promise<boolean> {
  if (options.dryRun || options.filesOnly) {
    const why = options.dryRun ? 'would run' : 'not run (install root)';
    deps.print(
      `${why}: ${s.unless === undefined ? '' : `unless ${shown(s.unless)} succeeds: `}${shown(s.run)}`,
    );
    return true;
  }
  if (s.unless !== undefined) {
    const check = await deps.runCommand(s.unless.file, s.unless.args, { timeoutMs: COMMAND_TIMEOUT_MS });
    if (check.exitCode === 0) return true;
  }
  deps.print(`running: ${shown(s.run)}`);
  const r = await deps.runCommand(s.run.file, s.run.args, { timeoutMs: COMMAND_TIMEOUT_MS });
  for (const line of `${r.stdout}${r.stderr}`.split('\n')) if (line.trim() !== '') deps.print(`  ${line}`);
  if (r.exitCode === 0) return true;
  const how = r.spawnError ?? (r.timedOut ? 'timed out' : `exit code ${String(r.exitCode)}`);
  deps.print(`${s.mayFail === true ? 'ignored' : 'failed'}: ${shown(s.run)} (${how})`);
  return s.mayFail === true;
}

/** Runs one action of the plan; resolves true when every required step succeeded. */
export async function applyService(
  action: ServiceAction,
  plan: ServicePlan,
  deps: ApplyDeps,
  options: ApplyOptions,
): Promise<boolean> {
  switch (action) {
    case 'install':
      for (const f of plan.files) {
        if (options.dryRun) {
          deps.print(`would write ${f.path}:`);
          for (const line of f.content.replace(/^\ufeff/, '').split(/\r?\n/)) deps.print(`  ${line}`);
        } else {
          deps.writeFile(f.path, f.content, f.encoding);
          deps.print(`wrote ${f.path}`);
        }
      }
      for (const s of plan.install) if (!(await step(s, deps, options))) return false;
      for (const note of plan.notes) deps.print(`note: ${note}`);
      return true;
    case 'uninstall': {
      // Stop and disable first, then remove the files the manager read.
      for (const s of plan.uninstall) if (!(await step(s, deps, options))) return false;
      for (const f of plan.files) {
        if (options.dryRun) deps.print(`would remove ${f.path}`);
        else if (deps.exists(f.path)) {
          deps.removeFile(f.path);
          deps.print(`removed ${f.path}`);
        }
      }
      for (const s of plan.cleanup) if (!(await step(s, deps, options))) return false;
      return true;
    }
    case 'status': {
      for (const f of plan.files)
        deps.print(`${f.path}: ${deps.exists(f.path) ? 'installed' : 'not installed'}`);
      let ok = true;
      for (const s of plan.status) ok = (await step(s, deps, options)) && ok;
      return ok;
    }
  }
}
