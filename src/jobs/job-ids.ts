// Job ids as stream folder names: on a file system that folds case, two ids that differ only in case share one.
/** Whether the platform's usual file systems take names that differ only in case as one (APFS, NTFS): macOS, Windows. */
export function caseInsensitiveNames(platform: NodeJS.Platform): boolean {
  return platform === 'darwin' || platform === 'win32';
}

/**
 * The job among `holders` (jobs whose stream folder is on disk) whose folder `id` would share on this platform,
 * because their ids differ only in case (Film-1, film-1); null when there is none. Ids are ASCII (JOB_ID_PATTERN), so
 * lower case folds them as those file systems do.
 */
export function folderSharedWith(
  id: string,
  holders: readonly string[],
  platform: NodeJS.Platform,
): string | null {
  if (!caseInsensitiveNames(platform)) return null;
  const folded = id.toLowerCase();
  return holders.find((h) => h !== id && h.toLowerCase() === folded) ?? null;
}
