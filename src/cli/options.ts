// Flags, environment and local facts → the plan of one run, every value checked before any input
// is read or any connection made. Pure.
import { UsageError } from '../errors.js';
import { parseNameServer, type NameServer } from '../dns/resolv-conf.js';
import { domainOf, parseAddressList, parseMailbox, type Mailbox } from '../message/address.js';
import { assertExtraHeaderAllowed } from '../message/compose.js';
import { assertHeader, parseHeaderArgument } from '../message/header.js';
import type { ServerAddress } from '../delivery/submit.js';
import type { Verbosity } from '../render/transcript.js';
import type { BodyMode, TlsMode } from '../smtp/session.js';
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
  /** Deliver to MX hosts (--direct). */
  readonly direct: boolean;
  /** Only show the MX plan of this domain (--mx), in A-labels. */
  readonly mxLookup: string | undefined;
  /** --dns servers; empty: /etc/resolv.conf. */
  readonly dnsServers: readonly NameServer[];
  /** Port of MX hosts (--port). */
  readonly mxPort: number;
  /** MAILV_SEED: a repeatable order for MX hosts of equal preference. */
  readonly seed: string | undefined;
  readonly tls: TlsMode;
  readonly body: BodyMode;
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
  } else if (recipients.length === 0 && options.cc.length === 0 && options.bcc.length === 0 && !options.demo && options.mx === undefined) {
    throw new UsageError('no recipient given');
  }
  if (options.subject !== undefined) assertHeader('Subject', options.subject);
  const headers = options.header.map(parseHeaderArgument);
  for (const [name] of headers) assertExtraHeaderAllowed(name);
  if (options.quiet && options.verbose > 0) throw new UsageError('-q and -v contradict each other');
  const modes = [['--direct', options.direct], ['--demo', options.demo], ['--server', options.server !== undefined]].filter(([, on]) => on);
  if (modes.length > 1) throw new UsageError(`${modes[0]![0]} and ${modes[1]![0]} contradict each other: one route at a time`);
  if (options.port !== undefined && !options.direct && options.mx === undefined) {
    throw new UsageError('--port goes with --direct or --mx (for a submission server, use --server host:port)');
  }
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
    direct: options.direct === true,
    mxLookup: options.mx === undefined ? undefined : parseDomain(options.mx),
    dnsServers: options.dns.map(parseNameServer),
    mxPort: options.port === undefined ? 25 : parsePort(options.port),
    seed: local.env['MAILV_SEED'],
    tls: options.tls,
    body: options.body,
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

function parseDomain(text: string): string {
  // A domain is checked as the domain of an address would be, and comes back in A-labels.
  try {
    return domainOf(parseMailbox(`postmaster@${text.replace(/\.$/, '')}`, 'invalid').address);
  } catch {
    throw new UsageError(`invalid --mx ${JSON.stringify(text)}: a domain name`);
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError(`invalid --port ${JSON.stringify(text)}: 1 to 65535`);
  return port;
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
