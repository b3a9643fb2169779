// Flags, environment and local facts → the plan of one run, every value checked before any input
// is read or any connection made. Pure.
import { UsageError } from '../errors.js';
import { parseAddressList, parseMailbox, type Mailbox } from '../message/address.js';
import { assertExtraHeaderAllowed } from '../message/compose.js';
import { assertHeader, parseHeaderArgument } from '../message/header.js';
import type { ServerAddress } from '../delivery/submit.js';
import type { Verbosity } from '../render/transcript.js';
import type { RawOptions } from './program.js';

export interface Plan {
  /** -t: standard input is a whole message whose headers name the recipients. */
  readonly readRecipients: boolean;
  readonly from: Mailbox;
  readonly to: readonly Mailbox[];
  readonly cc: readonly Mailbox[];
  readonly bcc: readonly Mailbox[];
  readonly subject: string | undefined;
  readonly headers: readonly (readonly [string, string])[];
  readonly attachments: readonly string[];
  readonly server: ServerAddress;
  readonly helo: string;
  readonly timeoutMs: number | undefined;
  readonly verbosity: Verbosity;
  readonly dryRun: boolean;
  readonly demo: boolean;
  /** true/false from --color/--no-color; undefined: decide from the terminal and environment. */
  readonly color: boolean | undefined;
  readonly fqdn: string;
}

export interface LocalFacts {
  readonly fqdn: string;
  readonly user: string;
  readonly env: NodeJS.ProcessEnv;
}

const DEFAULT_SERVER = 'smtp://localhost:25';

/** Builds the plan. Throws UsageError naming the first problem found. */
export function buildPlan(options: RawOptions, recipients: readonly string[], local: LocalFacts): Plan {
  const { fqdn } = local;
  const list = (values: readonly string[]) => values.flatMap((value) => parseAddressList(value, fqdn));
  const readRecipients = options.readRecipients === true;
  if (readRecipients) {
    const clash = [
      ['-s', options.subject !== undefined],
      ['-c', options.cc.length > 0],
      ['-a', options.attach.length > 0],
      ['-H', options.header.length > 0],
    ].find(([, given]) => given);
    if (clash) throw new UsageError(`${clash[0]} cannot be used with -t: the message brings its own headers`);
  } else if (recipients.length === 0 && options.cc.length === 0 && options.bcc.length === 0 && !options.demo) {
    throw new UsageError('no recipient given');
  }
  if (options.subject !== undefined) assertHeader('Subject', options.subject);
  const headers = options.header.map(parseHeaderArgument);
  for (const [name] of headers) assertExtraHeaderAllowed(name);
  if (options.quiet && options.verbose > 0) throw new UsageError('-q and -v contradict each other');
  return {
    readRecipients,
    from: parseMailbox(options.from ?? local.user, fqdn),
    to: list(options.demo && recipients.length === 0 && !readRecipients ? ['bob@example.org'] : recipients),
    cc: list(options.cc),
    bcc: list(options.bcc),
    subject: options.subject,
    headers,
    attachments: options.attach,
    server: parseServer(options.server ?? (local.env['MAILV_SERVER'] || DEFAULT_SERVER)),
    helo: checkHelo(options.helo ?? fqdn),
    timeoutMs: options.timeout === undefined ? undefined : parseTimeout(options.timeout),
    verbosity: options.quiet ? 0 : (Math.min(1 + options.verbose, 3) as Verbosity),
    dryRun: options.dryRun === true,
    demo: options.demo === true,
    color: options.color,
    fqdn,
  };
}

/** `smtp://host[:port]`, `host[:port]`, `[v6]:port`. Throws UsageError. */
export function parseServer(text: string): ServerAddress {
  const match = /^(?:([a-z][a-z0-9+.-]*):\/\/)?(\[[0-9a-fA-F:.]+\]|[^:/[\]\s]+)(?::(\d+))?\/?$/i.exec(text.trim());
  if (!match) throw new UsageError(`invalid server ${JSON.stringify(text)}: expected smtp://host[:port] or host[:port]`);
  const [, scheme, host, port] = match;
  if (scheme !== undefined && scheme.toLowerCase() !== 'smtp') {
    throw new UsageError(`invalid server ${JSON.stringify(text)}: the scheme must be smtp://`);
  }
  const portNumber = port === undefined ? 25 : Number(port);
  if (!Number.isInteger(portNumber) || portNumber < 1 || portNumber > 65535) {
    throw new UsageError(`invalid server ${JSON.stringify(text)}: port ${port} is out of range`);
  }
  return { host: host!.replace(/^\[(.*)\]$/, '$1'), port: portNumber };
}

function parseTimeout(text: string): number {
  const seconds = Number(text);
  if (!Number.isFinite(seconds) || seconds <= 0) throw new UsageError(`invalid --timeout ${JSON.stringify(text)}: a number of seconds above 0`);
  return Math.round(seconds * 1000);
}

function checkHelo(name: string): string {
  if (!/^(?:[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.?|\[[0-9A-Fa-f:.]+\]|\[IPv6:[0-9A-Fa-f:.]+\])$/.test(name)) {
    throw new UsageError(`invalid --helo ${JSON.stringify(name)}: a domain name or an address literal`);
  }
  return name;
}
