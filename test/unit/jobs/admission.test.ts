// What decides whether POST /jobs takes a job (issue 16: the manager's admission had no test of its own): each refusal
// with its code, the order of the checks at arrival and just before insertion, the input's names, the encoders.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, realpathSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { WorkerError } from '../../../src/errors.js';
import type { EncoderCheck, VideoCodec } from '../../../src/hardware/types.js';
import {
  admissionRefusal,
  awaitsEncoderTests,
  chooseEncoders,
  encodersFor,
  idRefusal,
  openInput,
  RETRY_AFTER_SECONDS,
  type AdmissionFacts,
  type EncoderCatalog,
} from '../../../src/jobs/admission.js';
import type { CapacityInputs } from '../../../src/jobs/capacity.js';
import type { JobRequest } from '../../../src/contract/job-request.js';

const MB = 1048576;
const roomy: CapacityInputs = {
  draining: false,
  running: 0,
  maxJobs: 2,
  availableMemoryBytes: 1000 * MB,
  minFreeMemoryBytes: 150 * MB,
  disk: { freeBytes: 5000 * MB, floorBytes: 1000 * MB },
};
const facts = (partial: Partial<AdmissionFacts> = {}): AdmissionFacts => ({
  id: 'film-1',
  held: [],
  platform: 'linux',
  capacity: roomy,
  retryAfterSeconds: RETRY_AFTER_SECONDS,
  ...partial,
});
const codeOf = (err: WorkerError | null): string | null => err?.code ?? null;

describe('idRefusal', () => {
  it('refuses an id in use with JOB_EXISTS (409), even one whose stream was removed (a lost job)', () => {
    const err = idRefusal('film-1', [{ id: 'film-1', streamRemoved: true }], 'linux');
    assert.equal(err?.code, 'JOB_EXISTS');
    assert.equal(err.httpStatus, 409);
    assert.equal(idRefusal('film-2', [{ id: 'film-1', streamRemoved: false }], 'linux'), null);
  });

  it('refuses an id differing only in case from a kept stream on case-folding platforms (JOB_ID_CONFLICT)', () => {
    const held = [{ id: 'Film-1', streamRemoved: false }];
    for (const platform of ['darwin', 'win32'] as const) {
      const err = idRefusal('film-1', held, platform);
      assert.equal(err?.code, 'JOB_ID_CONFLICT', platform);
      assert.equal(err.httpStatus, 409);
      assert.match(err.message, /Film-1/);
    }
    assert.equal(idRefusal('film-1', held, 'linux'), null, 'Linux keeps Film-1 and film-1 apart');
    // Its folder is gone: nothing to share any more.
    assert.equal(idRefusal('film-1', [{ id: 'Film-1', streamRemoved: true }], 'darwin'), null);
  });
});

describe('admissionRefusal', () => {
  it('passes a free id with room at both checks', () => {
    assert.equal(admissionRefusal('arrival', facts()), null);
    assert.equal(admissionRefusal('insertion', facts()), null);
  });

  it('at arrival: draining comes first (DRAINING, 503, Retry-After), then the id', () => {
    const both = facts({
      capacity: { ...roomy, draining: true },
      held: [{ id: 'film-1', streamRemoved: false }],
    });
    const err = admissionRefusal('arrival', both);
    assert.equal(err?.code, 'DRAINING');
    assert.equal(err.httpStatus, 503);
    assert.equal(err.retryAfter, RETRY_AFTER_SECONDS);
    assert.equal(codeOf(admissionRefusal('arrival', { ...both, capacity: roomy })), 'JOB_EXISTS');
  });

  it('at arrival the room is not checked: the input and encoder are refused first, capacity after them', () => {
    const full: CapacityInputs = {
      ...roomy,
      running: 2,
      availableMemoryBytes: 1,
      disk: { freeBytes: 0, floorBytes: 1 },
    };
    assert.equal(admissionRefusal('arrival', facts({ capacity: full })), null);
    assert.equal(codeOf(admissionRefusal('insertion', facts({ capacity: full }))), 'AT_CAPACITY');
  });

  it('just before insertion: the id first (a concurrent POST took it), then draining, the job cap, memory, disk', () => {
    const all: CapacityInputs = {
      draining: true,
      running: 2,
      maxJobs: 2,
      availableMemoryBytes: 1,
      minFreeMemoryBytes: 150 * MB,
      disk: { freeBytes: 0, floorBytes: 1 },
    };
    const taken = [{ id: 'film-1', streamRemoved: false }];
    const steps: [Partial<AdmissionFacts>, string, number][] = [
      [{ held: taken, capacity: all }, 'JOB_EXISTS', 409],
      [
        { held: [{ id: 'FILM-1', streamRemoved: false }], platform: 'win32', capacity: all },
        'JOB_ID_CONFLICT',
        409,
      ],
      [{ capacity: all }, 'DRAINING', 503],
      [{ capacity: { ...all, draining: false } }, 'AT_CAPACITY', 503],
      [{ capacity: { ...all, draining: false, running: 0 } }, 'LOW_MEMORY', 503],
      [{ capacity: { ...all, draining: false, running: 0, availableMemoryBytes: 1e12 } }, 'DISK_FULL', 507],
    ];
    for (const [change, code, status] of steps) {
      const err = admissionRefusal('insertion', facts(change));
      assert.equal(err?.code, code);
      assert.equal(err.httpStatus, status, code);
      // Every refusal for lack of room says when to try again; an id refusal does not (retrying will not help).
      assert.equal(err.retryAfter, status === 409 ? undefined : RETRY_AFTER_SECONDS, code);
    }
  });
});

describe('openInput', () => {
  it('resolves the input inside the mount and names it as posted, as opened and the mount in both spellings', async () => {
    const real = realpathSync(mkdtempSync(path.join(tmpdir(), 'tw-admit-')));
    mkdirSync(path.join(real, 'films'));
    writeFileSync(path.join(real, 'films', 'a.mkv'), 'x');
    const mount = path.join(mkdtempSync(path.join(tmpdir(), 'tw-admit-link-')), 'media');
    symlinkSync(real, mount);
    const { inputPath, names } = await openInput(mount, 'films/a.mkv');
    assert.equal(inputPath, path.join(real, 'films', 'a.mkv'));
    assert.deepEqual(names, { input: 'films/a.mkv', opened: inputPath, mounts: [mount, real] });
    await assert.rejects(openInput(mount, 'films/none.mkv'), { code: 'INPUT_NOT_FOUND' });
    await assert.rejects(openInput(mount, '../etc/passwd'), { code: 'INPUT_OUTSIDE_MOUNT' });
  });
});

const check = (name: string, codec: VideoCodec, usable = true): EncoderCheck => ({
  name,
  codec,
  accelerator: name.startsWith('lib') ? null : 'vaapi',
  device: name.startsWith('lib') ? null : '/dev/dri/renderD128',
  usable,
});
const known = [
  check('h264_vaapi', 'h264'),
  check('libx264', 'h264'),
  check('hevc_vaapi', 'hevc'),
  check('libx265', 'hevc'),
  check('h264_nvenc', 'h264', false),
];
const usable = (codec: VideoCodec): readonly EncoderCheck[] =>
  known.filter((c) => c.usable && c.codec === codec);
const request = (video: Partial<JobRequest['video']>, extra: Partial<JobRequest> = {}): JobRequest => ({
  input: 'a.mkv',
  video: { codec: 'h264', ...video },
  ...extra,
});

describe('encodersFor', () => {
  it('a copy takes no encoder; auto the fastest usable; none the software one', () => {
    assert.deepEqual(encodersFor(request({ codec: 'copy' }), usable, known), {
      primary: { name: 'copy', accelerator: null, device: null },
      byCodec: new Map(),
    });
    assert.equal(encodersFor(request({}), usable, known).primary.name, 'h264_vaapi');
    assert.equal(encodersFor(request({ hardware: 'none' }), usable, known).primary.name, 'libx264');
  });

  it("a named encoder serves its own codec in a ladder; the ladder's other codecs take the fastest usable", () => {
    const ladder = request(
      { codec: 'h264', hardware: 'libx265' },
      { variants: [{ codec: 'h264' }, { codec: 'hevc' }, { codec: 'copy' }] },
    );
    const { primary, byCodec } = encodersFor(ladder, usable, known);
    assert.deepEqual(
      [...byCodec].map(([codec, c]) => [codec, c.name]),
      [
        ['h264', 'h264_vaapi'],
        ['hevc', 'libx265'],
      ],
    );
    assert.equal(primary.name, 'h264_vaapi', "the first codec's encoder is the job's own");
  });

  it('refuses a named encoder not usable here with ENCODER_UNAVAILABLE (400)', () => {
    for (const hardware of ['h264_nvenc', 'h264_qsv']) {
      assert.throws(
        () => encodersFor(request({ hardware }), usable, known),
        (err: unknown) => {
          assert.ok(err instanceof WorkerError);
          assert.equal(err.code, 'ENCODER_UNAVAILABLE');
          assert.equal(err.httpStatus, 400);
          return true;
        },
      );
    }
  });
});

describe('chooseEncoders', () => {
  it('waits for the start-up test encodes only for a named encoder they have not reached', () => {
    assert.equal(awaitsEncoderTests(request({ hardware: 'h264_qsv' }), known), true);
    assert.equal(awaitsEncoderTests(request({ hardware: 'h264_vaapi' }), known), false);
    assert.equal(awaitsEncoderTests(request({ hardware: 'auto' }), []), false);
    assert.equal(awaitsEncoderTests(request({ hardware: 'none' }), []), false);
    assert.equal(awaitsEncoderTests(request({ codec: 'copy', hardware: 'h264_qsv' }), []), false);
  });

  it('takes a named encoder the tests find usable once they are done', async () => {
    let tested: EncoderCheck[] = [];
    let done = (): void => undefined;
    const catalog: EncoderCatalog = {
      usable: (codec) => tested.filter((c) => c.usable && c.codec === codec),
      known: () => tested,
      tested: new Promise((resolve) => {
        done = resolve;
      }),
    };
    const choice = chooseEncoders(request({ hardware: 'h264_vaapi' }), catalog, 60_000);
    tested = known;
    done();
    assert.equal((await choice).primary.name, 'h264_vaapi');
  });

  it('gives up after the wait and refuses the encoder when the tests never end', async () => {
    const catalog: EncoderCatalog = {
      usable: () => [],
      known: () => [],
      tested: new Promise(() => undefined),
    };
    const started = Date.now();
    await assert.rejects(chooseEncoders(request({ hardware: 'h264_vaapi' }), catalog, 50), {
      code: 'ENCODER_UNAVAILABLE',
    });
    assert.ok(Date.now() - started < 5000);
  });
});
