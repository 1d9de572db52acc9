#!/usr/bin/env node
// Command line: start | probe | service | pool | --version. The only place that calls process.exit.
import { homedir, hostname, totalmem } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { loadConfig, type ConfigInputs } from './config.js';
import { startDaemon } from './daemon.js';
import { EXIT_FAILURE, EXIT_USAGE, exitStatus, WorkerError } from './errors.js';
import { probeCommand } from './hardware/probe-command.js';
import type { Logger } from 'pino';
import { createLogger } from './log.js';
import { serviceCommand } from './platform/service/command.js';
import { runCommand } from './process/run-command.js';
import { VERSION } from './version.js';

const USAGE = `Usage:
  transcode-worker start [--config PATH]     run the worker (default config: ./config.yml, else the embedded default)
  transcode-worker probe [--config PATH] [--refresh]
                                             print the hardware profile as JSON and exit
  transcode-worker service install|uninstall|status [--pool] [--config PATH] [--dry-run] [--root DIR]
                                             run the worker (or with --pool, the pool) as a service: systemd
                                             (Linux), launchd (macOS), Task Scheduler (Windows); --dry-run prints,
                                             --root writes files only
  transcode-worker pool [--config PATH]      run the pool: workers beat into it, it places each job on one of them
                                             (default config: ./pool.yml, else loopback with generated tokens)
  transcode-worker --version                 print the version`;

function fail(message: string, status: number): never {
  process.stderr.write(`${message}\n`);
  process.exit(status);
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        refresh: { type: 'boolean' },
        'dry-run': { type: 'boolean' },
        root: { type: 'string' },
        pool: { type: 'boolean' },
        version: { type: 'boolean', short: 'v' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail(`${(err as Error).message}\n${USAGE}`, EXIT_USAGE);
  }
  const { values, positionals } = parsed;
  if (values.version === true) {
    process.stdout.write(`${VERSION}\n`);
    return;
  }
  const command = positionals[0] ?? (values.help === true ? 'help' : 'start');
  if (command === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return;
  }
  const inputs: ConfigInputs = {
    env: process.env,
    hostname: hostname(),
    cwd: process.cwd(),
    checkTokens: command === 'start' || command === 'pool',
  };
  if (command === 'pool') {
    // Loaded only for this command: the worker's start does not compile the pool's schemas.
    const { loadPoolConfig } = await import('./pool/config.js');
    const { joinSnippet, startPool } = await import('./pool/root.js');
    const poolConfig = loadPoolConfig(values.config, inputs);
    const log = createLogger(poolConfig.logLevel);
    const pool = await startPool(poolConfig, { log });
    // The snippet names where each token is, never its value (tokens stay out of the log and the terminal).
    process.stdout.write(`${joinSnippet(pool)}\n`);
    stopOnSignals(log, () => pool.stop());
    return;
  }
  const service = async (
    serviceConfig: { source: string; workDir: string },
    role: 'worker' | 'pool',
  ): Promise<never> => {
    const status = await serviceCommand({
      action: positionals[1],
      dryRun: values['dry-run'] === true,
      root: values.root,
      config: serviceConfig,
      role,
      platform: process.platform,
      nodePath: process.execPath,
      // dist/cli.js (or src/cli.ts under tsx): the package root is one folder up either way.
      packageRoot: path.resolve(import.meta.dirname, '..'),
      uid: process.getuid?.() ?? -1,
      homeDir: homedir(),
      totalMemoryBytes: totalmem(),
      runCommand,
      print: (line) => process.stdout.write(`${line}\n`),
    });
    process.exit(status);
  };
  if (command === 'service' && values.pool === true) {
    // The service runs `pool`: the config given is a pool.yml, and its folder is where the service runs.
    const { loadPoolConfig } = await import('./pool/config.js');
    const poolConfig = loadPoolConfig(values.config, inputs);
    await service({ source: poolConfig.source, workDir: path.dirname(poolConfig.source) }, 'pool');
  }
  const config = loadConfig(values.config, inputs);

  if (command === 'probe') {
    const profile = await probeCommand({
      ffmpegPath: config.ffmpeg.path,
      workDir: config.workDir,
      refresh: values.refresh === true,
    });
    process.stdout.write(`${JSON.stringify(profile, null, 2)}\n`);
    return;
  }
  if (command === 'service') await service(config, 'worker');
  if (command !== 'start') fail(`unknown command "${command}"\n${USAGE}`, EXIT_USAGE);

  const log = createLogger(config.logLevel);
  log.info({ config: config.source }, 'starting');
  const daemon = await startDaemon(config, { log, platform: process.platform, envPath: process.env.PATH });
  stopOnSignals(log, () => daemon.stop());
}

/** SIGTERM/SIGINT stop gracefully and exit 0; a second signal exits at once. */
function stopOnSignals(log: Logger, stop: () => Promise<void>): void {
  let signals = 0;
  const onSignal = (signal: NodeJS.Signals): void => {
    signals++;
    if (signals > 1) {
      log.warn({ signal }, 'second signal: exiting now');
      process.exit(EXIT_FAILURE);
    }
    log.info({ signal }, 'signal received');
    stop().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ err }, 'error while stopping');
        process.exit(EXIT_FAILURE);
      },
    );
  };
  process.on('SIGTERM', onSignal);
  process.on('SIGINT', onSignal);
}

main().catch((err: unknown) => {
  if (err instanceof WorkerError) fail(err.message, exitStatus(err.code));
  fail(`fatal: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`, EXIT_FAILURE);
});
