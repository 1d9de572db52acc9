// The one FFmpeg command line of both measurements, the test encode (does the encoder work?) and the speed run (how
// fast is it?): each drives an encoder through a job's own argument family and they differ only in the generated
// source, its length and what stderr reports. Pure.
import { videoEncoderArgs, type VideoEncodeSettings } from '../ffmpeg/video-encoder.js';

export interface MeasureRun {
  /** The encoder and the output a job would ask it for. */
  readonly settings: VideoEncodeSettings;
  /** Frame size of the generated source, e.g. '1920x1080'. */
  readonly sourceSize: string;
  /** Seconds of source. */
  readonly seconds: number;
  /** 'errors': stderr holds only why it failed; 'benchmark': also FFmpeg's own CPU time at the end. */
  readonly report: 'errors' | 'benchmark';
}

/** FFmpeg arguments (without the binary) that encode a generated 30 fps picture with a job's chain into nothing. */
export function measureArgs(run: MeasureRun): string[] {
  const v = videoEncoderArgs(run.settings);
  // Flags stay next to their values.
  // prettier-ignore
  return [
    // No banner, never read stdin: stderr is only what the report asks for.
    '-hide_banner', '-nostdin',
    ...(run.report === 'errors'
      // Errors only: stderr is the reason when the encode fails.
      ? ['-loglevel', 'error']
      // -benchmark prints FFmpeg's CPU time at the end (at -loglevel info; -nostats drops the progress lines): the
      // check for other programs needs it.
      : ['-loglevel', 'info', '-nostats', '-benchmark']),
    // The accelerator's device set-up, which must come before the input.
    ...v.beforeInput,
    // A picture generated in the same process: no file needed, and the decode cost of a simple source.
    '-f', 'lavfi', '-t', String(run.seconds), '-i', `testsrc2=size=${run.sourceSize}:rate=30`,
    // The job's own scaling chain and encoder flags.
    ...(v.filter === '' ? [] : ['-vf', v.filter]),
    ...v.output,
    // Video only, encoded but written nowhere.
    '-an', '-f', 'null', '-',
  ];
}
