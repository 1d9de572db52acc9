// Pure parsers of small sysfs files: cpufreq (kHz), PCI vendor ids, V4L2 device names.

/** Parses cpufreq's scaling_cur_freq / cpuinfo_max_freq (kHz) into MHz; null when not a positive number. */
export function parseCpufreqKhz(text: string): number | null {
  const t = text.trim();
  if (!/^\d+$/.test(t)) return null;
  const khz = Number(t);
  return khz > 0 ? Math.round(khz / 1000) : null;
}

export type GpuVendor = 'intel' | 'amd' | 'nvidia';

const PCI_VENDORS: Readonly<Record<string, GpuVendor>> = {
  '0x8086': 'intel',
  '0x1002': 'amd',
  '0x10de': 'nvidia',
};

/** Parses a PCI `vendor` file ("0x8086\n"): a GpuVendor name, the raw id for other vendors, null when unreadable. */
export function parsePciVendor(text: string): string | null {
  const id = text.trim().toLowerCase();
  if (!/^0x[0-9a-f]{4}$/.test(id)) return null;
  return PCI_VENDORS[id] ?? id;
}

/**
 * True when a /sys/class/video4linux/videoN/name names a video encoder: bcm2835-codec-encode (Raspberry Pi),
 * coda-encoder (i.MX6), mtk-vcodec-enc, s5p-mfc-enc. JPEG/image encoders and decoders are not.
 */
export function isV4l2VideoEncoderName(name: string): boolean {
  const n = name.trim().toLowerCase();
  // "codec" contains "dec": only a "dec" that starts a word, or "decod", means a decoder.
  return /enc/.test(n) && !/(?<![a-z])dec|decod|jpe?g|image/.test(n);
}
