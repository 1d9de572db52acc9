// The systemd unit, generated from packaging/transcode-worker.service (the one commented source): the real node,
// CLI and config paths in ExecStart, Nice=, a MemoryMax= suggested from this machine's memory, and ReadWritePaths=
// for a work_dir outside the StateDirectory. Pure.

export interface SystemdUnitOptions {
  readonly nodePath: string;
  readonly cliPath: string;
  readonly configPath: string;
  /** The config's work_dir: writable under ProtectSystem=strict only if listed (unless it is the StateDirectory). */
  readonly workDir: string;
  readonly totalMemoryBytes: number;
}

export const SYSTEMD_STATE_DIR = '/var/lib/transcode-worker';
const MiB = 1024 * 1024;

/**
 * MemoryMax for the worker and its FFmpeg processes together: three quarters of memory, leaving the rest to the
 * system and the page cache (750M on a 1 GB board, as packaged), in MiB.
 */
export function suggestedMemoryMax(totalMemoryBytes: number): string {
  return `${Math.max(256, Math.floor((totalMemoryBytes * 0.75) / MiB))}M`;
}

/** One ExecStart argument: quoted when it holds spaces or quotes; "%" doubled (systemd specifiers). */
export function systemdArg(arg: string): string {
  const escaped = arg.replace(/%/g, '%%');
  if (!/[\s"'\\;]/.test(escaped)) return escaped;
  return `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** Replaces the template's `key=` line (the first one) with `line`; throws if the template lost that key. */
function replaceLine(template: string, key: string, line: string): string {
  const re = new RegExp(`^${key}=.*$`, 'm');
  if (!re.test(template)) throw new Error(`packaging unit has no ${key}= line`);
  return template.replace(re, line);
}

/** The unit text for this machine, from the packaged template. */
export function renderSystemdUnit(template: string, o: SystemdUnitOptions): string {
  const exec = [o.nodePath, o.cliPath, 'start', '--config', o.configPath].map(systemdArg).join(' ');
  let unit = replaceLine(template, 'ExecStart', `ExecStart=${exec}`);
  unit = replaceLine(
    unit,
    'Restart',
    [
      'Restart=on-failure',
      '# The worker itself at normal priority, so HTTP answers stay quick; FFmpeg runs at ffmpeg.nice on top of it.',
      'Nice=0',
    ].join('\n'),
  );
  unit = replaceLine(
    unit,
    'MemoryMax',
    `# Suggested for this machine: three quarters of its memory. Lower it to leave room for other services.\nMemoryMax=${suggestedMemoryMax(o.totalMemoryBytes)}`,
  );
  const insideState = o.workDir === SYSTEMD_STATE_DIR || o.workDir.startsWith(`${SYSTEMD_STATE_DIR}/`);
  if (!insideState) {
    unit = unit.replace(
      /^# ReadWritePaths=.*$/m,
      `# work_dir from the config, outside the StateDirectory.\nReadWritePaths=${systemdArg(o.workDir)}`,
    );
  }
  // The template's first lines tell how to copy it by hand; this copy says where it came from instead.
  const body = unit.replace(/^(#[^\n]*\n)+/, '');
  return `# Written by \`transcode-worker service install\` from packaging/transcode-worker.service.\n${body}`;
}
