// Windows: a Task Scheduler task that starts the worker at boot as SYSTEM. Not an sc.exe service: the Service Control
// Manager expects the process it starts to report "running" through the service API (StartServiceCtrlDispatcher)
// within 30 s and kills it otherwise (error 1053); node.exe does not speak that protocol, and a wrapper that does is a
// native helper. Task Scheduler runs plain programs, restarts them on failure and needs nothing native. Pure.
// The XML follows Microsoft's Task Scheduler schema (version 1.2: Windows 7 and later).
import { xmlText } from './launchd.js';

export const TASK_NAME = 'transcode-worker';
export const POOL_TASK_NAME = 'transcode-pool';

export interface WindowsTaskOptions {
  readonly nodePath: string;
  readonly cliPath: string;
  readonly configPath: string;
  readonly workingDirectory: string;
  /** The CLI command the task runs: `start` (the worker, default) or `pool`. */
  readonly command?: 'start' | 'pool';
}

/**
 * One argument for a Windows command line as the C runtime (and Node) split it: quoted when it holds spaces, tabs or
 * quotes; a quote escaped with a backslash; backslashes doubled only before a quote.
 */
export function windowsArg(arg: string): string {
  if (arg !== '' && !/[\s"]/.test(arg)) return arg;
  let out = '"';
  let slashes = 0;
  for (const ch of arg) {
    if (ch === '\\') {
      slashes++;
      continue;
    }
    out += ch === '"' ? '\\'.repeat(slashes * 2 + 1) + '"' : '\\'.repeat(slashes) + ch;
    slashes = 0;
  }
  return `${out}${'\\'.repeat(slashes * 2)}"`;
}

/** The task's XML (written as UTF-16 with a BOM, which `schtasks /Create /XML` reads on every version). */
export function renderTaskXml(o: WindowsTaskOptions): string {
  const pool = o.command === 'pool';
  const args = [o.cliPath, o.command ?? 'start', '--config', o.configPath].map(windowsArg).join(' ');
  return [
    '<?xml version="1.0" encoding="UTF-16"?>',
    '<Task version="1.2" xmlns="http://schemas.microsoft.com/windows/2004/02/mit/task">',
    `  <RegistrationInfo><Description>${pool ? 'transcode-worker pool (job placement)' : 'transcode-worker (FFmpeg transcoding node)'}</Description></RegistrationInfo>`,
    '  <Triggers><BootTrigger><Enabled>true</Enabled></BootTrigger></Triggers>',
    // S-1-5-18 is LocalSystem: runs at boot without anyone logged in.
    '  <Principals><Principal id="Author"><UserId>S-1-5-18</UserId><RunLevel>HighestAvailable</RunLevel></Principal></Principals>',
    '  <Settings>',
    '    <MultipleInstancesPolicy>IgnoreNew</MultipleInstancesPolicy>',
    '    <DisallowStartIfOnBatteries>false</DisallowStartIfOnBatteries>',
    '    <StopIfGoingOnBatteries>false</StopIfGoingOnBatteries>',
    '    <StartWhenAvailable>true</StartWhenAvailable>',
    '    <IdleSettings><StopOnIdleEnd>false</StopOnIdleEnd><RestartOnIdle>false</RestartOnIdle></IdleSettings>',
    '    <AllowStartOnDemand>true</AllowStartOnDemand>',
    '    <Enabled>true</Enabled>',
    // PT0S: no time limit (the default, 72 hours, would end the worker after three days).
    '    <ExecutionTimeLimit>PT0S</ExecutionTimeLimit>',
    // 5: normal priority for the worker (the default 7 is below normal); FFmpeg gets ffmpeg.nice's class.
    '    <Priority>5</Priority>',
    '    <RestartOnFailure><Interval>PT1M</Interval><Count>999</Count></RestartOnFailure>',
    '  </Settings>',
    '  <Actions Context="Author">',
    '    <Exec>',
    `      <Command>${xmlText(o.nodePath)}</Command>`,
    `      <Arguments>${xmlText(args)}</Arguments>`,
    `      <WorkingDirectory>${xmlText(o.workingDirectory)}</WorkingDirectory>`,
    '    </Exec>',
    '  </Actions>',
    '</Task>',
    '',
  ].join('\r\n');
}
