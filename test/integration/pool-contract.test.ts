// What a real worker sends is what the pool's heartbeat contract accepts: every beat, from the first (still probing)
// to the last (draining), from a plain worker and from one with a (fake) GPU.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseWorkerState } from '../../src/contract/heartbeat.js';
import { startOrchestrator, waitFor, type TestOrchestrator } from '../helpers/daemon.js';
import { startWorker } from './pool-workers.js';

describe('heartbeat contract against real workers', () => {
  let orchestrator: TestOrchestrator;
  before(async () => {
    orchestrator = await startOrchestrator();
  });
  after(() => orchestrator.close());

  for (const gpu of [false, true]) {
    it(`accepts every beat of a ${gpu ? 'GPU' : 'plain'} worker, probing to draining`, async () => {
      const d = await startWorker({
        orchestrator: { url: orchestrator.url, token: 'o-token-0123456789' },
        gpu,
      });
      const mine = () => orchestrator.beats.filter((b) => b.body.workerId === d.workerId);
      await waitFor(() => mine().some((b) => b.body.status === 'ready'), 10_000, 'a ready beat');
      await d.stop();
      const beats = mine().map((b) => parseWorkerState(b.body));
      assert.ok(beats.some((b) => !b.hardware.probing));
      assert.equal(beats.at(-1)?.status, 'draining');
      const h264 = beats.at(-1)?.hardware.encoders.filter((e) => e.codec === 'h264' && e.usable);
      assert.deepEqual(h264?.map((e) => e.name).sort(), gpu ? ['h264_vaapi', 'libx264'] : ['libx264']);
    });
  }
});
