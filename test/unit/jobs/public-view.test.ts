// What the API answers about a job besides its record (issue 16: split from the manager): the stream URLs, and
// FFmpeg's reasons naming the input as posted, never the NAS path.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { JobView } from '../../../src/contract/job-view.js';
import { playlistUrl, publicView, settledWithin, streamUrl } from '../../../src/jobs/public-view.js';

const base = 'http://worker:8081';

describe('stream URLs', () => {
  it("an ABR job's playlist is its master, any other job's its media playlist", () => {
    assert.equal(
      playlistUrl(base, 'film', { input: 'a', video: { codec: 'h264' } }),
      `${base}/streams/film/stream.m3u8`,
    );
    assert.equal(
      playlistUrl(base, 'film', { input: 'a', video: { codec: 'h264' }, variants: [{ height: 720 }] }),
      `${base}/streams/film/master.m3u8`,
    );
    assert.equal(playlistUrl(base, 'film'), `${base}/streams/film/stream.m3u8`);
    assert.equal(streamUrl(base, 'film', 'seg-3.ts'), `${base}/streams/film/seg-3.ts`);
  });
});

describe('publicView', () => {
  const names = { input: 'films/a.mkv', opened: '/srv/media/films/a.mkv', mounts: ['/srv/media'] };
  const view = {
    id: 'film',
    error: 'file:/srv/media/films/a.mkv: Invalid data found when processing input',
    fallback: { from: 'h264_vaapi', reason: 'could not open /srv/media/films/a.mkv', atSegment: 4 },
  } as unknown as JobView;

  it('names the input as posted in the error and the fallback reason', () => {
    const out = publicView(view, names);
    assert.equal(out.error, 'films/a.mkv: Invalid data found when processing input');
    assert.deepEqual(out.fallback, {
      from: 'h264_vaapi',
      reason: 'could not open films/a.mkv',
      atSegment: 4,
    });
    assert.equal(out.id, 'film');
  });

  it('adds no error or fallback where there is none, and leaves a lost job (no names) as it is', () => {
    const plain = { id: 'film' } as unknown as JobView;
    assert.deepEqual(publicView(plain, names), { id: 'film' });
    assert.equal(publicView(view, undefined), view);
  });
});

describe('settledWithin', () => {
  it('returns when the promise settles, or after the wait when it never does', async () => {
    await settledWithin(Promise.resolve(), 60_000);
    const started = Date.now();
    await settledWithin(new Promise(() => undefined), 30);
    assert.ok(Date.now() - started >= 25);
  });
});
