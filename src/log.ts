// One pino logger for the worker and fastify. Never logs Authorization headers or tokens.
// JSON lines when stdout is a file, a pipe or the journal; one readable line per entry when it is a terminal.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

const LEVELS: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};
const COLORS: Record<number, string> = { 10: '90', 20: '36', 30: '32', 40: '33', 50: '31', 60: '35' };
const HIDDEN = new Set(['time', 'level', 'msg', 'pid', 'hostname', 'name', 'err']);

/** Strings bare unless they need quotes; numbers, arrays and objects as JSON. */
function showValue(value: unknown): string {
  if (typeof value !== 'string') return JSON.stringify(value);
  return /^[^\s"=]+$/.test(value) ? value : JSON.stringify(value);
}

/** Pure: one pino JSON entry → "12:00:01.234 INFO  message key=value", with the error's stack below. */
export function formatEntry(entry: Record<string, unknown>, colors: boolean): string {
  const level = typeof entry.level === 'number' ? entry.level : 30;
  const time = typeof entry.time === 'number' ? new Date(entry.time) : new Date();
  const clock = time.toTimeString().slice(0, 8) + '.' + String(time.getMilliseconds()).padStart(3, '0');
  const name = (LEVELS[level] ?? String(level)).padEnd(5);
  const label = colors ? `\x1b[${COLORS[level] ?? '0'}m${name}\x1b[0m` : name;
  const fields = Object.entries(entry)
    .filter(([k, v]) => !HIDDEN.has(k) && v !== undefined)
    .map(([k, v]) => `${k}=${showValue(v)}`);
  const msg = typeof entry.msg === 'string' ? entry.msg : '';
  let line = [clock, label, msg, ...fields].filter((s) => s !== '').join(' ');
  const err = entry.err as { message?: unknown; stack?: unknown } | undefined;
  if (err !== undefined) {
    const stack = typeof err.stack === 'string' ? err.stack : JSON.stringify(err.message ?? err);
    line += '\n    ' + stack.split('\n').join('\n    ');
  }
  return line + '\n';
}

/** A synchronous pino destination that writes formatEntry lines: no worker thread, no dependency. */
export function readableStream(out: { write(s: string): unknown }, colors: boolean): pino.DestinationStream {
  return {
    write(chunk: string): void {
      for (const line of chunk.split('\n')) {
        if (line === '') continue;
        try {
          out.write(formatEntry(JSON.parse(line) as Record<string, unknown>, colors));
        } catch {
          out.write(line + '\n');
        }
      }
    },
  };
}

/** JSON lines on stdout (or `destination`), readable lines on a terminal, with secrets redacted should they ever reach a log call. */
export function createLogger(level: LogLevel, destination?: pino.DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { name: 'transcode-worker' },
    redact: {
      paths: [
        'req.headers.authorization',
        'headers.authorization',
        'authorization',
        'token',
        'authToken',
        '*.token',
      ],
      censor: '[redacted]',
    },
  };
  if (destination !== undefined) return pino(options, destination);
  // A terminal gets readable lines; systemd's journal, files and pipes get JSON for tools.
  if (process.stdout.isTTY) return pino(options, readableStream(process.stdout, true));
  return pino(options);
}
