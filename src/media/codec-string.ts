// Pure: the RFC 6381 codec strings a master playlist's CODECS attribute lists, read from what was really encoded:
// the SPS of an MPEG-TS segment or the avcC/hvcC/av1C box of an fMP4 init segment. Whatever the encoder (x264,
// a GPU, a copied source) chose for profile and level, the string says it.

/** avc1.PPCCLL: profile_idc, constraint flags, level_idc, in hex. */
function avc(profile: number, constraints: number, level: number): string {
  return `avc1.${[profile, constraints, level].map((b) => b.toString(16).padStart(2, '0')).join('')}`;
}

function reverseBits32(n: number): number {
  let out = 0;
  for (let i = 0; i < 32; i++) out = (out << 1) | ((n >>> i) & 1);
  return out >>> 0;
}

/**
 * hvc1.{space}{profile}.{compatibility, bit-reversed hex}.{tier}{level}.{constraint bytes, trailing zeros dropped}
 * (ISO/IEC 14496-15 annex E) from the 12 bytes of profile_tier_level that start at `ptl`.
 */
function hevc(ptl: Uint8Array): string | null {
  if (ptl.length < 12) return null;
  const first = ptl[0] ?? 0;
  const space = ['', 'A', 'B', 'C'][first >> 6] ?? '';
  const tier = (first & 0x20) !== 0 ? 'H' : 'L';
  const profile = first & 0x1f;
  const compat = reverseBits32(
    ((ptl[1] ?? 0) << 24) | ((ptl[2] ?? 0) << 16) | ((ptl[3] ?? 0) << 8) | (ptl[4] ?? 0),
  );
  const constraints = [...ptl.subarray(5, 11)];
  while (constraints.length > 0 && constraints[constraints.length - 1] === 0) constraints.pop();
  const level = ptl[11] ?? 0;
  return [
    'hvc1',
    `${space}${profile}`,
    compat.toString(16),
    `${tier}${level}`,
    ...constraints.map((b) => b.toString(16).padStart(2, '0')),
  ].join('.');
}

/** av01.P.LLT.DD from an av1C box's first bytes (AV1 codec ISO media file format binding, "codecs" parameter). */
function av1(box: Uint8Array): string | null {
  if (box.length < 3) return null;
  const b1 = box[1] ?? 0;
  const b2 = box[2] ?? 0;
  const profile = b1 >> 5;
  const level = b1 & 0x1f;
  const tier = (b2 & 0x80) !== 0 ? 'H' : 'M';
  const depth = (b2 & 0x40) === 0 ? 8 : (b2 & 0x20) !== 0 ? 12 : 10;
  return `av01.${profile}.${String(level).padStart(2, '0')}${tier}.${String(depth).padStart(2, '0')}`;
}

/** Bytes of a NAL unit without its emulation-prevention bytes (00 00 03 → 00 00), up to `max` bytes. */
function unescape(data: Uint8Array, from: number, max: number): Uint8Array {
  const out: number[] = [];
  let zeros = 0;
  for (let i = from; i < data.length && out.length < max; i++) {
    const b = data[i] ?? 0;
    if (zeros >= 2 && b === 3) {
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out.push(b);
  }
  return Uint8Array.from(out);
}

/** Offsets just after each Annex B start code (00 00 01). */
function* nalStarts(data: Uint8Array): Generator<number> {
  for (let i = 0; i + 3 < data.length; i++)
    if (data[i] === 0 && data[i + 1] === 0 && data[i + 2] === 1) yield i + 3;
}

/**
 * The video codec string of an MPEG-TS segment, from its first SPS (TS packets are 188 bytes with a 4-byte header:
 * an SPS is tiny and sits at the start of a keyframe's PES, so it is read whole in practice).
 */
export function codecFromAnnexB(data: Uint8Array): string | null {
  for (const at of nalStarts(data)) {
    const header = data[at] ?? 0;
    if ((header & 0x1f) === 7 && (header & 0x80) === 0) {
      const sps = unescape(data, at + 1, 3);
      if (sps.length === 3) return avc(sps[0] ?? 0, sps[1] ?? 0, sps[2] ?? 0);
    }
    // HEVC NAL header: forbidden bit, 6-bit type (33 = SPS), then a second byte; then one byte before the PTL.
    if (header >> 1 === 33) {
      const body = unescape(data, at + 2, 13);
      return hevc(body.subarray(1));
    }
  }
  return null;
}

function findBox(data: Uint8Array, type: string): number | null {
  const code = Array.from(Buffer.from(type, 'latin1'));
  for (let i = 4; i + 4 <= data.length; i++) if (code.every((c, k) => data[i + k] === c)) return i + 4;
  return null;
}

/** The video codec string of an fMP4 init segment, from its sample entry's configuration box. */
export function codecFromInit(data: Uint8Array): string | null {
  const avcC = findBox(data, 'avcC');
  if (avcC !== null && avcC + 4 <= data.length)
    return avc(data[avcC + 1] ?? 0, data[avcC + 2] ?? 0, data[avcC + 3] ?? 0);
  const hvcC = findBox(data, 'hvcC');
  if (hvcC !== null) return hevc(data.subarray(hvcC + 1, hvcC + 13));
  const av1C = findBox(data, 'av1C');
  if (av1C !== null) return av1(data.subarray(av1C, av1C + 4));
  return null;
}

/** The audio codec string for what the variant carries: AAC-LC when encoded, the source's codec when copied. */
export function audioCodecString(codec: string, profile = ''): string | null {
  switch (codec) {
    case 'aac':
      return profile === 'HE-AACv2' ? 'mp4a.40.29' : profile === 'HE-AAC' ? 'mp4a.40.5' : 'mp4a.40.2';
    case 'ac3':
      return 'ac-3';
    case 'eac3':
      return 'ec-3';
    case 'mp3':
      return 'mp4a.40.34';
    default:
      return null;
  }
}
