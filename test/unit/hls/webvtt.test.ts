// WebVTT as FFmpeg writes it → cues → one HLS subtitle segment.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  composeVttSegment,
  cuesIn,
  formatTimestamp,
  parseTimestamp,
  parseWebVtt,
  type Cue,
} from '../../../src/hls/webvtt.js';

// What FFmpeg 5.1's webvtt muxer wrote for an SRT track (captured): mm:ss.ttt below an hour, one blank line between.
const FFMPEG_VTT = `WEBVTT

00:01.021 --> 00:02.521
eng 1.000

00:03.021 --> 00:04.521
eng 3.000
second line

`;

describe('WebVTT timestamps', () => {
  it('reads mm:ss.ttt and hh:mm:ss.ttt, and nothing else', () => {
    assert.equal(parseTimestamp('00:01.021'), 1.021);
    assert.equal(parseTimestamp('01:02:03.004'), 3723.004);
    assert.equal(parseTimestamp('123:00:00.000'), 442800);
    for (const bad of ['1.000', '00:60.000', '00:01.02', '00:01,021', 'x', ''])
      assert.equal(parseTimestamp(bad), null, bad);
  });

  it('writes hh:mm:ss.ttt rounded to the millisecond', () => {
    assert.equal(formatTimestamp(0), '00:00:00.000');
    assert.equal(formatTimestamp(5.0215), '00:00:05.022');
    assert.equal(formatTimestamp(3723.004), '01:02:03.004');
    assert.equal(formatTimestamp(2.9999), '00:00:03.000');
  });
});

describe('parseWebVtt', () => {
  it("reads FFmpeg's output: times, multi-line text", () => {
    assert.deepEqual(parseWebVtt(FFMPEG_VTT, { complete: true }), [
      { start: 1.021, end: 2.521, settings: '', text: 'eng 1.000' },
      { start: 3.021, end: 4.521, settings: '', text: 'eng 3.000\nsecond line' },
    ]);
  });

  it('keeps settings, drops identifiers, NOTE and STYLE blocks, reads CRLF and a BOM, sorts by start', () => {
    const text =
      '\uFEFFWEBVTT - title\r\n\r\nNOTE made by hand\r\n\r\nSTYLE\r\n::cue { color: red }\r\n\r\n' +
      'c2\r\n00:00:09.000 --> 00:00:10.000 align:start line:0%\r\n<i>later</i>\r\n\r\n' +
      'c1\r\n00:00:02.000 --> 00:00:03.000\r\nearlier\r\n';
    assert.deepEqual(parseWebVtt(text, { complete: true }), [
      { start: 2, end: 3, settings: '', text: 'earlier' },
      { start: 9, end: 10, settings: 'align:start line:0%', text: '<i>later</i>' },
    ]);
  });

  it('skips malformed cues: no text, end before start, a bad time', () => {
    const text = `WEBVTT

00:01.000 --> 00:02.000

00:05.000 --> 00:04.000
backwards

00:07.000 -> 00:08.000
bad arrow

00:09.000 --> 00:10.000
fine
`;
    assert.deepEqual(
      parseWebVtt(text, { complete: true }).map((c) => c.text),
      ['fine'],
    );
  });

  it('leaves the last line of a file still being written for the next read', () => {
    const growing = `${FFMPEG_VTT}00:05.021 --> 00:06.521\neng 5.0`;
    assert.deepEqual(
      parseWebVtt(growing, { complete: false }).map((c) => c.text),
      ['eng 1.000', 'eng 3.000\nsecond line'],
      'a cue without its text yet is not taken',
    );
    assert.equal(parseWebVtt(growing, { complete: true }).length, 3, 'a finished file is read whole');
  });
});

describe('cuesIn', () => {
  const cues: Cue[] = [
    { start: 1, end: 2.5, settings: '', text: 'a' },
    { start: 3, end: 4.5, settings: '', text: 'spans 4' },
    { start: 4, end: 4, settings: '', text: 'zero length at 4' },
    { start: 6, end: 7, settings: '', text: 'c' },
  ];

  it('puts a cue that spans a boundary into both segments', () => {
    assert.deepEqual(
      cuesIn(cues, { from: 2, to: 4 }).map((c) => c.text),
      ['a', 'spans 4'],
    );
    assert.deepEqual(
      cuesIn(cues, { from: 4, to: 6 }).map((c) => c.text),
      ['spans 4', 'zero length at 4'],
    );
  });

  it('excludes a cue that ends where the window starts or starts where it ends', () => {
    assert.deepEqual(
      cuesIn(cues, { from: 4.5, to: 6 }).map((c) => c.text),
      [],
    );
  });

  it('takes everything in an open window', () => {
    assert.equal(cuesIn(cues, { from: -Infinity, to: Infinity }).length, 4);
  });
});

describe('composeVttSegment', () => {
  it('writes the header, the timestamp map and the cues with their own times', () => {
    const text = composeVttSegment(
      [
        { start: 3.021, end: 4.521, settings: '', text: 'eng 3.000' },
        { start: 5, end: 6, settings: 'align:start', text: 'two\nlines' },
      ],
      { mpegts: 216000, localSeconds: 0 },
    );
    assert.equal(
      text,
      `WEBVTT
X-TIMESTAMP-MAP=MPEGTS:216000,LOCAL:00:00:00.000

00:00:03.021 --> 00:00:04.521
eng 3.000

00:00:05.000 --> 00:00:06.000 align:start
two
lines

`,
    );
    assert.deepEqual(
      parseWebVtt(text, { complete: true }).map((c) => c.text),
      ['eng 3.000', 'two\nlines'],
    );
  });

  it('writes a segment without cues as a valid file, and a LOCAL time when the map has one', () => {
    assert.equal(
      composeVttSegment([], { mpegts: 0, localSeconds: 0.021 }),
      'WEBVTT\nX-TIMESTAMP-MAP=MPEGTS:0,LOCAL:00:00:00.021\n\n',
    );
  });
});
