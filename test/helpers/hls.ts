// Reads an HLS stream over HTTP the way a player does.
import { writeFileSync } from 'node:fs';
import path from 'node:path';

export interface MediaPlaylist {
  readonly segments: { readonly uri: string; readonly duration: number }[];
  readonly ended: boolean;
  readonly targetDuration: number;
  readonly text: string;
}

/** Parses the subset of an HLS media playlist we check. */
export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split('\n').map((l) => l.trim());
  const segments: { uri: string; duration: number }[] = [];
  let pending: number | null = null;
  for (const line of lines) {
    if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice(8));
    else if (line !== '' && !line.startsWith('#') && pending !== null) {
      segments.push({ uri: line, duration: pending });
      pending = null;
    }
  }
  const td = /#EXT-X-TARGETDURATION:(\d+)/.exec(text);
  return { segments, ended: text.includes('#EXT-X-ENDLIST'), targetDuration: Number(td?.[1] ?? NaN), text };
}

/** Fetches a URL and returns its body, failing on a non-2xx status. */
export async function fetchBytes(url: string): Promise<Buffer> {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${await res.text()}`);
  return Buffer.from(await res.arrayBuffer());
}

/**
 * Downloads every segment of a finished playlist into `dir`; returns the local files in order. With an fMP4 init
 * segment (#EXT-X-MAP), each file is the init followed by the segment, which ffprobe reads on its own.
 */
export async function downloadStream(
  playlistUrl: string,
  dir: string,
): Promise<{ playlist: MediaPlaylist; files: string[]; init: Buffer | null }> {
  const playlist = parseMediaPlaylist((await fetchBytes(playlistUrl)).toString('utf8'));
  const map = /#EXT-X-MAP:URI="([^"]+)"/.exec(playlist.text)?.[1];
  const init = map === undefined ? null : await fetchBytes(new URL(map, playlistUrl).toString());
  const files: string[] = [];
  for (const s of playlist.segments) {
    const body = await fetchBytes(new URL(s.uri, playlistUrl).toString());
    const file = path.join(dir, init === null ? path.basename(s.uri) : `${path.basename(s.uri)}.mp4`);
    writeFileSync(file, init === null ? body : Buffer.concat([init, body]));
    files.push(file);
  }
  return { playlist, files, init };
}
