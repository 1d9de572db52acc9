// Figure 6a: start-up time (spawn → /health 200, from a cached hardware profile) and resident memory once idle.
import { MB, median, memoryOf } from './measure.js';
import { startWorker } from './worker-process.js';

export interface FootprintResult {
  readonly startupMs: number;
  readonly idleRssMB: number;
  /** A bare Node.js HTTP server on this machine, for scale. */
  readonly bareNodeRssMB: number;
}

const IDLE_MS = 2000;

async function bareNodeRss(): Promise<number> {
  const { spawn } = await import('node:child_process');
  const code = "require('http').createServer((q,s)=>s.end()).listen(0,'127.0.0.1',()=>console.log('up'))";
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve) => child.stdout.once('data', resolve));
  await new Promise((r) => setTimeout(r, IDLE_MS));
  const rss = memoryOf(child.pid ?? -1).rss;
  child.kill();
  return rss;
}

export async function measureFootprint(mount: string, runs: number): Promise<FootprintResult> {
  const startup: number[] = [];
  const idle: number[] = [];
  for (let i = 0; i < runs; i++) {
    const worker = await startWorker({ mount });
    startup.push(worker.startupMs);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    idle.push(memoryOf(worker.pid).rss);
    await worker.stop();
  }
  return {
    startupMs: median(startup),
    idleRssMB: median(idle) / MB,
    bareNodeRssMB: (await bareNodeRss()) / MB,
  };
}
