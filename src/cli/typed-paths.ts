// File names as typed: Node decodes the arguments as UTF-8, each octet that is not turned into
// U+FFFD, so that a name typed in Latin-1 (`lat\xe9.txt`) would be opened, or written, under
// another name. Such a name is refused, naming the option, rather than read as missing or
// written elsewhere.
import { UsageError } from '../errors.js';

/**
 * Throws UsageError (64) for the first of `paths` (option, file name) that holds a U+FFFD which
 * `typed` says was no UTF-8 on the command line (a U+FFFD typed as such is a name like any other).
 */
export function assertTypedPaths(paths: readonly (readonly [string, string | undefined])[], typed: TypedArguments): void {
  const suspect = paths.find(([, path]) => path?.includes('\uFFFD') && !typed.typedAsIs(path));
  if (suspect === undefined) return;
  const [option, path] = suspect;
  // Said with the octets as typed (`lat\xe9.txt`) where they can be read back, not the U+FFFD Node put there.
  throw new UsageError({ code: 'MAILV_PATH_NOT_UTF8', option, path: typed.typedOctets?.(path!) ?? path! });
}

/** What the command line's own octets say of a text taken from it (see cli/run.ts). */
export interface TypedArguments {
  /** Whether `text` was typed as it reads (a U+FFFD in it typed as such); false where that cannot be known. */
  typedAsIs(text: string): boolean;
  /** `text` with its octets that were no UTF-8 kept, for an error line to show them; undefined when unknown. */
  typedOctets?(text: string): string | undefined;
}
