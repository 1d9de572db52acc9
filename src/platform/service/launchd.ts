// The launchd property list for macOS (launchd.plist(5)): run at load, restarted when it exits unsuccessfully, the
// worker at normal priority (FFmpeg is niced by the worker), logs to a file. Pure.

export const LAUNCHD_LABEL = 'local.transcode-worker';
export const POOL_LAUNCHD_LABEL = 'local.transcode-pool';

export interface LaunchdOptions {
  readonly nodePath: string;
  readonly cliPath: string;
  readonly configPath: string;
  readonly workingDirectory: string;
  readonly logPath: string;
  /** The CLI command the service runs: `start` (the worker, default) or `pool`. */
  readonly command?: 'start' | 'pool';
  readonly label?: string;
}

/** Escapes text for an XML element. */
export function xmlText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const str = (s: string): string => `<string>${xmlText(s)}</string>`;

/** The plist text. */
export function renderLaunchdPlist(o: LaunchdOptions): string {
  const args = [o.nodePath, o.cliPath, o.command ?? 'start', '--config', o.configPath].map(
    (a) => `    ${str(a)}`,
  );
  return [
    '<?xml version="1.0" encoding="UTF-8"?>',
    '<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">',
    '<plist version="1.0">',
    '<dict>',
    `  <key>Label</key>${str(o.label ?? LAUNCHD_LABEL)}`,
    '  <key>ProgramArguments</key>',
    '  <array>',
    ...args,
    '  </array>',
    `  <key>WorkingDirectory</key>${str(o.workingDirectory)}`,
    '  <key>RunAtLoad</key><true/>',
    // Restart on failure only: a drained stop (exit 0) stays stopped.
    '  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>',
    '  <key>ThrottleInterval</key><integer>5</integer>',
    // SIGTERM drains the worker; launchd waits this long before SIGKILL.
    '  <key>ExitTimeOut</key><integer>15</integer>',
    '  <key>Nice</key><integer>0</integer>',
    `  <key>StandardOutPath</key>${str(o.logPath)}`,
    `  <key>StandardErrorPath</key>${str(o.logPath)}`,
    '</dict>',
    '</plist>',
    '',
  ].join('\n');
}
