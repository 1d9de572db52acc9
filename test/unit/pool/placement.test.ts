// The placement rule as a pure function: plain heartbeat payloads (a GPU box, a board, a plain PC) and job needs in,
// the chosen worker, the order for retries and the reason out.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkerState } from '../../../src/contract/heartbeat.js';
import { fastestFirst } from '../../../src/hardware/profiler.js';
import {
  autoEncoder,
  interpolateSpeed,
  place,
  type JobNeeds,
  type SourceFacts,
} from '../../../src/pool/placement.js';
import { encoder, workerState, type StateOptions } from './worker-state.js';

const gpuBox = (o: StateOptions = {}): WorkerState =>
  workerState({
    id: 'gpu-box',
    max: 2,
    encoders: [
      encoder('libx264', 'h264', { '720p': 4, '1080p': 2 }),
      encoder('h264_vaapi', 'h264', { '720p': 12, '1080p': 8 }),
      encoder('libx265', 'hevc', { '720p': 1, '1080p': 0.5 }),
      encoder('hevc_vaapi', 'hevc', { '720p': 10, '1080p': 6 }),
    ],
    ...o,
  });
const board = (o: StateOptions = {}): WorkerState =>
  workerState({
    id: 'board',
    max: 1,
    encoders: [
      encoder('libx264', 'h264', { '720p': 1.6, '1080p': 0.7 }),
      encoder('h264_v4l2m2m', 'h264', undefined, false),
    ],
    ...o,
  });
const plainPc = (o: StateOptions = {}): WorkerState =>
  workerState({
    id: 'plain-pc',
    max: 2,
    encoders: [
      encoder('libx264', 'h264', { '720p': 3, '1080p': 0.9 }),
      encoder('libx265', 'hevc', { '720p': 0.8, '1080p': 0.35 }),
    ],
    ...o,
  });

const UHD_HEVC: SourceFacts = { codec: 'hevc', width: 3840, height: 2160, frameRate: 24 };
const HD720: SourceFacts = { codec: 'h264', width: 1280, height: 720, frameRate: 30 };
const job = (source: SourceFacts, ...outputs: JobNeeds['outputs']): JobNeeds => ({ source, outputs });

describe('placement', () => {
  const all = [gpuBox(), board(), plainPc()];

  const cases: [string, WorkerState[], JobNeeds, string, string[]][] = [
    [
      '4K HEVC → 1080p H.264 goes to the GPU',
      all,
      job(UHD_HEVC, { codec: 'h264', height: 1080 }),
      'gpu-box',
      ['h264_vaapi'],
    ],
    [
      '720p → 480p goes to the board, which keeps real time',
      all,
      job(HD720, { codec: 'h264', height: 480 }),
      'board',
      ['libx264'],
    ],
    [
      '720p → 480p with the board busy goes to the plain PC, not the GPU',
      [gpuBox(), board({ status: 'busy' }), plainPc()],
      job(HD720, { codec: 'h264', height: 480 }),
      'plain-pc',
      ['libx264'],
    ],
    [
      '4K HEVC → 1080p HEVC only the GPU box can keep',
      all,
      job(UHD_HEVC, { codec: 'hevc', height: 1080 }),
      'gpu-box',
      ['hevc_vaapi'],
    ],
    ['a copy goes where most slots are free', all, job(UHD_HEVC, { codec: 'copy' }), 'gpu-box', ['copy']],
    [
      'a copy goes even to a worker without a usable encoder',
      [board({ encoders: [encoder('h264_v4l2m2m', 'h264', undefined, false)] })],
      job(HD720, { codec: 'copy' }),
      'board',
      ['copy'],
    ],
  ];
  for (const [title, workers, needs, chosen, encoders] of cases) {
    it(title, () => {
      const p = place(workers, needs);
      assert.equal(p.chosen?.workerId, chosen, p.reason);
      assert.deepEqual(p.chosen.encoders, encoders);
      assert.ok(p.reason.startsWith(`${chosen}-name:`), p.reason);
    });
  }

  it('orders the rest for retries: real time slowest first, then the others fastest first', () => {
    const p = place(all, job(HD720, { codec: 'h264', height: 480 }));
    assert.deepEqual(
      p.candidates.map((c) => c.workerId),
      ['board', 'plain-pc', 'gpu-box'],
    );
    const uhd = place(all, job(UHD_HEVC, { codec: 'h264', height: 1080 }));
    assert.deepEqual(
      uhd.candidates.map((c) => [c.workerId, c.keepsRealTime]),
      [
        ['gpu-box', true],
        ['plain-pc', false],
        ['board', false],
      ],
    );
  });

  it('excludes draining, busy, full, probing and encoder-less workers, each with its reason', () => {
    const p = place(
      [
        gpuBox({ status: 'draining' }),
        board({ status: 'busy' }),
        plainPc({ load: 2 }),
        workerState({ id: 'new', probing: true }),
        workerState({ id: 'old', encoders: [encoder('libx264', 'h264', { '720p': 3 })] }),
      ],
      job(HD720, { codec: 'hevc', height: 720 }),
    );
    assert.equal(p.chosen, null);
    assert.deepEqual(
      p.excluded.map((e) => [e.workerId, e.reason]),
      [
        ['gpu-box', 'draining'],
        ['board', 'busy'],
        ['plain-pc', 'full'],
        ['new', 'probing'],
        ['old', 'no_encoder'],
      ],
    );
    assert.match(p.reason, /no worker can take the job/);
    assert.match(p.reason, /busy: max_jobs/);
    assert.match(p.reason, /full: load 2 of 2/);
    assert.match(p.reason, /no usable hevc encoder/);
  });

  it('answers with no live worker', () => {
    const p = place([], job(HD720, { codec: 'h264' }));
    assert.equal(p.chosen, null);
    assert.equal(p.reason, 'no live worker');
  });

  it('when none keeps real time, takes the fastest and says it will not keep up', () => {
    const p = place([board(), plainPc()], job(UHD_HEVC, { codec: 'hevc', height: 2160 }));
    assert.equal(p.chosen?.workerId, 'plain-pc');
    assert.equal(p.chosen.keepsRealTime, false);
    assert.match(p.reason, /will not keep up/);
  });

  it('scales by the free share of capacity: a half-busy GPU box counts half', () => {
    const idle = place([gpuBox()], job(HD720, { codec: 'h264', height: 720 })).chosen;
    const half = place([gpuBox({ load: 1 })], job(HD720, { codec: 'h264', height: 720 })).chosen;
    assert.equal(idle?.effectiveSpeed, 12);
    assert.equal(half?.predictedSpeed, 12);
    assert.equal(half.effectiveSpeed, 6);
    assert.equal(half.freeShare, 0.5);
  });

  it('a source at 60 fps predicts half the speed of the same at 30', () => {
    const at30 = place([plainPc()], job(HD720, { codec: 'h264', height: 720 })).chosen;
    const at60 = place([plainPc()], job({ ...HD720, frameRate: 60 }, { codec: 'h264', height: 720 })).chosen;
    assert.equal(at30?.predictedSpeed, 3);
    assert.equal(at60?.predictedSpeed, 1.5);
  });

  it('adds up the outputs of a ladder: one decode, each variant encoded, a copy nearly free', () => {
    const p = place(
      [gpuBox()],
      job(UHD_HEVC, { codec: 'h264', height: 1080 }, { codec: 'h264', height: 720 }, { codec: 'copy' }),
    );
    const expected = 1 / ((24 / 30) * (1 / 8 + 1 / 12) + 1 / 50);
    assert.equal(p.chosen?.predictedSpeed, Math.round(expected * 100) / 100);
    assert.deepEqual(p.chosen.encoders, ['h264_vaapi', 'h264_vaapi', 'copy']);
  });

  it('puts workers without measured speeds after those that keep real time, hardware first', () => {
    const unmeasuredGpu = workerState({
      id: 'u-gpu',
      encoders: [encoder('libx264', 'h264'), encoder('h264_vaapi', 'h264')],
    });
    const unmeasured = workerState({ id: 'u-cpu', encoders: [encoder('libx264', 'h264')] });
    const p = place(
      [unmeasured, plainPc(), unmeasuredGpu, board()],
      job(UHD_HEVC, { codec: 'h264', height: 1080 }),
    );
    assert.deepEqual(
      p.candidates.map((c) => [c.workerId, c.keepsRealTime]),
      [
        ['u-gpu', null],
        ['u-cpu', null],
        ['plain-pc', false],
        ['board', false],
      ],
    );
    assert.match(p.reason, /not measured yet/);
    assert.equal(
      place([unmeasured, board()], job(HD720, { codec: 'h264', height: 480 })).chosen?.workerId,
      'board',
    );
  });

  it('skips the tone-mapping criterion for now: an HDR source with SDR output is placed as any other', () => {
    const p = place(all, {
      ...job({ ...UHD_HEVC, hdr: true }, { codec: 'h264', height: 1080 }),
      sdrOutput: true,
    });
    assert.equal(p.chosen?.workerId, 'gpu-box');
  });
});

describe('interpolateSpeed', () => {
  const s = { '720p': 4, '1080p': 2 };
  const P720 = 1280 * 720;
  const P1080 = 1920 * 1080;
  it('answers the measured figures at their own sizes', () => {
    assert.equal(interpolateSpeed(s, P720), 4);
    assert.equal(interpolateSpeed(s, P1080), 2);
  });
  it('interpolates the throughput in between, and keeps it outside', () => {
    const mid = (P720 + P1080) / 2;
    assert.equal(interpolateSpeed(s, mid), (4 * P720 + 2 * P1080) / 2 / mid);
    assert.equal(interpolateSpeed(s, 854 * 480), (4 * P720) / (854 * 480));
    assert.equal(interpolateSpeed(s, 3840 * 2160), (2 * P1080) / (3840 * 2160));
  });
  it('uses one figure alone, and answers null with none', () => {
    assert.equal(interpolateSpeed({ '1080p': 2 }, P720), (2 * P1080) / P720);
    assert.equal(interpolateSpeed({}, P720), null);
    assert.equal(interpolateSpeed(undefined, P720), null);
  });
});

describe('autoEncoder', () => {
  it("picks what the worker's fastestFirst picks", () => {
    const lists = [
      [
        encoder('libx264', 'h264', { '720p': 4, '1080p': 2 }),
        encoder('h264_vaapi', 'h264', { '720p': 12, '1080p': 8 }),
      ],
      [encoder('libx264', 'h264'), encoder('h264_vaapi', 'h264')],
      [encoder('h264_vaapi', 'h264', { '720p': 3 }), encoder('libx264', 'h264', { '720p': 4 })],
      [encoder('libx264', 'h264', { '1080p': 2 }), encoder('h264_vaapi', 'h264', { '720p': 9 })],
      [encoder('h264_vaapi', 'h264', { '1080p': 9 }, false), encoder('libx264', 'h264', { '1080p': 1 })],
    ];
    for (const list of lists) {
      const usable = list.filter((e) => e.usable);
      assert.equal(autoEncoder(list, 'h264')?.name, fastestFirst(usable)[0]?.name);
    }
    assert.equal(autoEncoder(lists[0] ?? [], 'hevc'), null);
  });
});
