// SASLprep (RFC 4013), the mappings that matter for passwords and user names: non-ASCII spaces
// become SPACE, characters "commonly mapped to nothing" go, then NFKC. ASCII strings, the usual
// case, come back unchanged. Prohibited-output and bidirectional checks are left to the server.
const NON_ASCII_SPACE = /[\u00A0\u1680\u2000-\u200B\u202F\u205F\u3000]/g;
// biome-ignore lint/suspicious/noMisleadingCharacterClass: RFC 3454 table B.1 lists these code points one by one, joiners included
const MAPPED_TO_NOTHING = /[\u00AD\u034F\u1806\u180B-\u180D\u200C\u200D\u2060\uFE00-\uFE0F\uFEFF]/g;

export function saslPrep(text: string): string {
  // eslint-disable-next-line no-control-regex
  if (/^[\x20-\x7e]*$/.test(text)) return text;
  return text.replace(NON_ASCII_SPACE, ' ').replace(MAPPED_TO_NOTHING, '').normalize('NFKC');
}
