// English words for what message/ reports (src/message/facts.ts).
import type { MessageErrorFact, MessageNote, SourceName, TextSource } from '../../message/facts.js';
import type { WordsOf } from '../catalogue.js';
import { codePointName, quoted as q } from '../quote.js';
import { systemProblem } from './system.js';

const ORIGIN: Readonly<Record<TextSource, string>> = {
  'recipient-argument': 'given as a recipient',
  'subject-option': 'given with -s',
  'cc-option': 'given with -c',
  'bcc-option': 'given with -b',
  'header-option': 'given with -H',
  'from-option': 'given with -r',
  'sendmail-from-option': 'given with -f',
  'fullname-option': 'given with -F',
  'config-file': 'in the configuration file',
  'user-variable': 'in $USER',
  'subject-prompt': 'typed at the Subject: prompt',
};

function sourceName(source: SourceName): string {
  return source.kind === 'file' ? source.path : source.kind === 'standard-input' ? 'standard input' : 'the spooled message';
}

/** U+000A, as Unicode names a character. */
export const errors = (): WordsOf<MessageErrorFact> => ({
  MAILV_ADDRESS_CONTROL: ({ text, codePoint }) => `address contains ${codePoint === 0 ? 'a NUL byte' : 'a line break'}: ${q(text)}`,
  MAILV_ADDRESS_EMPTY: ({ address }) => `invalid address ${q(address)}: it is empty`,
  MAILV_ADDRESS_TOO_LONG: ({ start, octets, limit }) =>
    `invalid address ${q(`${start}…`)}: ${octets} octets, past the ${limit} a path may carry (RFC 5321 §4.5.3.1.3)`,
  MAILV_ADDRESS_LOCAL_PART: ({ address, localPart }) => `invalid address ${q(address)}: malformed local part ${q(localPart)}`,
  MAILV_ADDRESS_AT_LOOKALIKE: ({ address, codePoint }) =>
    `invalid address ${q(address)}: ${q(String.fromCodePoint(codePoint))} (${codePointName(codePoint)}) is not the @ of an address (type the ASCII @)`,
  MAILV_ADDRESS_INVISIBLE: ({ address, codePoint }) =>
    `invalid address ${q(address)}: its local part holds ${codePointName(codePoint)}, a character that does not show (pasted with it?); quote the local part if it is meant`,
  MAILV_ADDRESS_NAME: ({ address, name }) => `invalid address ${q(address)}: ${q(name)} cannot be its name (an address? separate addresses with a comma)`,
  MAILV_ADDRESS_NO_DOMAIN: ({ address }) => `invalid address ${q(address)}: no domain after @`,
  MAILV_ADDRESS_DOMAIN: ({ address, domain, literal }) =>
    literal === undefined
      ? `invalid address ${q(address)}: malformed domain ${q(domain)}`
      : `invalid address ${q(address)}: an IP address is written as an address literal, ${literal} (RFC 5321 §4.1.3)`,
  MAILV_ADDRESS_LIST_QUOTE: ({ list }) => `invalid address list ${q(list)}: unterminated quote`,
  MAILV_HEADER_CONTROL: ({ field, codePoint, source }) =>
    `${field === undefined ? 'address' : `header ${field}`} contains ${codePoint === 0x0a || codePoint === 0x0d ? 'a line break' : 'a control character'} (${codePointName(codePoint)}), ${ORIGIN[source]}`,
  MAILV_HEADER_NOT_UTF8: ({ field, source }) =>
    `${field === undefined ? 'address' : `header ${field}`} is not UTF-8 (a U+FFFD stands where octets were), ${ORIGIN[source]}: give it in UTF-8 (iconv -f latin1, say)`,
  MAILV_HEADER_NAME_LONG: ({ name, longest }) =>
    `header name of ${name.length} characters is too long: a name is never folded, and its line holds 998 octets (RFC 5322 §2.1.1); ${longest} at most`,
  MAILV_HEADER_NAME: ({ name }) => `invalid header name ${q(name)}: only printable ASCII without ':' or spaces`,
  MAILV_HEADER_FORM: ({ argument }) => `invalid header ${q(argument)}: expected "Name: value"`,
  MAILV_HEADER_BCC: () => 'a Bcc header would reveal the blind copies: use -b instead of -H',
  MAILV_HEADER_RETURN_PATH: () => 'Return-Path is written on delivery from the envelope sender: use -r instead of -H (RFC 5321 §4.4)',
  MAILV_HEADER_STRUCTURAL: ({ name }) =>
    `header ${name} is written by mailv from the message structure${name.toLowerCase() === 'content-type' ? ": give the text's type with --content-type (text/html…)" : ''}`,
  MAILV_HEADER_ID_TOO_LONG: ({ name, length, longest }) =>
    `-H ${name}: an identifier of ${length} characters is too long: it is never folded nor encoded, and its line holds 998 octets (RFC 5322 §2.1.1); ${longest} at most`,
  MAILV_HEADER_VALUE_FORM: ({ name, value, wanted }) =>
    `-H ${name}: ${q(value)} is no ${wanted === 'date' ? 'date as RFC 5322 §3.3 writes one (Mon, 1 Jan 2024 09:00:00 +0000)' : `message identifier${wanted === 'msg-ids' ? ' list' : ''} (<unique@example.org>${wanted === 'msg-ids' ? ' …' : ''}, ASCII, RFC 5322 §3.6.4)`}`,
  MAILV_HEADER_ADDRESS_EMPTY: ({ name, groupAllowed }) =>
    `-H ${name}: names no address${groupAllowed ? ` (for none to show, give an empty group: -H '${name}: undisclosed-recipients:;')` : ''}`,
  MAILV_HEADER_ADDRESS_GROUP: ({ name }) => `-H ${name}: a group cannot stand there, only mailboxes (RFC 5322 §3.6.2)`,
  MAILV_HEADER_TWICE: ({ name }) => `-H ${name} given twice: a message has one ${name} field (RFC 5322 §3.6); give it once, with all it holds`,
  MAILV_HEADER_ADDRESS_ONE: ({ name, count }) => `-H ${name}: names ${count} mailboxes where it takes one (RFC 5322 §3.6.2)`,
  MAILV_HEADER_SENDER_NEEDED: ({ name, count }) =>
    `-H ${name}: ${count} authors need a ${name === 'From' ? 'Sender' : 'Resent-Sender'} field naming the one who sent it (RFC 5322 §3.6.2): add -H '${name === 'From' ? 'Sender' : 'Resent-Sender'}: …'`,
  MAILV_MESSAGE_LINE_ENDS: () =>
    'the message ends the lines of its header block with CR alone, up to a blank line, and later lines with LF: where the block ends cannot be told (a CR alone may be text a program passed on)',
  MAILV_MESSAGE_HEADER_UNENDED: ({ limit }) => `the message's header block does not end in its first ${limit} octets`,
  MAILV_MESSAGE_HEADER_CONTROL: ({ line, field, codePoint }) =>
    `the message's header ${field} (line ${line}) contains a control character (${codePointName(codePoint)})`,
  MAILV_MESSAGE_HEADER_LINE: ({ line, text }) => `line ${line} of the message is not a header field: ${q(text)}`,
  MAILV_MESSAGE_ADDRESS_NOT_UTF8: ({ field }) =>
    `the message's header ${field} names a recipient in octets that are not UTF-8: the envelope cannot name the address the header shows; give it in UTF-8 (iconv -f latin1, say)`,
  MAILV_SOURCE_UNREADABLE: ({ source, errno, detail }) => `cannot read ${sourceName(source)}: ${systemProblem({ errno, detail })}`,
  MAILV_SOURCE_CHANGED: ({ source }) => `${sourceName(source)} changed while it was being sent`,
  MAILV_SOURCE_SHORTER: ({ source }) => `${sourceName(source)} became shorter while it was being sent`,
});

export const notes: WordsOf<MessageNote> = {};
