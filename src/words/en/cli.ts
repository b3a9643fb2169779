// English words for what cli/ reports (src/cli/facts.ts), and for sentences not yet coded.
import type { CliErrorFact, CliNote, JsonClashFlag, SecretOrigin, SystemProblem } from '../../cli/facts.js';
import type { WordsOf } from '../catalogue.js';
import type { CliWords, StepNext } from '../cli-words.js';
import { quoted as q } from '../quote.js';
import { systemProblem } from './system.js';
import { describeFact } from '../fact-sentence.js';

/** How the words name where a secret came from. */
const ORIGIN: Readonly<Record<SecretOrigin, string>> = {
  'password-file-option': '--password-file',
  'password-cmd-option': '--password-cmd',
  'oauth2-token-file-option': '--oauth2-token-file',
  'oauth2-token-cmd-option': '--oauth2-token-cmd',
  'password-variable': 'MAILV_PASSWORD',
  'config-password': 'the configuration file',
  'config-password-file': 'password-file',
  'config-password-cmd': 'password-cmd',
  terminal: 'the terminal',
};

/** A file that cannot be read: the common causes in words, the rest as the system says it. */
/** Why a flag does not go with --json. */
const JSON_CLASH_EN: Readonly<Record<JsonClashFlag, string>> = {
  '-q': 'JSON lines already replace the dialogue',
  '--explain': 'JSON lines are for programs, the explanations for people',
  '--timing': 'JSON lines carry every event and its time',
  '--step': 'JSON lines are for programs, --step waits for a person at a terminal',
  '--dry-run': 'a dry run prints the envelope and the message, not events',
};

/** What sendmail's -b modes do, by their letter. */
const SENDMAIL_MODES_EN: Readonly<Record<string, string>> = {
  p: 'list the mail queue',
  P: 'count the mail queue',
  d: 'run as a daemon',
  D: 'run as a daemon',
  i: 'rebuild the aliases',
  t: 'test addresses',
  v: 'verify addresses',
  h: 'show host status',
  H: 'purge host status',
};

const FILE_ERRNO: Readonly<Record<string, string>> = { ENOENT: 'no such file', EACCES: 'permission denied' };

/** Why a temporary directory did not take the spool. */
const DIRECTORY_ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'no such directory',
  ENOTDIR: 'not a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left',
  EDQUOT: 'disk quota exceeded',
};

/** `known`'s words for the errno, else those every file's error gets (system.ts). */
const system = (known: Readonly<Record<string, string>>, problem: SystemProblem) => systemProblem(problem, known);

const suggestion = (options: readonly string[]) => (options.length === 1 ? `(Did you mean ${options[0]}?)` : `(Did you mean one of ${options.join(', ')}?)`);

export const errors = (): WordsOf<CliErrorFact> => ({
  MAILV_INTERNAL: ({ detail }) => `internal error: ${detail}`,
  MAILV_STALLED: () => 'internal error: the run stopped before its end, with nothing left to wait for',
  MAILV_STEP_STOPPED: ({ notSentTo }) =>
    notSentTo === undefined
      ? 'stopped at your request (--step): the message was not sent'
      : notSentTo.length === 0
        ? 'stopped at your request (--step)'
        : `stopped at your request (--step): the message was not sent to ${notSentTo.join(', ')}`,
  MAILV_INTERRUPTED: ({ signal }) => `interrupted by ${signal}`,
  // commander's own words, as it writes them.
  MAILV_OPTION_UNKNOWN: ({ option, suggestions }) => [`unknown option '${option}'`, ...(suggestions.length > 0 ? [suggestion(suggestions)] : [])].join('\n'),
  MAILV_OPTION_VALUE_MISSING: ({ option }) => `option '${option}' argument missing`,
  MAILV_SENDMAIL_MODE: ({ mode }) =>
    `-b${mode}${SENDMAIL_MODES_EN[mode] === undefined ? '' : ` (${SENDMAIL_MODES_EN[mode]})`} is not for mailv-sendmail: it keeps no queue and only sends, at once (-bm, or -bs over SMTP; -bp lists the queue, always empty)`,
  MAILV_PATH_NOT_UTF8: ({ option, path }) => `the file name given with ${option} is not UTF-8 (${q(path)}): mailv cannot open it as typed; rename the file`,
  MAILV_SENDMAIL_QUEUE_RUN: ({ argument }) => `${argument} (run the mail queue) is not for mailv-sendmail: it keeps no queue and only sends, at once`,
  MAILV_SENDMAIL_SMTP_ARGUMENTS: ({ given }) =>
    `-bs takes the recipients from the SMTP dialogue on standard input: ${given === '-t' ? '-t' : 'recipients as arguments'} cannot go with it`,
  MAILV_SENDMAIL_CONFIG_NOT_SUPERUSER: () =>
    "-C is taken from root only, as Postfix's sendmail takes it: a program may pass on options given to it (CVE-2016-10033); XDG_CONFIG_HOME names another configuration directory",
  MAILV_SENDMAIL_DASH_RECIPIENT: ({ recipient }) =>
    `recipient '${recipient}' begins with a dash: options come before the recipients (after '--', a recipient may begin with one)`,
  MAILV_OPTION_VALUE_INVALID: ({ option, value, choices }) => `option '${option}' argument '${value}' is invalid. Allowed choices are ${choices.join(', ')}.`,
  MAILV_ARGUMENT_MISSING: ({ argument, choices }) => `missing required argument '${argument}'${choices.length === 0 ? '' : `: one of ${choices.join(', ')}`}`,
  MAILV_ARGUMENT_INVALID: ({ argument, value, choices }) => `argument '${argument}' value '${value}' is invalid. Allowed choices are ${choices.join(', ')}.`,
  MAILV_COMMAND_NOT_FIRST: ({ command }) =>
    `${command} is a command and comes first, before its options: mailv ${command} … (to send to a local user named ${command}, put the name after --)`,
  MAILV_ARGUMENTS_EXCESS: ({ expected, given }) => `too many arguments: ${given} given, ${expected} expected`,
  MAILV_COMMAND_LINE: ({ detail }) => detail,
  MAILV_NO_RECIPIENT: () => 'no recipient given',
  MAILV_HEADER_FLAG_WITH_T: ({ flag }) => `${flag} cannot be used with -t: the message brings its own headers`,
  MAILV_QUIET_VERBOSE: () => '-q and -v contradict each other',
  MAILV_JSON_CLASH: ({ flag }) => `--json and ${flag} contradict each other: ${JSON_CLASH_EN[flag]}`,
  MAILV_QUIT_AFTER_CLASH: ({ flag }) => `--quit-after and ${flag} contradict each other: one connects, the other does not`,
  MAILV_DRY_RUN_MX: () => '--dry-run and --mx contradict each other: a dry run asks nothing of the network, --mx asks the DNS',
  MAILV_ROUTE_CLASH: ({ first, second }) => `${first} and ${second} contradict each other: one route at a time`,
  MAILV_PORT_WITHOUT_MX: () => '--port goes with --direct or --mx (for a submission server, use --server host:port)',
  MAILV_DNS_WITHOUT_MX: () => '--dns goes with --direct or --mx (the name of a submission server is looked up as the system does)',
  MAILV_SMTPS_TLS_OFF: () => 'smtps:// and --tls off contradict each other: smtps is TLS from the first byte',
  MAILV_DIAGRAM_FORMAT: ({ path }) => `--diagram ${path}: the file name must end in .html or .svg, which chooses the format`,
  MAILV_USER_WITH_DIRECT: () => '--user goes with a submission server (--server), not with --direct: MX hosts take mail without a login',
  MAILV_TLS_NAME_ROUTE: ({ flag }) =>
    flag === '--demo'
      ? "--tls-name goes with a server of yours (--server), not with --demo: the demo's server has a certificate of its own"
      : `--tls-name goes with a submission server (--server), not with ${flag}: each MX host's certificate is checked against that host's name`,
  MAILV_SECRET_WITHOUT_USER: ({ flag }) => `${flag} needs --user: the name to log in as`,
  MAILV_USER_INVALID: ({ user }) => `invalid --user ${q(user)}`,
  MAILV_LOCAL_USER_UNKNOWN: ({ uid }) =>
    `no sender: $USER and $LOGNAME are unset, and uid ${uid ?? '?'} has no entry in the password file; give the sender with -r`,
  MAILV_SENDER_FROM_USER: ({ user, variable, authorOnly, error }, words) =>
    `${authorOnly ? 'no author for the From field' : 'no sender'}: the address made from ${variable === 'account' ? 'the account name' : `$${variable}`} (${q(user)}) is no address (${describeFact(error, words)}); ${authorOnly ? `set ${variable === 'account' ? 'USER' : variable} to a name that makes one` : 'give the sender with -r'}`,
  MAILV_SECRET_SOURCES: ({ first, second }) => `${first} and ${second} contradict each other: one source for the secret`,
  MAILV_AUTH_UNKNOWN: ({ mechanism, known }) => `invalid --auth ${q(mechanism)}: one of ${known.join(', ')}`,
  MAILV_AUTH_NOT_FOR_TOKEN: ({ mechanism }) => `--auth ${mechanism} takes a password, not an OAuth 2.0 token`,
  MAILV_MX_INVALID: ({ text }) => `invalid --mx ${q(text)}: a domain name`,
  MAILV_PORT_INVALID: ({ text }) => `invalid --port ${q(text)}: 1 to 65535`,
  MAILV_TIMEOUT_INVALID: ({ text }) => `invalid --timeout ${q(text)}: a number of seconds above 0`,
  MAILV_TLS_KEY_ALONE: () => '--tls-key goes with --tls-cert: the key of which certificate?',
  MAILV_CONTENT_TYPE_INVALID: ({ text }) => `invalid --content-type ${q(text)}: a text type such as text/html (a file of another type goes with -a)`,
  MAILV_LOAD_NUMBER_INVALID: ({ flag, text }) => `invalid ${flag} ${q(text)}: a whole number, at least 1 (at most ${Number.MAX_SAFE_INTEGER})`,
  MAILV_LOAD_CLASH: ({ flag, showsDialogue }) =>
    showsDialogue
      ? `${flag} cannot be used with --count: a load run shows no dialogue (-v shows the first connection where a message failed)`
      : `${flag} cannot be used with --count`,
  MAILV_LOAD_VERBOSE_JSON: () => '-v and --json cannot be used together with --count: the witness of -v is shown in the transcript, which --json replaces',
  MAILV_LOAD_ONLY: ({ flag }) => `${flag} goes with --count (the load run)`,
  MAILV_LOAD_NUMBERING: ({ problem }) =>
    problem.kind === 'too-long'
      ? `--vary-recipients: numbered, ${q(`${problem.example.slice(0, 40)}…`)} would be ${problem.octets} octets, past the ${problem.limit} a path may carry (RFC 5321 §4.5.3.1.3)`
      : `--vary-recipients: ${q(problem.longer)} is ${q(problem.shorter)} with digits before it: numbered, both would be ${q(problem.example)} (in message ${problem.message})`,
  MAILV_LOAD_DIRECT_DOMAINS: ({ domains }) =>
    `--direct with --count loads one server: the recipients must all be in one domain, not ${domains.map((domain) => q(domain)).join(', ')}`,
  MAILV_LOAD_RATE_INVALID: ({ text }) => `invalid --rate ${q(text)}: a number of messages a second above 0, such as 50 or 0.5`,
  MAILV_TOO_MANY_ATTACHMENTS: ({ attachments, limit, most }) =>
    `${attachments} attachments (-a), each open until the message is sent, need more open files than this process may have (${limit}, ulimit -n): at most ${most}, or raise the limit`,
  MAILV_LOAD_TOO_MANY_CONNECTIONS: ({ connections, limit, most }) =>
    `${connections} connections at once (--concurrency) need more open files than this process may have (${limit}, ulimit -n): at most ${most}, or raise the limit`,
  MAILV_NOTIFY_INVALID: ({ option, text }) => `invalid ${option} ${q(text)}: never, or one or more of success,failure,delay`,
  MAILV_ENVID_INVALID: ({ option, text, limit }) => `invalid ${option} ${q(text)}: 1 to ${limit} printable ASCII characters`,
  MAILV_XCLIENT_INVALID: ({ text }) => `invalid --xclient ${q(text)}: NAME=value, e.g. ADDR=192.0.2.7`,
  MAILV_PROXY_INCOMPLETE: ({ missing }) =>
    `${missing === '--proxy' ? '--proxy-source needs --proxy v1 or v2' : '--proxy needs --proxy-source: the client the header claims'}`,
  MAILV_BDAT_OVER_LMTP: () => '--body bdat cannot be had over LMTP: mailv sends the message to an LMTP server with DATA',
  MAILV_PROXY_UNIX_SOCKET: ({ path }) =>
    `--proxy needs a server over TCP: a PROXY header names the server's address and port, and the socket ${q(path)} has neither`,
  MAILV_PROXY_SOURCE_INVALID: ({ text }) => `invalid --proxy-source ${q(text)}: address:port, e.g. 192.0.2.7:40000 or [2001:db8::7]:40000`,
  MAILV_SOURCE_ADDRESS_INVALID: ({ text }) => `invalid --source-address ${q(text)}: an IPv4 or IPv6 address of this machine`,
  MAILV_FAMILY_CLASH: ({ first, second }) => `${first} and ${second} contradict each other: one address family, IPv4 or IPv6`,
  MAILV_FAMILY_LITERAL: ({ flag, literal }) => `${flag} and the address literal ${literal} contradict each other: one address family, IPv4 or IPv6`,
  MAILV_SECRET_UNREADABLE: (fact) => `cannot read ${ORIGIN[fact.origin]} ${fact.path}: ${system(FILE_ERRNO, fact)}`,
  MAILV_SECRET_NOT_FILE: ({ origin, path, directory }) =>
    `cannot read ${ORIGIN[origin]} ${path}: ${directory ? 'a directory' : 'neither a regular file nor a pipe'}`,
  MAILV_SECRET_TOO_LONG: ({ origin, limit }) => `${ORIGIN[origin]} printed more than ${limit / 1024} KiB: not a password`,
  MAILV_SECRET_COMMAND_UNRUNNABLE: ({ origin, errno, detail }) => `${ORIGIN[origin]} could not be run: ${systemProblem({ errno, detail })}`,
  MAILV_SECRET_COMMAND_FAILED: ({ origin, status, signal }) => `${ORIGIN[origin]} failed (${signal ? `killed by ${signal}` : `exit status ${status}`})`,
  MAILV_SECRET_EMPTY: ({ origin }) => `the secret from ${ORIGIN[origin]} is empty`,
  MAILV_SECRET_NOT_UTF8: ({ origin }) =>
    `the secret from ${ORIGIN[origin]} is not UTF-8: read as it stands, it would be another one; give it in UTF-8 (iconv -f latin1, say)`,
  MAILV_PASSWORD_TERMINAL_CLOSED: () => 'the terminal closed before the password was typed',
  MAILV_PASSWORD_TERMINAL_UNREADABLE: ({ errno, detail }) => `cannot read the password at the terminal: ${systemProblem({ errno, detail })}`,
  MAILV_PASSWORD_NO_TERMINAL: ({ accountServer, server, sendmail }) =>
    `no password: ${accountServer === undefined ? '' : `the account's is for ${accountServer} only, not ${server}, and `}no terminal to ask at; give ${sendmail ? (accountServer === undefined ? 'MAILV_PASSWORD, or password-file or password-cmd in the accounts file' : `MAILV_PASSWORD, or server = ${server} in the account`) : 'MAILV_PASSWORD, --password-file or --password-cmd'}`,
  MAILV_STEP_NO_TERMINAL: () => '--step needs a terminal to wait at',
  MAILV_ATTACHMENT_UNREADABLE: (fact) => `cannot attach ${fact.path}: ${system(FILE_ERRNO, fact)}`,
  MAILV_ATTACHMENT_NOT_FILE: ({ path }) => `cannot attach ${path}: not a regular file`,
  MAILV_ATTACHMENT_UNSIZED_TOO_LARGE: ({ path, limit }) =>
    `cannot attach ${path}: it tells no size and holds more than the ${limit / 1024 / 1024} MiB read into memory (copy it to a file first)`,
  MAILV_MESSAGE_NO_RECIPIENT: () => '-t: the message names no recipient in To, Cc or Bcc (an empty group names none) and no recipient was given',
  MAILV_MESSAGE_UNENDED: () =>
    'the client stopped before the lone dot that ends its message (after a DATA ended with CR LF, a dot next to a bare LF ends nothing): nothing was sent',
  MAILV_CLIENT_IDLE: ({ seconds }) => `the client sent nothing for ${seconds} s in its message: the dialogue was closed (421), nothing was sent`,
  MAILV_MESSAGE_NUL: () => 'the message holds a NUL octet, which SMTP cannot carry as it is',
  MAILV_NO_8BITMIME: () => 'the message body has 8-bit content and the server does not offer 8BITMIME (a whole message is never re-encoded)',
  MAILV_STDIN_DIRECTORY: () => 'standard input is a directory, not a message',
  MAILV_STDIN_UNREADABLE: ({ errno, detail }) => `cannot read the message: ${systemProblem({ errno, detail })}`,
  MAILV_STDIN_CHANGED: () => 'standard input changed while it was being read: send it through a pipe to send a snapshot',
  MAILV_SPOOL_FAILED: ({ refusals, memoryLimit }) =>
    `cannot spool the message (${refusals.map((refusal) => `${refusal.directory}: ${system(DIRECTORY_ERRNO, refusal)}`).join('; ')}) and it is larger than the ${memoryLimit / (1024 * 1024)} MiB kept in memory`,
  MAILV_CONFIG_FILE_MISSING: ({ path, account }) => `no configuration file ${path}, so no account ${q(account)}`,
  MAILV_CA_UNREADABLE: (fact) => `cannot read ${fact.option ?? '--ca'} ${fact.path}: ${system(FILE_ERRNO, fact)}`,
  MAILV_CA_NO_PEM: ({ path, option, wanted }) =>
    `${option ?? '--ca'} ${path} holds no PEM ${wanted === 'private-key' ? `private key${option === '--tls-cert' ? ' (give it with --tls-key)' : option === 'tls-cert' ? ' (give it with tls-key)' : ''}` : 'certificate'}`,
  MAILV_CA_NOT_FILE: ({ path, option }) => `cannot read ${option ?? '--ca'} ${path}: not a regular file`,
  MAILV_CA_DAMAGED: ({ path, option, certificate }) =>
    `${option ?? '--ca'} ${path}: certificate ${certificate} of the file is damaged (not one whole certificate in base64 between its BEGIN and END lines)`,
  MAILV_CA_TOO_LARGE: ({ path, limit, option }) => `cannot read ${option ?? '--ca'} ${path}: larger than ${limit / 1024 / 1024} MiB`,
  MAILV_CLIENT_CERT_UNUSABLE: ({ cert, key, certOption, keyOption, reason, openssl }) =>
    `${key === cert ? `${certOption} ${cert} (its certificate and key)` : `${certOption} ${cert} and ${keyOption} ${key}`} cannot be used: ${
      reason === 'mismatch'
        ? 'the key does not belong to the certificate'
        : reason === 'not-first'
          ? "the key belongs to a certificate further down the file: the client's own certificate comes first, then its chain"
          : reason === 'encrypted'
            ? 'the key is encrypted (mailv asks for no passphrase: openssl pkey -in key -out plain.key)'
            : `OpenSSL refused them (${openssl ?? 'no code'})`
    }`,
});

export const notes: WordsOf<CliNote> = {};

/** What --step's next write carries: `MAIL From:<a@b>`, `3 commands in one flight (MAIL, RCPT, DATA)`. */
function stepNext(next: StepNext): string {
  switch (next.kind) {
    case 'command':
      return next.line;
    case 'flight':
      return `${next.verbs.length} commands in one flight (${next.verbs.join(', ')})`;
    case 'content':
      return `the message, ${next.octets} octets, then ${next.after.map((line) => (line === '.' ? '"."' : line)).join(' and ')}`;
  }
}

export const cliWords = (): CliWords => ({
  suggestion,
  passwordPrompt: (user, host) => `Password for ${user} at ${host}: `,
  // mail(1)'s own.
  typing: { subject: 'Subject: ', continued: '(continue)', end: 'EOT', interrupted: '(Interrupt)' },
  stepPrompt: (next, replaying) => `   [Enter] ${replaying ? 'show' : 'send'} ${stepNext(next)}   [q] quit`,
});
