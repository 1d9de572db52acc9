// One pino logger for the worker and fastify. Never logs Authorization headers or tokens.
import pino, { type Logger } from 'pino';
import type { LogLevel } from './config.js';

/** JSON lines on stdout (or `destination`), with secrets redacted should they ever reach a log call. */
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
  return destination === undefined ? pino(options) : pino(options, destination);
}
