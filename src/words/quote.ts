// How words quote text that came from elsewhere (a SASL step, a server): readable, on one line.

/** Text between double quotes for the teaching notes: NUL as \0, other controls as \xNN. */
export function quoteOctets(text: string): string {
  // eslint-disable-next-line no-control-regex
  return `"${text.replace(/[\x00-\x1f\x7f"\\]/g, (char) => (char === '\0' ? '\\0' : char === '"' || char === '\\' ? `\\${char}` : `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`))}"`;
}
