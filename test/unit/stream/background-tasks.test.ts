import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import pino from 'pino';
import { BackgroundTasks } from '../../../src/stream/background-tasks.js';

/** A promise the test settles by hand. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (e: Error) => void } {
  let resolve = (): void => undefined;
  let reject = (_e: Error): void => undefined;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('BackgroundTasks (the owner of a stream’s background work)', () => {
  it('settles only once every task has, including one a settling task started', async () => {
    const tasks = new BackgroundTasks(pino({ level: 'silent' }), {});
    const first = deferred();
    const second = deferred();
    let settled = false;
    tasks.run(
      first.promise.then(() => {
        tasks.run(second.promise, 'started by the first');
      }),
      'first',
    );
    const all = tasks.settled().then(() => {
      settled = true;
    });
    first.resolve();
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'the second task still runs');
    assert.equal(tasks.size, 1);
    second.resolve();
    await all;
    assert.equal(settled, true);
    assert.equal(tasks.size, 0);
  });

  it('logs a rejection with its name and the stream’s context instead of losing it', async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino(
      { level: 'info' },
      { write: (line: string) => lines.push(JSON.parse(line) as Record<string, unknown>) },
    );
    const tasks = new BackgroundTasks(log, { jobId: 'film' });
    const failing = deferred();
    tasks.run(failing.promise, 'playlists');
    failing.reject(new Error('disk gone'));
    await tasks.settled();
    assert.equal(lines.length, 1);
    const [line] = lines;
    assert.ok(line !== undefined);
    assert.equal(line.task, 'playlists');
    assert.equal(line.jobId, 'film');
    assert.equal((line.err as { message: string }).message, 'disk gone');
  });
});
