// Test media made by FFmpeg's own sources (testsrc2 picture, sine tone), cached per run in a temp folder.
// Every generator is asynchronous: the test daemon runs in the test process, and a synchronous FFmpeg run (seconds
// on a slow machine) would freeze its server together with the client, whose next request on a kept-alive socket
// then meets the server's overdue timers (CI: POST /jobs answered by ECONNRESET).
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

/** Runs FFmpeg (or another tool) without blocking the event loop; rejects with its stderr on failure. */
export const run = promisify(execFile);

export interface MediaSpec {
  readonly seconds: number;
  readonly width?: number;
  readonly height?: number;
  /** e.g. 30, '24000/1001' */
  readonly rate?: number | string;
  readonly audio?: boolean;
  /** Audio length when it differs from the video's (a film whose sound runs on past its last picture). */
  readonly audioSeconds?: number;
  readonly container?: 'mp4' | 'mkv' | 'ts';
}

const cacheDir = mkdtempSync(path.join(tmpdir(), 'tw-media-'));
// One generation per file, however many tests ask for it at once.
const making = new Map<string, Promise<string>>();

/** Makes `file` once with `make` (which writes `tmp`, renamed into place when whole). */
function once(file: string, make: () => Promise<unknown>): Promise<string> {
  if (existsSync(file)) return Promise.resolve(file);
  let pending = making.get(file);
  if (pending === undefined) {
    pending = make().then(() => file);
    making.set(file, pending);
  }
  return pending;
}

/** Generates (once per spec) a clip and returns its absolute path. */
export function makeMedia(spec: MediaSpec): Promise<string> {
  const { seconds, width = 640, height = 360, rate = 30, audio = true, container = 'mp4' } = spec;
  const audioSeconds = spec.audioSeconds ?? seconds;
  const sound = audio ? (audioSeconds === seconds ? 'a' : `a${audioSeconds}s`) : 'na';
  const name = `src-${seconds}s-${width}x${height}-${String(rate).replace('/', '_')}-${sound}.${container}`;
  const file = path.join(cacheDir, name);
  const tmp = `${file}.part.${container}`;
  return once(file, async () => {
    // prettier-ignore
    await run(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=${rate}:duration=${seconds}`,
      ...(audio ? ['-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${audioSeconds}`] : []),
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      ...(audio ? ['-c:a', 'aac', '-b:a', '96k'] : []),
      tmp,
    ],
  );
    renameSync(tmp, file);
  });
}

/** A fresh media folder (the worker's nas_mount_path) for one test. */
export function makeMountDir(): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'tw-mount-'));
  mkdirSync(dir, { recursive: true });
  return dir;
}

/**
 * H.264 in MPEG-TS (Annex B, as the worker's output is) with keyframes only at `keyframes` (seconds): a source whose
 * copy is cut at irregular points.
 */
export async function makeIrregularKeyframes(
  dir: string,
  keyframes: readonly number[],
  { size = '320x180', seconds = 12, profile = 'high' } = {},
): Promise<string> {
  const file = path.join(dir, 'irregular.ts');
  // prettier-ignore
  await run('ffmpeg', [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25:duration=${seconds}`,
    '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
    // No keyframe but the forced ones.
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', profile,
    '-force_key_frames', keyframes.join(','), '-g', '1000', '-sc_threshold', '0',
    '-c:a', 'aac', file,
  ]);
  return file;
}

/** A cue of the subtitled source: shown [start, end), its text naming the track's language and its start. */
export interface SourceCue {
  readonly start: number;
  readonly end: number;
  readonly text: string;
}

/**
 * The subtitled source's cues for a language: one every 2 s from 1 s on, 1.5 s long ("eng 5.000" from 5.0 to
 * 6.5 s), so with 2 s or 4 s segments some span a segment boundary; the last ends at least 0.5 s before the film.
 */
export function sourceCues(seconds: number, lang: string): SourceCue[] {
  const cues: SourceCue[] = [];
  for (let start = 1; start + 1.5 <= seconds - 0.5; start += 2)
    cues.push({ start, end: start + 1.5, text: `${lang} ${start.toFixed(3)}` });
  return cues;
}

function srtTime(seconds: number, separator: string): string {
  const ms = Math.round(seconds * 1000);
  const two = (n: number): string => String(n).padStart(2, '0');
  const clock = `${two(Math.floor(ms / 3600_000))}:${two(Math.floor(ms / 60_000) % 60)}:${two(Math.floor(ms / 1000) % 60)}`;
  return `${clock}${separator}${String(ms % 1000).padStart(3, '0')}`;
}

function writeSrt(file: string, cues: readonly SourceCue[]): void {
  const blocks = cues.map(
    (c, i) => `${i + 1}\n${srtTime(c.start, ',')} --> ${srtTime(c.end, ',')}\n${c.text}\n`,
  );
  writeFileSync(file, blocks.join('\n'));
}

function writeAss(file: string, cues: readonly SourceCue[], width: number, height: number): void {
  // ASS times are h:mm:ss.cc (centiseconds).
  const assTime = (s: number): string => srtTime(s, '.').slice(1, -1);
  const lines = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    'Style: Default,Arial,20,&H00FFFFFF,&H000000FF,&H00000000,&H00000000,0,0,0,0,100,100,0,0,1,1,0,2,10,10,10,1',
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...cues.map((c) => `Dialogue: 0,${assTime(c.start)},${assTime(c.end)},Default,,0,0,0,,${c.text}`),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
}

/** Where the subtitled source's marker square sits: white while a cue is shown, black otherwise. */
export const CUE_MARKER = { x: 8, y: 8, size: 48 } as const;

/**
 * The source: H.264 in MKV with two audio languages (eng 440 Hz, fra 880 Hz), an SRT track (eng, "English",
 * default) and an ASS track (fra, "Français", forced) carrying sourceCues(). A square in the top-left corner is white
 * exactly while a cue is shown, so a player's test can compare the cue it shows with the picture. Cached per size.
 */
export function makeSubtitledMedia(spec: {
  seconds: number;
  width?: number;
  height?: number;
}): Promise<string> {
  const { seconds, width = 640, height = 360 } = spec;
  const file = path.join(cacheDir, `subs-${seconds}s-${width}x${height}.mkv`);
  return once(file, async () => {
    const cues = (lang: string): SourceCue[] => sourceCues(seconds, lang);
    const srt = path.join(cacheDir, `subs-${seconds}s-eng.srt`);
    const ass = path.join(cacheDir, `subs-${seconds}s-${width}x${height}-fra.ass`);
    writeSrt(srt, cues('eng'));
    writeAss(ass, cues('fra'), width, height);
    const last = cues('eng').at(-1)?.end ?? 0;
    const { x, y, size } = CUE_MARKER;
    // Cue k is shown [1 + 2k, 2.5 + 2k): from 1 s on, while (t - 1) mod 2 < 1.5.
    const shown = `gte(t,1)*lt(t,${last})*lt(mod(t-1,2),1.5)`;
    const tmp = `${file}.part.mkv`;
    // prettier-ignore
    await run(
    'ffmpeg',
    [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`,
      '-f', 'lavfi', '-i', `sine=frequency=880:sample_rate=48000:duration=${seconds}`,
      '-i', srt, '-i', ass,
      '-vf', `drawbox=x=${x}:y=${y}:w=${size}:h=${size}:color=black:t=fill,` +
        `drawbox=x=${x}:y=${y}:w=${size}:h=${size}:color=white:t=fill:enable='${shown}'`,
      '-map', '0:v', '-map', '1:a', '-map', '2:a', '-map', '3:s', '-map', '4:s',
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      '-c:a', 'aac', '-b:a', '96k', '-c:s:0', 'srt', '-c:s:1', 'ass',
      '-metadata:s:a:0', 'language=eng', '-metadata:s:a:1', 'language=fra',
      '-metadata:s:s:0', 'language=eng', '-metadata:s:s:0', 'title=English',
      '-metadata:s:s:1', 'language=fra', '-metadata:s:s:1', 'title=Français',
      '-disposition:a:0', 'default', '-disposition:a:1', '0',
      '-disposition:s:0', 'default', '-disposition:s:1', 'forced',
      tmp,
    ],
  );
    renameSync(tmp, file);
  });
}

/** The dynamic range of a generated HDR clip: HDR10 (PQ, with mastering display and content light metadata) or HLG. */
export type HdrKind = 'pq' | 'hlg';

/** The mastering display and content light level written into every generated HDR10 clip (x265's syntax). */
export const HDR10_MASTER_DISPLAY = 'G(13250,34500)B(7500,3000)R(34000,16000)WP(15635,16450)L(10000000,1)';
export const HDR10_MAX_CLL = '1000,400';

/**
 * HEVC Main 10 HDR: the top three quarters are testsrc2 (SDR colours placed at 100 cd/m², the usual diffuse white),
 * the bottom quarter a grey ramp whose signal climbs from black to about 1000 cd/m² (PQ 0.752; HLG 1.0), so a tone
 * mapper has highlights to compress and a test can see whether it clips them. Colour tags in the container and the
 * HEVC VUI; HDR10 also carries master-display and max-cll SEI. Cached per spec; 640x360 by default, any size allowed.
 */
export function makeHdrMedia(spec: {
  kind: HdrKind;
  seconds?: number;
  width?: number;
  height?: number;
  container?: 'mkv' | 'mp4';
}): Promise<string> {
  const { kind, seconds = 2, width = 640, height = 360, container = 'mkv' } = spec;
  const file = path.join(cacheDir, `hdr-${kind}-${seconds}s-${width}x${height}.${container}`);
  const top = Math.round((height * 3) / 4 / 2) * 2;
  const transfer = kind === 'pq' ? 'smpte2084' : 'arib-std-b67';
  // 10-bit limited range: black 64, nominal peak 940; the ramp's top signal as a fraction of that span.
  const peakSignal = kind === 'pq' ? 0.7518 : 1;
  const x265 = [
    'log-level=error',
    'repeat-headers=1',
    'colorprim=bt2020',
    `transfer=${transfer}`,
    'colormatrix=bt2020nc',
    ...(kind === 'pq'
      ? ['hdr10=1', `master-display=${HDR10_MASTER_DISPLAY}`, `max-cll=${HDR10_MAX_CLL}`]
      : []),
  ].join(':');
  const tmp = `${file}.part.${container}`;
  return once(file, async () => {
    // prettier-ignore
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${width}x${top}:rate=25:duration=${seconds}`,
      '-f', 'lavfi', '-i',
      `color=c=black:size=${width}x${height - top}:rate=25:duration=${seconds},format=yuv420p10le,` +
        `geq=lum='64+X/W*876*${peakSignal}':cb=512:cr=512`,
      '-filter_complex',
      `[0:v]zscale=transferin=bt709:primariesin=bt709:matrixin=bt709:rangein=tv:` +
        `transfer=${transfer}:primaries=bt2020:matrix=bt2020nc:range=tv:npl=100,format=yuv420p10le[pattern];` +
        `[pattern][1:v]vstack,setparams=color_primaries=bt2020:color_trc=${transfer}:colorspace=bt2020nc:range=tv[v]`,
      '-map', '[v]',
      '-c:v', 'libx265', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p10le', '-x265-params', x265,
      '-color_primaries', 'bt2020', '-color_trc', transfer, '-colorspace', 'bt2020nc', '-color_range', 'tv',
      tmp,
    ]);
    renameSync(tmp, file);
  });
}

/**
 * Interlaced H.264 (testsrc2 at twice the frame rate woven into fields by `interlace`, so every moving edge combs).
 * tagged: coded as fields (+ilme+ildct) with the container's field order set (MKV "tt"/"bb"); untagged: the same
 * woven frames coded as progressive, which ffprobe then reports as "progressive": only idet can tell. 720x576 25i by
 * default (1920x1080 works, slower).
 */
export function makeInterlacedMedia(spec: {
  order: 'tff' | 'bff';
  tagged: boolean;
  seconds?: number;
  width?: number;
  height?: number;
}): Promise<string> {
  const { order, tagged, seconds = 2, width = 720, height = 576 } = spec;
  const file = path.join(
    cacheDir,
    `interlaced-${order}-${tagged ? 'tagged' : 'untagged'}-${seconds}s-${width}x${height}.mkv`,
  );
  const tmp = `${file}.part.mkv`;
  return once(file, async () => {
    // prettier-ignore
    await run('ffmpeg', [
      '-hide_banner', '-loglevel', 'error', '-y',
      '-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=50:duration=${seconds}`,
      // setfield=prog on the untagged one: otherwise FFmpeg 5.1 tags the woven frames "tb"/"bt" by itself.
      '-vf', `interlace=scan=${order}${tagged ? '' : ',setfield=prog'}`,
      '-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p',
      ...(tagged
        ? ['-flags', '+ilme+ildct', '-field_order', order === 'tff' ? 'tt' : 'bb',
            ...(order === 'bff' ? ['-x264-params', 'bff=1'] : [])]
        : []),
      tmp,
    ]);
    renameSync(tmp, file);
  });
}

/** Text subtitle files and tracks carrying sourceCues(seconds, 'eng'), in every text format the worker reads. */
export interface TextSubtitles {
  readonly srt: string;
  /** Styled: DejaVu Sans, bold, yellow with a thick outline, top-centred, one word in italics. */
  readonly ass: string;
  readonly vtt: string;
  /** testsrc2 H.264 with a mov_text track (MP4's own text subtitles). */
  readonly movTextMp4: string;
  /** testsrc2 H.264 in MKV with three text tracks: SRT, ASS and WebVTT, in that order. */
  readonly mkv: string;
}

function writeStyledAss(file: string, cues: readonly SourceCue[], width: number, height: number): void {
  const assTime = (s: number): string => srtTime(s, '.').slice(1, -1);
  const lines = [
    '[Script Info]',
    'ScriptType: v4.00+',
    `PlayResX: ${width}`,
    `PlayResY: ${height}`,
    '',
    '[V4+ Styles]',
    'Format: Name, Fontname, Fontsize, PrimaryColour, SecondaryColour, OutlineColour, BackColour, Bold, Italic, Underline, StrikeOut, ScaleX, ScaleY, Spacing, Angle, BorderStyle, Outline, Shadow, Alignment, MarginL, MarginR, MarginV, Encoding',
    // &H00BBGGRR: yellow text, black outline; Alignment 8 = top centre.
    `Style: Sign,DejaVu Sans,${Math.round(height / 8)},&H0000FFFF,&H000000FF,&H00000000,&H80000000,-1,0,0,0,100,100,0,0,1,3,1,8,10,10,20,1`,
    '',
    '[Events]',
    'Format: Layer, Start, End, Style, Name, MarginL, MarginR, MarginV, Effect, Text',
    ...cues.map(
      (c) => `Dialogue: 0,${assTime(c.start)},${assTime(c.end)},Sign,,0,0,0,,{\\i1}${c.text}{\\i0}`,
    ),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
}

function writeVtt(file: string, cues: readonly SourceCue[]): void {
  const blocks = cues.map((c) => `${srtTime(c.start, '.')} --> ${srtTime(c.end, '.')}\n${c.text}\n`);
  writeFileSync(file, `WEBVTT\n\n${blocks.join('\n')}`);
}

/** Writes (once per spec) the sidecar files and the MP4/MKV carrying them; 640x360 testsrc2, 30 fps, no audio. */
export async function makeTextSubtitles(spec: {
  seconds: number;
  width?: number;
  height?: number;
}): Promise<TextSubtitles> {
  const { seconds, width = 640, height = 360 } = spec;
  const base = path.join(cacheDir, `text-subs-${seconds}s-${width}x${height}`);
  const files: TextSubtitles = {
    srt: `${base}.srt`,
    ass: `${base}.ass`,
    vtt: `${base}.vtt`,
    movTextMp4: `${base}-mov_text.mp4`,
    mkv: `${base}.mkv`,
  };
  const cues = sourceCues(seconds, 'eng');
  // Written once: a rewrite could truncate a file an FFmpeg of another test is reading.
  if (!existsSync(files.srt)) writeSrt(files.srt, cues);
  if (!existsSync(files.ass)) writeStyledAss(files.ass, cues, width, height);
  if (!existsSync(files.vtt)) writeVtt(files.vtt, cues);
  const picture = ['-f', 'lavfi', '-i', `testsrc2=size=${width}x${height}:rate=30:duration=${seconds}`];
  const h264 = ['-c:v', 'libx264', '-preset', 'ultrafast', '-pix_fmt', 'yuv420p'];
  await Promise.all([
    once(files.movTextMp4, async () => {
      const tmp = `${files.movTextMp4}.part.mp4`;
      // prettier-ignore
      await run('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-y', ...picture, '-i', files.srt,
        '-map', '0:v', '-map', '1:s', ...h264, '-c:s', 'mov_text', '-metadata:s:s:0', 'language=eng', tmp,
      ]);
      renameSync(tmp, files.movTextMp4);
    }),
    once(files.mkv, async () => {
      const tmp = `${files.mkv}.part.mkv`;
      // prettier-ignore
      await run('ffmpeg', [
        '-hide_banner', '-loglevel', 'error', '-y', ...picture,
        '-i', files.srt, '-i', files.ass, '-i', files.vtt,
        '-map', '0:v', '-map', '1:s', '-map', '2:s', '-map', '3:s', ...h264,
        '-c:s:0', 'srt', '-c:s:1', 'ass', '-c:s:2', 'webvtt', tmp,
      ]);
      renameSync(tmp, files.mkv);
    }),
  ]);
  return files;
}
