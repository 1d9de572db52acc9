// Pure parser of FFmpeg's -progress output: key=value lines, each block closed by progress=continue|end.

export interface Progress {
  /** Output time reached, in seconds. */
  readonly outTimeSeconds: number;
  readonly frame: number;
  readonly fps: number;
  /** Multiple of real time; null while FFmpeg reports N/A. */
  readonly speed: number | null;
  readonly end: boolean;
}

function num(value: string | undefined): number {
  if (value === undefined) return 0;
  const n = Number.parseFloat(value);
  return Number.isFinite(n) ? n : 0;
}

/** One block of key=value pairs → Progress. out_time_us is preferred; out_time_ms is microseconds too (an FFmpeg quirk). */
export function progressFromBlock(block: ReadonlyMap<string, string>): Progress {
  const us = block.get('out_time_us') ?? block.get('out_time_ms');
  const speedText = block.get('speed')?.replace(/x$/, '').trim();
  const speed = speedText === undefined || speedText === 'N/A' ? null : num(speedText);
  return {
    outTimeSeconds: Math.max(0, num(us) / 1_000_000),
    frame: num(block.get('frame')),
    fps: num(block.get('fps')),
    speed: speed !== null && Number.isFinite(speed) ? speed : null,
    end: block.get('progress') === 'end',
  };
}

/** Streaming splitter: feed it chunks as they arrive, get every completed block. Holds at most one partial line. */
export class ProgressParser {
  #partial = '';
  #block = new Map<string, string>();

  /** Returns the blocks completed by this chunk. */
  push(chunk: string): Progress[] {
    const text = this.#partial + chunk;
    const lines = text.split('\n');
    this.#partial = lines.pop() ?? '';
    if (this.#partial.length > 4096) this.#partial = '';
    const out: Progress[] = [];
    for (const raw of lines) {
      const line = raw.trim();
      const eq = line.indexOf('=');
      if (eq <= 0) continue;
      const key = line.slice(0, eq);
      this.#block.set(key, line.slice(eq + 1));
      if (key === 'progress') {
        out.push(progressFromBlock(this.#block));
        this.#block = new Map();
      }
    }
    return out;
  }
}
