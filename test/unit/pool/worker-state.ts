// Heartbeat payloads for pool tests, typed with the worker's own types so they stay what a real worker sends.
import type { WorkerState } from '../../../src/contract/heartbeat.js';
import type { EncoderCheck, HardwareProfile } from '../../../src/hardware/types.js';

/** One encoder check as the worker's profiler reports it; `speed` in × real time at 720p and 1080p. */
export function encoder(
  name: string,
  codec: EncoderCheck['codec'],
  speed?: { '720p'?: number; '1080p'?: number },
  usable = true,
): EncoderCheck {
  const hardwareName = !name.startsWith('lib');
  return {
    name,
    codec,
    accelerator: hardwareName ? 'vaapi' : null,
    device: hardwareName ? '/dev/dri/renderD128' : null,
    usable,
    ...(usable ? {} : { reason: 'Device creation failed: -22.' }),
    ...(speed === undefined
      ? {}
      : {
          speed,
          measuredAt: Object.fromEntries(Object.keys(speed).map((k) => [k, '2026-12-02T05:40:12.118Z'])),
        }),
  };
}

export interface StateOptions {
  readonly id?: string;
  readonly status?: WorkerState['status'];
  readonly load?: number;
  readonly max?: number;
  readonly probing?: boolean;
  readonly encoders?: readonly EncoderCheck[];
}

/** A whole heartbeat body, built field by field as statusPayload in src/daemon.ts builds it. */
export function workerState(o: StateOptions = {}): WorkerState {
  const id = o.id ?? 'w1';
  const hardware: HardwareProfile = {
    probing: o.probing ?? false,
    cpu: {
      model: 'Intel(R) Xeon(R)',
      arch: 'x64',
      cores: 1,
      threads: 2,
      frequencyMhz: 2450,
      maxFrequencyMhz: null,
      load: [0.1, 0.2, 0.1],
    },
    memory: { totalBytes: 8 * 2 ** 30, availableBytes: 6 * 2 ** 30, cgroupLimitBytes: null },
    accelerators: [],
    encoders: o.encoders ?? [encoder('libx264', 'h264', { '720p': 4, '1080p': 2 })],
    ffmpeg: { version: '5.1.9', path: 'ffmpeg', encoders: ['libx264'], hwaccels: [] },
    os: { platform: 'linux', release: '6.1.0' },
  };
  const status = o.status ?? 'ready';
  return {
    workerId: id,
    name: `${id}-name`,
    url: `http://${id}.lan:8081`,
    version: '0.1.0',
    status,
    ...(status === 'ready' ? {} : { statusReason: status === 'draining' ? 'draining' : 'max_jobs' }),
    jobs: {
      running: o.load ?? 0,
      max: o.max ?? 2,
      load: o.load ?? 0,
      ids: [],
      heads: { running: o.load ?? 0, throttled: 0 },
      parked: 0,
    },
    hardware,
  };
}
