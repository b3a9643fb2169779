// What smtp/ reports, as data: the codes of its failures and of its notes, with their
// parameters. The words for each are in src/words/en/smtp.ts and src/words/fr/smtp.ts.
import type { ErrorFact, Stage, TransportReason } from '../errors.js';
import type { QuitPoint } from './quit-points.js';
import type { Reply } from './reply.js';

/** How a reply stream broke the grammar, or a limit that keeps memory bounded (RFC 5321 §4.2). */
export type ReplyFault =
  | { readonly fault: 'malformed'; readonly text: string }
  | { readonly fault: 'mixed-codes'; readonly first: string; readonly second: string }
  | { readonly fault: 'line-too-long'; readonly limit: number }
  | { readonly fault: 'too-many-lines'; readonly limit: number }
  /** More octets of replies in one session than mailv takes. */
  | { readonly fault: 'too-much'; readonly limit: number }
  /** A reply no command asked for; `text` is its start. */
  | { readonly fault: 'unsolicited'; readonly text: string; readonly code: number; readonly enhanced: string | undefined };

/**
 * Why a TLS handshake failed. `reason` is OpenSSL's own (`wrong version number`), as Node gives it
 * in the error's `reason`; `detail` is Node's text for a failure that is not OpenSSL's, shown as is.
 */
export type HandshakeFailure =
  /** `alert`: the server answered with a TLS alert (it speaks TLS): about the client's certificate, or another. */
  | { readonly kind: 'openssl'; readonly reason: string; readonly alert?: 'certificate' | 'other' }
  /** With a client certificate, the server's did not verify: the handshake stopped before showing it. */
  | { readonly kind: 'unverified'; readonly problem: CertificateProblem }
  | { readonly kind: 'timeout'; readonly ms: number }
  | { readonly kind: 'closed' }
  | { readonly kind: 'other'; readonly detail: string };

/** A session kept from an earlier run failed: its handshake (`failure`), or the connection right after it (none). */
export interface ResumptionFailure {
  readonly failure?: HandshakeFailure;
}

/** Why TLS, required, could not be had. */
export type TlsUnavailable = { readonly why: 'not-offered' } | { readonly why: 'no-ehlo' } | { readonly why: 'refused'; readonly reply: Reply };

/**
 * Why a certificate did not verify, from OpenSSL's verification code as Node reports it
 * (`authorizationError`); `other` keeps a code mailv has no words for.
 */
export type CertificateProblem =
  | { readonly kind: 'self-signed' | 'self-signed-in-chain' | 'expired' | 'not-yet-valid' }
  /**
   * No trusted CA signed it; `caGiven`: though --ca named one, so that the CA is another, or the
   * server left out the intermediate certificate between its own and the CA.
   */
  | { readonly kind: 'unknown-ca'; readonly caGiven?: true }
  | { readonly kind: 'name-mismatch'; readonly altNames: string | undefined }
  | { readonly kind: 'other'; readonly code: string };

/** Failures raised in smtp/. */
export type SmtpErrorFact =
  /** The greeting was not 220. */
  | { readonly code: 'MAILV_GREETING_REFUSED'; readonly reply: Reply }
  /** EHLO (or HELO after it) refused; `afterTls`: the EHLO that follows STARTTLS. */
  | { readonly code: 'MAILV_HELLO_REFUSED'; readonly verb: 'EHLO' | 'HELO' | 'LHLO'; readonly afterTls: boolean; readonly reply: Reply }
  | { readonly code: 'MAILV_SENDER_REFUSED'; readonly from: string; readonly reply: Reply }
  | { readonly code: 'MAILV_DATA_REFUSED'; readonly reply: Reply }
  /** A RCPT answered 421: the server closing (RFC 5321 §3.8), the transaction over for every recipient. */
  | { readonly code: 'MAILV_RECIPIENT_CLOSING'; readonly recipient: string; readonly reply: Reply }
  /** The reply to the final dot or to a BDAT chunk was a refusal. */
  | { readonly code: 'MAILV_MESSAGE_REFUSED'; readonly reply: Reply }
  /** A reply whose code makes no sense where it came (a 3xx where none is due, a 2xx to the greeting's refusal). */
  | { readonly code: 'MAILV_UNEXPECTED_REPLY'; readonly stage: Stage; readonly reply: Reply }
  | { readonly code: 'MAILV_REPLY_SYNTAX'; readonly stage: Stage; readonly fault: ReplyFault }
  /**
   * QUIT, sent with the message's end, answered with a refusal (RFC 5321 §4.1.1.10: only 221): the
   * server answered more commands than it was sent, and the verdict read before may be another's.
   */
  | { readonly code: 'MAILV_REPLIES_OUT_OF_STEP'; readonly reply: Reply; readonly verdict: Reply | undefined }
  /** Bytes after the 220 to STARTTLS, before the handshake (CVE-2011-0411). */
  | { readonly code: 'MAILV_STARTTLS_INJECTION' }
  | { readonly code: 'MAILV_NO_CHUNKING' }
  /** --xclient, and the server does not offer XCLIENT to this client. */
  | { readonly code: 'MAILV_NO_XCLIENT' }
  | { readonly code: 'MAILV_XCLIENT_REFUSED'; readonly reply: Reply }
  /** --proxy-source and the address connected to are of two families: one PROXY header cannot carry both. */
  | { readonly code: 'MAILV_PROXY_FAMILY'; readonly source: string; readonly destination: string }
  | { readonly code: 'MAILV_TOO_BIG'; readonly size: number; readonly limit: number }
  | { readonly code: 'MAILV_NO_SMTPUTF8' }
  /** The message source turned out longer, or shorter, than the size announced. */
  | { readonly code: 'MAILV_MESSAGE_GREW'; readonly size: number }
  | { readonly code: 'MAILV_MESSAGE_SHORT'; readonly missing: number }
  /** `hint` says what to try instead: plaintext STARTTLS or smtps://. */
  | { readonly code: 'MAILV_TLS_HANDSHAKE'; readonly host: string; readonly failure: HandshakeFailure; readonly hint: 'smtps' | 'starttls' | undefined }
  /** A certificate that had to verify did not; `enforcedBy` is what demanded it. */
  | {
      readonly code: 'MAILV_CERTIFICATE_UNVERIFIED';
      readonly host: string;
      readonly problem: CertificateProblem | undefined;
      readonly enforcedBy: 'tls-required' | 'smtps';
    }
  | ({ readonly code: 'MAILV_TLS_UNAVAILABLE' } & TlsUnavailable)
  /**
   * The connection could not be made; `errno` is the system's code (ECONNREFUSED, EHOSTUNREACH);
   * `ms`, only when mailv's own time limit ended the wait, is that limit.
   */
  | {
      readonly code: 'MAILV_CONNECT_FAILED';
      readonly host: string;
      readonly port: number;
      readonly reason: TransportReason;
      readonly errno: string | undefined;
      readonly ms?: number;
      /** The --source-address that is not an address of this machine (EADDRNOTAVAIL). */
      readonly source?: string;
    }
  /** An open connection failed; `midReply`: part of a reply had come. */
  | {
      readonly code: 'MAILV_CONNECTION_LOST';
      readonly stage: Stage;
      readonly reason: TransportReason;
      readonly errno: string | undefined;
      readonly midReply: boolean;
      /** Closed on port 465 in the clear before any greeting (see MAILV_TIMEOUT's). */
      readonly implicitTlsPort?: true;
    }
  /** `implicitTlsPort`: no greeting came on port 465, where servers speak TLS from the first byte (RFC 8314), and smtp:// was asked for. */
  | { readonly code: 'MAILV_TIMEOUT'; readonly stage: Stage; readonly ms: number; readonly waiting: 'reply' | 'send'; readonly implicitTlsPort?: true }
  /** A 421 no command asked for: the server closing the session (RFC 5321 §3.8). */
  | { readonly code: 'MAILV_SERVICE_CLOSING'; readonly reply: Reply };

/** Why a step --quit-after stops after never took place. */
export type SkippedStep =
  /** STARTTLS: --tls off. */
  | 'tls-off'
  /** STARTTLS: the server's EHLO does not offer it. */
  | 'not-offered'
  /** STARTTLS: the server refused it (454), and the session went on in plaintext. */
  | 'refused'
  /** AUTH: no user to log in as (--user, an account). */
  | 'no-credentials';

/** Notes emitted from smtp/ (facts worth showing that are not failures). */
export type SmtpNote =
  /**
   * --quit-after reached its step; `connect` closes without a word, `data` hangs up mid-message.
   * `skipped`: the step itself never took place (starttls, auth), and why: stopping "after" it is
   * no sign that it works.
   */
  | { readonly code: 'quit-after'; readonly point: QuitPoint; readonly skipped?: SkippedStep }
  /** --quit-after data, but no recipient was accepted: the session ends with QUIT before DATA. */
  | { readonly code: 'quit-before-data'; readonly point: QuitPoint }
  /** Certificates are not checked: anyone on the path could pose as the server. */
  | { readonly code: 'certificates-unchecked' }
  /** The server refused STARTTLS; opportunistic TLS goes on in plaintext (RFC 7435). */
  | { readonly code: 'starttls-refused'; readonly reply: Reply }
  /**
   * MAIL or a RCPT was refused with 530 or a 5.7 policy code by a server that offered AUTH, and
   * mailv had not logged in: the usual cause at a submission server is the login left out.
   */
  | { readonly code: 'login-not-tried' }
  /** RCPTs past the server's limit a message were answered 452: they go in another transaction. */
  | { readonly code: 'recipients-over-limit'; readonly count: number }
  /** QUIT went unanswered, or was answered out of the protocol: the transaction was already over. */
  | { readonly code: 'quit-unanswered'; readonly error: ErrorFact }
  | { readonly code: 'quit-unexpected'; readonly error: ErrorFact }
  /** The server hung up (or reset) after refusing or putting off every recipient, on a message that was no one's (see SmtpSession.messageForNoOne). */
  | { readonly code: 'hung-up-for-no-one'; readonly error: ErrorFact }
  /** A signal came while QUIT's reply was awaited, after the verdict on the message: the run ends with that verdict. */
  | { readonly code: 'quit-interrupted'; readonly signal: NodeJS.Signals }
  /** DSN was asked for (RFC 3461) but the server does not offer it: the parameters are left out. */
  | { readonly code: 'dsn-not-offered' }
  /** PIPECONNECT: EHLO left before the greeting, the server's capabilities having been remembered. */
  | { readonly code: 'pipeconnect-early' }
  /**
   * The reply to the early EHLO differs from the one remembered: the dialogue follows the reply,
   * remembered anew while it still offers PIPECONNECT (`stillOffered`), forgotten otherwise.
   */
  /** `stillOffered`: the new reply offers PIPECONNECT; `tooLarge`: it does, but is too large to keep (see rememberable). */
  | { readonly code: 'pipeconnect-changed'; readonly stillOffered: boolean; readonly tooLarge?: true }
  /**
   * The server refused the early EHLO (a 5xx greeting, or a hang-up): the message goes again over a
   * new connection, without it. `lasting`: a 5xx, kept for a day; a hang-up may pass, and is not.
   */
  | { readonly code: 'pipeconnect-refused'; readonly lasting: boolean }
  /** The early EHLO was answered with a refusal after a 220: EHLO is sent again, the usual way. `lasting` as above (a 5xx). */
  | { readonly code: 'pipeconnect-ehlo-refused'; readonly lasting: boolean }
  /** The remembered capabilities are too old to be trusted: the usual dialogue, remembered anew. */
  /** `future`: dated later than now, not more than a day old. */
  | { readonly code: 'pipeconnect-stale'; readonly future?: boolean }
  /**
   * The TLS handshake failed after offering a session kept from an earlier run (`failure`), or the
   * server hung up before its first reply after resuming it (no `failure`): that session is
   * forgotten, none is offered to this server for a day, and the message goes over a new
   * connection with a full handshake.
   */
  | ({ readonly code: 'tls-resumption-failed' } & ResumptionFailure);
