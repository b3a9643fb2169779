// How words quote what they name, in every language: text that came from elsewhere (a SASL step,
// a value typed), and a character by its code point. The text is quoted as it is: every line a
// user sees goes through sanitize() (text/sanitize.ts), which escapes its controls once, by the
// transcript's rule; escaped here as well, they would be escaped twice (`\\u001b` for an ESC).

/** Text between double quotes for the teaching notes, a NUL as \0 (SASL PLAIN's separator). */
export function quoteOctets(text: string): string {
  return `"${text.replaceAll('\0', '\\0')}"`;
}

/** A value between double quotes, its own double quotes as \" and a tab as \t (sanitize() leaves a tab as it is). */
export function quoted(text: string): string {
  return `"${text.replace(/["\t]/g, (char) => (char === '"' ? '\\"' : '\\t'))}"`;
}

/** The same in French guillemets, as French quotes elsewhere (« cible »): `« my work »`; a double quote needs no escape there. */
export function guillemets(text: string): string {
  return `« ${text.replaceAll('\t', '\\t')} »`;
}

/** A character by its code point, as Unicode names it: `U+001B`. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
