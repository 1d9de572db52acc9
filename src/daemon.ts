// Composition root: builds every part once, wires them, and owns start and stop order.
import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { networkInterfaces, release } from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import type { Config } from './config.js';
import type { WorkerState } from './contract/heartbeat.js';
import { deriveAdvertiseUrl } from './advertise.js';
import { lostJobs, PidRecords } from './ffmpeg/pid-records.js';
import { canPause, chooseLauncher } from './ffmpeg/process.js';
import { ProbeCache } from './media/probe-cache.js';
import { verifyTools } from './ffmpeg/verify-tools.js';
import { createHardwareProfiler, type HardwareProfiler } from './hardware/profiler.js';
import { WorkGate } from './hardware/work-gate.js';
import { httpBeatSender, startHeartbeat, tcpProbe, type Heartbeat } from './heartbeat.js';
import { defaultCacheBytes, SegmentCache } from './hls/segment-cache.js';
import { createHlsHandler } from './http/hls.js';
import { createMetrics } from './http/metrics.js';
import { createHttpServer, DEFAULT_HTTP_TIMEOUTS, type HttpTimeouts } from './http/server.js';
import { registerStatusPage } from './http/status-page.js';
import { generatedAuthToken, workerId } from './identity.js';
import { readDisk, runHousekeeper } from './jobs/housekeeper.js';
import { JobManager } from './jobs/job-manager.js';
import { runCommand } from './process/run-command.js';
import { commandExists } from './process/which.js';
import { ensureSampleMedia } from './sample-media.js';
import { VERSION } from './version.js';

export interface Daemon {
  /** The bound base URL on loopback-reachable address (for tests and the log). */
  readonly localUrl: string;
  readonly advertiseUrl: string;
  readonly workerId: string;
  readonly jobs: JobManager;
  readonly hardware: HardwareProfiler;
  /** Drain: heartbeat says draining, new jobs refused, every FFmpeg killed and reaped, server closed. */
  stop(): Promise<void>;
}

export interface DaemonEnv {
  readonly log: Logger;
  readonly platform: NodeJS.Platform;
  readonly envPath: string | undefined;
  /** Tests only: a fake /sys, /dev and /proc (a GPU cannot exist here), and no speed runs. */
  readonly hardware?: {
    readonly roots?: { readonly sysRoot: string; readonly devRoot: string; readonly procRoot: string };
    readonly measureSpeed?: boolean;
  };
  /** Shorter HTTP timeouts for tests of slow clients; the defaults suit a LAN. */
  readonly httpTimeouts?: Partial<HttpTimeouts>;
}

/** Removes stream folders left by an earlier run: no job of this process owns them. */
function clearStreams(streamsDir: string): number {
  let removed = 0;
  for (const name of readdirSync(streamsDir)) {
    rmSync(path.join(streamsDir, name), { recursive: true, force: true });
    removed++;
  }
  return removed;
}

/** Starts the worker: verify FFmpeg, reap orphans, profile hardware, listen, beat. Throws WorkerError on a bad start. */
export async function startDaemon(config: Config, env: DaemonEnv): Promise<Daemon> {
  const { log } = env;
  const lifetime = new AbortController();
  // Checked while the rest starts up (two process launches, ~50 ms); awaited before listening.
  const toolsChecked = verifyTools(runCommand, config.ffmpeg.path, config.ffmpeg.ffprobePath);
  toolsChecked.catch(() => undefined);
  // The hardware pipeline (FFmpeg launches, test encodes) waits for the listening socket.
  let listening: () => void = () => undefined;
  const begin = new Promise<void>((resolve) => {
    listening = resolve;
  });
  lifetime.signal.addEventListener('abort', () => {
    listening();
  });

  mkdirSync(config.workDir, { recursive: true });
  const streamsDir = path.join(config.workDir, 'streams');
  mkdirSync(streamsDir, { recursive: true });
  const pidRecords = new PidRecords(config.workDir, { platform: env.platform, runCommand });
  const orphans = await pidRecords.reapOrphans();
  for (const orphan of orphans) {
    log.warn(
      { jobId: orphan.jobId, pid: orphan.pid, killed: orphan.killed },
      'reaped ffmpeg left by an earlier run',
    );
  }
  const lost = lostJobs(orphans);
  const removed = clearStreams(streamsDir);
  if (removed > 0) log.info({ removed }, 'removed stream folders of an earlier run');

  const id = workerId(config.workDir);
  let authToken = config.authToken;
  if (authToken === null) {
    const generated = generatedAuthToken(config.workDir);
    authToken = generated.token;
    log.info(
      { file: generated.file },
      'no auth_token configured: using the generated token stored in this file',
    );
  } else if (authToken.length < 16) {
    log.warn('auth_token is shorter than 16 characters: use a long random token');
  }

  // Assigned below; the profiler's speed runs only consult it once jobs exist.
  let jobs: JobManager | null = null;
  // Real work first: speed runs wait for no live job and the sample made, and stop the moment a job is accepted.
  let sampling = config.sampleMedia;
  const work = new WorkGate(() => ({
    liveJobs: jobs?.liveIds().length ?? 0,
    jobStarts: jobs?.accepted ?? 0,
    sampling,
  }));
  const hardware = createHardwareProfiler({
    quiet: work,
    ffmpegPath: config.ffmpeg.path,
    workDir: config.workDir,
    platform: env.platform,
    runCommand,
    log,
    signal: lifetime.signal,
    measureSpeed: env.hardware?.measureSpeed ?? true,
    begin,
    ...(env.hardware?.roots === undefined ? {} : { roots: env.hardware.roots }),
  });
  const launcher = chooseLauncher(env.platform, config.ffmpeg.nice, (c) =>
    commandExists(c, env.envPath, env.platform),
  );

  const pausable = canPause(env.platform);
  if (!pausable && config.throttle.aheadSeconds > 0)
    log.warn({ platform: env.platform }, 'throttling off: FFmpeg cannot be paused on this platform');

  let advertiseUrl = '';
  let heartbeat: Heartbeat | null = null;
  const cache = new SegmentCache(
    config.serving.cacheBytes ?? defaultCacheBytes(hardware.memory().totalBytes),
  );
  jobs = new JobManager({
    config,
    runCommand,
    launcher,
    pidRecords,
    streamsDir,
    advertiseUrl: () => advertiseUrl,
    availableMemoryBytes: () => hardware.memory().availableBytes,
    threads: () =>
      config.ffmpeg.threads === 'auto' ? hardware.snapshot().cpu.threads : config.ffmpeg.threads,
    lowMemory: () => hardware.memory().totalBytes <= 1024 * 1024 * 1024,
    encoders: {
      usable: (codec) => hardware.usableEncoders(codec),
      known: () => hardware.encoders(),
      tested: hardware.tested,
    },
    markUnusable: (encoder, reason) => {
      hardware.markUnusable(encoder, reason);
    },
    readDisk: () => readDisk(config.workDir, config.streams.minFreeDiskBytes),
    // SIGSTOP/SIGCONT pause a head; Windows has no such signals, so no throttling there.
    canPause: pausable,
    probes: new ProbeCache(),
    forgetFile: (file) => {
      cache.dropPrefix(file);
    },
    log,
    onChange: () => {
      work.changed();
      heartbeat?.nudge();
    },
    platform: env.platform,
  });
  jobs.registerLost(lost);
  for (const job of lost)
    log.warn({ jobId: job.id, input: job.request.input }, 'job lost: the worker restarted');

  const statusPayload = (): WorkerState => {
    const capacity = jobs.capacity();
    const live = jobs.liveIds();
    return {
      workerId: id,
      name: config.name,
      url: advertiseUrl,
      version: VERSION,
      status: capacity.status,
      ...(capacity.reason === undefined ? {} : { statusReason: capacity.reason }),
      jobs: {
        running: live.length,
        max: config.limits.maxJobs,
        // What counts against max: running heads, an ABR head once per encoded variant.
        load: jobs.load(),
        ids: live,
        heads: jobs.headCounts(),
        // Live jobs nobody watches: no FFmpeg works for them until a viewer comes back (status stays running).
        parked: jobs.parkedCount(),
      },
      hardware: hardware.snapshot(),
    };
  };

  const metrics = createMetrics({
    jobs: () => jobs.list(),
    cache: () => cache.stats(),
    heartbeat: () => heartbeat?.stats ?? null,
    status: () => jobs.capacity().status,
    info: { version: VERSION, workerId: id, name: config.name },
  });
  const hls = createHlsHandler({
    stream: (jobId) => jobs.stream(jobId),
    cache,
    segmentWaitMs: config.streams.segmentWaitMs,
    stallMs: env.httpTimeouts?.sendStallMs ?? DEFAULT_HTTP_TIMEOUTS.sendStallMs,
    onServed: metrics.onServed,
    onWait: metrics.onWait,
  });
  const app = await createHttpServer({
    jobs,
    authToken,
    log,
    hls,
    extraRoutes: (app, auth) => {
      registerStatusPage(app);
      metrics.register(app, auth);
    },
    ...(env.httpTimeouts === undefined ? {} : { timeouts: env.httpTimeouts }),
    // The heartbeat's payload: status, version, jobs and the hardware profile; /health answers it without job ids.
    health: statusPayload,
  });
  let ffmpegVersion: string;
  try {
    ffmpegVersion = await toolsChecked;
    // backlog 1024: a burst of TVs and players connecting at once is queued, not retried a second later (default 511).
    await app.listen({ host: config.listen.host, port: config.listen.port, backlog: 1024 });
  } catch (err) {
    lifetime.abort();
    await app.close();
    throw err;
  }
  listening();
  const address = app.server.address() as AddressInfo;
  advertiseUrl = deriveAdvertiseUrl(
    config.advertiseUrl,
    config.listen.host,
    address.port,
    networkInterfaces(),
  );
  const localHost = ['0.0.0.0', '::'].includes(config.listen.host) ? '127.0.0.1' : config.listen.host;
  const localUrl = `http://${localHost.includes(':') ? `[${localHost}]` : localHost}:${address.port}`;
  log.info(
    {
      url: localUrl,
      advertiseUrl,
      workerId: id,
      version: VERSION,
      ffmpeg: ffmpegVersion,
      os: release(),
      cacheMb: cache.maxBytes / 1024 / 1024,
    },
    'worker listening',
  );

  if (config.orchestrator !== null) {
    heartbeat = startHeartbeat({
      send: httpBeatSender(`${config.orchestrator.url}/workers/heartbeat`, config.orchestrator.token),
      payload: statusPayload,
      intervalMs: config.orchestrator.heartbeatIntervalMs,
      timeoutMs: config.orchestrator.timeoutMs,
      probe: tcpProbe(config.orchestrator.url),
      signal: lifetime.signal,
      log,
    });
  }
  const housekeeping = runHousekeeper({
    jobs,
    config,
    availableMemoryBytes: () => hardware.memory().availableBytes,
    log,
    signal: lifetime.signal,
  });

  // A finished probe changes what the heartbeat says: send it now rather than at the next interval.
  void hardware.settled.then(() => heartbeat?.nudge());

  if (config.sampleMedia) {
    mkdirSync(config.nasMountPath, { recursive: true });
    void ensureSampleMedia(runCommand, config.ffmpeg.path, config.nasMountPath, lifetime.signal)
      .then(
        (created) => {
          log.info(
            { url: localUrl, media: config.nasMountPath, sample: created ?? undefined },
            `embedded default ready: open ${localUrl}/ in a browser, or POST a job for an input in ${config.nasMountPath}`,
          );
        },
        (err: unknown) => {
          log.error({ err }, 'could not create sample media');
        },
      )
      .finally(() => {
        sampling = false;
        work.changed();
      });
  }

  let stopping: Promise<void> | null = null;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      log.info('draining: refusing new jobs and stopping every ffmpeg');
      const drained = jobs.drain();
      heartbeat?.nudge();
      await drained;
      // Give the orchestrator a moment to receive "draining" before the loop stops.
      await heartbeat?.flush(1000);
      lifetime.abort();
      await heartbeat?.done;
      await housekeeping;
      await hardware.settled;
      await app.close();
      log.info('stopped');
    })();
    return stopping;
  };

  return { localUrl, advertiseUrl, workerId: id, jobs, hardware, stop };
}
