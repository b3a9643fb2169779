// Header fields (RFC 5322 §2.2, §3.6): name checks, the one check that keeps control characters
// out of header text, RFC 2047 encoded-words for non-ASCII text, display names, and folding under
// 78 characters. Pure.
import { UsageError } from '../errors.js';
import type { Mailbox } from './address.js';
import type { TextSource } from './facts.js';

const FIELD_NAME = /^[\x21-\x39\x3b-\x7e]+$/;
/**
 * Text written as it is: printable ASCII and white space. Anything else becomes encoded-words, so
 * that even a control character no check caught never reaches the header raw.
 */
const PLAIN = /^[\t\x20-\x7e]*$/;
/** C0 controls but TAB, DEL, and C1 controls. */
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/;
const PHRASE_ATOMS = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~\- ]*$/;
/**
 * Octets per encoded-word: 30 make 52 characters, far within RFC 2047's 75, so that even the
 * first word, which shares its line with the field name, keeps the line under 78.
 */
const MAX_ENCODED_BYTES = 30;
const FOLD_AT = 76;

/**
 * Throws UsageError when text bound for the header `field` (undefined: an address that goes in no
 * header, Bcc) holds a control character, naming the field, the character and where the text came
 * from (`source`), whichever way it came: a line break would start a new field, and ESC or NUL
 * would reach the reader's terminal. TAB is allowed: it is white space, which unstructured text
 * and phrases may hold (RFC 5322 §3.2).
 */
/** The first control character of `text` (C0 but TAB, DEL, C1), as a code point; undefined if none. */
export function controlCharacterIn(text: string): number | undefined {
  return CONTROL.exec(text)?.[0].charCodeAt(0);
}

export function assertHeaderText(field: string | undefined, text: string, source: TextSource, typedAsIs: (text: string) => boolean = () => false): void {
  // Node reads the command line, the environment and files as UTF-8, each octet that is not turned
  // into U+FFFD: the text as typed is gone, and would go out as a question mark in a diamond.
  // Unless `typedAsIs` says the octets were UTF-8 all along (a U+FFFD copied from a log is text).
  // Not mailv-sendmail's -F, though: a program's idea of the user's name never costs it its message.
  if (source !== 'fullname-option' && text.includes('\uFFFD') && !typedAsIs(text)) throw new UsageError({ code: 'MAILV_HEADER_NOT_UTF8', field, source });
  const codePoint = controlCharacterIn(text);
  if (codePoint === undefined) return;
  throw new UsageError({ code: 'MAILV_HEADER_CONTROL', field, codePoint, source });
}

/** Throws UsageError unless `name` is an RFC 5322 field name and `value` holds no control character. */
export function assertHeader(name: string, value: string, source: TextSource, typedAsIs?: (text: string) => boolean): void {
  if (!FIELD_NAME.test(name)) throw new UsageError({ code: 'MAILV_HEADER_NAME', name });
  // A name is never folded: with `: ` and one character of its value, it fills a line (RFC 5322 §2.1.1).
  if (lineRoom(name) < 1) throw new UsageError({ code: 'MAILV_HEADER_NAME_LONG', name, longest: MAX_HEADER_LINE - 3 });
  assertHeaderText(name, value, source, typedAsIs);
}

/** Splits `Name: value` as given to -H; `typedAsIs` as for assertHeaderText. Throws UsageError. */
export function parseHeaderArgument(argument: string, typedAsIs?: (text: string) => boolean): [string, string] {
  const colon = argument.indexOf(':');
  if (colon <= 0) throw new UsageError({ code: 'MAILV_HEADER_FORM', argument });
  const name = argument.slice(0, colon).trim();
  const value = argument.slice(colon + 1).trim();
  assertHeader(name, value, 'header-option', typedAsIs);
  return [name, value];
}

/**
 * Longer words are encoded too, as encoded-words can be folded where a plain word cannot: past
 * this, a word and the longest field name it may follow would pass the 998 octets of a line (RFC
 * 5322 §2.1.1). A shorter one (a URL in a subject) stays as typed, on a line of its own past 78 if
 * need be, as that line's SHOULD allows and as mail readers write it.
 */
const MAX_PLAIN_WORD = 900;

/** A display name's words past this are encoded: quoting may double a word's length, and a name needs no longer. */
const MAX_PLAIN_NAME_WORD = 70;

/**
 * Text a reader would take for an encoded-word (`=?UTF-8?B?SGFja2Vk?=`) and decode: written as it
 * is, a subject typed so would show as something else. Encoded itself, it shows as typed (RFC 2047 §6.2).
 */
const LOOKS_ENCODED = /=\?[^?\s]*\?[BbQq]\?[^?\s]*\?=/;

/**
 * Text as foldHeader folds it: a fold may come only before a space that a word follows, so that no
 * line is white space alone (RFC 5322 §3.2.2); a run of spaces and tabs stays in one piece with the
 * word before it (`a   b`: `a  ` and `b`). A piece past a line's room, white space included,
 * cannot be folded and must be encoded.
 */
function foldPieces(text: string): string[] {
  return text.split(/ (?=[^ \t])/);
}

/** Encodes unstructured text: non-ASCII, control and overlong words, and encoded-word look-alikes, become UTF-8 B encoded-words (RFC 2047). */
export function encodeUnstructured(text: string, longestWord = MAX_PLAIN_WORD): string {
  const plain = (word: string) => PLAIN.test(word) && word.length <= longestWord && !LOOKS_ENCODED.test(word);
  // Trailing spaces stay outside any encoded-word, as plain text that folding drops: an empty word
  // after each, which the words' join gives back.
  const trailing = / *$/.exec(text)![0].length;
  const words = [...foldPieces(text.slice(0, text.length - trailing)), ...new Array<string>(trailing).fill('')];
  if (words.every(plain)) return text;
  const first = words.findIndex((word) => !plain(word));
  let last = words.length - 1;
  while (plain(words[last]!)) last--;
  const encoded = encodedWords(words.slice(first, last + 1).join(' '));
  return [...words.slice(0, first), ...encoded, ...words.slice(last + 1)].join(' ');
}

/**
 * The value of a header field given with -H: as it is when it is printable ASCII whose every word
 * fits a line (a Message-ID, References, a List-Unsubscribe URL: structured fields, where an
 * encoded-word is not allowed, RFC 2047 §5); else encoded as unstructured text, the only way such
 * a value can be carried. `name` counts towards the longest line (998 octets, RFC 5322 §2.1.1).
 */
export function encodeFieldText(name: string, value: string): string {
  const room = lineRoom(name);
  if (PLAIN.test(value) && foldPieces(value).every((word) => word.length <= room)) return value;
  // Keywords is a list of phrases (RFC 5322 §3.6.5): each is encoded alone, its comma kept between,
  // apart from an encoded-word by a space (RFC 2047 §5(3)); a quoted one is encoded unquoted, for
  // an encoded-word never stands inside a quoted string (§5(3) again).
  if (name.toLowerCase() === 'keywords')
    return phrasesOf(value)
      .map((phrase) => (PLAIN.test(phrase) ? phrase : encodePhrase(unquoted(phrase))))
      .join(' , ');
  return encodeUnstructured(value, room);
}

/** A phrase's text: its quoted strings without their quotes and backslashes. */
function unquoted(phrase: string): string {
  let text = '';
  let quoted = false;
  for (let index = 0; index < phrase.length; index++) {
    const character = phrase[index]!;
    if (character === '"') quoted = !quoted;
    else text += character === '\\' && quoted ? (phrase[++index] ?? '') : character;
  }
  return text;
}

/** The phrases of a comma-separated list, a comma inside a quoted string kept; empty ones left out. */
function phrasesOf(value: string): string[] {
  const phrases: string[] = [];
  let current = '';
  let quoted = false;
  for (let index = 0; index < value.length; index++) {
    const character = value[index]!;
    if (character === '\\' && quoted) {
      current += character + (value[++index] ?? '');
      continue;
    }
    if (character === '"') quoted = !quoted;
    if (character === ',' && !quoted) {
      phrases.push(current);
      current = '';
    } else current += character;
  }
  phrases.push(current);
  return phrases.map((phrase) => phrase.trim()).filter((phrase) => phrase !== '');
}

/** The longest word a line of the field `name` holds beside `Name: ` (998 octets in all, RFC 5322 §2.1.1). */
export function lineRoom(name: string): number {
  return MAX_HEADER_LINE - name.length - 2;
}

/** The longest header line, CRLF left out (RFC 5322 §2.1.1). */
const MAX_HEADER_LINE = 998;

/**
 * A display name as a phrase: atoms as they are, quoted-string when needed, encoded-words if not
 * plain ASCII, or when a word is too long to fold (the line would pass 998 octets) or looks encoded.
 */
export function encodePhrase(name: string): string {
  if (!PLAIN.test(name) || LOOKS_ENCODED.test(name) || foldPieces(name).some((word) => word.length > MAX_PLAIN_NAME_WORD)) return encodedWords(name).join(' ');
  if (PHRASE_ATOMS.test(name) && name.trim() === name && !name.includes('  ')) return name;
  return `"${name.replace(/(["\\])/g, '\\$1')}"`;
}

/** `Name <addr>` or `addr`, ready for an address header. */
export function formatMailbox(mailbox: Mailbox): string {
  return mailbox.name === undefined ? mailbox.address : `${encodePhrase(mailbox.name)} <${mailbox.address}>`;
}

/**
 * A complete header field, folded at spaces so lines stay under 78 characters, CRLF-terminated.
 * A fold comes only before a word, so no continuation line is blank (RFC 5322 §3.2.2).
 */
export function foldHeader(name: string, value: string): string {
  const tokens = foldPieces(value.trimEnd());
  const lines: string[] = [];
  let line = `${name}:`;
  for (const token of tokens) {
    // The first token stays beside the name (a long Message-ID reads as given), unless it is an
    // encoded-word, whose line RFC 2047 §2 holds to 76 in all (`X-Application-Specific-Header:`).
    const first = lines.length === 0 && line.length === name.length + 1;
    if (line.length + 1 + token.length > FOLD_AT && (!first || token.startsWith('=?'))) {
      lines.push(line);
      line = ` ${token}`;
    } else {
      line += ` ${token}`;
    }
  }
  lines.push(line);
  return lines.join('\r\n') + '\r\n';
}

/** Splits text into B encoded-words of at most 75 characters, never cutting a character. */
function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  let chunkBytes = 0;
  for (const char of text) {
    const bytes = Buffer.byteLength(char);
    if (chunkBytes + bytes > MAX_ENCODED_BYTES) {
      words.push(encodedWord(chunk));
      chunk = '';
      chunkBytes = 0;
    }
    chunk += char;
    chunkBytes += bytes;
  }
  if (chunk !== '') words.push(encodedWord(chunk));
  return words;
}

function encodedWord(text: string): string {
  return `=?UTF-8?B?${Buffer.from(text, 'utf8').toString('base64')}?=`;
}
