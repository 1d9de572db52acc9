// Pure static-file semantics (RFC 9110): which answer a GET/HEAD gets from Range and If-None-Match, and the ETag
// of a file version. No I/O: the HTTP layer passes header values and file facts.

/** What identifies one version of a file on disk: a reused path (job id after a restart) has a new inode or mtime. */
export interface FileIdentity {
  readonly ino: number;
  readonly size: number;
  readonly mtimeMs: number;
}

/** Strong ETag of a file version: inode, size and mtime in µs (hex). `variant` tags a derived body (playlist + ENDLIST). */
export function fileEtag(id: FileIdentity, variant = ''): string {
  const us = Math.round(id.mtimeMs * 1000);
  return `"${id.ino.toString(16)}-${id.size.toString(16)}-${us.toString(16)}${variant}"`;
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

export type RangeResult = { readonly start: number; readonly end: number } | 'unsatisfiable' | null;

/**
 * Parses a Range header against a size. null means "ignore it, send the whole file": absent, another unit, several
 * ranges, or syntactically invalid (`bytes=5-3`, `bytes=-`), as RFC 9110 §14.2 allows. 'unsatisfiable' (→ 416) is a
 * valid single range that selects nothing: first byte at or past the end, or `bytes=-0`.
 */
export function parseRange(header: string | undefined, size: number): RangeResult {
  if (header === undefined) return null;
  const m = /^bytes=(\d*)-(\d*)$/i.exec(header.trim());
  if (m === null) return null;
  const [, a = '', b = ''] = m;
  if (a === '' && b === '') return null;
  if (a === '') {
    const suffix = Number(b);
    if (suffix === 0 || size === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(a);
  if (b !== '' && Number(b) < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: b === '' ? size - 1 : Math.min(Number(b), size - 1) };
}

// An entity-tag: optional W/ then a quoted opaque string (which may itself contain commas).
const ENTITY_TAG = /(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"/g;

/** If-None-Match against the current ETag: `*`, or any tag of the list equal under weak comparison (W/ ignored). */
export function noneMatchHits(header: string | undefined, etag: string): boolean {
  if (header === undefined) return false;
  const trimmed = header.trim();
  if (trimmed === '*') return true;
  const opaque = etag.startsWith('W/') ? etag.slice(2) : etag;
  for (const m of trimmed.matchAll(ENTITY_TAG)) {
    if (`"${m[2] ?? ''}"` === opaque) return true;
  }
  return false;
}

export type Answer =
  | { readonly status: 304 }
  | { readonly status: 416 }
  | { readonly status: 200 | 206; readonly start: number; readonly end: number };

/** The answer to a GET or HEAD of a file of `size` bytes with this ETag. 304 is decided before Range (RFC 9110 §13.2.2). */
export function chooseAnswer(
  headers: { readonly range?: string | undefined; readonly 'if-none-match'?: string | undefined },
  size: number,
  etag: string,
): Answer {
  if (noneMatchHits(headers['if-none-match'], etag)) return { status: 304 };
  const range = parseRange(headers.range, size);
  if (range === 'unsatisfiable') return { status: 416 };
  if (range === null) return { status: 200, start: 0, end: size - 1 };
  return { status: 206, start: range.start, end: range.end };
}
