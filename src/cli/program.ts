// The command line as commander sees it: flags, help text with examples, version. Parsing only;
// meaning is given in options.ts.
import { Argument, Command, CommanderError, Option } from 'commander';
import { KNOWN_MECHANISMS } from '../auth/known-mechanisms.js';
import { UsageError } from '../errors.js';
import { QUIT_POINTS, type QuitPoint } from '../smtp/quit-points.js';
import type { Words } from '../words/catalogue.js';
import { describeFact } from '../words/describe.js';
import { en } from '../words/en/index.js';
import type { CommandLineFact } from './facts.js';

export interface RawOptions {
  subject?: string;
  cc: string[];
  bcc: string[];
  from?: string;
  attach: string[];
  header: string[];
  readRecipients?: boolean;
  server?: string;
  helo?: string;
  timeout?: string;
  verbose: number;
  quiet?: boolean;
  dryRun?: boolean;
  demo?: boolean;
  color?: boolean;
  direct?: boolean;
  mx?: string;
  dns: string[];
  port?: string;
  tls?: 'auto' | 'required' | 'off';
  body?: 'auto' | 'data' | 'bdat';
  pipelining?: 'on' | 'off';
  pipeconnect?: boolean;
  ca?: string;
  insecure?: boolean;
  tlsResume?: boolean;
  user?: string;
  auth?: string;
  passwordFile?: string;
  passwordCmd?: string;
  oauth2TokenFile?: string;
  oauth2TokenCmd?: string;
  allowPlaintextAuth?: boolean;
  showSecrets?: boolean;
  account?: string;
  config?: string;
  quitAfter?: QuitPoint;
  json?: boolean;
  timing?: boolean;
  explain?: boolean;
  lang?: 'fr' | 'en';
  step?: boolean;
  diagram?: string;
  record?: string;
  count?: string;
  concurrency?: string;
  perConnection?: string;
  vary?: boolean;
  rate?: string;
  stopOnError?: boolean;
  notify?: string;
  ret?: 'full' | 'hdrs';
  envid?: string;
  xclient?: string[];
  proxy?: 'v1' | 'v2';
  proxySource?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  sourceAddress?: string;
}

export type ParsedCommandLine = { kind: 'run'; options: RawOptions; recipients: string[] } | { kind: 'exit'; output: string };

const EXAMPLES = `
Examples:
  echo "Hello" | mailv -s "Greetings" bob@example.org
      send to bob through the local server (localhost:25), showing the dialogue
  mailv -s "Report" -a report.pdf -c carol@example.org bob@example.org < body.txt
      a message with an attachment and a copy
  mailv -t < message.eml
      send a complete message; recipients come from its To, Cc and Bcc
  mailv --server smtp://mail.example.org:2525 -r alice@example.org bob@example.org
      use another server and sender
  mailv --server smtps://smtp.example.org --user alice -r alice@example.org bob@example.org
      through a provider: implicit TLS on port 465, log in as alice (password from
      MAILV_PASSWORD, --password-file, --password-cmd, or asked at the terminal)
  mailv --account work bob@example.org
      server, login and sender from [account work] in ~/.config/mailv/config
  mailv --dry-run -s test bob@example.org < body.txt
      show the envelope and the exact message, connect to nothing
  mailv --demo -s test bob@example.org < body.txt
      send to an embedded server on 127.0.0.1 and show what it received
  mailv --mx example.org
      show the MX hosts of example.org in the order mail tries them
  mailv --direct -v -s test bob@example.org < body.txt
      look up example.org's MX hosts and deliver there, showing the DNS exchange
  mailv --quit-after ehlo --server mail.example.org
      list what a server offers, send nothing
  mailv --demo --explain --lang fr -s test bob@example.org < body.txt
      the dialogue with each line explained, in French

Commands:
  mailv replay <file>          show a session kept with --record again (mailv replay --help)
  mailv completion <shell>     a completion script for bash, zsh or fish (mailv completion --help)`;

/** Every status of the one table (src/errors.ts, src/delivery/outcome.ts); a test holds them equal. */
const EXIT_STATUS = `
Exit status:
  0    sent to every recipient; also --help, --version, --dry-run, --mx, and a --quit-after that went well
  64   usage: a bad flag, value or address, flags that contradict each other, no terminal where one is needed
  65   bad data: a -t message SMTP cannot carry, a --ca file without a certificate
  66   missing input: an attachment, a --ca or password file, or a replay record that cannot be read
  67   a recipient was refused (5xx); the others got the message
  68   no such host or domain, or a domain that takes no mail
  69   refused for good: a 5xx reply, a message too large, content the server does not take
  70   an internal error of mailv
  73   the file of --record cannot be created
  74   a local I/O error: reading standard input or an attachment, the spool of a large message
  75   try again later: a 4xx reply, a connection or DNS lookup that failed, a timeout, TLS, q at --step
  76   the server broke the protocol
  77   no login: the server refused it, or mailv withheld the credentials
  78   the configuration file, or the command that gives the password, cannot be used
  129, 130, 131, 143
       stopped by SIGHUP, SIGINT, SIGQUIT or SIGTERM: 128 + the signal's number
These are the codes of sysexits.h, as sendmail uses them; see man mailv for the rest.`;

/** Repeatable options gather their values; unset, they are filled in as [] after parsing. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function increase(_value: string, previous: number): number {
  return previous + 1;
}

/**
 * What commander refused, as a fact: one line, and for an unknown option its suggestion (`(Did you
 * mean --subject?)`) on a line of its own. Each line is escaped when printed, as it may quote what
 * was typed; the line break is mailv's, never part of an argument.
 */
export class CommandLineError extends UsageError {
  declare readonly fact: CommandLineFact;
  constructor(fact: CommandLineFact) {
    super(fact);
  }

  /** The lines to print, in `words`. */
  linesIn(words: Words): readonly string[] {
    const { fact } = this;
    if (fact.code !== 'MAILV_OPTION_UNKNOWN' || fact.suggestions.length === 0) return [describeFact(fact, words)];
    return [describeFact({ ...fact, suggestions: [] }, words), words.cli.suggestion(fact.suggestions)];
  }

  /** The lines in English. */
  get lines(): readonly string[] {
    return this.linesIn(en);
  }
}

/** commander's methods that refuse a command line, not in its typings. */
interface Refusals {
  unknownOption(flag: string): never;
}

/**
 * commander, with its refusals turned into facts where it has the refused option at hand: an
 * unknown option (its suggestion taken from commander, which computes it), a missing value.
 */
class MailvCommand extends Command {
  unknownOption(flag: string): never {
    let suggestions: string[] = [];
    try {
      (Command.prototype as unknown as Refusals).unknownOption.call(this, flag);
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      // `error: unknown option '<flag>'`, then `\n(Did you mean --a?)` or `\n(Did you mean one of --a, --b?)`:
      // past the flag, everything is commander's own text, whatever the flag holds.
      const suggestion = /^\n\(Did you mean (?:one of )?(.+)\?\)$/.exec(error.message.slice(`error: unknown option '${flag}'`.length));
      if (suggestion) suggestions = suggestion[1]!.split(', ');
    }
    throw new CommandLineError({ code: 'MAILV_OPTION_UNKNOWN', option: flag, suggestions });
  }

  optionMissingArgument(option: Option): never {
    throw new CommandLineError({ code: 'MAILV_OPTION_VALUE_MISSING', option: option.flags });
  }
}

/** An option taking one of `choices`; any other value is refused as a fact. */
function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  return new Option(flags, description).choices(choices).argParser((value: string) => {
    // Thrown from the parser, it goes through commander untouched.
    if (!choices.includes(value)) throw new CommandLineError({ code: 'MAILV_OPTION_VALUE_INVALID', option: flags, value, choices });
    return value;
  });
}

/** Parses argv (without node and the script). Throws CommandLineError (a UsageError) for bad flags. */
/**
 * Parses `argv` with `program`, commander's own output kept rather than printed: `exit` with it for
 * --help and --version, a CommandLineError for what commander refused, undefined to go on.
 */
function parseArguments(program: Command, argv: readonly string[]): { kind: 'exit'; output: string } | undefined {
  let output = '';
  program.exitOverride().configureOutput({
    writeOut: (text) => (output += text),
    writeErr: (text) => (output += text),
    outputError: () => {},
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { kind: 'exit', output };
      throw new CommandLineError({ code: 'MAILV_COMMAND_LINE', commanderCode: error.code, detail: error.message.replace(/^error: /, '') });
    }
    throw error;
  }
  return undefined;
}

/** mailv's command line as commander defines it: what parseCommandLine parses and the shell completions offer. */
export function mailvProgram(version: string): Command {
  return new MailvCommand('mailv')
    .usage('[options] <recipient...>')
    .description('Send e-mail and show the whole SMTP dialogue as it happens, as mail -v does.')
    .argument('[recipients...]', 'addresses to send to (a bare user name gets @ this host)')
    .option('-s, --subject <text>', 'subject of the message')
    .option('-c, --cc <addresses>', 'carbon copy recipients (repeatable, comma-separated)', collect)
    .option('-b, --bcc <addresses>', 'blind copy recipients: envelope only (repeatable, comma-separated)', collect)
    .option('-r, --from <address>', 'envelope sender and From: (default $USER@this host)')
    .option('-a, --attach <file>', 'attach a file (repeatable)', collect)
    .option('-H, --header <"Name: value">', 'add a header field (repeatable)', collect)
    .option('-t, --read-recipients', 'standard input is a complete message; recipients come from its To, Cc, Bcc')
    .option(
      '--server <url>',
      'smtp://host[:port], smtps://host[:port] (implicit TLS, port 465) or host[:port]; lmtp://host[:port] (LMTP, port 24), lmtp:/socket, unix:/socket (SMTP) (default $MAILV_SERVER, else smtp://localhost:25)',
    )
    .option('--direct', "deliver to each recipient domain's MX hosts instead of a submission server")
    .option('--mx <domain>', 'show how mail for a domain is routed (its MX hosts, in order) and send nothing')
    .option('--dns <server>', 'name server for MX lookups, ip[:port] (repeatable; default /etc/resolv.conf)', collect)
    .option('--port <n>', 'port of the MX hosts with --direct (default 25)')
    .addOption(
      choiceOption('--tls <mode>', 'STARTTLS: auto (when offered; the default), required (offered, verified certificate, or stop), off', [
        'auto',
        'required',
        'off',
      ]),
    )
    .option('--ca <file>', 'trust the CA certificates in this PEM file too')
    .option('--insecure', 'accept any certificate (says so on every run)')
    .option('--no-tls-resume', 'neither resume nor keep TLS sessions (kept in $XDG_CACHE_HOME/mailv)')
    .option('--user <name>', 'log in as this user (AUTH)')
    .option('--auth <mechanism>', `force a mechanism: ${KNOWN_MECHANISMS.join(', ')} (default: the strongest offered)`)
    .option('--password-file <file>', 'read the password from the first line of this file')
    .option('--password-cmd <command>', 'run this command; the first line it prints is the password')
    .option('--oauth2-token-file <file>', 'log in with XOAUTH2, the token read from this file')
    .option('--oauth2-token-cmd <command>', 'log in with XOAUTH2, the token printed by this command')
    .option('--allow-plaintext-auth', 'send credentials even without TLS to a server that is not this machine')
    .option('--show-secrets', 'show credentials in the dialogue, and decode each AUTH step')
    .option('--account <name>', 'use [account <name>] of the configuration file')
    .option('--config <file>', 'read this configuration file (default ~/.config/mailv/config)')
    .addOption(
      choiceOption('--body <mode>', 'how the message goes: auto (BDAT when the server offers CHUNKING; the default), data, bdat', ['auto', 'data', 'bdat']),
    )
    .addOption(
      choiceOption(
        '--pipelining <mode>',
        'on: send groups of commands without waiting when the server offers PIPELINING (the default); off: one command, one reply (the default with --step)',
        ['on', 'off'],
      ),
    )
    .option('--no-pipeconnect', 'never send EHLO before the greeting, even to a server remembered (in ~/.cache/mailv) to offer PIPECONNECT')
    .addOption(
      choiceOption(
        '--quit-after <step>',
        'stop after this step with QUIT, sending no message: connect, greeting, ehlo, starttls, auth, mail, rcpt, data',
        QUIT_POINTS,
      ),
    )
    .option('-e, --explain', 'explain each line of the dialogue: what it means, where it is defined')
    .addOption(choiceOption('--lang <language>', 'language of what mailv writes: fr or en (default from LC_ALL, LC_MESSAGES, LANG)', ['fr', 'en']))
    .option('--timing', 'elapsed milliseconds before each line, and a summary of round trips, octets and time per step')
    .option('--json', 'one JSON object per line for every event, then the result; no colour')
    .option(
      '--step',
      'at a terminal, wait for Enter before every write, saying what it will send (q quits with QUIT); one command at a time unless --pipelining on',
    )
    .option('--notify <when>', 'delivery status notifications (DSN, RFC 3461): never, or success,failure,delay (any of them)')
    .addOption(choiceOption('--ret <what>', 'what a failure notification returns of the message: full or hdrs', ['full', 'hdrs']))
    .option('--envid <id>', 'envelope id echoed in every notification (printable ASCII, up to 100 characters)')
    .option('--diagram <file>', 'also draw the session as a sequence diagram in this .html or .svg file')
    .option('--record <file>', 'keep the session in this file (mode 0600, secrets withheld), to show again with: mailv replay <file>')
    .option('--count <n>', 'load test: send the message n times, show no dialogue, then a summary (rate, latencies, replies, failures)')
    .option('--concurrency <n>', 'with --count: over n connections at once (default 1)')
    .option('--per-connection <n>', 'with --count: at most n messages over each connection (default: all of them)')
    .option('--vary', 'with --count: a sequence number in each Subject and Message-ID')
    .option('--rate <r>', 'with --count: start at most r messages a second over all connections (decimals allowed: 0.5)')
    .option('--stop-on-error', 'with --count: the first failure stops the run (what is under way finishes)')
    .option('--helo <name>', "name given in EHLO (default this host's fully qualified name)")
    .option('--xclient <NAME=value>', "after EHLO, claim another client with Postfix's XCLIENT (repeatable: ADDR=, NAME=, HELO=, …)", collect)
    .addOption(
      choiceOption('--proxy <version>', "send HAProxy's PROXY header before the greeting: v1 (text) or v2 (binary); needs --proxy-source", ['v1', 'v2']),
    )
    .option('--proxy-source <address:port>', 'the client the PROXY header claims, e.g. 192.0.2.7:40000 or [2001:db8::7]:40000')
    .option('-4, --ipv4', 'connect over IPv4 only')
    .option('-6, --ipv6', 'connect over IPv6 only')
    .option('--source-address <ip>', 'connect from this local address')
    .option('--timeout <seconds>', 'longest wait for any step (default: the limits of RFC 5321)')
    .option('-v, --verbose', 'more detail: -v adds connection notes, -vv also shows the message lines', increase, 0)
    .option('-q, --quiet', 'print no dialogue, only errors')
    .option('--dry-run', 'print the envelope and the exact message; connect to nothing')
    .option('--demo', 'send to an embedded SMTP server on 127.0.0.1 and show what it received')
    .addOption(new Option('--color', 'colour the dialogue even when not on a terminal'))
    .addOption(new Option('--no-color', 'never colour the dialogue'))
    .version(version, '-V, --version', 'print the version')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', EXAMPLES)
    .addHelpText('after', EXIT_STATUS);
}

/**
 * Values the shell completions offer where commander's choices cannot list them: --auth takes a
 * mechanism in any case, and account names are read from the configuration file at completion time.
 */
export const COMPLETED_VALUES: Readonly<Record<string, readonly string[] | 'account'>> = { '--auth': KNOWN_MECHANISMS, '--account': 'account' };

export function parseCommandLine(argv: readonly string[], version: string): ParsedCommandLine {
  const program = mailvProgram(version);
  const exit = parseArguments(program, argv);
  if (exit !== undefined) return exit;
  const options = program.opts<Partial<RawOptions>>();
  const lists = { cc: options.cc ?? [], bcc: options.bcc ?? [], attach: options.attach ?? [], header: options.header ?? [], dns: options.dns ?? [] };
  return { kind: 'run', options: { ...options, ...lists } as RawOptions, recipients: program.args };
}

/** The options of `mailv replay`: how the record is shown, as for a live run. */
export interface ReplayOptions {
  verbose: number;
  quiet?: boolean;
  json?: boolean;
  timing?: boolean;
  explain?: boolean;
  lang?: 'fr' | 'en';
  step?: boolean;
  color?: boolean;
  diagram?: string;
}

export type ParsedReplayLine = { kind: 'run'; options: ReplayOptions; file: string } | { kind: 'exit'; output: string };

const REPLAY_EXAMPLES = `
Examples:
  mailv --record lesson.jsonl -s test bob@example.org < body.txt
      send, and keep the session in lesson.jsonl
  mailv replay lesson.jsonl
      show it again as it was shown, with no network
  mailv replay --explain --lang fr --step lesson.jsonl
      again, explained in French, one write at a time (Enter, q stops)
  mailv replay --timing lesson.jsonl
      with the recorded times and the summary of round trips
  mailv replay --explain --lang fr --diagram lesson.html lesson.jsonl
      draw it as a sequence diagram to project, explained in French
A recipient named replay is given after --: mailv -- replay.
Exit status: the recorded run's, or 65 for a record that cannot be read as one (66: no such file).`;

/**
 * Parses the arguments after `replay` (argv[0] of `mailv replay FILE`). Throws CommandLineError
 * (a UsageError) for bad flags, a missing or second file.
 */
export function parseReplayCommandLine(argv: readonly string[]): ParsedReplayLine {
  const program = replayProgram();
  const exit = parseArguments(program, argv);
  if (exit !== undefined) return exit;
  const options = program.opts<Partial<ReplayOptions>>();
  return { kind: 'run', options: { ...options, verbose: options.verbose ?? 0 }, file: program.args[0]! };
}

/** The command line of `mailv replay`. */
export function replayProgram(): Command {
  return new MailvCommand('replay')
    .name('mailv replay')
    .usage('[options] <file>')
    .description('Show a session kept with --record again, as it was shown or in another mode; no network.')
    .argument('<file>', 'the record (- for standard input)')
    .option('-e, --explain', 'explain each line of the dialogue: what it means, where it is defined')
    .addOption(choiceOption('--lang <language>', 'language of what mailv writes: fr or en (default: the language of the record)', ['fr', 'en']))
    .option('--timing', 'the recorded milliseconds before each line, and the summary of round trips, octets and time per step')
    .option('--json', 'one JSON object per line for every event, then the recorded result; no colour')
    .option('--step', 'at a terminal, wait for Enter where the live run waited: before each write, a flight being one (q stops)')
    .option('--diagram <file>', 'draw the recorded session as a sequence diagram in this .html or .svg file')
    .option('-v, --verbose', 'more detail: -v adds connection notes, -vv also shows the message lines', increase, 0)
    .option('-q, --quiet', 'print no dialogue, only the recorded errors')
    .addOption(new Option('--color', 'colour the dialogue even when not on a terminal'))
    .addOption(new Option('--no-color', 'never colour the dialogue'))
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', REPLAY_EXAMPLES);
}

/** What `mailv completion` prints: a shell's completion script, or the account names those scripts ask for. */
export const COMPLETION_TARGETS = ['bash', 'zsh', 'fish', 'accounts'] as const;
export type CompletionTarget = (typeof COMPLETION_TARGETS)[number];

export type ParsedCompletionLine = { kind: 'run'; target: CompletionTarget; config?: string } | { kind: 'exit'; output: string };

const COMPLETION_EXAMPLES = `
Examples:
  source <(mailv completion bash)
      complete mailv's options, their values and account names in this bash (or add it to ~/.bashrc)
  mailv completion zsh > "\${fpath[1]}/_mailv"
      install the zsh completion (a directory of $fpath; compinit loads it)
  mailv completion fish > ~/.config/fish/completions/mailv.fish
      install the fish completion
  mailv completion accounts --config work.conf
      the account names of a configuration file, one a line, as the scripts ask for them`;

/** The command line of `mailv completion`. */
export function completionProgram(): Command {
  return new MailvCommand('completion')
    .name('mailv completion')
    .usage('[options] <bash|zsh|fish|accounts>')
    .description("Print the shell completion script of mailv for bash, zsh or fish, made from mailv's own command line.")
    .addArgument(new Argument('<target>', 'bash, zsh or fish: the script; accounts: the account names of the configuration file').choices(COMPLETION_TARGETS))
    .option('--config <file>', 'with accounts: read this configuration file (default ~/.config/mailv/config)')
    .helpOption('-h, --help', 'show this help')
    .addHelpText('after', COMPLETION_EXAMPLES);
}

/** Parses the arguments after `completion`. Throws CommandLineError (a UsageError). */
export function parseCompletionCommandLine(argv: readonly string[]): ParsedCompletionLine {
  const program = completionProgram();
  const exit = parseArguments(program, argv);
  if (exit !== undefined) return exit;
  const { config } = program.opts<{ config?: string }>();
  return { kind: 'run', target: program.args[0] as CompletionTarget, ...(config === undefined ? {} : { config }) };
}
