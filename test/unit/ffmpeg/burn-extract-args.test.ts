import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { buildBurnExtractArgs } from '../../../src/ffmpeg/burn-extract-args.js';
import { SAFE_DEMUXERS } from '../../../src/media/demuxers.js';
import { makeTextSubtitles } from '../../helpers/media.js';

const run = promisify(execFile);

describe('buildBurnExtractArgs', () => {
  it('maps the one track to an ASS file, from a hardened input', () => {
    assert.deepEqual(buildBurnExtractArgs({ inputPath: '/m/film.mkv', index: 3, file: '/w/burn-3.ass' }), [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-nostats',
      '-y',
      '-protocol_whitelist',
      'file',
      '-format_whitelist',
      SAFE_DEMUXERS.join(','),
      '-i',
      'file:/m/film.mkv',
      '-map',
      '0:3',
      '-vn',
      '-an',
      '-dn',
      '-c:s',
      'ass',
      '-f',
      'ass',
      '/w/burn-3.ass',
    ]);
  });

  it('writes every text track kind as ASS with its cues, keeping an ASS track its style', async () => {
    const subs = await makeTextSubtitles({ seconds: 8 });
    const dir = mkdtempSync(path.join(tmpdir(), 'tw-burn-x-'));
    const cases = [
      { name: 'srt', input: subs.mkv, index: 1 },
      { name: 'ass', input: subs.mkv, index: 2 },
      { name: 'webvtt', input: subs.mkv, index: 3 },
      { name: 'mov_text', input: subs.movTextMp4, index: 1 },
    ];
    await Promise.all(
      cases.map(async (c) => {
        const file = path.join(dir, `${c.name}.ass`);
        await run('ffmpeg', buildBurnExtractArgs({ inputPath: c.input, index: c.index, file }));
        const text = readFileSync(file, 'utf8');
        const dialogue = text.split('\n').filter((l) => l.startsWith('Dialogue:'));
        assert.equal(dialogue.length, 3, `${c.name}: ${text}`);
        assert.match(dialogue[2] ?? '', /0:00:05\.00,0:00:06\.50,.*eng 5\.000/, c.name);
        if (c.name === 'ass') assert.match(text, /Style: Sign,DejaVu Sans,/);
      }),
    );
  });
});
