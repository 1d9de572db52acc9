// What `transcode-worker service install|uninstall|status` writes and runs on each platform. Pure: files with their
// content and commands as argument arrays; src/platform/service/apply.ts carries them out.
import path from 'node:path';
import type { CommandLine } from '../process-control.js';
import { LAUNCHD_LABEL, POOL_LAUNCHD_LABEL, renderLaunchdPlist } from './launchd.js';
import { POOL_UNIT, renderPoolSystemdUnit } from './systemd-pool.js';
import { renderSystemdUnit, SYSTEMD_STATE_DIR } from './systemd.js';
import { POOL_TASK_NAME, renderTaskXml, TASK_NAME } from './windows-task.js';

export type ServiceKind = 'systemd' | 'launchd' | 'task-scheduler';
/** What the service runs: the worker (`start`) or the pool (`pool`). */
export type ServiceRole = 'worker' | 'pool';

export interface ServiceContext {
  readonly platform: NodeJS.Platform;
  readonly nodePath: string;
  /** dist/cli.js of this installation. */
  readonly cliPath: string;
  readonly configPath: string;
  readonly workDir: string;
  readonly totalMemoryBytes: number;
  /** POSIX uid; -1 on Windows. */
  readonly uid: number;
  readonly homeDir: string;
  /** packaging/transcode-worker.service's text (Linux). */
  readonly systemdTemplate: string;
  /** Tests and image builds: write under this directory instead of "/", and run no command. */
  readonly root?: string;
  /** Default: the worker. */
  readonly role?: ServiceRole;
}

export interface ServiceFile {
  readonly path: string;
  readonly content: string;
  readonly encoding: 'utf8' | 'utf16le';
}

/** A command; `unless` runs first and skips it when it succeeds; `mayFail` lets the plan go on if it fails. */
export interface ServiceStep {
  readonly run: CommandLine;
  readonly unless?: CommandLine;
  readonly mayFail?: boolean;
}

export interface ServicePlan {
  readonly kind: ServiceKind;
  readonly files: readonly ServiceFile[];
  readonly install: readonly ServiceStep[];
  readonly uninstall: readonly ServiceStep[];
  /** After uninstall removed the files (systemd forgets the unit only on a reload after that). */
  readonly cleanup: readonly ServiceStep[];
  readonly status: readonly ServiceStep[];
  /** What the operator still has to do, printed after install. */
  readonly notes: readonly string[];
}

const cmd = (file: string, ...args: string[]): CommandLine => ({ file, args });

/** Joins an absolute target path under the install root (a no-op without one). */
function under(root: string | undefined, target: string): string {
  return root === undefined ? target : path.join(root, target);
}

function systemd(ctx: ServiceContext): ServicePlan {
  const pool = ctx.role === 'pool';
  const unit = pool ? POOL_UNIT : 'transcode-worker.service';
  // One system user for the package: a machine that runs the worker and the pool has one account for both.
  const user = 'transcode-worker';
  return {
    kind: 'systemd',
    files: [
      {
        path: under(ctx.root, `/etc/systemd/system/${unit}`),
        content: pool ? renderPoolSystemdUnit({ ...ctx, user }) : renderSystemdUnit(ctx.systemdTemplate, ctx),
        encoding: 'utf8',
      },
    ],
    install: [
      {
        unless: cmd('id', '-u', user),
        // prettier-ignore
        run: cmd('useradd', '--system', '--user-group', '--home-dir', SYSTEMD_STATE_DIR, '--shell', '/usr/sbin/nologin', user),
      },
      { run: cmd('systemctl', 'daemon-reload') },
      { run: cmd('systemctl', 'enable', '--now', unit) },
    ],
    uninstall: [{ run: cmd('systemctl', 'disable', '--now', unit), mayFail: true }],
    cleanup: [{ run: cmd('systemctl', 'daemon-reload') }],
    status: [{ run: cmd('systemctl', 'status', '--no-pager', unit), mayFail: true }],
    notes: pool
      ? [
          `the pool runs as user ${user}: it needs read access to ${ctx.configPath}`,
          'tokens: TRANSCODE_POOL_WORKER_TOKEN=… and the others in /etc/transcode-worker/pool.env (mode 0600) keep them out of pool.yml',
          'logs: journalctl -u transcode-pool -f',
        ]
      : [
          `the service runs as user ${user}: it needs read access to nas_mount_path`,
          'tokens: TRANSCODE_WORKER_AUTH_TOKEN=… in /etc/transcode-worker/env (mode 0600) keeps them out of config.yml',
          'logs: journalctl -u transcode-worker -f',
        ],
  };
}

function launchd(ctx: ServiceContext): ServicePlan {
  // root: a LaunchDaemon, started at boot; otherwise a LaunchAgent of this user, started at login.
  const system = ctx.uid === 0;
  const pool = ctx.role === 'pool';
  const label = pool ? POOL_LAUNCHD_LABEL : LAUNCHD_LABEL;
  const dir = system ? '/Library/LaunchDaemons' : path.posix.join(ctx.homeDir, 'Library', 'LaunchAgents');
  const plist = under(ctx.root, path.posix.join(dir, `${label}.plist`));
  const logDir = system ? '/Library/Logs' : path.posix.join(ctx.homeDir, 'Library', 'Logs');
  const domain = system ? 'system' : `gui/${ctx.uid}`;
  const logPath = path.posix.join(logDir, pool ? 'transcode-pool.log' : 'transcode-worker.log');
  return {
    kind: 'launchd',
    files: [
      {
        path: plist,
        content: renderLaunchdPlist({
          ...ctx,
          workingDirectory: ctx.workDir,
          logPath,
          label,
          command: pool ? 'pool' : 'start',
        }),
        encoding: 'utf8',
      },
    ],
    install: [
      // A reinstall replaces a loaded job: bootout fails harmlessly when there is none.
      { run: cmd('launchctl', 'bootout', `${domain}/${label}`), mayFail: true },
      { run: cmd('launchctl', 'bootstrap', domain, plist) },
    ],
    uninstall: [{ run: cmd('launchctl', 'bootout', `${domain}/${label}`), mayFail: true }],
    cleanup: [],
    status: [{ run: cmd('launchctl', 'print', `${domain}/${label}`), mayFail: true }],
    notes: [
      system
        ? 'a LaunchDaemon runs as root at boot'
        : 'a LaunchAgent runs while this user is logged in (turn on automatic login for a headless Mac mini)',
      `logs: ${logPath}`,
    ],
  };
}

function taskScheduler(ctx: ServiceContext): ServicePlan {
  const pool = ctx.role === 'pool';
  const name = pool ? POOL_TASK_NAME : TASK_NAME;
  const xml = path.win32.join(path.win32.dirname(ctx.configPath), `${name}-task.xml`);
  return {
    kind: 'task-scheduler',
    files: [
      {
        path: under(ctx.root, xml),
        content: `\ufeff${renderTaskXml({ ...ctx, workingDirectory: ctx.workDir, command: pool ? 'pool' : 'start' })}`,
        encoding: 'utf16le',
      },
    ],
    install: [
      { run: cmd('schtasks', '/Create', '/TN', name, '/XML', xml, '/F') },
      { run: cmd('schtasks', '/Run', '/TN', name) },
    ],
    uninstall: [
      { run: cmd('schtasks', '/End', '/TN', name), mayFail: true },
      { run: cmd('schtasks', '/Delete', '/TN', name, '/F') },
    ],
    cleanup: [],
    status: [{ run: cmd('schtasks', '/Query', '/TN', name, '/V', '/FO', 'LIST'), mayFail: true }],
    notes: [
      'a Task Scheduler task (not an sc.exe service: node.exe cannot answer the Service Control Manager, which kills it after 30 s)',
      'it runs as SYSTEM at boot; ending the task terminates the worker without a drain, the next start reaps its FFmpeg',
    ],
  };
}

/** The plan for the platform; null where no service manager is supported. */
export function servicePlan(ctx: ServiceContext): ServicePlan | null {
  if (ctx.platform === 'linux') return systemd(ctx);
  if (ctx.platform === 'darwin') return launchd(ctx);
  if (ctx.platform === 'win32') return taskScheduler(ctx);
  return null;
}
