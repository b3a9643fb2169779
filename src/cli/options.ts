// Flags, environment and local facts → the plan of one run, every value checked before any input
// is read or any connection made. Pure.
import { UsageError } from '../errors.js';
import { parseNameServer } from '../dns/resolv-conf.js';
import { domainOf, parseAddressList, parseMailbox } from '../message/address.js';
import { assertExtraHeaderAllowed } from '../message/compose.js';
import type { TextSource } from '../message/facts.js';
import { assertHeaderText, parseHeaderArgument } from '../message/header.js';
import type { ServerAddress } from '../delivery/submit.js';
import type { AuthRequest, Plan, Verbosity } from '../plan.js';
import type { RawOptions } from './program.js';
import type { AccountSettings } from '../config/config-file.js';
import { checkHeloName, parseServerAddress } from '../config/values.js';
import { KNOWN_MECHANISMS } from '../auth/known-mechanisms.js';
import type { SecretSource } from './secret-input.js';
import { probeNeedsNoMessage } from '../smtp/quit-points.js';
import { chooseLanguage } from '../words/language.js';

export type { AuthRequest, OutputMode, Plan } from '../plan.js';

export interface LocalFacts {
  readonly fqdn: string;
  readonly user: string;
  readonly env: NodeJS.ProcessEnv;
  /** Settings from the configuration file: [default], under the --account chosen if any. */
  readonly account?: AccountSettings;
  /** --account was given: its server wins over $MAILV_SERVER. */
  readonly accountChosen?: boolean;
}

const DEFAULT_SERVER = 'smtp://localhost:25';

/** Builds the plan. Throws UsageError naming the first problem found. */
export function buildPlan(options: RawOptions, recipients: readonly string[], local: LocalFacts): Plan {
  const { fqdn } = local;
  const account = local.account ?? {};
  // Text bound for a header passes the one control-character rule, which names where it came
  // from, once it has parsed as addresses (a malformed one is refused as such).
  const list = (values: readonly string[], field: string | undefined, source: TextSource) =>
    values.flatMap((value) => {
      const mailboxes = parseAddressList(value, fqdn);
      assertHeaderText(field, value, source);
      return mailboxes;
    });
  const readRecipients = options.readRecipients === true;
  if (readRecipients) {
    const clash = [
      ['-s', options.subject !== undefined],
      ['-c', options.cc.length > 0],
      ['-a', options.attach.length > 0],
      ['-H', options.header.length > 0],
    ].find(([, given]) => given);
    if (clash) throw new UsageError(`${clash[0]} cannot be used with -t: the message brings its own headers`);
  } else if (
    recipients.length === 0 &&
    options.cc.length === 0 &&
    options.bcc.length === 0 &&
    !options.demo &&
    options.mx === undefined &&
    !(probeNeedsNoMessage(options.quitAfter) && !options.direct)
  ) {
    throw new UsageError('no recipient given');
  }
  if (options.subject !== undefined) assertHeaderText('Subject', options.subject, 'subject-option');
  const headers = options.header.map(parseHeaderArgument);
  for (const [name] of headers) assertExtraHeaderAllowed(name);
  if (options.quiet && options.verbose > 0) throw new UsageError('-q and -v contradict each other');
  if (options.json && (options.quiet || options.explain || options.timing || options.step || options.dryRun)) {
    const other = options.quiet ? '-q' : options.explain ? '--explain' : options.timing ? '--timing' : options.step ? '--step' : '--dry-run';
    throw new UsageError(`--json and ${other} contradict each other: JSON lines carry every event and its time`);
  }
  if (options.quitAfter !== undefined && (options.dryRun || options.mx !== undefined)) {
    throw new UsageError(`--quit-after and ${options.dryRun ? '--dry-run' : '--mx'} contradict each other: one connects, the other does not`);
  }
  const modes = [['--direct', options.direct], ['--demo', options.demo], ['--server', options.server !== undefined]].filter(([, on]) => on);
  if (modes.length > 1) throw new UsageError(`${modes[0]![0]} and ${modes[1]![0]} contradict each other: one route at a time`);
  if (options.port !== undefined && !options.direct && options.mx === undefined) {
    throw new UsageError('--port goes with --direct or --mx (for a submission server, use --server host:port)');
  }
  if (options.dns.length > 0 && !direct(options)) {
    throw new UsageError('--dns goes with --direct or --mx (the name of a submission server is looked up as the system does)');
  }
  const environmentServer = local.env['MAILV_SERVER'] || undefined;
  const serverText = local.accountChosen
    ? (options.server ?? account.server ?? environmentServer)
    : (options.server ?? environmentServer ?? account.server);
  const server = parseServer(serverText ?? DEFAULT_SERVER);
  const tls = options.tls ?? account.tls ?? 'auto';
  if (server.implicitTls && tls === 'off') throw new UsageError('smtps:// and --tls off contradict each other: smtps is TLS from the first byte');
  if (options.direct && (options.user !== undefined || options.auth !== undefined)) {
    throw new UsageError('--user goes with a submission server (--server), not with --direct: MX hosts take mail without a login');
  }
  const fromText = options.from ?? account.from ?? local.user;
  const from = parseMailbox(fromText, fqdn);
  assertHeaderText('From', fromText, options.from !== undefined ? 'from-option' : account.from !== undefined ? 'config-file' : 'user-variable');
  return {
    readRecipients,
    from,
    to: list(options.demo && recipients.length === 0 && !readRecipients ? ['bob@example.org'] : recipients, 'To', 'recipient-argument'),
    cc: list(options.cc, 'Cc', 'cc-option'),
    bcc: list(options.bcc, undefined, 'bcc-option'),
    subject: options.subject,
    headers,
    attachments: options.attach,
    server,
    helo: checkHelo(options.helo ?? account.helo ?? fqdn),
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
    tls,
    body: options.body ?? 'auto',
    ca: options.ca ?? account.ca,
    insecure: options.insecure === true || (options.insecure === undefined && account.insecure === true),
    // A password from the file goes only to the server the file names: a --server or
    // MAILV_SERVER that points elsewhere must not receive it.
    auth: direct(options) ? undefined : authRequest(options, account, server, local.env, serverText === account.server),
    quitAfter: options.quitAfter,
    language: chooseLanguage(options.lang, local.env),
    output: {
      json: options.json === true,
      timing: options.timing === true,
      explain: options.explain ? chooseLanguage(options.lang, local.env) : undefined,
    },
    step: options.step === true,
  };
}


function direct(options: RawOptions): boolean {
  return options.direct === true || options.mx !== undefined;
}

/** Who logs in, how, and where the secret comes from; undefined when nobody logs in. */
function authRequest(
  options: RawOptions,
  account: AccountSettings,
  server: ServerAddress,
  env: NodeJS.ProcessEnv,
  serverFromConfig: boolean,
): AuthRequest | undefined {
  const user = options.user ?? account.user;
  const secretFlags = (
    [
      ['--password-file', options.passwordFile],
      ['--password-cmd', options.passwordCmd],
      ['--oauth2-token-file', options.oauth2TokenFile],
      ['--oauth2-token-cmd', options.oauth2TokenCmd],
      ['--auth', options.auth],
    ] as const
  ).filter(([, value]) => value !== undefined);
  if (user === undefined) {
    if (secretFlags.length > 0) throw new UsageError(`${secretFlags[0]![0]} needs --user: the name to log in as`);
    return undefined;
  }
  if (user === '' || /[\x00-\x1f\x7f]/.test(user)) throw new UsageError(`invalid --user ${JSON.stringify(user)}`);
  const given = secretFlags.filter(([flag]) => flag !== '--auth');
  if (given.length > 1) throw new UsageError(`${given[0]![0]} and ${given[1]![0]} contradict each other: one source for the secret`);
  const mechanism = (options.auth ?? account.auth)?.toUpperCase();
  if (mechanism !== undefined && !KNOWN_MECHANISMS.includes(mechanism)) {
    throw new UsageError(`invalid --auth ${JSON.stringify(options.auth ?? account.auth)}: one of ${KNOWN_MECHANISMS.join(', ')}`);
  }
  const tokenGiven = options.oauth2TokenFile !== undefined || options.oauth2TokenCmd !== undefined;
  if (tokenGiven && mechanism !== undefined && mechanism !== 'XOAUTH2') {
    throw new UsageError(`--auth ${mechanism} takes a password, not an OAuth 2.0 token`);
  }
  const secret: SecretSource =
    options.oauth2TokenFile !== undefined
      ? { kind: 'file', path: options.oauth2TokenFile, origin: '--oauth2-token-file' }
      : options.oauth2TokenCmd !== undefined
        ? { kind: 'command', command: options.oauth2TokenCmd, origin: '--oauth2-token-cmd' }
        : options.passwordFile !== undefined
          ? { kind: 'file', path: options.passwordFile, origin: '--password-file' }
          : options.passwordCmd !== undefined
            ? { kind: 'command', command: options.passwordCmd, origin: '--password-cmd' }
            : env['MAILV_PASSWORD']
              ? { kind: 'value', value: env['MAILV_PASSWORD'], origin: 'MAILV_PASSWORD' }
              : serverFromConfig && account.password !== undefined
                ? { kind: 'value', value: account.password, origin: 'the configuration file' }
                : serverFromConfig && account.passwordFile !== undefined
                  ? { kind: 'file', path: account.passwordFile, origin: 'password-file' }
                  : serverFromConfig && account.passwordCmd !== undefined
                    ? { kind: 'command', command: account.passwordCmd, origin: 'password-cmd' }
                    : { kind: 'prompt', prompt: `Password for ${user} at ${server.host}: ` };
  return {
    user,
    mechanism,
    secret,
    token: tokenGiven || mechanism === 'XOAUTH2',
    allowPlaintextAuth: options.allowPlaintextAuth === true,
    showSecrets: options.showSecrets === true,
  };
}

/** `smtp://host[:port]`, `smtps://host[:port]` (implicit TLS), `host[:port]`, `[v6]:port`. Throws UsageError. */
export function parseServer(text: string): ServerAddress {
  return parseServerAddress(text, (problem) => {
    throw new UsageError({ code: 'MAILV_SERVER_INVALID', text, problem });
  });
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
  return checkHeloName(name, () => {
    throw new UsageError({ code: 'MAILV_HELO_INVALID', name });
  });
}
