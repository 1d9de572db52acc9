// A job's reasons name its input as posted, never the NAS path FFmpeg was given.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { publicReason } from '../../../src/jobs/job-failure.js';

describe('publicReason', () => {
  const names = {
    input: 'films/x.mkv',
    opened: '/mnt/nas/media/films/x.mkv',
    mounts: ['/srv/media', '/mnt/nas/media'],
  };

  it('names the file FFmpeg opened (file: prefix or not) as the input was posted', () => {
    assert.equal(
      publicReason('file:/mnt/nas/media/films/x.mkv: Invalid data found when processing input', names),
      'films/x.mkv: Invalid data found when processing input',
    );
    assert.equal(
      publicReason('matroska: moov atom not found; /mnt/nas/media/films/x.mkv: Invalid argument', names),
      'matroska: moov atom not found; films/x.mkv: Invalid argument',
    );
  });

  it('names the input as posted when it was a symlink to another file', () => {
    const alias = { ...names, input: 'latest.mkv' };
    assert.equal(publicReason('file:/mnt/nas/media/films/x.mkv: EOF', alias), 'latest.mkv: EOF');
  });

  it('shortens any other path under nas_mount_path, in either spelling, to its part below the mount', () => {
    assert.equal(publicReason('file:/srv/media/other.srt: No such file', names), 'other.srt: No such file');
    assert.equal(publicReason('/mnt/nas/media/a/b.idx missing', names), 'a/b.idx missing');
    assert.equal(publicReason('cannot open /srv/media', names), 'cannot open nas_mount_path');
    const windows = { input: 'x.mkv', opened: 'D:\\Films\\x.mkv', mounts: ['D:\\Films\\'] };
    assert.equal(publicReason('file:D:\\Films\\x.mkv: Invalid data', windows), 'x.mkv: Invalid data');
    assert.equal(publicReason('file:D:\\Films\\y.mkv: Invalid data', windows), 'y.mkv: Invalid data');
  });

  it('leaves other text and root mounts alone', () => {
    assert.equal(publicReason('h264_vaapi: No VA display found', names), 'h264_vaapi: No VA display found');
    const root = { input: 'films/x.mkv', opened: '/films/x.mkv', mounts: ['/'] };
    assert.equal(
      publicReason('file:/films/x.mkv: EOF; /dev/dri busy', root),
      'films/x.mkv: EOF; /dev/dri busy',
    );
  });
});
