// Pure: FFmpeg's stderr lines made readable for a job's error or an encoder's reason.

/** "[h264_nvenc @ 0x5615a82c23c0] Cannot load libcuda.so.1" → "h264_nvenc: Cannot load libcuda.so.1". */
export function cleanLine(line: string): string {
  return line.replace(/^\[([^\]@]+?) @ 0x[0-9a-f]+\]\s*/, '$1: ').trim();
}
