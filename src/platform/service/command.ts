// `transcode-worker service install|uninstall|status [--pool] [--config PATH] [--dry-run] [--root DIR]`: gathers this
// machine's facts, builds the platform's plan and applies it. Returns the exit status; cli.ts exits with it.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { RunCommand } from '../../process/run-command.js';
import { applyService, type ServiceAction } from './apply.js';
import { servicePlan, type ServiceRole } from './plan.js';

export interface ServiceCommandInputs {
  readonly action: string | undefined;
  readonly dryRun: boolean;
  readonly root: string | undefined;
  /** The config the service will start with (loaded and validated): its file, and the folder to run in. */
  readonly config: { readonly source: string; readonly workDir: string };
  /** The worker (default) or the pool (--pool; the config is then a pool.yml). */
  readonly role?: ServiceRole;
  readonly platform: NodeJS.Platform;
  readonly nodePath: string;
  /** The package's root folder (dist/cli.js and packaging/ below it). */
  readonly packageRoot: string;
  readonly uid: number;
  readonly homeDir: string;
  readonly totalMemoryBytes: number;
  readonly runCommand: RunCommand;
  readonly print: (line: string) => void;
}

const ACTIONS: readonly ServiceAction[] = ['install', 'uninstall', 'status'];

/** Runs the service subcommand; 0 on success, 1 on a failed step, 2 on bad usage. */
export async function serviceCommand(i: ServiceCommandInputs): Promise<number> {
  const action = ACTIONS.find((a) => a === i.action);
  if (action === undefined) {
    i.print(`service: expected one of ${ACTIONS.join(', ')}`);
    return 2;
  }
  if (i.config.source.startsWith('embedded')) {
    i.print(
      `service: give the ${i.role === 'pool' ? 'pool.yml' : 'config'} the service will use with --config PATH (the embedded default is for trying)`,
    );
    return 2;
  }
  const plan = servicePlan({
    platform: i.platform,
    nodePath: i.nodePath,
    cliPath: path.join(i.packageRoot, 'dist', 'cli.js'),
    configPath: i.config.source,
    workDir: i.config.workDir,
    totalMemoryBytes: i.totalMemoryBytes,
    uid: i.uid,
    homeDir: i.homeDir,
    ...(i.role === undefined ? {} : { role: i.role }),
    systemdTemplate:
      i.platform === 'linux' && i.role !== 'pool'
        ? readFileSync(path.join(i.packageRoot, 'packaging', 'transcode-worker.service'), 'utf8')
        : '',
    ...(i.root === undefined ? {} : { root: path.resolve(i.root) }),
  });
  if (plan === null) {
    i.print(`service: no service manager supported on ${i.platform}`);
    return 2;
  }
  const ok = await applyService(
    action,
    plan,
    {
      runCommand: i.runCommand,
      writeFile: (file, content, encoding) => {
        mkdirSync(path.dirname(file), { recursive: true });
        writeFileSync(file, content, { encoding, mode: 0o644 });
      },
      removeFile: (file) => {
        rmSync(file, { force: true });
      },
      exists: existsSync,
      print: i.print,
    },
    { dryRun: i.dryRun, filesOnly: i.root !== undefined },
  );
  return ok ? 0 : 1;
}
