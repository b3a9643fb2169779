// English words for what config/ reports (src/config/facts.ts).
import type { ConfigErrorFact, ConfigNote, FileKind, ServerProblem } from '../../config/facts.js';
import type { WordsOf } from '../catalogue.js';
import { codePointName, quoted as q } from '../quote.js';
import { octal } from '../file-mode.js';
import { shellWord } from '../shell-word.js';
import { systemProblem } from './system.js';

/** `file:line`, as compilers name a place in a file. */
const at = ({ path, line }: { path: string; line: number }) => `${path}:${line}`;

/** The section's header as the file writes it. */
const section = (account: string | undefined) => (account === undefined ? '[default]' : `[account ${account}]`);

/** `a, b or c`. */
const choice = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1)}`);

const SERVER_PROBLEM: Readonly<Record<ServerProblem, string>> = {
  form: 'expected smtp://host[:port], smtps://host[:port], lmtp://host[:port], host[:port], [ipv6-address][:port], unix:/path or lmtp:/path',
  scheme: 'the scheme must be smtp://, smtps:// or lmtp:// (or unix: and lmtp: before a path)',
  port: 'the port is out of range (1 to 65535)',
  user: 'a user name goes with --user (or user = in the accounts file), a password with --password-file or --password-cmd, not in the server',
};

const HELO_PROBLEM = 'a domain name or an address literal';
const TLS_NAME_PROBLEM = "the server's name as its certificate carries it (a domain name, no wildcard) or an IP address";

const KIND: Readonly<Record<FileKind, string>> = {
  directory: 'a directory',
  fifo: 'a FIFO',
  'character-device': 'a character device',
  'block-device': 'a block device',
  socket: 'a socket',
  other: 'not a file',
};

const ERRNO: Readonly<Record<string, string>> = { ENOENT: 'no such file', EACCES: 'permission denied', EISDIR: 'is a directory' };

export const errors = (): WordsOf<ConfigErrorFact> => ({
  MAILV_CONFIG_SECTION_UNCLOSED: (fact) => `${at(fact)}: a section header ends with ]`,
  MAILV_CONFIG_DEFAULT_LATE: (fact) => `${at(fact)}: [default] comes after keys that already belong to it (from line ${fact.firstLine})`,
  MAILV_CONFIG_ACCOUNT_EMPTY: (fact) => `${at(fact)}: empty account name`,
  MAILV_CONFIG_ACCOUNT_NAME: (fact) => `${at(fact)}: invalid account name ${q(fact.name)}: letters, digits, ".", "_" and "-" only`,
  MAILV_CONFIG_SECTION_UNKNOWN: (fact) => `${at(fact)}: unknown section [${fact.section}]: expected [default] or [account NAME]`,
  MAILV_CONFIG_SECTION_TWICE: (fact) => `${at(fact)}: duplicate section ${section(fact.account)} (first at line ${fact.firstLine})`,
  MAILV_CONFIG_LINE_FORM: (fact) => `${at(fact)}: expected "key = value", a [section] header or a # comment`,
  MAILV_CONFIG_KEY_UNKNOWN: (fact) =>
    fact.key === undefined ? `${at(fact)}: unknown key, not shown: it may be part of a secret` : `${at(fact)}: unknown key ${q(fact.key)}`,
  MAILV_CONFIG_KEY_TWICE: (fact) => `${at(fact)}: "${fact.key}" given twice in ${section(fact.account)} (first at line ${fact.firstLine})`,
  MAILV_CONFIG_PASSWORD_SOURCES: (fact) =>
    `${at(fact)}: "${fact.key}" and "${fact.other}" (line ${fact.otherLine}) both say where the password comes from: keep one`,
  MAILV_CONFIG_QUOTE_TRAILING: (fact) => `${at(fact)}: text after the closing quote`,
  MAILV_CONFIG_QUOTE_ESCAPE: (fact) => `${at(fact)}: in a quoted value, \\ escapes only " and \\`,
  MAILV_CONFIG_QUOTE_UNCLOSED: (fact) => `${at(fact)}: a quoted value lacks its closing quote`,
  MAILV_CONFIG_VALUE_EMPTY: (fact) => `${at(fact)}: "${fact.key}" has no value`,
  MAILV_CONFIG_TLS: (fact) => `${at(fact)}: invalid tls: ${choice(fact.allowed)}`,
  MAILV_CONFIG_PIPELINING: (fact) => `${at(fact)}: invalid pipelining: ${choice(fact.allowed)}`,
  MAILV_CONFIG_INSECURE: (fact) => `${at(fact)}: invalid insecure: ${choice(fact.yes.flatMap((word, index) => [word, fact.no[index]!]))}`,
  MAILV_CONFIG_AUTH: (fact) => `${at(fact)}: unknown auth mechanism: ${fact.known.join(', ')}`,
  MAILV_CONFIG_SERVER: (fact) => `${at(fact)}: invalid server: ${SERVER_PROBLEM[fact.problem]}`,
  MAILV_CONFIG_HELO: (fact) => `${at(fact)}: invalid helo: ${HELO_PROBLEM}`,
  MAILV_CONFIG_TLS_NAME: (fact) => `${at(fact)}: invalid tls-name: ${TLS_NAME_PROBLEM}`,
  MAILV_CONFIG_TIMEOUT: (fact) => `${at(fact)}: invalid timeout: a number of seconds above 0 (30, 2.5)`,
  MAILV_CONFIG_FROM: (fact) =>
    fact.character === undefined
      ? `${at(fact)}: invalid from: expected an address such as alice@example.org or Alice <alice@example.org>`
      : fact.character.kind === 'invisible'
        ? `${at(fact)}: invalid from: its local part holds ${codePointName(fact.character.codePoint)}, a character that does not show; quote the local part if it is meant`
        : `${at(fact)}: invalid from: ${codePointName(fact.character.codePoint)} is not the @ of an address (type the ASCII @)`,
  MAILV_CONFIG_USER_CONTROL: (fact) => `${at(fact)}: invalid user: it holds a control character`,
  MAILV_CONFIG_NOT_UTF8: (fact) => `${at(fact)}: not UTF-8 text`,
  MAILV_CONFIG_UNREADABLE: ({ path, errno, detail }) => `${path}: ${systemProblem({ errno, detail }, ERRNO)}`,
  MAILV_CONFIG_NOT_REGULAR: ({ path, kind }) => `${path}: is ${KIND[kind]}${kind === 'directory' ? '' : ', not a regular file'}`,
  MAILV_CONFIG_READABLE: ({ path, mode }) => `${path}: holds a password but its mode ${octal(mode)} lets group or others read it: chmod 600 ${shellWord(path)}`,
  MAILV_CONFIG_WRITABLE: ({ path, mode }) => `${path}: its mode ${octal(mode)} lets group or others change it, and so run commands as you: chmod go-w ${path}`,
  MAILV_CONFIG_OWNER: ({ path, uid }) => `${path}: belongs to user ${uid}, not to you: another user could run commands as you with it`,
  MAILV_CONFIG_LINK_OWNER: ({ path, uid }) => `${path}: is a symbolic link of user ${uid}, not yours: that user could lead it to another file`,
  MAILV_CONFIG_REPLACED: ({ path }) => `${path}: was replaced while mailv read it`,
  MAILV_CONFIG_DIRECTORY_OWNER: ({ path, directory, uid }) =>
    `${path}: the directory ${directory} belongs to user ${uid}, who could put another file in its place`,
  MAILV_CONFIG_DIRECTORY_WRITABLE: ({ path, directory, mode }) =>
    `${path}: the directory ${directory} has mode ${octal(mode)}, which lets group or others put another file in its place: chmod go-w ${directory}`,
  MAILV_CONFIG_TOO_LARGE: ({ path, limit }) => `${path}: larger than ${limit / 1024} KiB, too large for a configuration file`,
  MAILV_CONFIG_TLS_KEY_ALONE: ({ path, account }) => `${path}: ${section(account)} has a tls-key but no tls-cert: the key of which certificate?`,
  MAILV_CONFIG_SMTPS_TLS_OFF: ({ path, account }) =>
    `${path}: ${section(account)} has an smtps:// server and tls = off, which contradict each other: smtps is TLS from the first byte`,
  MAILV_CONFIG_SECRET_WITHOUT_USER: ({ path, account, key, sendmail }) =>
    `${path}: ${section(account)} has ${key === 'auth' ? 'an auth' : `a ${key}`} but no user to log in as: add a "user = …" line${sendmail ? '' : ' or give --user'}`,
  MAILV_CONFIG_NO_ACCOUNT: ({ path, account, defined }) =>
    `${path}: no account ${q(account)}: ${defined.length === 0 ? 'it defines none' : `it defines ${defined.join(', ')}`}`,
  MAILV_SERVER_INVALID: ({ text, problem, from }) => `invalid server ${q(text)}${from === undefined ? '' : ` (${from})`}: ${SERVER_PROBLEM[problem]}`,
  MAILV_HELO_INVALID: ({ name }) =>
    `invalid --helo ${q(name)}: printable ASCII without a space, sent as typed (a domain name or an address literal, to pass a server's checks)`,
  MAILV_TLS_NAME_INVALID: ({ name }) => `invalid --tls-name ${q(name)}: ${TLS_NAME_PROBLEM}`,
});

export const notes: WordsOf<ConfigNote> = {};
