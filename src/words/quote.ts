// How words quote what they name, in every language: text that came from elsewhere (a SASL step,
// a value typed), readable on one line, and a character by its code point.

/** Text between double quotes for the teaching notes: NUL as \0, other controls as \xNN. */
export function quoteOctets(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\x00-\x1f\x7f"\\]/g, (char) => (char === '\0' ? '\\0' : char === '"' || char === '\\' ? `\\${char}` : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`))}"`;
}

/** A value quoted as JSON writes a string: its quotes escaped, its controls as escapes. */
export function quoted(text: string): string {
  return JSON.stringify(text);
}

/**
 * The same in French guillemets, as French quotes elsewhere (« cible »): `« my work »`. Controls
 * and backslashes escaped as JSON escapes them; a double quote needs no escape between guillemets.
 */
export function guillemets(text: string): string {
  return `« ${JSON.stringify(text).slice(1, -1).replace(/\\"/g, '"')} »`;
}

/** A character by its code point, as Unicode names it: `U+001B`. */
export function codePointName(codePoint: number): string {
  return `U+${codePoint.toString(16).toUpperCase().padStart(4, '0')}`;
}
