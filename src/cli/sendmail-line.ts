// sendmail's command line, as programs pass it to /usr/sbin/sendmail (cron, git send-email, mutt,
// s-nail, PHP's mail()), read into mailv's own options. Parsing only; options.ts gives the meaning.
// Single-letter options are read as sendmail's getopt reads them: a value joined (-fbob@x) or as
// the next argument (-f bob@x), flags grouped or not (-ti is -t -i).
import type { DsnRequest } from '../plan.js';
import type { RawOptions } from './program.js';
import { CommandLineError } from './program.js';
import { UsageError } from '../errors.js';
import { checkEnvid, dsnRequest, parseNotify } from './dsn-options.js';
import { NULL_REVERSE_PATH } from './options.js';

/** What mailv-sendmail was asked: mailv's options, the recipients, and sendmail's own settings. */
export interface SendmailCommandLine {
  readonly options: RawOptions;
  readonly recipients: string[];
  /** -t: recipients come from the message's To, Cc and Bcc (the arguments are added to them). */
  readonly recipientsFromHeaders: boolean;
  /** Without -i/-oi, a line holding only `.` ends the message, as it does for sendmail. */
  readonly endsAtDotLine: boolean;
  /** -F: the sender's full name, for a From: the message lacks. */
  readonly fullName: string | undefined;
  /** -N, -R, -V. */
  readonly dsn: DsnRequest | undefined;
  /** -bs: an SMTP client on standard input and output gives the envelope and the messages. */
  readonly smtp: boolean;
  /** -bp: list the mail queue, as mailq does; mailv-sendmail keeps none. */
  readonly listQueue: boolean;
  /**
   * A mode with nothing to do for a sender that keeps no aliases and no host status: -bi and -I
   * (rebuild the aliases, which package scripts run as newaliases), -bh and -bH (show or purge
   * host status, which Postfix ignores). Nothing is read or sent, and the run ends 0.
   */
  readonly nothingToDo: NothingToDo | undefined;
  /**
   * A recipient after the options that begins with a dash: refused (64), since that is how option
   * injection slips through (CVE-2016-10033), after the message is read and kept (see sendmail.ts).
   */
  readonly dashedRecipient: string | undefined;
  /**
   * The last argument, an option that takes a value, without it (`-t -f $SENDER`, the variable
   * empty and unquoted): refused (64) after the message is read and kept, as a sender that cannot
   * be used is. Not -b, whose value is the mode, nor -C: what they would change is unknown.
   */
  readonly valueMissing: string | undefined;
  /**
   * Option values Postfix's sendmail warns of and ignores (a -R, -N or -V it cannot use, any -e,
   * -oe or -od): ignored here too, for a program's message must not be refused for them.
   */
  readonly ignored: readonly { readonly option: string; readonly value: string }[];
  /** -bs: how long the client may send or read nothing (-O Timeout.command, as sendmail reads it), in milliseconds; 0 for no limit. */
  readonly commandTimeoutMs: number;
}

/** Postfix's smtpd_timeout, which its sendmail -bs runs under: sendmail's own is an hour. */
export const COMMAND_TIMEOUT_MS = 300_000;
/** The longest a timer waits (about 24.8 days): a longer time is that. */
const LONGEST_TIMER_MS = 2 ** 31 - 1;
const TIME_UNITS: Readonly<Record<string, number>> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000, w: 604_800_000 };

/**
 * A time as sendmail reads its Timeout options (convtime): numbers each followed by its unit, s, m,
 * h, d or w, a number without one in minutes (`5m`, `1h30m`, `10`); 0 for none, as sendmail has it
 * (no limit). Undefined for anything else.
 */
export function sendmailTime(text: string): number | undefined {
  if (!/^(?:\d+[smhdw]?)+$/.test(text)) return undefined;
  let ms = 0;
  for (const [, count, unit] of text.matchAll(/(\d+)([smhdw]?)/g)) ms += Number(count) * TIME_UNITS[unit || 'm']!;
  return Math.min(ms, LONGEST_TIMER_MS);
}

/** What -bi, -I, -bh and -bH would have done, had mailv-sendmail kept aliases or host status. */
export type NothingToDo = 'aliases' | 'host-status';

/**
 * Flags: -t, -i, -v, -I, and those that mean nothing here: -m (me too), -n (no aliasing), -U
 * (initial submission), -G (gateway), and -c and -x, which Postfix's getopt takes and ignores.
 */
const FLAGS = new Set(['t', 'i', 'v', 'I', 'm', 'n', 'U', 'G', 'c', 'x']);
/**
 * Options that take a value: those read below, and -h hop count, -L log tag, -O option=value, -X
 * log file, -p protocol, -A configuration (sendmail 8's -Am, -Ac), which mean nothing here.
 */
const WITH_VALUE = new Set(['f', 'r', 'F', 'C', 'N', 'R', 'V', 'B', 'b', 'e', 'o', 'h', 'L', 'O', 'X', 'p', 'A']);
/** -e error modes: errors are said on standard error and the message kept in dead.letter in each. */
const ERROR_MODES = ['m', 'p', 'q', 'w', 'e'];
/** -od delivery modes: mailv always delivers at once, in the foreground. */
const DELIVERY_MODES = ['i', 'b', 'q', 'd'];
const BODY_TYPES = ['7BIT', '8BITMIME'];
/** The -b modes taken (the last one given counts, as in sendmail's getopt loop). */
const MODES = ['m', 's', 'p', 'i', 'h', 'H'];

/** Parses `argv` (without node and the script). Throws CommandLineError or UsageError (64) for what sendmail would refuse or mailv cannot do. */
export function parseSendmailLine(argv: readonly string[]): SendmailCommandLine {
  const options: RawOptions = { cc: [], bcc: [], attach: [], header: [], dns: [], verbose: 0 };
  const recipients: string[] = [];
  let recipientsFromHeaders = false;
  let endsAtDotLine = true;
  let verbose = false;
  let fullName: string | undefined;
  let notify: string | undefined;
  let ret: DsnRequest['ret'];
  let envid: string | undefined;
  let smtp = false;
  let listQueue = false;
  let nothingToDo: NothingToDo | undefined;
  let dashedRecipient: string | undefined;
  let valueMissing: string | undefined;
  const ignored: { option: string; value: string }[] = [];
  let commandTimeoutMs = COMMAND_TIMEOUT_MS;
  for (let index = 0; index < argv.length; index++) {
    const argument = argv[index]!;
    if (argument === '--') {
      recipients.push(...argv.slice(index + 1).map(commasBetweenWords));
      break;
    }
    if (argument === '--account' || argument.startsWith('--account=')) {
      if (argument.includes('=')) options.account = argument.slice('--account='.length);
      else {
        const next = argv[++index];
        if (next === undefined) throw new CommandLineError({ code: 'MAILV_OPTION_VALUE_MISSING', option: argument });
        options.account = next;
      }
      continue;
    }
    if (!argument.startsWith('-') || argument === '-') {
      // As sendmail's and Postfix's getopt: options end at the first recipient, so that an address
      // a program passes on (`sendmail -i admin "$user_address"`) can never be read as an option;
      // one that looks like an option is refused, as Postfix refuses it (allow_min_user = no).
      // Each address of each argument: `'a@x -f@y'` and `'a@x, -f@y'` name two.
      const rest = argv.slice(index).map(commasBetweenWords);
      const dashed = rest.flatMap(addressItems).find((recipient) => /^\s*-/.test(recipient) && recipient.trim() !== '-');
      if (dashed !== undefined) dashedRecipient = dashed.trim();
      else recipients.push(...rest);
      break;
    }
    if (argument.startsWith('--')) throw unknown(argument);
    // As getopt reads it: flags may be grouped (-ti), and an option taking a value ends the group,
    // its value the rest of the argument (-fbob@x, -tfbob@x) or the next one.
    for (let at = 1; at < argument.length; at++) {
      const letter = argument[at]!;
      if (FLAGS.has(letter)) {
        if (letter === 't') recipientsFromHeaders = true;
        else if (letter === 'i') endsAtDotLine = false;
        else if (letter === 'v') verbose = true;
        else if (letter === 'I') {
          nothingToDo = 'aliases';
          smtp = listQueue = false;
        }
        continue;
      }
      if (letter === 'q' && at === 1) throw new UsageError({ code: 'MAILV_SENDMAIL_QUEUE_RUN', argument });
      if (!WITH_VALUE.has(letter)) throw unknown(argument);
      const option = `-${letter}`;
      let given = argument.slice(at + 1);
      if (given === '') {
        const next = argv[index + 1];
        if (next === undefined) {
          if (letter === 'b' || letter === 'C') throw new CommandLineError({ code: 'MAILV_OPTION_VALUE_MISSING', option });
          valueMissing = option;
          break;
        }
        index++;
        given = next;
      }
      switch (letter) {
        case 'f':
        case 'r':
          // Postfix reads `-f ''` as the null sender, like `-f '<>'`.
          options.from = given === '' ? NULL_REVERSE_PATH : given;
          break;
        case 'F':
          fullName = given;
          break;
        case 'C':
          options.config = given;
          break;
        case 'N':
          if (usable(() => parseNotify(given, '-N'))) notify = given;
          else ignored.push({ option, value: given });
          break;
        case 'R': {
          const lower = given.toLowerCase();
          if (lower === 'full' || lower === 'hdrs') ret = lower;
          else ignored.push({ option, value: given });
          break;
        }
        case 'V':
          if (usable(() => checkEnvid(given, '-V'))) envid = given;
          else ignored.push({ option, value: given });
          break;
        case 'B':
          if (!BODY_TYPES.includes(given.toUpperCase())) throw invalid(option, given, BODY_TYPES);
          break;
        case 'b':
          // -bm, "deliver mail in the usual way", and -bs, the same over SMTP on standard input
          // and output, are the modes of a sender that keeps no queue; -bp lists that queue,
          // always empty, for the scripts that watch it; -bi, -bh and -bH have nothing to do.
          if (!MODES.includes(given)) throw new UsageError({ code: 'MAILV_SENDMAIL_MODE', mode: given });
          smtp = given === 's';
          listQueue = given === 'p';
          nothingToDo = given === 'i' ? 'aliases' : given === 'h' || given === 'H' ? 'host-status' : undefined;
          break;
        case 'e':
          if (!ERROR_MODES.includes(given)) ignored.push({ option, value: given });
          break;
        case 'o':
          if (!oOptionKnown(given)) ignored.push({ option: `-o${given[0] ?? ''}`, value: given.slice(1) });
          else if (given === 'i') endsAtDotLine = false;
          break;
        case 'O': {
          // sendmail's long options: of those, only -bs's idle limit means something here.
          const equals = given.indexOf('=');
          if (equals === -1 || given.slice(0, equals).trim().toLowerCase() !== 'timeout.command') break;
          // One that is no time is passed over, as Postfix passes every -O over.
          const time = sendmailTime(given.slice(equals + 1).trim());
          if (time !== undefined) commandTimeoutMs = time;
          break;
        }
        // The others (IGNORED_WITH_VALUE) mean nothing here: their value is skipped.
      }
      break;
    }
  }
  // -bs: the client names the sender and the recipients in its dialogue, and standard output is
  // that dialogue's, where no transcript may go.
  if (smtp && recipients.length > 0) throw new UsageError({ code: 'MAILV_SENDMAIL_SMTP_ARGUMENTS', given: 'recipients' });
  if (smtp && recipientsFromHeaders) throw new UsageError({ code: 'MAILV_SENDMAIL_SMTP_ARGUMENTS', given: '-t' });
  if (verbose && !smtp) options.verbose = 1;
  else options.quiet = true;
  // Standard input is a whole message, with or without -t: sendmail never composes one.
  options.readRecipients = true;
  // -N and -V are checked as --notify and --envid are.
  const dsn = dsnRequest(notify, ret, envid, { notify: '-N', envid: '-V' });
  return {
    options,
    recipients,
    recipientsFromHeaders,
    endsAtDotLine,
    fullName,
    dsn,
    smtp,
    listQueue,
    nothingToDo,
    dashedRecipient,
    valueMissing,
    ignored,
    commandTimeoutMs,
  };
}

/**
 * Whether one -o option (`rest`: what follows -o) is one sendmail knows: -oi (a `.` line does not
 * end the message), an error mode -oe, a delivery mode -od. Any other means nothing to mailv and is
 * passed over as Postfix passes it over (-oA alias file, -oQ queue directory, sendmail 8's long
 * options…); an -oe or -od of no known mode is too, said with -v.
 */
function oOptionKnown(rest: string): boolean {
  const first = rest[0];
  if (first === 'e') return ERROR_MODES.includes(rest.slice(1));
  if (first === 'd') return DELIVERY_MODES.includes(rest.slice(1));
  return true;
}

/**
 * One recipient argument with a comma between addresses that only a space separates, as Postfix
 * reads it (`sendmail "$ADMINS"` with ADMINS='a@x b@y' goes to both): a word that follows another
 * word starts a new address. An item with a display name's angle brackets or a group is left as it
 * is (`Bob Smith <bob@x>` is one mailbox), as are quoted strings, comments (`bob@x (Bob Smith)`),
 * address literals (`b@[IPv6:2001:db8::1]`), and the spaces beside an `@` or a dot (`bob @ example.org`).
 */
export function commasBetweenWords(argument: string): string {
  return addressItems(argument)
    .flatMap(angleAddresses)
    .map((item) => (/[<>:;]/.test(withoutQuotedOrComments(item)) ? item : spacedWordsSplit(item)))
    .join(',');
}

/**
 * An item holding several `<…>` addresses (`<a@x> <b@x>`, `Ann <a@x> Bob <b@x>`), cut after each
 * one that more follows, as Postfix reads them: the first must not be taken for the name of the next.
 */
function angleAddresses(item: string): string[] {
  const bare = withoutQuotedOrComments(item);
  if ((bare.match(/</g) ?? []).length < 2) return [item];
  const pieces: string[] = [];
  let piece = '';
  let quoted = false;
  let comment = 0;
  for (let index = 0; index < item.length; index++) {
    const char = item[index]!;
    piece += char;
    if (char === '\\' && (quoted || comment > 0)) {
      piece += item[++index] ?? '';
      continue;
    }
    if (quoted) quoted = char !== '"';
    else if (comment > 0) comment += char === '(' ? 1 : char === ')' ? -1 : 0;
    else if (char === '"') quoted = true;
    else if (char === '(') comment = 1;
    else if (char === '>' && item.slice(index + 1).trim() !== '') {
      pieces.push(piece);
      piece = '';
    }
  }
  pieces.push(piece);
  return pieces;
}

/** The items of an address list: split at its commas, but not those in quotes, comments or an address literal. */
export function addressItems(list: string): string[] {
  const items: string[] = [];
  let item = '';
  let quoted = false;
  let comment = 0;
  let literal = false;
  for (let index = 0; index < list.length; index++) {
    const char = list[index]!;
    if (char === '\\' && (quoted || comment > 0)) {
      item += char + (list[index + 1] ?? '');
      index++;
      continue;
    }
    if (quoted) quoted = char !== '"';
    else if (comment > 0) comment += char === '(' ? 1 : char === ')' ? -1 : 0;
    else if (literal) literal = char !== ']';
    else if (char === '"') quoted = true;
    else if (char === '(') comment = 1;
    else if (char === '[') literal = true;
    else if (char === ',') {
      items.push(item);
      item = '';
      continue;
    }
    item += char;
  }
  items.push(item);
  return items;
}

/** `item` with its quoted strings, comments and address literals taken out, to look for brackets outside them. */
function withoutQuotedOrComments(item: string): string {
  return item.replace(/"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|\[[^\]]*\]?/gs, '');
}

/**
 * One comma-free item split where a space separates two words, none of them a comment. A space is
 * SP or HTAB (RFC 5322 WSP): a BOM or a no-break space inside an address is no separator, and an
 * address holding one is refused for it, not cut in two.
 */
function spacedWordsSplit(item: string): string {
  // Words: quoted strings, address literals and runs of other characters; comments stay with the word before them.
  const chunks = item.match(/"(?:[^"\\]|\\.)*"?|\((?:[^()\\]|\\.)*\)?|[ \t]+|(?:\[[^\]]*\]?|[^ \t"([]+)+/gs) ?? [];
  let out = '';
  let lastWord: string | undefined;
  let spaceSince = false;
  for (const chunk of chunks) {
    if (/^[ \t]/.test(chunk)) {
      spaceSince = true;
      out += chunk;
      continue;
    }
    const isComment = chunk.startsWith('(');
    if (!isComment && lastWord !== undefined && spaceSince && !/[@.]$/.test(lastWord) && !/^[@.]/.test(chunk)) out = `${out.replace(/[ \t]+$/, '')}, `;
    out += chunk;
    if (!isComment) {
      lastWord = chunk;
      spaceSince = false;
    }
  }
  return out;
}

/** Whether `check` takes the value (it throws UsageError when it does not). */
function usable(check: () => unknown): boolean {
  try {
    check();
    return true;
  } catch (error) {
    if (error instanceof UsageError) return false;
    throw error;
  }
}

function unknown(option: string): CommandLineError {
  return new CommandLineError({ code: 'MAILV_OPTION_UNKNOWN', option, suggestions: [] });
}

function invalid(option: string, value: string, choices: readonly string[]): CommandLineError {
  return new CommandLineError({ code: 'MAILV_OPTION_VALUE_INVALID', option, value, choices });
}
