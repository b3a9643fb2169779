// The command line as commander sees it: flags, help text with examples, version. Parsing only;
// meaning is given in options.ts.
import { Command, CommanderError, Option } from 'commander';
import { KNOWN_MECHANISMS } from '../auth/known-mechanisms.js';
import { UsageError } from '../errors.js';
import { QUIT_POINTS, type QuitPoint } from '../smtp/quit-points.js';

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
  ca?: string;
  insecure?: boolean;
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
}

export type ParsedCommandLine =
  | { kind: 'run'; options: RawOptions; recipients: string[] }
  | { kind: 'exit'; output: string };

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

Exit status follows sysexits.h: 0 sent to every recipient, 64 usage, 65 bad data, 66 missing file,
67 a recipient refused, 68 no such domain, 69 refused, 74 I/O error, 75 temporary failure,
76 protocol error, 77 login refused or withheld, 78 configuration error.
See man mailv for the rest.`;

/** Repeatable options gather their values; unset, they are filled in as [] after parsing. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function increase(_value: string, previous: number): number {
  return previous + 1;
}

/**
 * A usage error in commander's words: one line, and its suggestion (`(Did you mean --subject?)`)
 * on a line of its own. Each line is escaped when printed, as it may quote what was typed; the
 * line break is commander's, never part of an argument.
 */
export class CommandLineError extends UsageError {
  readonly lines: readonly string[];
  constructor(message: string) {
    super(message);
    const suggestion = SUGGESTION.exec(message);
    this.lines = suggestion ? [message.slice(0, suggestion.index), suggestion[1]!] : [message];
  }
}

/** What commander appends to an unknown option: mailv's own option names, after a line break. */
const SUGGESTION = /\n(\(Did you mean (?:one of )?--[a-z][a-z0-9-]*(?:, --[a-z][a-z0-9-]*)*\?\))$/;

/** Parses argv (without node and the script). Throws UsageError for bad flags. */
export function parseCommandLine(argv: readonly string[], version: string): ParsedCommandLine {
  let output = '';
  const program = new Command('mailv')
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
    .option('--server <url>', 'smtp://host[:port], smtps://host[:port] (implicit TLS, port 465) or host[:port] (default $MAILV_SERVER, else smtp://localhost:25)')
    .option('--direct', "deliver to each recipient domain's MX hosts instead of a submission server")
    .option('--mx <domain>', 'show how mail for a domain is routed (its MX hosts, in order) and send nothing')
    .option('--dns <server>', 'name server for MX lookups, ip[:port] (repeatable; default /etc/resolv.conf)', collect)
    .option('--port <n>', 'port of the MX hosts with --direct (default 25)')
    .addOption(
      new Option('--tls <mode>', 'STARTTLS: auto (when offered; the default), required (offered, verified certificate, or stop), off').choices([
        'auto',
        'required',
        'off',
      ]),
    )
    .option('--ca <file>', 'trust the CA certificates in this PEM file too')
    .option('--insecure', 'accept any certificate (says so on every run)')
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
      new Option('--body <mode>', 'how the message goes: auto (BDAT when the server offers CHUNKING; the default), data, bdat').choices([
        'auto',
        'data',
        'bdat',
      ]),
    )
    .addOption(
      new Option('--quit-after <step>', 'stop after this step with QUIT, sending no message: connect, greeting, ehlo, starttls, auth, mail, rcpt, data').choices(
        QUIT_POINTS,
      ),
    )
    .option('-e, --explain', 'explain each line of the dialogue: what it means, where it is defined')
    .addOption(new Option('--lang <language>', 'language of what mailv writes: fr or en (default from LC_ALL, LC_MESSAGES, LANG)').choices(['fr', 'en']))
    .option('--timing', 'elapsed milliseconds before each line, and a summary of round trips, octets and time per step')
    .option('--json', 'one JSON object per line for every event, then the result; no colour')
    .option('--step', 'at a terminal, wait for Enter before each command is sent (q quits with QUIT)')
    .option('--helo <name>', "name given in EHLO (default this host's fully qualified name)")
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
    .exitOverride()
    .configureOutput({
      writeOut: (text) => (output += text),
      writeErr: (text) => (output += text),
      outputError: () => {},
    });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { kind: 'exit', output };
      throw new CommandLineError(error.message.replace(/^error: /, ''));
    }
    throw error;
  }
  const options = program.opts<Partial<RawOptions>>();
  const lists = { cc: options.cc ?? [], bcc: options.bcc ?? [], attach: options.attach ?? [], header: options.header ?? [], dns: options.dns ?? [] };
  return { kind: 'run', options: { ...options, ...lists } as RawOptions, recipients: program.args };
}
