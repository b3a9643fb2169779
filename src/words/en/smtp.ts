// English words for what smtp/ reports (src/smtp/facts.ts).
import type { CertificateProblem, HandshakeFailure, ReplyFault, SkippedStep, SmtpErrorFact, SmtpNote } from '../../smtp/facts.js';
import { replyText, type Reply } from '../../smtp/reply.js';
import type { TimingWords, TlsWords, TranscriptWords, WordsOf } from '../catalogue.js';
import { displayHost } from '../../text/host.js';
import { caMayHelp } from '../certificate-advice.js';
import { describeFact } from '../fact-sentence.js';
import { quoted } from '../quote.js';

/** Where a connection went: a host and its port, or the path of a unix-domain socket (port 0). */
const endpoint = (host: string, port: number) => (port === 0 ? host : `${displayHost(host)} port ${port}`);
const said = (reply: Reply) => `${reply.code} ${replyText(reply)}`;
const seconds = (ms: number) => `${ms / 1000} s`;
/** Why a connection could not be made, in words: a socket path that is none, one not open to this user. */
const CONNECT_ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'no such socket',
  EACCES: 'permission denied',
  ENOTSOCK: 'not a socket',
  ENETUNREACH: 'network unreachable',
  EHOSTUNREACH: 'host unreachable',
};

function fault(fault: ReplyFault): string {
  switch (fault.fault) {
    case 'malformed':
      return `malformed reply: ${quoted(fault.text)}`;
    case 'mixed-codes':
      return `multi-line reply mixes codes ${fault.first} and ${fault.second}`;
    case 'line-too-long':
      return `reply line longer than ${fault.limit} octets`;
    case 'too-many-lines':
      return `reply of more than ${fault.limit} lines`;
    case 'too-much':
      return `the server sent more than ${fault.limit / (1024 * 1024)} MiB of replies`;
    case 'unsolicited':
      return `reply received before any command asked for it: ${quoted(fault.text)}`;
  }
}

function handshake(failure: HandshakeFailure): string {
  switch (failure.kind) {
    case 'openssl':
      return failure.reason;
    case 'timeout':
      return `no handshake within ${seconds(failure.ms)}`;
    case 'closed':
      return 'connection closed during the handshake';
    case 'other':
      return failure.detail;
    case 'unverified':
      return `the server's certificate does not verify (${certificateProblem(failure.problem)}): the handshake was stopped, a client certificate being meant for a verified server only (${caMayHelp(failure.problem) ? '--ca <file> trusts its CA, ' : ''}--insecure accepts any)`;
  }
}

export const errors = (): WordsOf<SmtpErrorFact> => ({
  MAILV_GREETING_REFUSED: ({ reply }) => `the server refused the connection: ${said(reply)}`,
  MAILV_HELLO_REFUSED: ({ verb, afterTls, reply }) =>
    `the server ${reply.code === 421 ? 'closed the session at' : 'refused'} ${verb}${afterTls ? ' after STARTTLS' : ''}: ${said(reply)}`,
  // A 421 is the server closing (RFC 5321 §3.8), no verdict on the sender.
  MAILV_SENDER_REFUSED: ({ from, reply }) =>
    reply.code === 421
      ? `the server closed the session before taking the sender <${from}>: ${said(reply)}`
      : `the server refused the sender <${from}>: ${said(reply)}`,
  MAILV_DATA_REFUSED: ({ reply }) => `the server ${reply.code === 421 ? 'closed the session at' : 'refused'} DATA: ${said(reply)}`,
  MAILV_RECIPIENT_CLOSING: ({ recipient, reply }) => `the server closed the session at the recipient <${recipient}>: ${said(reply)}`,
  MAILV_MESSAGE_REFUSED: ({ reply }) => `the server did not accept the message: ${said(reply)}`,
  MAILV_UNEXPECTED_REPLY: ({ stage, reply }) => `unexpected reply during ${stage}: ${said(reply)}`,
  MAILV_REPLIES_OUT_OF_STEP: ({ reply, verdict }) =>
    `where the reply to QUIT was due, the server sent ${said(reply)}, not 221: its replies were out of step with the commands, ` +
    `so this refusal may be the message’s own, and ${verdict === undefined ? 'the verdict on the message' : `the verdict ${said(verdict)}`} may have answered another command`,
  MAILV_REPLY_SYNTAX: ({ stage, fault: what }) => `protocol error during ${stage}: ${fault(what)}`,
  MAILV_STARTTLS_INJECTION: () => 'the server sent more after its 220 to STARTTLS: a response injection (CVE-2011-0411)',
  MAILV_NO_CHUNKING: () => 'the server does not offer CHUNKING (--body bdat)',
  MAILV_NO_XCLIENT: () => 'the server does not offer XCLIENT to this client (--xclient; Postfix: smtpd_authorized_xclient_hosts)',
  MAILV_XCLIENT_REFUSED: ({ reply }) => `the server refused XCLIENT: ${said(reply)}`,
  MAILV_PROXY_FAMILY: ({ source, destination }) =>
    `--proxy-source ${source} and the server's address ${destination} are of two families: a PROXY header holds one`,
  MAILV_TOO_BIG: ({ size, limit }) => `the message is ${size} octets; the server takes at most ${limit} (SIZE)`,
  MAILV_NO_SMTPUTF8: () => 'an address is not ASCII and the server does not offer SMTPUTF8',
  MAILV_MESSAGE_GREW: ({ size }) => `the message grew past its announced size of ${size} octets while it was being sent`,
  MAILV_MESSAGE_SHORT: ({ missing }) => `the message ended ${missing} octets short of its announced size`,
  MAILV_TLS_HANDSHAKE: ({ host, failure, hint }) =>
    `TLS handshake with ${host} failed: ${handshake(failure)}` +
    (failure.kind === 'unverified'
      ? ''
      : failure.kind === 'openssl' && failure.alert !== undefined
        ? failure.alert === 'certificate'
          ? ' (the server refused the handshake: a client certificate it does not accept, or none when it wants one)'
          : ''
        : hint === 'smtps'
          ? ' (smtps:// expects TLS from the first byte; smtp:// uses STARTTLS)'
          : hint === 'starttls'
            ? ' (--tls off sends without TLS)'
            : ''),
  MAILV_CERTIFICATE_UNVERIFIED: ({ host, problem, enforcedBy }) =>
    `the certificate of ${host} is NOT verified: ${certificateProblem(problem)} (${enforcedBy === 'smtps' ? 'smtps://' : '--tls required'}; ${caMayHelp(problem) ? '--ca <file> trusts its CA, ' : ''}--insecure accepts any)`,
  MAILV_TLS_UNAVAILABLE: (fact) =>
    (fact.why === 'not-offered'
      ? 'the server does not offer STARTTLS'
      : fact.why === 'no-ehlo'
        ? 'the server does not know EHLO, so it cannot offer STARTTLS'
        : `the server refused STARTTLS: ${said(fact.reply)}`) + ' (--tls required)',
  MAILV_CONNECT_FAILED: ({ host, port, reason, errno, ms, source }) =>
    reason === 'refused'
      ? `connection refused by ${endpoint(host, port)}`
      : reason === 'timeout' && ms !== undefined
        ? `timed out after ${seconds(ms)} connecting to ${endpoint(host, port)}`
        : source !== undefined
          ? `cannot connect to ${endpoint(host, port)} from ${source}: not an address of this machine (--source-address)`
          : `cannot connect to ${endpoint(host, port)}: ${(errno === undefined ? undefined : CONNECT_ERRNO[errno]) ?? errno ?? reason}`,
  MAILV_CONNECTION_LOST: ({ stage, reason, errno, midReply, implicitTlsPort }) =>
    (reason === 'closed'
      ? 'connection closed by the server'
      : reason === 'reset' && (errno === undefined || errno === 'ECONNRESET')
        ? 'connection reset by the server'
        : `connection lost (${errno ?? reason})`) +
    ` during ${stage}${midReply ? ' (in the middle of a reply)' : ''}${implicitTlsPort ? ', no greeting sent: a server on port 465 waits for TLS from the first byte (smtps://host:465)' : ''}`,
  MAILV_TIMEOUT: ({ stage, ms, waiting, implicitTlsPort }) =>
    `timed out after ${seconds(ms)} ${waiting === 'reply' ? 'waiting for the reply' : 'sending data'} (${stage})${implicitTlsPort ? ': a server on port 465 waits for TLS from the first byte (smtps://host:465)' : ''}`,
  MAILV_SERVICE_CLOSING: ({ reply }) => `the server closed the session: ${reply.raw.join(' ')}`,
});

/** Why the step --quit-after names never took place. */
const SKIPPED_EN: Readonly<Record<SkippedStep, string>> = {
  'tls-off': 'TLS is off (--tls off)',
  'not-offered': 'the server does not offer STARTTLS',
  refused: 'the server refused STARTTLS',
  'no-credentials': 'no user to log in as (--user or an account)',
};

export const notes: WordsOf<SmtpNote> = {
  'quit-after': ({ point, skipped }) =>
    point === 'connect'
      ? 'stopping after connect (--quit-after): closing without a word'
      : point === 'data'
        ? 'stopping after data (--quit-after): hanging up, so the server discards the unfinished message'
        : skipped === undefined
          ? `stopping after ${point} (--quit-after)`
          : `stopping after ${point} (--quit-after), which never took place: ${SKIPPED_EN[skipped]}`,
  'quit-before-data': () => 'stopping before data (--quit-after): no recipient was accepted',
  'certificates-unchecked': () => 'certificates are not checked (--insecure): anyone on the path could pose as the server',
  'starttls-refused': ({ reply }) => `STARTTLS refused (${reply.code}): going on without TLS`,
  'login-not-tried': () => 'the server offers AUTH and mailv did not log in: if it wants a login before it takes mail, give --user (or an account with a user)',
  'recipients-over-limit': ({ count }) =>
    `${count} recipient${count === 1 ? '' : 's'} past the server's limit for one message (452): sent in another transaction once this one is accepted (RFC 5321 §4.5.3.1.10)`,
  'quit-unanswered': ({ error }, words) => `no reply to QUIT (${describeFact(error, words)})`,
  'quit-unexpected': ({ error }, words) => describeFact(error, words),
  'hung-up-for-no-one': ({ error }, words) => `${describeFact(error, words)}, every recipient refused or put off: the message was no one's`,
  'quit-interrupted': ({ signal }) => `interrupted by ${signal} while the reply to QUIT was awaited: the verdict on the message stands`,
  'dsn-not-offered': () => 'the server does not offer DSN: NOTIFY, RET, ENVID and ORCPT are left out, and no delivery notification was asked for',
  'pipeconnect-early': () => 'EHLO sent before the greeting: this server offered PIPECONNECT and its capabilities were remembered',
  'pipeconnect-changed': ({ stillOffered, tooLarge }) =>
    `the server’s capabilities changed since they were remembered: going on with its reply, ${tooLarge ? 'too large to be remembered (nothing remembered)' : stillOffered ? 'remembered anew' : 'which no longer offers PIPECONNECT (nothing remembered)'}`,
  'pipeconnect-refused': ({ lasting }) =>
    `the server did not accept the early EHLO: ${lasting ? 'none goes early to it for a day' : 'what was remembered of this server is forgotten'}, and the message goes over a new connection without it`,
  'pipeconnect-ehlo-refused': ({ lasting }) =>
    `the early EHLO was refused: ${lasting ? 'none goes early to this server for a day' : 'what was remembered of this server is forgotten'}, and EHLO is sent again after the greeting`,
  'pipeconnect-stale': ({ future }) =>
    `the remembered capabilities of this server are ${future === true ? 'dated in the future (perhaps the clock was set back since)' : 'more than a day old'}: they are not used, and the dialogue is the usual one`,
  'tls-resumption-failed': ({ failure }) =>
    `${failure === undefined ? 'the server hung up right after resuming the TLS session kept from an earlier run' : `the TLS handshake failed when it offered the session kept from an earlier run (${handshake(failure)})`}: that session is forgotten, none is offered to this server for a day, and the message goes over a new connection with a full handshake`,
};

/** Why a certificate did not verify, in a few words. */
export function certificateProblem(problem: CertificateProblem | undefined): string {
  if (problem === undefined) return 'unknown reason';
  switch (problem.kind) {
    case 'self-signed':
      return 'self-signed';
    case 'self-signed-in-chain':
      return 'self-signed CA in the chain';
    case 'expired':
      return 'expired';
    case 'not-yet-valid':
      return 'not yet valid';
    case 'unknown-ca':
      return problem.caGiven ? 'unknown CA, --ca given: another CA signed it, or the server leaves out its intermediate certificate' : 'unknown CA';
    case 'name-mismatch':
      return problem.altNames ? `name mismatch: the certificate is for ${problem.altNames}` : 'name mismatch';
    case 'other':
      return problem.code;
  }
}

export const tlsWords = (): TlsWords => ({
  handshake: (tls) =>
    `TLS: ${tls.protocol}, ${tls.cipher}; certificate ${tls.verified ? 'verified' : 'NOT verified'}${tls.checkedAs === undefined ? '' : ` as ${tls.checkedAs.name} (${tls.checkedAs.given === 'option' ? '--tls-name' : 'tls-name in the accounts file'})`}${tls.verified ? '' : `: ${certificateProblem(tls.problem)}`}${tls.resumed ? ' when the session was made, resumed here' : ''}`,
  certificate: (tls) => `TLS: subject ${tls.subject}; issuer ${tls.issuer}; valid ${tls.validFrom} to ${tls.validTo}`,
  fingerprint: (tls) => (tls.fingerprint === undefined ? undefined : `TLS: certificate SHA-256 ${tls.fingerprint}`),
  clientCertificate: (tls) => {
    switch (tls.clientCertificate) {
      case 'offered':
        return `TLS: the server asked for a client certificate: offered ${tls.clientSubject ?? ''}`;
      case 'unsuitable':
        return `TLS: the server asked for a client certificate: none sent, since it accepts no signature the key of ${tls.clientSubject ?? ''} can make`;
      case 'none':
        return 'TLS: the server asked for a client certificate: none sent (--tls-cert gives one)';
      case 'withheld':
        return 'TLS: the server asked for a client certificate: none sent, the one given being for a verified server only';
      case 'not-asked':
        return 'TLS: the server did not ask for a client certificate, or named no signature mailv can make: none sent';
      case undefined:
        return undefined;
    }
  },
});

export const transcriptWords: TranscriptWords = {
  warning: 'Warning: ',
  // Port 0: a unix-domain socket, named by its path alone.
  connected: (host, port) => `Connected to ${port === 0 ? host : `${host} port ${port}`}`,
  flight: (commands) => `(the next ${commands} commands in one flight: the replies follow, in order)`,
  dnsQuery: (type, name, server, transport, withoutEdns) => `;; ${type} ${name}? asking ${server} over ${transport}${withoutEdns ? ', without EDNS' : ''}`,
  dnsAnswer: (type, name, rcode, truncated, server, ms, answers) =>
    `;; answer to ${type} ${name} from ${server}: ${rcode}${truncated ? ', truncated' : ''}, ${answers} record${answers === 1 ? '' : 's'}, ${ms} ms`,
  additional: '(additional)',
  dnsNoAnswer: (type, name, server, why) => `;; no answer to ${type} ${name} from ${server}: ${why}`,
};

export const timingWords = (): TimingWords => ({
  stamp: (ms) => `[${ms} ms] `,
  ms: (figure) => `${figure} ms`,
  total: (roundTrips, sent, received, ms) =>
    `Timing: ${roundTrips} round trip${roundTrips === 1 ? '' : 's'} (waits for the server), ${sent} octets sent, ${received} received, ${ms} ms in all`,
  greeting: (ms, afterTls, connections) =>
    `Timing: greeting ${ms} ms after ${afterTls ? 'the TLS handshake (smtps://)' : 'the connection was made'}${connections > 1 ? `, on the last of ${connections} connections` : ''}`,
  steps: (steps, connections) =>
    `Timing: ${connections > 1 ? `over ${connections} connections, ` : ''}${steps.map(([step, ms]) => `${step} ${ms} ms`).join(', ')}`,
});
