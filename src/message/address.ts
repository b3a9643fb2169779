// Mailbox parsing and checking (RFC 5322 §3.4, RFC 5321 §4.1.2, RFC 6532 for UTF-8): address
// lists as people type them, validated before anything is sent. Pure.
import { domainToASCII, domainToUnicode } from 'node:url';
import { UsageError } from '../errors.js';
import { addressLiteral, ipVersion } from '../ip-address.js';

/** A mailbox: an optional display name and an addr-spec (`local@domain`, domain in A-labels). */
export interface Mailbox {
  readonly name: string | undefined;
  readonly address: string;
}

const ATEXT = "[A-Za-z0-9!#$%&'*+/=?^_`{|}~\\-\\u0080-\\u{10FFFF}]";
const DOT_ATOM = new RegExp(`^${ATEXT}+(?:\\.${ATEXT}+)*$`, 'u');
// qtext and quoted-pairs of printable characters only (RFC 5321 §4.1.2): no controls on the wire.
const QUOTED_LOCAL = /^"(?:[\x20\x21\x23-\x5b\x5d-\x7e\u0080-\u{10FFFF}]|\\[\x20-\x7e])*"$/u;
const HOST_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
// The tag is case-insensitive (RFC 5321 §4.1.3 is ABNF, RFC 5234 §2.3): [ipv6:::1] is [IPv6:::1].
const ADDRESS_LITERAL = /^\[(?:(?:\d{1,3}\.){3}\d{1,3}|[Ii][Pp][Vv]6:[0-9A-Fa-f:.]+)\]$/;
const FORBIDDEN = /[\r\n\0]/;

/** Throws UsageError when an address would break out of its line (header or command injection). */
export function assertSingleLine(text: string): void {
  if (FORBIDDEN.test(text)) {
    // A NUL is named first, wherever it is: it is the worse of the two.
    const codePoint = text.includes('\0') ? 0 : FORBIDDEN.exec(text)![0].charCodeAt(0);
    throw new UsageError({ code: 'MAILV_ADDRESS_CONTROL', text, codePoint });
  }
}

/**
 * Parses a comma-separated list of mailboxes (`a@b`, `Name <a@b>`, `"Doe, J." <a@b>`, groups such
 * as `undisclosed-recipients:;`). A bare local user gets `@defaultDomain`. Throws UsageError.
 */
export function parseAddressList(input: string, defaultDomain: string, reading: AddressReading = {}): Mailbox[] {
  return parseAddressEntries(input, defaultDomain, reading).flatMap((entry) => (entry.kind === 'mailbox' ? [entry.mailbox] : entry.members));
}

/** How addresses are read: `shownOnly`, for a table that shows them, where one mailv would refuse to send to is shown as it is. */
export interface AddressReading {
  readonly shownOnly?: boolean;
}

/** One element of an address list: a mailbox, or a group of them (RFC 5322 §3.4), maybe empty. */
export type AddressEntry =
  | { readonly kind: 'mailbox'; readonly mailbox: Mailbox }
  | { readonly kind: 'group'; readonly name: string; readonly members: readonly Mailbox[] };

/** The list as parseAddressList reads it, its groups kept (`undisclosed-recipients:;`). Throws UsageError. */
export function parseAddressEntries(input: string, defaultDomain: string, reading: AddressReading = {}): AddressEntry[] {
  assertSingleLine(input);
  return splitTopLevel(input).flatMap((segment): AddressEntry[] => {
    const mailboxes = segment.items
      .map((item) => item.trim())
      .filter((item) => item.length > 0)
      .map((item) => parseMailbox(item, defaultDomain, reading));
    const name = segment.group === undefined ? '' : unquotePhrase(withoutComments(segment.group).trim());
    // A group needs a name (RFC 5322 §3.4): `:;` names nobody, and is read as nothing.
    if (name === '') return mailboxes.map((mailbox) => ({ kind: 'mailbox', mailbox }));
    return [{ kind: 'group', name, members: mailboxes }];
  });
}

/** Parses one mailbox. Throws UsageError naming the culprit. */
export function parseMailbox(input: string, defaultDomain: string, reading: AddressReading = {}): Mailbox {
  assertSingleLine(input);
  const text = withoutComments(input).trim();
  const angle = /^(.*?)<([^<>]*)>\s*$/su.exec(text);
  if (angle) {
    // A display name is a phrase (RFC 5322 §3.4): an angle bracket outside its quotes is another
    // address (`<a@x> <b@x>`), which taken as a name would never be sent to.
    if (/[<>]/.test(angle[1]!.replace(/"(?:[^"\\]|\\.)*"/gs, ''))) throw new UsageError({ code: 'MAILV_ADDRESS_NAME', address: input, name: angle[1]!.trim() });
    const name = unquotePhrase(angle[1]!.trim());
    return { name: name === '' ? undefined : name, address: normalizeAddrSpec(angle[2]!.trim(), input, defaultDomain, reading) };
  }
  return { name: undefined, address: normalizeAddrSpec(text, input, defaultDomain, reading) };
}

/**
 * `text` without its comments (RFC 5322 §3.2.2: parentheses, nested, with quoted pairs), read
 * outside quoted strings only: `"a(b)c"@x` keeps its local part, `bob@x (O"Brien)` loses the
 * comment whole. Unbalanced, the text is returned as it is, for the address check to refuse.
 */
function withoutComments(text: string): string {
  let kept = '';
  let depth = 0;
  let quoted = false;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\\' && (quoted || depth > 0)) {
      if (depth === 0) kept += char + (text[index + 1] ?? '');
      index++;
    } else if (depth > 0) {
      if (char === '(') depth++;
      else if (char === ')') depth--;
    } else if (char === '"') {
      quoted = !quoted;
      kept += char;
    } else if (char === '(' && !quoted) depth++;
    else kept += char;
  }
  return depth === 0 && !quoted ? kept : text;
}

/** The domain of an addr-spec. */
export function domainOf(address: string): string {
  return address.slice(address.lastIndexOf('@') + 1);
}

/**
 * A domain alone, checked as an address's is and given back in A-labels, lower-cased: names of up
 * to 253 octets (RFC 1035 §2.3.4), where an address's domain leaves room for its local part.
 */
export function parseDomain(domain: string): string {
  return normalizeDomain(domain, domain);
}

/** True when the address needs SMTPUTF8 (RFC 6531): non-ASCII left after IDNA on the domain. */
export function needsSmtpUtf8(address: string): boolean {
  return /[^\x00-\x7f]/.test(address);
}

function normalizeAddrSpec(given: string, original: string, defaultDomain: string, reading: AddressReading): string {
  // A source route (`@relay:joe@example.org`, RFC 5321 §4.1.1.3, obsolete) is left out, as servers
  // are told to ignore it and Postfix drops it.
  const spec = given.replace(SOURCE_ROUTE, '');
  if (spec === '') throw new UsageError({ code: 'MAILV_ADDRESS_EMPTY', address: original });
  const at = spec.lastIndexOf('@');
  // `bob＠example.org` is a valid local part (RFC 6531), and qualified would go to a user of this
  // host named so: no one means that. A quoted local part says it is meant.
  const lookalike = at === -1 && !spec.startsWith('"') ? AT_LOOKALIKE.exec(spec) : null;
  if (lookalike !== null) throw new UsageError({ code: 'MAILV_ADDRESS_AT_LOOKALIKE', address: original, codePoint: lookalike[0].codePointAt(0)! });
  const local = at === -1 ? spec : spec.slice(0, at);
  const domain = at === -1 ? defaultDomain : spec.slice(at + 1);
  // Pasted from a page, `bob<U+200B>@example.org` names another mailbox than the one shown, and a
  // server may take it; quoted, it is meant (a test of the server's handling). The domain's are
  // IDNA's to map away or refuse. A flag's tags (🏴 and a region, RFC 6531 lets emoji in) show.
  const quoted = QUOTED_LOCAL.test(local);
  const invisible = reading.shownOnly === true || quoted ? null : INVISIBLE.exec(local.replace(TAG_SEQUENCE, ''));
  if (invisible !== null) throw new UsageError({ code: 'MAILV_ADDRESS_INVISIBLE', address: original, codePoint: invisible[0].codePointAt(0)! });
  if (!quoted && !DOT_ATOM.test(local)) {
    throw new UsageError({ code: 'MAILV_ADDRESS_LOCAL_PART', address: original, localPart: local });
  }
  if (domain === '') throw new UsageError({ code: 'MAILV_ADDRESS_NO_DOMAIN', address: original });
  const address = `${local}@${normalizeDomain(domain, original)}`;
  // Longer, it fits no MAIL or RCPT, and may not fit a header line (998 octets) at all.
  const octets = Buffer.byteLength(address);
  if (octets > MAX_ADDRESS_OCTETS) throw new UsageError({ code: 'MAILV_ADDRESS_TOO_LONG', start: address.slice(0, 40), octets, limit: MAX_ADDRESS_OCTETS });
  return address;
}

/** A path holds 256 octets, its angle brackets included (RFC 5321 §4.5.3.1.3). */
export const MAX_ADDRESS_OCTETS = 254;

/**
 * FULLWIDTH COMMERCIAL AT and SMALL COMMERCIAL AT, what an input method may type for `@` (the
 * only characters NFKC makes `@`): whoever typed one meant a domain, never a local user.
 */
export const AT_LOOKALIKES: readonly string[] = ['\uFF20', '\uFE6B'];
const AT_LOOKALIKE = new RegExp(`[${AT_LOOKALIKES.join('')}]`, 'u');

/**
 * Characters that do not show and have no place in a mailbox's name: the soft hyphen, the
 * combining grapheme joiner, the Hangul fillers (U+115F, U+1160, U+3164, U+FFA0), Khmer's
 * invisible vowels, the direction marks, embeddings, overrides and isolates (U+061C, U+200E,
 * U+200F, U+202A–U+202E, U+2066–U+2069), the zero-width space, the word joiner and invisible
 * operators, the line and paragraph separators, the deprecated format characters, the BOM, the
 * interlinear annotation marks and the tags (U+E0000–U+E007F) outside a flag. The zero-width
 * joiner and non-joiner are left (some scripts write words with them, RFC 5892 CONTEXTJ), and so
 * are the variation selectors (an emoji's, a Mongolian letter's).
 */
const INVISIBLE =
  /\u034f|[\u00ad\u061c\u115f\u1160\u17b4\u17b5\u180e\u200b\u200e\u200f\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u206f\u3164\ufeff\uffa0\ufff9-\ufffb\u{e0000}-\u{e007f}]/u;

/** A flag of a region (🏴 and tags, then CANCEL TAG, Unicode TR 51 §2.8): its tags show as the flag. */
const TAG_SEQUENCE = /\u{1f3f4}[\u{e0020}-\u{e007e}]+\u{e007f}/gu;

/** `@a,@b:` before an addr-spec. */
const SOURCE_ROUTE = /^@[^@:,\s]+(?:,\s*@[^@:,\s]+)*:(?=[^:]*@)/;

function normalizeDomain(given: string, original: string): string {
  // The root's dot (`example.org.`) names the same domain, and has no place in SMTP (RFC 5321 §2.3.5).
  const domain = given.endsWith('.') && !given.endsWith('..') && !given.startsWith('[') ? given.slice(0, -1) : given;
  if (ADDRESS_LITERAL.test(domain)) {
    // [300.1.1.1] has the form, not an address: it would be looked up as a name.
    const ipv6 = /^\[IPv6:/i.test(domain);
    if (ipVersion(domain.slice(ipv6 ? 6 : 1, -1)) !== (ipv6 ? 6 : 4)) throw new UsageError({ code: 'MAILV_ADDRESS_DOMAIN', address: original, domain: given });
    return ipv6 ? `[IPv6:${domain.slice(6)}` : domain;
  }
  // The conversion to ASCII reads a URL's host: it would stop at `/`, `?`, `#` or `\\` and decode
  // `%2e`, naming another domain (`bob@example.org/.bank.example` would go to example.org). Of
  // ASCII, a domain holds letters, digits, hyphens and dots only (RFC 5321 §4.1.2); the rest may be IDN.
  if (/[^A-Za-z0-9.\u0080-\u{10FFFF}-]/u.test(domain)) throw new UsageError({ code: 'MAILV_ADDRESS_DOMAIN', address: original, domain: given });
  const ascii = domainToASCII(domain);
  // An IP address is no domain name (RFC 1123 §2.1; no top-level domain is all digits): written
  // bare, it would be sent as one, and refused by a server (Postfix: 501 5.1.3). So is a name the
  // conversion to ASCII reads as one, as a URL's host (127.1, 0x7f000001, full-width digits).
  const literal = addressLiteral(domain) ?? addressLiteral(ascii);
  if (literal !== undefined) throw new UsageError({ code: 'MAILV_ADDRESS_DOMAIN', address: original, domain: given, literal });
  const labels = ascii.split('.');
  if (ascii === '' || ascii.length > 253 || !labels.every((label) => HOST_LABEL.test(label) && (!isALabel(label) || validULabel(label)))) {
    throw new UsageError({ code: 'MAILV_ADDRESS_DOMAIN', address: original, domain: given });
  }
  return ascii.toLowerCase();
}

function isALabel(label: string): boolean {
  return /^xn--/i.test(label);
}

/**
 * Whether the internationalized label `aLabel` (typed so, or converted from what was typed) is one
 * IDNA2008 lets through (RFC 5891 §4.2.3, RFC 5892): no hyphen at either end, none in the third and
 * fourth places, and only letters, combining marks that take a place, decimal digits and hyphens
 * (not the letters RFC 5892 disallows: the Arabic tatweel and its like, the kana repeat marks, the
 * old Hangul jamo), with the characters it lets through as exceptions (〇, Sindhi's ۽ and ۾, Tibetan
 * tsheg) or in context: Catalan's l·l, Greek keraia before Greek, Hebrew geresh and gershayim after
 * Hebrew, the katakana middle dot among kana or Han, the joiners (which the conversion itself
 * judges). The conversion to ASCII is UTS #46's, which lets through what these forbid (`-ü.com`,
 * `☃.com`): such a name is no one's. Its bidirectional rule (RFC 5893) is not checked.
 */
function validULabel(aLabel: string): boolean {
  const characters = [...domainToUnicode(aLabel)];
  if (characters.length === 0 || characters[0] === '-' || characters.at(-1) === '-' || (characters[2] === '-' && characters[3] === '-')) return false;
  const label = characters.join('');
  return characters.every((character, index) => {
    const before = characters[index - 1] ?? '';
    const after = characters[index + 1] ?? '';
    switch (character) {
      case '\u00B7':
        return before === 'l' && after === 'l';
      case '\u0375':
        return /^\p{Script=Greek}$/u.test(after);
      case '\u05F3':
      case '\u05F4':
        return /^\p{Script=Hebrew}$/u.test(before);
      case '\u30FB':
        return /[\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Han}]/u.test(label.replaceAll('\u30FB', ''));
      case '\u200C':
      case '\u200D':
      case '-':
      case '\u3007':
      case '\u06FD':
      case '\u06FE':
      case '\u0F0B':
        return true;
      default:
        return /^[\p{L}\p{Mn}\p{Mc}\p{Nd}]$/u.test(character) && !DISALLOWED_LETTERS.test(character);
    }
  });
}

/** Letters and marks RFC 5892 disallows all the same (§2.6's exceptions, §2.9's old Hangul jamo). */
const DISALLOWED_LETTERS = /^[\u0640\u07FA\u302E\u302F\u3031-\u3035\u303B\u1100-\u11FF\uA960-\uA97F\uD7B0-\uD7FF]$/u;

/**
 * A display name as it reads: a phrase is words, each an atom or a quoted string (RFC 5322
 * §3.2.5), so `"Alice" "Admin"` is Alice Admin and `Alice "the" Admin` Alice the Admin; each quoted
 * string gives its text, its quoted-pairs undone. A quote left open is kept as written.
 */
function unquotePhrase(phrase: string): string {
  return phrase.replace(/"((?:[^"\\]|\\.)*)"/gsu, (_, inside: string) => inside.replace(/\\(.)/gsu, '$1'));
}

/** Items of an address list outside any group, or those of one group (`group`: its display name). */
interface ListSegment {
  readonly group: string | undefined;
  readonly items: string[];
}

/** Splits at commas outside quotes, angle brackets and comments; a group's `name:` and `;` bound it. */
function splitTopLevel(input: string): ListSegment[] {
  const segments: ListSegment[] = [];
  let segment: ListSegment = { group: undefined, items: [] };
  let current = '';
  let quoted = false;
  let angle = 0;
  let comment = 0;
  for (let i = 0; i < input.length; i++) {
    const char = input[i]!;
    if (quoted) {
      current += char;
      if (char === '\\' && i + 1 < input.length) current += input[++i];
      else if (char === '"') quoted = false;
      continue;
    }
    // Inside a comment a quote is text (`(O"Brien)`), and a backslash quotes the next character.
    if (comment > 0 && char === '\\' && i + 1 < input.length) {
      current += char + input[++i];
      continue;
    }
    if (char === '"' && comment === 0) quoted = true;
    else if (char === '(') comment++;
    else if (char === ')' && comment > 0) comment--;
    else if (char === '<') angle++;
    else if (char === '>' && angle > 0) angle--;
    else if (angle === 0 && comment === 0) {
      if (char === ',' || char === ';') {
        segment.items.push(current);
        current = '';
        // `;` ends a group; outside one it separates, as a comma does.
        if (char === ';' && segment.group !== undefined) {
          segments.push(segment);
          segment = { group: undefined, items: [] };
        }
        continue;
      }
      if (char === ':' && !current.includes('@')) {
        // A group's display name (RFC 5322 §3.4) is not a mailbox; one inside a group is dropped.
        if (segment.group === undefined) {
          segments.push(segment);
          segment = { group: current, items: [] };
        }
        current = '';
        continue;
      }
    }
    current += char;
  }
  if (quoted) throw new UsageError({ code: 'MAILV_ADDRESS_LIST_QUOTE', list: input });
  segment.items.push(current);
  segments.push(segment);
  return segments;
}
