// Flags, environment and local facts → the plan of one run, every value checked before any input
// is read or any connection made. Pure.
import { parseOrigin } from './origin-options.js';
import { ConfigError, UsageError } from '../errors.js';
import { parseNameServer } from '../dns/resolv-conf.js';
import { domainOf, parseAddressList, parseDomain as parseDomainName, parseMailbox, type Mailbox } from '../message/address.js';
import { assertExtraHeaders } from '../message/compose.js';
import type { TextSource } from '../message/facts.js';
import { assertHeaderText, parseHeaderArgument } from '../message/header.js';
import type { ServerAddress } from '../delivery/submit.js';
import type { AuthRequest, DiagramRequest, LoadRequest, Plan, Verbosity } from '../plan.js';
import type { RawOptions } from './program.js';
import type { AccountSettings } from '../config/config-file.js';
import { checkHeloText, parseSeconds, parseServerAddress, parseTlsName } from '../config/values.js';
import { KNOWN_MECHANISMS } from '../auth/known-mechanisms.js';
import type { SecretSource } from './secret-input.js';
import { probeNeedsNoMessage } from '../smtp/quit-points.js';
import { chooseLanguage, type Language } from '../words/language.js';
import { dsnRequest } from './dsn-options.js';
import type { FamilyFlag, HeaderFlag, JsonClashFlag, RouteFlag, SecretFlag, UserNameOrigin } from './facts.js';
import { ipVersion } from '../ip-address.js';
import { userNameOrigin } from './local-host.js';
import type { ConnectionOrigin } from '../plan.js';

export type { AuthRequest, OutputMode, Plan } from '../plan.js';

/** The null reverse-path as typed after -r (RFC 5321 §4.1.1.2: `MAIL FROM:<>`). */
export const NULL_REVERSE_PATH = '<>';

export interface LocalFacts {
  readonly fqdn: string;
  /** The domain of bare local names (see Plan.mailDomain); fqdn when not given. */
  readonly mailDomain?: string;
  /** The local user, for a sender none was given for; asked only then (it may not exist: see src/cli/run.ts). */
  readonly user: string | (() => string);
  readonly env: NodeJS.ProcessEnv;
  /** Settings from the configuration file: [default], under the --account chosen if any. */
  readonly account?: AccountSettings;
  /** --account was given: its server wins over $MAILV_SERVER. */
  readonly accountChosen?: boolean;
  /** Run as sendmail: no --password-file or --password-cmd, only the variable and the accounts file. */
  readonly sendmail?: boolean;
  /** The command line's octets were all UTF-8: a U+FFFD in an argument was typed (see AppIo.host). */
  readonly typedAsIs?: (text: string) => boolean;
  /** How many files the process may have open (RLIMIT_NOFILE), when known: a load run's connections must fit. */
  readonly openFilesLimit?: () => number | undefined;
}

/** Open files a load run needs besides its connections: Node's own, the standard streams, the message, dead.letter. */
const FILES_BESIDE_CONNECTIONS = 32;

const DEFAULT_SERVER = 'smtp://localhost:25';

/** Builds the plan. Throws UsageError (or ConfigError, from a value of the accounts file) with the fact of the first problem found. */
export function buildPlan(options: RawOptions, recipients: readonly string[], local: LocalFacts): Plan {
  const { fqdn } = local;
  const mailDomain = local.mailDomain ?? fqdn;
  const account = local.account ?? {};
  // Text bound for a header passes the one control-character rule, which names where it came
  // from, once it has parsed as addresses (a malformed one is refused as such).
  const typedAsIs = local.typedAsIs;
  const list = (values: readonly string[], field: string | undefined, source: TextSource) =>
    values.flatMap((value) => {
      const mailboxes = parseAddressList(value, mailDomain);
      assertHeaderText(field, value, source, typedAsIs);
      return mailboxes;
    });
  const readRecipients = options.readRecipients === true;
  if (readRecipients) {
    const clash = (
      [
        ['-s', options.subject !== undefined],
        ['-c', options.cc.length > 0],
        ['-a', options.attach.length > 0],
        ['-H', options.header.length > 0],
        ['--content-type', options.contentType !== undefined],
      ] as const
    ).find(([, given]) => given);
    if (clash) throw new UsageError({ code: 'MAILV_HEADER_FLAG_WITH_T', flag: clash[0] satisfies HeaderFlag });
  } else if (
    recipients.length === 0 &&
    options.cc.length === 0 &&
    options.bcc.length === 0 &&
    !options.demo &&
    options.mx === undefined &&
    !(probeNeedsNoMessage(options.quitAfter) && !options.direct)
  ) {
    throw new UsageError({ code: 'MAILV_NO_RECIPIENT' });
  }
  if (options.subject !== undefined) assertHeaderText('Subject', options.subject, 'subject-option', typedAsIs);
  const headers = options.header.map((argument) => parseHeaderArgument(argument, typedAsIs));
  assertExtraHeaders(headers, mailDomain);
  if (options.quiet && options.verbose > 0) throw new UsageError({ code: 'MAILV_QUIET_VERBOSE' });
  if (options.json && (options.quiet || options.explain || options.timing || options.step || options.dryRun)) {
    const flag: JsonClashFlag = options.quiet ? '-q' : options.explain ? '--explain' : options.timing ? '--timing' : options.step ? '--step' : '--dry-run';
    throw new UsageError({ code: 'MAILV_JSON_CLASH', flag });
  }
  if (options.quitAfter !== undefined && (options.dryRun || options.mx !== undefined)) {
    throw new UsageError({ code: 'MAILV_QUIT_AFTER_CLASH', flag: options.dryRun ? '--dry-run' : '--mx' });
  }
  // --mx only looks up, and would pass over the dry run: queries sent by a run that promised none.
  if (options.dryRun && options.mx !== undefined) throw new UsageError({ code: 'MAILV_DRY_RUN_MX' });
  const routes = (
    [
      ['--direct', options.direct],
      ['--demo', options.demo],
      ['--server', options.server !== undefined],
    ] as const
  )
    .filter(([, on]) => on)
    .map(([flag]): RouteFlag => flag);
  if (routes.length > 1) throw new UsageError({ code: 'MAILV_ROUTE_CLASH', first: routes[0]!, second: routes[1]! });
  if (options.port !== undefined && !options.direct && options.mx === undefined) throw new UsageError({ code: 'MAILV_PORT_WITHOUT_MX' });
  if (options.dns.length > 0 && !direct(options)) throw new UsageError({ code: 'MAILV_DNS_WITHOUT_MX' });
  const environmentServer = local.env['MAILV_SERVER'] || undefined;
  // sendmail's configuration file is its server's one home: a variable a cron job inherits never
  // sends its mail elsewhere (mailv-sendmail(1)); plain mailv lets MAILV_SERVER stand for --server.
  const fileFirst = local.accountChosen || local.sendmail === true;
  const serverText = fileFirst ? (options.server ?? account.server ?? environmentServer) : (options.server ?? environmentServer ?? account.server);
  // A server that does not parse is said with where it came from when no flag gave it.
  const server = parseServer(serverText ?? DEFAULT_SERVER, options.server === undefined && serverText === environmentServer ? 'MAILV_SERVER' : undefined);
  let tls = options.tls ?? account.tls ?? 'auto';
  if (server.implicitTls && tls === 'off') {
    if (options.tls !== undefined) throw new UsageError({ code: 'MAILV_SMTPS_TLS_OFF' });
    // The file's `tls = off` against a server given on the command line or in MAILV_SERVER: the
    // one given now wins (beside the file's own smtps:// server, reading the file refused it, 78).
    tls = 'auto';
  }
  if (options.direct && (options.user !== undefined || options.auth !== undefined)) throw new UsageError({ code: 'MAILV_USER_WITH_DIRECT' });
  if (options.tlsName !== undefined && (direct(options) || options.demo)) {
    throw new UsageError({ code: 'MAILV_TLS_NAME_ROUTE', flag: options.demo ? '--demo' : options.direct ? '--direct' : '--mx' });
  }
  // The server talked to is the accounts file's own (the demo's is none of them, nor are MX hosts):
  // only it gets the file's certificate and name.
  const toAccountServer = !direct(options) && !options.demo && isAccountServer(serverText, account);
  const language = chooseLanguage(options.lang, local.env);
  // `-r '<>'` gives the envelope no sender; From: then names the author as without -r.
  const nullSender = options.from === NULL_REVERSE_PATH;
  const fromGiven = nullSender ? undefined : options.from;
  const fromText = fromGiven ?? account.from ?? (typeof local.user === 'string' ? local.user : local.user());
  const fromOrigin = fromGiven !== undefined ? 'option' : account.from !== undefined ? 'config-file' : 'user';
  // With no envelope sender, $USER makes only the author, which a whole message (-t, sendmail)
  // needs only if it has no From: of its own: that is known once it is read, and a $USER that makes
  // no address is refused then, the message kept (see authorRefused), not now, with it unread.
  const authorLater = nullSender && fromOrigin === 'user' && (readRecipients || local.sendmail === true);
  let authorRefused: UsageError | undefined;
  const author = () => {
    const made =
      fromOrigin === 'user'
        ? senderFromUser(fromText, mailDomain, { variable: userNameOrigin(local.env), authorOnly: nullSender })
        : parseMailbox(fromText, mailDomain);
    // sendmail's -f names the envelope's sender, and a From: only where the message has none.
    if (fromOrigin === 'option')
      assertHeaderText(local.sendmail === true ? undefined : 'From', fromText, local.sendmail === true ? 'sendmail-from-option' : 'from-option', typedAsIs);
    else assertHeaderText('From', fromText, fromOrigin === 'config-file' ? 'config-file' : 'user-variable');
    return made;
  };
  let from: Mailbox;
  try {
    from = author();
  } catch (error) {
    if (!authorLater || !(error instanceof UsageError)) throw error;
    authorRefused = error;
    // Never shown nor sent: a message that would need it is refused with authorRefused.
    from = { name: undefined, address: `MAILER-DAEMON@${mailDomain}` };
  }
  // sendmail's recipients go in the envelope only: no header is made of them.
  const toField = local.sendmail === true ? undefined : 'To';
  const given = list(recipients, toField, 'recipient-argument');
  const cc = list(options.cc, 'Cc', 'cc-option');
  const bcc = list(options.bcc, undefined, 'bcc-option');
  // The demo needs a recipient: bob@example.org when the command line names none (-c, -b name one:
  // a lesson on blind copies sends to the Bcc alone).
  const demoRecipient = options.demo && given.length === 0 && cc.length === 0 && bcc.length === 0 && !readRecipients;
  const to = demoRecipient ? list(['bob@example.org'], toField, 'recipient-argument') : given;
  // Each attachment is a file held open until the message is sent: past the limit, the connection
  // and dead.letter could not be opened, and the message would be lost.
  const limit = options.attach.length > 0 ? local.openFilesLimit?.() : undefined;
  if (limit !== undefined && options.attach.length + FILES_BESIDE_CONNECTIONS > limit) {
    throw new UsageError({
      code: 'MAILV_TOO_MANY_ATTACHMENTS',
      attachments: options.attach.length,
      limit,
      most: Math.max(0, limit - FILES_BESIDE_CONNECTIONS),
    });
  }
  if (options.direct) assertLiteralsOfFamily(options, [...to, ...cc, ...bcc]);
  // Over LMTP the message goes with DATA, whose 354 comes once every recipient was answered: the
  // replies owed after it, one a recipient accepted, are then known (see SmtpSession.newPlan).
  if (options.body === 'bdat' && server.lmtp === true && !options.direct && !options.demo) throw new UsageError({ code: 'MAILV_BDAT_OVER_LMTP' });
  // A load run with --direct loads one domain's server: said before the message is read (with -t,
  // its recipients are known only once it is, and the load run says it then).
  if (options.count !== undefined && options.direct) {
    const domains = [...new Set([...to, ...cc, ...bcc].map((mailbox) => domainOf(mailbox.address).toLowerCase()))];
    if (domains.length > 1) throw new UsageError({ code: 'MAILV_LOAD_DIRECT_DOMAINS', domains });
  }
  return {
    readRecipients,
    skipEmpty: options.skipEmpty === true,
    from,
    returnPath: nullSender ? '' : from.address,
    ...(authorRefused === undefined ? {} : { authorRefused }),
    fromOrigin,
    to,
    cc,
    bcc,
    subject: options.subject,
    headers,
    bodyType: options.contentType === undefined ? undefined : parseBodyType(options.contentType),
    attachments: options.attach,
    server,
    // As typed on the command line; the file's, or this host's name, must be a name (RFC 5321 §4.1.1.1).
    helo: options.helo !== undefined ? checkHelo(options.helo) : (account.helo ?? fqdn),
    timeoutMs: options.timeout === undefined ? account.timeoutMs : parseTimeout(options.timeout),
    verbosity: options.quiet ? 0 : (Math.min(1 + options.verbose, 3) as Verbosity),
    dryRun: options.dryRun === true,
    demo: options.demo === true,
    color: options.color,
    fqdn,
    mailDomain,
    direct: options.direct === true,
    mxLookup: options.mx === undefined ? undefined : parseDomain(options.mx),
    dnsServers: options.dns.map(parseNameServer),
    mxPort: options.port === undefined ? 25 : parsePort(options.port),
    seed: local.env['MAILV_SEED'],
    tls,
    body: options.body ?? 'auto',
    // A class stepping through the dialogue sees each reply under its command, unless asked otherwise.
    pipelining: options.pipelining ?? account.pipelining ?? (options.step ? 'off' : 'on'),
    pipeconnect: options.pipeconnect !== false,
    ca: options.ca ?? account.ca,
    caFromConfig: options.ca === undefined && account.ca !== undefined,
    clientCert: clientCertFor(options, toAccountServer ? account : {}),
    // The file's name is its server's: another server checked against it would fail, or pass for the wrong reason.
    tlsName: options.tlsName !== undefined ? checkTlsName(options.tlsName) : toAccountServer ? account.tlsName : undefined,
    tlsNameFromConfig: options.tlsName === undefined && toAccountServer && account.tlsName !== undefined,
    insecure: options.insecure === true || (options.insecure === undefined && account.insecure === true),
    tlsResume: options.tlsResume !== false,
    // A password from the file goes only to the server the file names: a --server or
    // MAILV_SERVER that points elsewhere must not receive it.
    auth: direct(options) ? undefined : authRequest(options, options.demo ? {} : account, server, local, serverText, language),
    quitAfter: options.quitAfter,
    output: {
      json: options.json === true,
      timing: options.timing === true,
      explain: options.explain ? language : undefined,
    },
    step: options.step === true,
    record: options.record,
    configFile: options.config,
    language,
    dsn: dsnRequest(options.notify, options.ret, options.envid),
    origin: originFor(options, server),
    diagram: options.diagram === undefined ? undefined : parseDiagram(options.diagram),
    ...loadRequest(options, local.openFilesLimit),
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
  { env, sendmail }: LocalFacts,
  /** The server as given (flag, variable or file; undefined: the default): the file's password goes to its own server only. */
  serverText: string | undefined,
  language: Language,
): AuthRequest | undefined {
  const serverFromConfig = isAccountServer(serverText, account);
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
    if (secretFlags.length > 0) throw new UsageError({ code: 'MAILV_SECRET_WITHOUT_USER', flag: secretFlags[0]![0] });
    // The file's way to log in, and nobody to log in as: the section lacks its `user` (78), as --auth alone is 64.
    if (account.loginWithoutUser !== undefined) {
      throw new ConfigError({ code: 'MAILV_CONFIG_SECRET_WITHOUT_USER', ...account.loginWithoutUser, ...(sendmail === true ? { sendmail } : {}) });
    }
    return undefined;
  }
  if (user === '' || /[\x00-\x1f\x7f]/.test(user)) throw new UsageError({ code: 'MAILV_USER_INVALID', user });
  const given = secretFlags.flatMap(([flag]): SecretFlag[] => (flag === '--auth' ? [] : [flag]));
  if (given.length > 1) throw new UsageError({ code: 'MAILV_SECRET_SOURCES', first: given[0]!, second: given[1]! });
  const asGiven = options.auth ?? account.auth;
  const mechanism = asGiven?.toUpperCase();
  if (asGiven !== undefined && !KNOWN_MECHANISMS.includes(asGiven.toUpperCase())) {
    throw new UsageError({ code: 'MAILV_AUTH_UNKNOWN', mechanism: asGiven, known: KNOWN_MECHANISMS });
  }
  const tokenGiven = options.oauth2TokenFile !== undefined || options.oauth2TokenCmd !== undefined;
  if (tokenGiven && mechanism !== undefined && mechanism !== 'XOAUTH2') throw new UsageError({ code: 'MAILV_AUTH_NOT_FOR_TOKEN', mechanism });
  const secret: SecretSource =
    options.oauth2TokenFile !== undefined
      ? { kind: 'file', path: options.oauth2TokenFile, origin: 'oauth2-token-file-option' }
      : options.oauth2TokenCmd !== undefined
        ? { kind: 'command', command: options.oauth2TokenCmd, origin: 'oauth2-token-cmd-option' }
        : options.passwordFile !== undefined
          ? { kind: 'file', path: options.passwordFile, origin: 'password-file-option' }
          : options.passwordCmd !== undefined
            ? { kind: 'command', command: options.passwordCmd, origin: 'password-cmd-option' }
            : env['MAILV_PASSWORD']
              ? { kind: 'value', value: env['MAILV_PASSWORD'], origin: 'password-variable' }
              : serverFromConfig && account.password !== undefined
                ? { kind: 'value', value: account.password, origin: 'config-password' }
                : serverFromConfig && account.passwordFile !== undefined
                  ? { kind: 'file', path: account.passwordFile, origin: 'config-password-file' }
                  : serverFromConfig && account.passwordCmd !== undefined
                    ? { kind: 'command', command: account.passwordCmd, origin: 'config-password-cmd' }
                    : {
                        kind: 'prompt',
                        user,
                        host: server.host,
                        language,
                        ...(sendmail === true ? { sendmail } : {}),
                        ...(accountPassword(account)
                          ? { withheldFrom: { accountServer: account.server ?? DEFAULT_SERVER, server: serverText ?? DEFAULT_SERVER } }
                          : {}),
                      };
  return {
    user,
    mechanism,
    secret,
    token: tokenGiven || mechanism === 'XOAUTH2',
    allowPlaintextAuth: options.allowPlaintextAuth === true,
    showSecrets: options.showSecrets === true,
  };
}

/** Whether the account keeps a password of its own (in the file, a file, or a command). */
function accountPassword(account: AccountSettings): boolean {
  return account.password !== undefined || account.passwordFile !== undefined || account.passwordCmd !== undefined;
}

/** `smtp://host[:port]`, `smtps://host[:port]` (implicit TLS), `host[:port]`, `[v6]:port`. Throws UsageError. */
export function parseServer(text: string, from?: 'MAILV_SERVER'): ServerAddress {
  return parseServerAddress(text, (problem) => {
    // smtp://user:password@host: what comes before the @ is not repeated (a log may keep the line).
    const shown = problem === 'user' ? text.replace(/^(\s*(?:[a-z][a-z0-9+.-]*:\/\/)?)[^@/]+@/i, '$1…@') : text;
    throw new UsageError({ code: 'MAILV_SERVER_INVALID', text: shown, problem, ...(from === undefined ? {} : { from }) });
  });
}

function parseDomain(text: string): string {
  // A domain is checked as the domain of an address would be, and comes back in A-labels.
  try {
    return parseDomainName(text);
  } catch {
    throw new UsageError({ code: 'MAILV_MX_INVALID', text });
  }
}

function parsePort(text: string): number {
  const port = Number(text);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new UsageError({ code: 'MAILV_PORT_INVALID', text });
  return port;
}

/** --count N (and --concurrency, --per-connection, --vary, --vary-recipients, --rate, --stop-on-error): the load run; they mean nothing without --count. */
function loadRequest(options: RawOptions, openFilesLimit?: () => number | undefined): { load?: LoadRequest } {
  if (options.count === undefined) {
    const stray = (
      [
        ['--concurrency', options.concurrency !== undefined],
        ['--per-connection', options.perConnection !== undefined],
        ['--vary', options.vary === true],
        ['--vary-recipients', options.varyRecipients === true],
        ['--rate', options.rate !== undefined],
        ['--stop-on-error', options.stopOnError === true],
      ] as const
    ).find(([, given]) => given);
    if (stray !== undefined) throw new UsageError({ code: 'MAILV_LOAD_ONLY', flag: stray[0] });
    return {};
  }
  // [option, given, whether it shows the dialogue (which a load run does not)]
  const clash = [
    ['--dry-run', options.dryRun === true, false],
    ['--demo', options.demo === true, false],
    ['--step', options.step === true, true],
    ['--quit-after', options.quitAfter !== undefined, false],
    ['--explain', options.explain === true, true],
    ['--timing', options.timing === true, true],
    ['--diagram', options.diagram !== undefined, true],
    ['--record', options.record !== undefined, true],
    // --mx only looks up, and the witness of -v is shown in the transcript only: either would be
    // silently ignored.
    ['--mx', options.mx !== undefined, false],
  ] as const;
  const found = clash.find(([, given]) => given);
  if (found) throw new UsageError({ code: 'MAILV_LOAD_CLASH', flag: found[0], showsDialogue: found[2] });
  if (options.verbose > 0 && options.json === true) throw new UsageError({ code: 'MAILV_LOAD_VERBOSE_JSON' });
  const count = parseCount('--count', options.count);
  const concurrency = options.concurrency === undefined ? 1 : parseCount('--concurrency', options.concurrency);
  // Each connection is a socket: past the limit, connects fail with EMFILE, which is no verdict of the server's.
  const connections = Math.min(concurrency, count);
  const limit = connections > 1 ? openFilesLimit?.() : undefined;
  if (limit !== undefined && connections + FILES_BESIDE_CONNECTIONS > limit) {
    throw new UsageError({ code: 'MAILV_LOAD_TOO_MANY_CONNECTIONS', connections, limit, most: Math.max(1, limit - FILES_BESIDE_CONNECTIONS) });
  }
  return {
    load: {
      count,
      concurrency,
      // Without --per-connection every connection carries as many messages as it can.
      perConnection: options.perConnection === undefined ? count : parseCount('--per-connection', options.perConnection),
      vary: options.vary === true,
      varyRecipients: options.varyRecipients === true,
      rate: options.rate === undefined ? undefined : parseRate(options.rate),
      stopOnError: options.stopOnError === true,
    },
  };
}

/** --rate: messages a second, decimals allowed (0.5: one every two seconds). */
function parseRate(text: string): number {
  const rate = Number(text);
  if (!/^\s*(\d+\.?\d*|\.\d+)\s*$/.test(text) || !Number.isFinite(rate) || rate <= 0) throw new UsageError({ code: 'MAILV_LOAD_RATE_INVALID', text });
  return rate;
}

function parseCount(flag: '--count' | '--concurrency' | '--per-connection', text: string): number {
  const value = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(value) || value < 1) throw new UsageError({ code: 'MAILV_LOAD_NUMBER_INVALID', flag, text });
  return value;
}

/** The server talked to is the accounts file's own: only it gets the file's password and certificate. */
function isAccountServer(serverText: string | undefined, account: AccountSettings): boolean {
  if (serverText === account.server) return true;
  if (serverText === undefined || account.server === undefined) return false;
  // The same server however it is written: smtp://localhost:587 is localhost:587, and a host name's case and root dot say nothing.
  try {
    const [given, own] = [parseServer(serverText), parseServer(account.server)];
    const host = (name: string) => name.toLowerCase().replace(/\.$/, '');
    return (
      given.port === own.port &&
      given.implicitTls === own.implicitTls &&
      given.lmtp === own.lmtp &&
      given.socket === own.socket &&
      host(given.host) === host(own.host)
    );
  } catch {
    return false;
  }
}

/**
 * --tls-cert and --tls-key, or the account's (given only when it is the account's server that is
 * talked to, as its password is: never to another, nor to MX hosts): a key alone is a mistake, a
 * certificate alone holds its key too (`key` undefined).
 */
function clientCertFor(options: RawOptions, account: AccountSettings): Plan['clientCert'] {
  const cert = options.tlsCert ?? account.tlsCert;
  const keyFromConfig = options.tlsKey === undefined && options.tlsCert === undefined && account.tlsKey !== undefined;
  const key = keyFromConfig ? account.tlsKey : options.tlsKey;
  if (cert === undefined) {
    if (options.tlsKey !== undefined) throw new UsageError({ code: 'MAILV_TLS_KEY_ALONE' });
    return undefined;
  }
  return { cert, key, certFromConfig: options.tlsCert === undefined, keyFromConfig };
}

/** A text type for the body (text/html, text/markdown…): the charset stays mailv's to say, from the octets. */
function parseBodyType(text: string): string {
  const type = text.trim().toLowerCase();
  if (!/^text\/[a-z0-9!#$&^_.+-]+$/.test(type)) throw new UsageError({ code: 'MAILV_CONTENT_TYPE_INVALID', text });
  return type;
}

function parseTimeout(text: string): number {
  return parseSeconds(text, () => {
    throw new UsageError({ code: 'MAILV_TIMEOUT_INVALID', text });
  });
}

/** --diagram's file: its extension says which format, HTML or SVG. */
export function parseDiagram(path: string): DiagramRequest {
  const extension = /\.(html|svg)$/i.exec(path)?.[1]?.toLowerCase();
  if (extension !== 'html' && extension !== 'svg') throw new UsageError({ code: 'MAILV_DIAGRAM_FORMAT', path });
  return { path, format: extension };
}

function checkTlsName(name: string): string {
  return parseTlsName(name, () => {
    throw new UsageError({ code: 'MAILV_TLS_NAME_INVALID', name });
  });
}

function checkHelo(name: string): string {
  return checkHeloText(name, () => {
    throw new UsageError({ code: 'MAILV_HELO_INVALID', name });
  });
}

/**
 * --direct to an address literal of the other family than -4/-6 asks: it could never be tried, and
 * trying again would not help either (a usage error, 64, before anything is read).
 */
function assertLiteralsOfFamily(options: RawOptions, recipients: readonly Mailbox[]): void {
  // The family as -4/-6 asks it, or as --source-address or --proxy-source fixes it.
  const family = parseOrigin(options).family;
  if (family === undefined) return;
  const flag: FamilyFlag = options.ipv4 ? '-4' : options.ipv6 ? '-6' : options.sourceAddress !== undefined ? '--source-address' : '--proxy-source';
  for (const { address } of recipients) {
    const domain = domainOf(address);
    if (!domain.startsWith('[')) continue;
    const literal = ipVersion(domain.replace(/^\[(?:IPv6:)?|\]$/gi, ''));
    if (literal !== 0 && literal !== family) throw new UsageError({ code: 'MAILV_FAMILY_LITERAL', flag, literal: domain });
  }
}

/** -4/-6 and the rest of the origin, checked against a server given as an address of the other family. */
function originFor(options: RawOptions, server: ServerAddress): ConnectionOrigin {
  const origin = parseOrigin(options);
  // A PROXY header names the server's address and port: a socket path has neither.
  if (origin.proxy !== undefined && server.socket !== undefined) throw new UsageError({ code: 'MAILV_PROXY_UNIX_SOCKET', path: server.socket });
  const literal = server.socket === undefined ? ipVersion(server.host) : 0;
  if (origin.family !== undefined && literal !== 0 && literal !== origin.family) {
    const first: FamilyFlag = options.ipv4 ? '-4' : options.ipv6 ? '-6' : options.sourceAddress !== undefined ? '--source-address' : '--proxy-source';
    throw new UsageError({ code: 'MAILV_FAMILY_CLASH', first, second: '--server' });
  }
  return origin;
}

/**
 * The sender made from the local user's name ($USER, else $LOGNAME, else the account's): one that
 * makes no address is said as such, with where the name came from, since the user typed no address
 * at all. `authorOnly`: the envelope has the null sender (-r '<>'), the name is From:'s alone.
 */
function senderFromUser(user: string, mailDomain: string, made: { variable: UserNameOrigin; authorOnly: boolean }): Mailbox {
  try {
    return parseMailbox(user, mailDomain);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new UsageError({ code: 'MAILV_SENDER_FROM_USER', user, ...made, error: error.fact });
  }
}
