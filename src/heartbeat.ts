// The heartbeat loop: POSTs the worker's state to the orchestrator every interval, never blocks or crashes anything.
// A failing orchestrator is retried with exponential backoff and jitter; a status change sends a beat at once.
// While an unreachable orchestrator is backed off, a TCP connect every interval notices its return.
import { connect } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export interface BeatResult {
  readonly ok: boolean;
  readonly status?: number;
  readonly error?: string;
  /** Nothing answered at all (connection refused, reset, no route, unknown host). */
  readonly unreachable?: boolean;
}

export type SendBeat = (payload: unknown, signal: AbortSignal) => Promise<BeatResult>;

export interface HeartbeatOptions {
  readonly send: SendBeat;
  readonly payload: () => unknown;
  readonly intervalMs: number;
  /** Per-beat timeout. */
  readonly timeoutMs: number;
  /** Upper bound of the backoff delay. */
  readonly maxBackoffMs?: number;
  readonly signal: AbortSignal;
  readonly log: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
  /** Injected for tests of the backoff arithmetic. */
  readonly random?: () => number;
  readonly onResult?: (result: BeatResult) => void;
  /** True once the orchestrator accepts connections again; asked every interval while an unreachable one is backed off. */
  readonly probe?: (signal: AbortSignal) => Promise<boolean>;
}

/** Pure: delay before the next beat after `failures` consecutive failures (0 = healthy). */
export function nextDelayMs(
  failures: number,
  intervalMs: number,
  maxBackoffMs: number,
  random: number,
): number {
  if (failures === 0) return intervalMs;
  const base = Math.min(maxBackoffMs, intervalMs * 2 ** Math.min(failures - 1, 16));
  // Full jitter on the upper half: spreads reconnecting workers, never faster than half the backoff.
  return Math.round(Math.min(maxBackoffMs, base / 2 + (random * base) / 2));
}

export interface Heartbeat {
  /** Send a beat now (status changed). Coalesces with a beat already due. */
  nudge(): void;
  /** Sends one beat now and waits for it, at most timeoutMs (used for the last "draining" beat). */
  flush(timeoutMs: number): Promise<BeatResult>;
  /** Resolves when the loop has stopped (after the signal aborts). */
  readonly done: Promise<void>;
  readonly stats: { sent: number; failed: number; lastOkAt: Date | null; lastError: string | null };
}

/** Starts the loop; the first beat goes out immediately. */
export function startHeartbeat(o: HeartbeatOptions): Heartbeat {
  const maxBackoff = o.maxBackoffMs ?? 30_000;
  const random = o.random ?? Math.random;
  const stats = { sent: 0, failed: 0, lastOkAt: null as Date | null, lastError: null as string | null };
  let wake: AbortController | null = null;
  // An object, not a let: the nudge arrives from outside the loop while it awaits.
  const flags = { nudged: false };
  const isNudged = (): boolean => flags.nudged;

  const beatOnce = async (timeoutMs = o.timeoutMs): Promise<BeatResult> => {
    const timeout = AbortSignal.timeout(timeoutMs);
    const signal = AbortSignal.any([timeout, o.signal]);
    try {
      return await o.send(o.payload(), signal);
    } catch (err) {
      const msg = timeout.aborted
        ? `timed out after ${timeoutMs} ms`
        : err instanceof Error
          ? err.message
          : String(err);
      return { ok: false, error: msg };
    }
  };

  // A function, not the property: the signal can abort while a beat is awaited.
  const stopped = (): boolean => o.signal.aborted;
  const loop = async (): Promise<void> => {
    let failures = 0;
    while (!stopped()) {
      flags.nudged = false;
      const result = await beatOnce();
      if (stopped() && !result.ok) break;
      o.onResult?.(result);
      if (result.ok) {
        if (failures > 0) o.log.info({ after: failures }, 'orchestrator reachable again');
        failures = 0;
        stats.sent++;
        stats.lastOkAt = new Date();
      } else {
        failures++;
        stats.failed++;
        stats.lastError = result.error ?? `HTTP ${String(result.status)}`;
        // Logged on the first failure and then rarely, so an outage does not flood the log.
        if (failures === 1 || failures % 20 === 0) {
          o.log.warn({ failures, status: result.status, error: result.error }, 'heartbeat failed');
        }
      }
      if (isNudged()) continue;
      const delay = nextDelayMs(failures, o.intervalMs, maxBackoff, random());
      if (!result.ok && result.unreachable === true && o.probe !== undefined)
        await probingPause(delay, o.probe);
      else await pause(delay);
    }
  };

  /** Sleeps ms; a nudge or the stop signal ends it early. */
  const pause = async (ms: number): Promise<void> => {
    if (stopped() || isNudged()) return;
    wake = new AbortController();
    try {
      await sleep(ms, undefined, { signal: AbortSignal.any([o.signal, wake.signal]) });
    } catch {
      // Woken by a nudge or stopped.
    }
    wake = null;
  };

  /** The backoff delay in interval steps, ending early once the probe connects: the orchestrator is back. */
  const probingPause = async (
    delay: number,
    probe: (signal: AbortSignal) => Promise<boolean>,
  ): Promise<void> => {
    let waited = 0;
    while (waited + o.intervalMs < delay) {
      await pause(o.intervalMs);
      waited += o.intervalMs;
      if (stopped() || isNudged()) return;
      const timeout = AbortSignal.timeout(o.timeoutMs);
      if (await probe(AbortSignal.any([timeout, o.signal])).catch(() => false)) return;
    }
    if (!stopped() && !isNudged()) await pause(delay - waited);
  };

  return {
    nudge: () => {
      flags.nudged = true;
      wake?.abort();
    },
    flush: async (timeoutMs) => {
      const result = await beatOnce(Math.min(timeoutMs, o.timeoutMs));
      o.onResult?.(result);
      return result;
    },
    done: loop(),
    stats,
  };
}

const UNREACHABLE = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ENOTFOUND',
  'EAI_AGAIN',
]);

/** The real sender: JSON POST with bearer token, using built-in fetch. */
export function httpBeatSender(url: string, token: string | null): SendBeat {
  return async (payload, signal) => {
    let res: Response;
    try {
      res = await fetch(url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          ...(token === null ? {} : { authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(payload),
        signal,
      });
    } catch (err) {
      // fetch reports a refused connection as TypeError('fetch failed') with the socket error as its cause.
      const code = ((err as { cause?: { code?: unknown } }).cause?.code ?? '') as string;
      if (signal.aborted || !UNREACHABLE.has(code)) throw err;
      return { ok: false, unreachable: true, error: code };
    }
    // Drain the body so the connection can be reused.
    await res.arrayBuffer().catch(() => undefined);
    return res.ok
      ? { ok: true, status: res.status }
      : { ok: false, status: res.status, error: `HTTP ${res.status}` };
  };
}

/** The real probe: a TCP connect to the orchestrator's host and port, closed at once. */
export function tcpProbe(url: string): (signal: AbortSignal) => Promise<boolean> {
  const u = new URL(url);
  const port = Number(u.port === '' ? (u.protocol === 'https:' ? 443 : 80) : u.port);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  return (signal) =>
    new Promise((resolve) => {
      const socket = connect({ host, port, signal });
      const done = (ok: boolean): void => {
        socket.destroy();
        resolve(ok);
      };
      socket.once('connect', () => {
        done(true);
      });
      socket.once('error', () => {
        done(false);
      });
    });
}
