// HeadStream's scheduling against fake FFmpeg runs: the test plays each head's FFmpeg (it writes the head's files into
// a real temp folder watched by a real FileArrivals, and ends the process), and reads what the stream did from the
// runs it started, the signals they got, the public files and the report. The decisions themselves (heads.ts) have
// their own pure tests; these check that the stream applies them.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { setImmediate as turn } from 'node:timers/promises';
import { afterEach, describe, it } from 'node:test';
import { segmentName } from '../../../src/hls/stream-folder.js';
import {
  closeWorlds,
  endOf,
  published,
  stoppedBecause,
  until,
  VAAPI,
  world,
  X264,
} from './head-stream-world.js';

afterEach(closeWorlds);

describe('HeadStream', () => {
  it('starts its first head at segment 0 with the encoder the job chose, and reports its pid', async () => {
    const w = await world();
    assert.equal(w.ffmpeg.runs.length, 1);
    const [first] = w.ffmpeg.runs;
    assert.equal(first?.start, 0);
    assert.equal(first.encoder, 'libx264');
    assert.deepEqual(w.report.started, [first.pid]);
    assert.deepEqual(
      w.stream.heads().map((h) => [h.start, h.pid, h.encoder]),
      [[0, first.pid, 'libx264']],
    );
  });

  it('publishes a finished head segment under its public name and counts it made', async () => {
    const w = await world();
    const bytes = w.ffmpeg.head(0).writeSegment(0);
    assert.deepEqual(await published(w, 0), bytes);
    // The head's own file is gone: the public name is the only one left.
    await until(() => !existsSync(path.join(w.dir, 'h0-0.ts')), 'h0-0.ts removed');
    assert.deepEqual(w.report.made, [[1, 0.1]]);
  });

  it('lets a request within seek.ahead_segments of a head wait for it: no head starts', async () => {
    const w = await world();
    const first = w.ffmpeg.head(0);
    first.writeSegment(0);
    await published(w, 0);
    // The head writes segment 1 now: 3 is two segments ahead of it.
    w.stream.request(3);
    assert.equal(w.ffmpeg.runs.length, 1);
    assert.deepEqual(first.signals, []);
  });

  it('starts a seek head at a far request and holds the other head until its first segment is out', async () => {
    const w = await world();
    const first = w.ffmpeg.head(0);
    // The head writes segment 0: 3 is three segments ahead, one more than seek.ahead_segments.
    w.stream.request(3);
    assert.equal(w.ffmpeg.runs.length, 2);
    const seek = w.ffmpeg.head(1);
    assert.equal(seek.start, 3);
    assert.equal(seek.encoder, 'libx264');
    assert.deepEqual(w.report.started, [first.pid, seek.pid]);
    // The viewer waits for the seek head: it gets the cores, the other head is paused meanwhile.
    assert.deepEqual(first.signals, ['SIGSTOP']);
    assert.deepEqual(seek.signals, []);
    const bytes = seek.writeSegment(3);
    assert.deepEqual(await published(w, 3), bytes);
    assert.deepEqual(first.signals, ['SIGSTOP', 'SIGCONT']);
    assert.equal(first.ended, false);
  });

  it('publishes a segment two heads made once: the head that made it second is stopped', async () => {
    const w = await world();
    const first = w.ffmpeg.head(0);
    first.writeSegment(0);
    await published(w, 0);
    w.stream.request(4);
    const seek = w.ffmpeg.head(1);
    const bytes = seek.writeSegment(4);
    await published(w, 4);
    // The first head's file of segment 4 comes in after the seek head's was published (its events for 1 to 3 lost
    // or late): only the public name's link decides, and it fails for the second maker.
    first.writeSegment(4);
    await until(() => first.ended, 'the first head stopped');
    assert.equal(stoppedBecause(w, 0), 'reached a segment made already');
    assert.deepEqual(readFileSync(path.join(w.dir, segmentName(4))), bytes);
    assert.equal(existsSync(path.join(w.dir, 'h0-4.ts')), false);
    assert.deepEqual(w.report.made.at(-1), [2, 0.2]);
    assert.equal(seek.ended, false);
  });

  it('ends completed once every segment is made, with made at the count and progress 1', async () => {
    const w = await world();
    const first = w.ffmpeg.head(0);
    for (let k = 0; k < 10; k++) first.writeSegment(k);
    assert.deepEqual(await endOf(w), { status: 'completed' });
    assert.deepEqual(w.report.made.at(-1), [10, 1]);
    assert.deepEqual(
      w.report.made.map(([n]) => n),
      [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
    );
    for (let k = 0; k < 10; k++) assert.ok(existsSync(path.join(w.dir, segmentName(k))), segmentName(k));
  });

  it('says the count the film really has once the input ends a segment early', async () => {
    const w = await world();
    const first = w.ffmpeg.head(0);
    assert.equal(w.report.outputs.at(-1)?.segmentCount, 10);
    // The probed length promised 10 segments; the input ends after 9 (within endedEarlyReason's two).
    for (let k = 0; k < 9; k++) first.writeSegment(k);
    await published(w, 8);
    first.exit(0);
    assert.deepEqual(await endOf(w), { status: 'completed' });
    assert.equal(w.stream.count, 9);
    // The job view (and the HTTP layer's end of stream) follow: a request for segment 9 is past the end.
    assert.equal(w.report.outputs.at(-1)?.segmentCount, 9);
  });

  it('goes on in software from the next segment when a hardware head fails', async () => {
    const w = await world({ encoder: VAAPI });
    const first = w.ffmpeg.head(0);
    assert.equal(first.encoder, 'h264_vaapi');
    for (let k = 0; k < 3; k++) first.writeSegment(k);
    await published(w, 2);
    first.exit(
      1,
      '[h264_vaapi @ 0x55d0c0] Failed to end picture encode issue: 23 (internal encoding error).\n',
    );
    await until(() => w.ffmpeg.runs.length === 2, 'a second head');
    const software = w.ffmpeg.head(1);
    const reason = 'h264_vaapi: Failed to end picture encode issue: 23 (internal encoding error).';
    // Segments 0 to 2 were whole: the software head starts at 3.
    assert.equal(software.start, 3);
    assert.equal(software.encoder, 'libx264');
    assert.deepEqual(w.report.fallbacks, [[{ from: 'h264_vaapi', reason, atSegment: 3 }, X264]]);
    assert.deepEqual(w.unusable, [['h264_vaapi', reason]]);
    assert.deepEqual(w.report.exited, [first.pid]);
    assert.deepEqual(w.report.started, [first.pid, software.pid]);
  });

  it('makes a hardware head’s cut-short last segment again in software', async () => {
    const w = await world({ encoder: VAAPI });
    const first = w.ffmpeg.head(0);
    first.writeSegment(0);
    // FFmpeg renamed segment 1 into place at 1.2 s when the encoder broke: its playlist says how short it is.
    first.writeSegment(1, 1.2);
    await published(w, 1);
    first.exit(1, 'Failed to end picture encode issue\n');
    await until(() => w.ffmpeg.runs.length === 2, 'a second head');
    assert.equal(w.ffmpeg.head(1).start, 1);
    assert.equal(existsSync(path.join(w.dir, segmentName(1))), false);
    assert.equal(w.report.fallbacks[0]?.[0].atSegment, 1);
    assert.deepEqual(w.report.made.at(-1), [1, null]);
  });

  it('ends failed with FFmpeg’s words when a software head fails', async () => {
    const w = await world();
    const first = w.ffmpeg.head(0);
    first.writeSegment(0);
    await published(w, 0);
    first.exit(1, 'a.mkv: Invalid data found when processing input\n');
    assert.deepEqual(await endOf(w), {
      status: 'failed',
      reason: 'a.mkv: Invalid data found when processing input',
    });
    assert.equal(w.ffmpeg.runs.length, 1);
    assert.deepEqual(w.report.fallbacks, []);
    assert.deepEqual(w.unusable, []);
  });

  it('stopAll stops every head and settles only once each FFmpeg has exited', async () => {
    const w = await world({ manualStop: true });
    w.stream.request(5);
    const [first, seek] = w.ffmpeg.runs;
    assert.ok(first !== undefined && seek !== undefined);
    let settled = false;
    const stopping = w.stream.stopAll('the job ended').then(() => {
      settled = true;
    });
    assert.equal(first.stops, 1);
    assert.equal(seek.stops, 1);
    await turn();
    await turn();
    assert.equal(settled, false);
    seek.exit(255);
    await turn();
    await turn();
    assert.equal(settled, false);
    first.exit(255);
    await stopping;
    assert.equal(settled, true);
  });

  it('park stops a seeking stream’s heads; a later request for a segment not made starts one there', async () => {
    const w = await world();
    const first = w.ffmpeg.head(0);
    first.writeSegment(0);
    first.writeSegment(1);
    await published(w, 1);
    assert.equal(await w.stream.park(), true);
    assert.equal(first.ended, true);
    assert.notEqual(w.stream.parkedAt, null);
    assert.deepEqual(w.stream.heads(), []);
    // A made segment needs no head.
    w.stream.request(1);
    assert.equal(w.ffmpeg.runs.length, 1);
    w.stream.request(6);
    assert.equal(w.ffmpeg.runs.length, 2);
    assert.equal(w.ffmpeg.head(1).start, 6);
    assert.equal(w.stream.parkedAt, null);
  });

  it('runs at most seek.max_heads heads: a seek replaces the head nobody fetched from lately, never a watched one', async () => {
    // 25 segments of 4 s: a head is protected for 8 s after its start or the last fetch from it.
    const w = await world({ seconds: 100 });
    const first = w.ffmpeg.head(0);
    w.stream.request(6);
    const second = w.ffmpeg.head(1);
    // Both heads were just started: a third seek may replace neither, and none starts beside them.
    w.stream.request(15);
    assert.equal(w.ffmpeg.runs.length, 2);
    assert.equal(first.stops + second.stops, 0);
    // 8 s later a viewer fetches from the seek head; the first head has seen nobody since it started.
    w.clock.skew += 8001;
    w.stream.request(7);
    w.stream.request(15);
    assert.equal(w.ffmpeg.runs.length, 3);
    assert.equal(w.ffmpeg.head(2).start, 15);
    await until(() => first.ended, 'the first head stopped');
    assert.equal(stoppedBecause(w, 0), 'replaced by a seek');
    assert.equal(second.stops, 0);
    assert.equal(w.ffmpeg.live.length, 2);
  });

  it('rations seek heads: a third seek within two segments’ time is deferred, and starts when the ration allows', async () => {
    // Segments of 1 s: two seek starts at once, then one per second (two seconds after the first of the two).
    const w = await world({ segmentSeconds: 1, seek: { maxHeads: 4 } });
    const firstSeekAt = Date.now();
    w.stream.request(10);
    w.stream.request(20);
    assert.deepEqual(
      w.ffmpeg.runs.map((r) => r.start),
      [0, 10, 20],
    );
    w.stream.request(30);
    assert.equal(w.ffmpeg.runs.length, 3);
    await until(() => w.ffmpeg.runs.length === 4, 'the deferred seek head');
    const elapsed = Date.now() - firstSeekAt;
    assert.equal(w.ffmpeg.head(3).start, 30);
    assert.ok(elapsed >= 2000, `started ${String(elapsed)} ms after the first seek, not before 2 s`);
  });
});
