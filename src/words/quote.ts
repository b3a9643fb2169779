// How words quote what they name, in every language: text that came from elsewhere (a SASL step,
// a value typed), and a character by its code point. The text is quoted as it is: every line a
// user sees goes through sanitize() (text/sanitize.ts), which escapes its controls once, by the
// transcript's rule; escaped here as well, they would be escaped twice (`\\u001b` for an ESC).

/** Text between double quotes for the teaching notes, as quoted() quotes it, and a NUL as \0 (SASL PLAIN's separator). */
export function quoteOctets(text: string): string {
  return quoted(text.replace(/\\(?=0)/g, '\\\\').replaceAll('\0', '\\0'));
}

/**
 * A value between double quotes, so that it reads one way: its own double quotes as \", a tab as
 * \t (sanitize() leaves a tab as it is), and a backslash before a double quote or at its end
 * doubled (sanitize() doubles those before an escape, an x or a u).
 */
export function quoted(text: string): string {
  return `"${text.replace(/\\(?=["\t]|$)/g, '\\\\').replace(/["\t]/g, (char) => (char === '"' ? '\\"' : '\\t'))}"`;
}

/** The same in French guillemets, as French quotes elsewhere (« cible »): `« my work »`; a double quote needs no escape there. */
export function guillemets(text: string): string {
  return `« ${text.replaceAll('\t', '\\t')} »`;
}

/** The same with a NUL as \0, as quoteOctets() writes it: a SASL step, in French. */
export function guillemetsOctets(text: string): string {
  return guillemets(text.replace(/\\(?=0)/g, '\\\\').replaceAll('\0', '\\0'));
}

/** A character by its code point, as Unicode names it: `U+001B`. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}

/** The first `limit` characters of a value quoted back from a file, and … if it goes on: a value of a megabyte makes no line. */
export function clipped(text: string, limit = 60): string {
  return text.length > limit ? `${text.slice(0, limit)}…` : text;
}
