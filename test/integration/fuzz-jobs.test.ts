// Property-based: random and mutated job bodies and input paths against the real daemon. Every answer is 202 or a 4xx
// JSON error with a registered code, never a 5xx or a hang, and no FFmpeg or ffprobe ever opens a file outside the
// mount (checked two ways: the accepted inputs resolved independently, and a /proc scan of every child's arguments).
// FUZZ_RUNS=n sets the cases per property (default 600: about 1,800 requests in all).
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import {
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { ERROR_CODES } from '../../src/errors.js';
import { isInside } from '../../src/media/input-path.js';
import { startTestDaemon, testConfig, type TestDaemon } from '../helpers/daemon.js';
import { makeMedia } from '../helpers/media.js';

const RUNS = Number(process.env.FUZZ_RUNS ?? 600);
const SEED = 20_061;

/** Every ffmpeg/ffprobe this process started, as seen in /proc while they ran. */
class ChildScanner {
  readonly seen = new Map<number, string[]>();
  #timer: NodeJS.Timeout | null = null;

  start(): void {
    this.#timer = setInterval(() => {
      this.scan();
    }, 5);
  }

  scan(): void {
    for (const name of readdirSync('/proc')) {
      if (!/^\d+$/.test(name)) continue;
      const pid = Number(name);
      if (this.seen.has(pid)) continue;
      try {
        const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter(Boolean);
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
        const ours = ppid === process.pid || args.includes(`${process.pid}`);
        if (ours && args.some((a) => /(^|\/)(ffmpeg|ffprobe)$/.test(a))) this.seen.set(pid, args);
      } catch {
        // Gone between readdir and read.
      }
    }
  }

  stop(): void {
    if (this.#timer !== null) clearInterval(this.#timer);
  }
}

describe('fuzzed job requests', () => {
  let d: TestDaemon;
  let mount: string;
  let realMount: string;
  let outside: string;
  const scanner = new ChildScanner();
  const counts = { requests: 0, accepted: 0, byCode: new Map<string, number>() };
  // Every name created in the mount below, plus the outside ones.
  const names = [
    'movies',
    'caf\u00e9.mp4',
    '..hidden.mp4',
    'x'.repeat(250) + '.mp4',
    'escape.mp4',
    'escape-dir',
    'inside-link.mp4',
    'loop-a',
    'loop-b',
    'zero-link',
    'fifo.mp4',
    'null-device',
    'secret.mp4',
    'outside',
    'mount',
  ];

  before(async () => {
    // parent/mount is the NAS; parent/outside sits where ../outside leads.
    const parent = mkdtempSync(path.join(tmpdir(), 'tw-fuzz-'));
    mount = path.join(parent, 'mount');
    mkdirSync(mount);
    realMount = realpathSync(mount);
    const clip = await makeMedia({ seconds: 2 });
    outside = path.join(parent, 'outside');
    mkdirSync(outside, { recursive: true });
    // A real, playable file outside the mount: if anything let it through, FFmpeg would happily read it.
    copyFileSync(clip, path.join(outside, 'secret.mp4'));
    mkdirSync(path.join(mount, 'movies'));
    copyFileSync(clip, path.join(mount, 'movies', 'ok.mp4'));
    copyFileSync(clip, path.join(mount, 'movies', 'caf\u00e9.mp4')); // NFC name on disk
    copyFileSync(clip, path.join(mount, '..hidden.mp4'));
    writeFileSync(path.join(mount, 'x'.repeat(250) + '.mp4'), 'not media');
    symlinkSync(path.join(outside, 'secret.mp4'), path.join(mount, 'escape.mp4'));
    symlinkSync(outside, path.join(mount, 'escape-dir'));
    symlinkSync('movies/ok.mp4', path.join(mount, 'inside-link.mp4'));
    symlinkSync('loop-b', path.join(mount, 'loop-a'));
    symlinkSync('loop-a', path.join(mount, 'loop-b'));
    symlinkSync('/dev/zero', path.join(mount, 'zero-link'));
    execFileSync('mkfifo', [path.join(mount, 'fifo.mp4')]);
    try {
      // A device node inside the mount (root only; elsewhere the symlink to /dev/zero stands in).
      execFileSync('mknod', [path.join(mount, 'null-device'), 'c', '1', '3'], { stdio: 'ignore' });
    } catch {
      symlinkSync('/dev/null', path.join(mount, 'null-device'));
    }
    d = await startTestDaemon(testConfig(mount, { limits: { max_jobs: 64, min_free_memory_mb: 0 } }));
    scanner.start();
  });

  after(async () => {
    scanner.stop();
    await d.stop();
    const codes = [...counts.byCode].map(([c, n]) => `${c}=${n}`).join(' ');
    process.stdout.write(
      `# fuzz-jobs: ${counts.requests} requests, ${counts.accepted} accepted and cancelled, ` +
        `${scanner.seen.size} ffmpeg/ffprobe processes scanned; ${codes}\n`,
    );
  });

  /** Posts one body (a value, or raw text) and checks the answer's shape; cancels what was accepted. */
  const post = async (body: unknown): Promise<{ status: number; code: string | null }> => {
    counts.requests++;
    const res = await d.api('POST', '/jobs', typeof body === 'string' ? body : JSON.stringify(body), {
      'content-type': 'application/json',
    });
    const json = (await res.json()) as { id?: string; error?: { code?: string; message?: string } };
    assert.ok(
      res.status < 500,
      `${res.status} for ${(JSON.stringify(body) as string | undefined)?.slice(0, 300)}`,
    );
    if (res.status === 202) {
      assert.equal(typeof json.id, 'string');
      counts.accepted++;
      const id = json.id ?? '';
      const view = (await (await d.api('GET', `/jobs/${id}`)).json()) as { input: string };
      // Independently: the accepted input is a regular file whose real path is inside the real mount.
      const real = realpathSync(path.join(mount, view.input));
      assert.ok(isInside(realMount, real), `accepted ${view.input} → ${real}`);
      assert.ok(statSync(real).isFile());
      assert.equal((await d.api('DELETE', `/jobs/${id}`)).status, 200);
      return { status: 202, code: null };
    }
    assert.ok(res.status >= 400, `status ${res.status}`);
    const code = json.error?.code ?? '';
    assert.ok(code in ERROR_CODES, `unregistered code ${code}`);
    assert.equal(ERROR_CODES[code as keyof typeof ERROR_CODES], res.status, `${code} with ${res.status}`);
    assert.ok((json.error?.message ?? '').length > 0);
    counts.byCode.set(code, (counts.byCode.get(code) ?? 0) + 1);
    return { status: res.status, code };
  };

  // Path pieces that have broken path handling somewhere: traversal in every spelling, separators, NUL, Unicode
  // normalisation variants, over-long names, and the special files made above.
  const piece = fc.oneof(
    fc.constantFrom(
      '..',
      '.',
      '%2e%2e',
      '%2E%2E%2F',
      '..%2f',
      '..\\',
      '\\..\\',
      '\0',
      '%00',
      '//',
      '~',
      'movies',
      'ok.mp4',
      'caf\u00e9.mp4',
      'cafe\u0301.mp4',
      'CAF\u00c9.MP4',
      '\u2024\u2024',
      '\uff0e\uff0e',
      '\u202e4pm.ko',
      'x'.repeat(300),
      'y'.repeat(5000),
      'file:',
      'concat:',
      'subfile,',
      '-i',
      '|',
      ':',
      '?',
      '#',
    ),
    fc.constantFrom(...names),
    fc.string({ unit: 'grapheme', maxLength: 12 }),
    fc.string({ unit: 'binary', maxLength: 8 }),
  );
  const inputPath = fc
    .tuple(fc.array(piece, { minLength: 1, maxLength: 6 }), fc.constantFrom('/', '\\', '', '/./', '//'))
    .map(([parts, sep]) => parts.join(sep));

  // Paths that are legal however they are spelled: these are accepted, so FFmpeg really starts on them.
  const legalSpelling = fc.constantFrom(
    'movies/ok.mp4',
    'movies/./ok.mp4',
    'movies//ok.mp4',
    './movies/ok.mp4',
    'movies/../movies/ok.mp4',
    '../mount/movies/ok.mp4',
    'escape-dir/../movies/ok.mp4',
    'inside-link.mp4',
    'movies/caf\u00e9.mp4',
  );

  it('random input paths: 202 only for regular files inside the mount, 4xx JSON otherwise', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof({ arbitrary: inputPath, weight: 9 }, legalSpelling), async (input) => {
        await post({ input, video: { codec: 'h264', height: 240 } });
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('every special file in the mount by its own name', async () => {
    const expected: Record<string, number> = {
      'escape.mp4': 403,
      'escape-dir/secret.mp4': 403,
      'loop-a': 400,
      'zero-link': 403,
      'fifo.mp4': 400,
      'null-device': 400,
      movies: 400,
      'movies/ok.mp4': 202,
      'inside-link.mp4': 202,
      'movies/caf\u00e9.mp4': 202,
      'movies/cafe\u0301.mp4': 404,
    };
    for (const [input, status] of Object.entries(expected)) {
      const r = await post({ input, video: { codec: 'h264', height: 240 } });
      assert.equal(r.status, status, `${input}: ${r.status} ${r.code ?? ''}`);
    }
  });

  const validJob = fc.record(
    {
      id: fc.oneof(fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/), fc.string({ maxLength: 70 })),
      input: fc.oneof(fc.constant('movies/ok.mp4'), inputPath),
      video: fc.record(
        {
          codec: fc.oneof(fc.constantFrom('h264', 'hevc'), fc.string({ maxLength: 6 })),
          height: fc.oneof(fc.integer({ min: 100, max: 5000 }), fc.double(), fc.string({ maxLength: 4 })),
          bitrateKbps: fc.oneof(fc.integer({ min: 0, max: 200_000 }), fc.constant(-1)),
        },
        { requiredKeys: ['codec'] },
      ),
      audio: fc.record(
        {
          codec: fc.constantFrom('aac', 'mp3', ''),
          bitrateKbps: fc.integer({ min: 0, max: 1000 }),
          channels: fc.integer({ min: -1, max: 10 }),
        },
        { requiredKeys: [] },
      ),
      segmentSeconds: fc.oneof(fc.integer({ min: -1, max: 40 }), fc.double()),
    },
    { requiredKeys: ['input', 'video'] },
  );
  // Unknown keys, prototype keys, wrong types and deep nesting mixed into otherwise plausible jobs.
  const mutatedJob = fc
    .tuple(
      validJob,
      fc.dictionary(
        fc.oneof(
          fc.constantFrom('__proto__', 'constructor', 'prototype', 'extra'),
          fc.string({ maxLength: 5 }),
        ),
        fc.anything({ maxDepth: 3 }),
        { maxKeys: 2 },
      ),
    )
    .map(([job, extra]) => ({ ...extra, ...job }));

  it('random and mutated job bodies', async () => {
    await fc.assert(
      fc.asyncProperty(fc.oneof(validJob, mutatedJob, fc.anything({ maxDepth: 4 })), async (body) => {
        await post(body);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('raw body text: truncated, spliced and non-JSON', async () => {
    const text = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 200 }),
      fc.tuple(fc.json(), fc.nat(), fc.string({ maxLength: 3 })).map(([j, n, s]) => {
        const cut = n % (j.length + 1);
        return j.slice(0, cut) + s + j.slice(cut);
      }),
      fc.constantFrom(
        '{"__proto__":{"x":1},"input":"movies/ok.mp4","video":{"codec":"h264"}}',
        '{'.repeat(5000),
      ),
    );
    await fc.assert(
      fc.asyncProperty(text, async (body) => {
        await post(body);
      }),
      { seed: SEED, numRuns: RUNS, endOnFailure: true },
    );
  });

  it('never started ffmpeg or ffprobe on a file outside the mount, and none is left', () => {
    scanner.scan();
    assert.ok(scanner.seen.size > 0, 'the scanner saw the processes of accepted jobs');
    for (const [pid, args] of scanner.seen) {
      for (const arg of args) {
        const file = arg.startsWith('file:') ? arg.slice(5) : arg;
        if (!path.isAbsolute(file) || file.startsWith(d.config.workDir)) continue;
        if (!/\.(mp4|mkv|ts)$|secret|outside|device|zero|fifo/.test(file)) continue;
        assert.ok(isInside(realMount, file), `pid ${pid} opened ${file}: ${args.join(' ')}`);
      }
    }
    assert.deepEqual(d.jobs.pids(), {});
  });
});
