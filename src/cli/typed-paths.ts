// File names as typed: Node decodes the arguments as UTF-8, each octet that is not turned into
// U+FFFD, so that a name typed in Latin-1 (`lat\xe9.txt`) would be opened, or written, under
// another name. Such a name is refused, naming the option, rather than read as missing or
// written elsewhere.
import { UsageError } from '../errors.js';

/**
 * Throws UsageError (64) for the first of `paths` (option, file name) that holds a U+FFFD which
 * `typedAsIs` says was no UTF-8 on the command line (a U+FFFD typed as such is a name like any other).
 */
export function assertTypedPaths(
  paths: readonly (readonly [string, string | undefined])[],
  typedAsIs: (text: string) => boolean,
  typedOctets?: (text: string) => string | undefined,
): void {
  const suspect = paths.find(([, path]) => path?.includes('\uFFFD') && !typedAsIs(path));
  if (suspect === undefined) return;
  const [option, path] = suspect;
  // Said with the octets as typed (`lat\xe9.txt`) where they can be read back, not the U+FFFD Node put there.
  throw new UsageError({ code: 'MAILV_PATH_NOT_UTF8', option, path: typedOctets?.(path!) ?? path! });
}
