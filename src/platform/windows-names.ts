// What makes a relative path unsafe or ambiguous under Windows naming rules. Pure.
// Sources: Microsoft's "Naming Files, Paths, and Namespaces" (reserved device names, reserved characters, trailing
// dots and spaces, the \\?\ and \\.\ prefixes, drive-relative paths) and "File Streams" (name:stream:$DATA).

/** Device names Windows opens as devices in any folder, with any extension (NUL.txt is NUL). */
const DEVICE = /^(?:CON|PRN|AUX|NUL|COM[0-9¹²³]|LPT[0-9¹²³]|CONIN\$|CONOUT\$|CLOCK\$)$/i;

/** Characters no Windows file name may hold: <>"|?* and the control characters 1..31 (NUL is checked before). */
// eslint-disable-next-line no-control-regex
const RESERVED_CHAR = /[<>"|?*\u0001-\u001f]/;

/** Why `input` (relative to the mount) is not a plain Windows path, or null when it is one. */
export function windowsPathProblem(input: string): string | null {
  if (/^[\\/]{2}[?.][\\/]/.test(input)) return 'must not use the \\\\?\\ or \\\\.\\ device namespace';
  if (/^[A-Za-z]:/.test(input))
    return 'must be relative to nas_mount_path, not on a drive (C:film.mkv, C:\\x)';
  return null;
}

/** Why one component of a relative path is refused on Windows, or null. "." and ".." are left to the resolver. */
export function windowsComponentProblem(component: string): string | null {
  if (component === '' || component === '.' || component === '..') return null;
  // After the drive check, a colon can only name an alternate data stream (film.mkv:evil, film.mkv::$DATA).
  if (component.includes(':')) return 'must not name an alternate data stream (":")';
  if (RESERVED_CHAR.test(component))
    return 'contains a character Windows reserves (<>"|?* or a control character)';
  // Windows drops trailing dots and spaces: "film.mkv." would open "film.mkv", "...." the folder itself.
  if (/[. ]$/.test(component)) return 'a name must not end with a dot or a space';
  const stem = component.split('.')[0]?.trimEnd() ?? '';
  if (DEVICE.test(stem)) return `names a Windows device (${stem})`;
  return null;
}
