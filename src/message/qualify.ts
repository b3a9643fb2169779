// Addresses without a domain in the header of a message passed through (-t, mailv-sendmail):
// cron's `From: root (Cron Daemon)` and `To: root`, mdadm's `<root>`. Postfix appends its own
// domain to them (append_at_myorigin) before they leave the machine, and servers refuse a From:
// without one; mailv does the same, changing nothing else of the field. Pure.
import { AT_LOOKALIKES } from './address.js';

/**
 * The fields whose mailboxes are qualified (RFC 5322 §3.6.2, §3.6.3, §3.6.6), and those Postfix's
 * cleanup reads as addresses too: where a bounce, a receipt or a read notice goes (RFC 8098 §2.1).
 */
export const QUALIFIED_FIELDS: ReadonlySet<string> = new Set([
  'from',
  'sender',
  'reply-to',
  'to',
  'cc',
  'resent-from',
  'resent-sender',
  'resent-reply-to',
  'resent-to',
  'resent-cc',
  'errors-to',
  'return-receipt-to',
  'disposition-notification-to',
]);

/**
 * `value` (a field's value as read, folding included) with `@domain` after each addr-spec that
 * has none: `root (Cron Daemon)` → `root@host (Cron Daemon)`, `Ops <root>` → `Ops <root@host>`.
 * Quoted strings, comments, groups and domain literals are read as RFC 5322 has them; anything
 * it cannot read as a mailbox is left as it is.
 */
export function qualifyAddresses(value: string, domain: string): string {
  let output = '';
  let region = '';
  let quoted = false;
  let comment = 0;
  let angle = 0;
  let literal = false;
  for (let index = 0; index < value.length; index++) {
    const char = value[index]!;
    if (char === '\\' && (quoted || comment > 0) && index + 1 < value.length) {
      region += char + value[++index];
      continue;
    }
    if (quoted) quoted = char !== '"';
    else if (comment > 0) comment += char === '(' ? 1 : char === ')' ? -1 : 0;
    else if (literal) literal = char !== ']';
    else if (char === '"') quoted = true;
    else if (char === '(') comment = 1;
    else if (char === '[') literal = true;
    else if (char === '<') angle++;
    else if (char === '>' && angle > 0) angle--;
    else if (angle === 0 && (char === ',' || char === ';' || char === ':')) {
      // A group's name ends at `:`: what came before it is no mailbox.
      output += (char === ':' ? region : qualifyMailbox(region, domain)) + char;
      region = '';
      continue;
    }
    region += char;
  }
  return output + (quoted || comment > 0 || angle > 0 ? region : qualifyMailbox(region, domain));
}

/** One mailbox as written: `@domain` added to its addr-spec when it has no `@`. */
function qualifyMailbox(text: string, domain: string): string {
  const open = topLevelIndex(text, '<');
  if (open !== -1) {
    const close = text.indexOf('>', open);
    if (close === -1) return text;
    const spec = text.slice(open + 1, close).trim();
    // `<>` and route syntax are left alone; so is a look-alike of `@` (`bob＠example.org`), whose
    // owner meant a domain: qualified, replies and receipts would go to a local user named so.
    if (spec === '' || spec.includes('@') || spec.includes(':') || hasAtLookalike(spec)) return text;
    return `${text.slice(0, open + 1)}${spec}@${domain}${text.slice(close)}`;
  }
  const words = wordsOutsideComments(text);
  // One word: a bare local part. None, or several (a display name without <>): not a mailbox.
  if (words.length !== 1) return text;
  const [start, end] = words[0]!;
  const word = text.slice(start, end);
  if (word.includes('@') || hasAtLookalike(word)) return text;
  return `${text.slice(0, end)}@${domain}${text.slice(end)}`;
}

/** Where `wanted` first stands outside quotes and comments; -1 if nowhere. */
function topLevelIndex(text: string, wanted: string): number {
  let quoted = false;
  let comment = 0;
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\\' && (quoted || comment > 0)) index++;
    else if (quoted) quoted = char !== '"';
    else if (comment > 0) comment += char === '(' ? 1 : char === ')' ? -1 : 0;
    else if (char === '"') quoted = true;
    else if (char === '(') comment = 1;
    else if (char === wanted) return index;
  }
  return -1;
}

/**
 * The [start, end) of each run of text outside comments and whitespace (SP, TAB, CR, LF only: the
 * text is read as latin1, and 0xA0 is a byte of many UTF-8 characters), a quoted string being part of its run.
 */
function wordsOutsideComments(text: string): [number, number][] {
  const words: [number, number][] = [];
  let start = -1;
  let quoted = false;
  let comment = 0;
  const end = (index: number) => {
    if (start !== -1) words.push([start, index]);
    start = -1;
  };
  for (let index = 0; index < text.length; index++) {
    const char = text[index]!;
    if (char === '\\' && (quoted || comment > 0)) {
      index++;
      continue;
    }
    if (quoted) quoted = char !== '"';
    else if (comment > 0) comment += char === '(' ? 1 : char === ')' ? -1 : 0;
    else if (char === '(') {
      end(index);
      comment = 1;
    } else if (char === ' ' || char === '\t' || char === '\r' || char === '\n') end(index);
    else {
      if (start === -1) start = index;
      if (char === '"') quoted = true;
    }
  }
  end(text.length);
  return words;
}

/** A look-alike of `@` (AT_LOOKALIKES) in a field's text, whose UTF-8 is read as latin1 here. */
function hasAtLookalike(text: string): boolean {
  return LOOKALIKE_OCTETS.some((octets) => text.includes(octets));
}

const LOOKALIKE_OCTETS = AT_LOOKALIKES.map((char) => Buffer.from(char).toString('latin1'));
