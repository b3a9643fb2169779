// The vocabulary between the protocol and the renderers: what happened, typed, never formatted.
// The session emits these; render/ turns them into a transcript.
import type { DnsRecord, QueryType } from './dns/wire.js';
import type { AppNote } from './app/facts.js';
import type { AuthNote } from './auth/facts.js';
import type { AddressOrigin } from './message/address-origin.js';
import type { CliNote } from './cli/facts.js';
import type { ConfigNote } from './config/facts.js';
import type { DeliveryNote } from './delivery/facts.js';
import type { DnsNote, NoAnswer } from './dns/facts.js';
import type { MxPlan } from './dns/mx.js';
import type { ErrorFact, Stage } from './errors.js';
import type { MessageNote } from './message/facts.js';
import type { Command } from './smtp/command.js';
import type { EhloOffer } from './smtp/capabilities.js';
import type { EhloKey } from './smtp/remembered.js';
import type { ClientCertificateOutcome } from './smtp/client-certificate.js';
import type { CertificateProblem, SmtpNote } from './smtp/facts.js';
import type { Reply } from './smtp/reply.js';

export type RecipientOutcome = 'sent' | 'refused' | 'deferred';

/** Why a kept EHLO reply does not let the next EHLO go before the greeting. */
export type NotEarly = 'tls-follows' | 'no-pipelining';

export type SessionEvent =
  /**
   * Before a send's dialogue: each address of the message, where it goes (the envelope, a header
   * field) and whence it came, as -v's table shows them; --explain reads it beside MAIL and RCPT.
   */
  | { kind: 'addresses'; addresses: readonly AddressOrigin[] }
  /**
   * `implicitTls`: whether the server is smtps://, TLS from the first byte (absent from --direct, and
   * from older records); `demo`: the server is --demo's own, on a free port of loopback.
   */
  | { kind: 'connecting'; recipients: readonly string[]; host: string; port: number; via: 'relay' | 'esmtp' | 'lmtp'; implicitTls?: boolean; demo?: true }
  | { kind: 'connected'; address: string; port: number }
  /**
   * A command as it is written (after --step's go, never before); `pipelined`: it leaves in a write
   * of the PIPELINING kind, its reply read later. A secret is withheld unless asked for.
   */
  | { kind: 'send'; stage: Stage; command: Command; pipelined: boolean }
  /**
   * The next `commands` send events leave in one write (a pipelined flight, RFC 2920): their
   * replies come after all of them, in order.
   */
  | { kind: 'flight'; commands: number }
  /**
   * A 250 to EHLO, for the app to remember when it offers PIPECONNECT (draft-harris-early-pipe), or
   * to forget when it no longer does. Emitted only when the session may use remembered replies.
   */
  /**
   * `notEarly`: why, under this run's TLS setting, the next EHLO to it still waits for the greeting:
   * TLS follows (nothing goes early before the handshake), or the server takes no pipelining.
   */
  | { kind: 'ehlo-learned'; key: EhloKey; offer: EhloOffer; notEarly?: NotEarly }
  /**
   * The server refused an EHLO sent before its greeting: what was remembered of it no longer holds.
   * `lasting`: it refused with a 5xx, and none goes early to it for a while; a hang-up or a 4xx may pass.
   */
  | { kind: 'ehlo-forgotten'; key: EhloKey; lasting: boolean }
  /** A reply; the 250 to EHLO carries what it offers, as mailv read it. */
  | { kind: 'reply'; stage: Stage; reply: Reply; recipient: string | undefined; ehlo?: EhloOffer }
  /**
   * What the server sent of a reply mailv could not take (one that broke the grammar or came
   * unasked, or the lines of one cut short), as received: shown ahead of the failure it caused.
   */
  | { kind: 'unreadable-reply'; lines: readonly string[] }
  /** Message bytes as written after DATA, dot-stuffed; emitted only when asked for (-vv). */
  | { kind: 'body'; bytes: Buffer }
  /**
   * The whole message has been written: the final dot, or the last octet of `BDAT … LAST`. From here
   * on the server may have it, whatever happens to the connection.
   */
  | { kind: 'committed'; verb: 'DATA' | 'BDAT'; size: number }
  /**
   * `next`: put off at RCPT and offered to the next server (SessionPlan.putOffGoesOn): not its last
   * word. `restated`: the verdict of one that went so and that no other server took, said again as
   * its last word (the transcript showed it already).
   */
  | { kind: 'recipient'; recipient: string; outcome: RecipientOutcome; reply: Reply | undefined; next?: true; restated?: true }
  /** A fact worth showing that is not a failure; the renderers word it from its code. */
  | { kind: 'note'; note: Note; severity: 'info' | 'warning' }
  /** The session is closing: after the verdict on the message, even when QUIT left with its end (RFC 2920 §3.1). */
  | { kind: 'closing'; host: string }
  /** The connection is over: SMTP octets each way, after TLS decryption (for --timing, --json). */
  | { kind: 'traffic'; sent: number; received: number }
  | {
      kind: 'tls';
      protocol: string;
      cipher: string;
      subject: string;
      issuer: string;
      validFrom: string;
      validTo: string;
      verified: boolean;
      problem: CertificateProblem | undefined;
      /** An earlier session was resumed: the certificate is the one verified when it was made. */
      resumed?: true;
      /** A full handshake's client certificate (see TlsDetails): asked for or not, and what went. */
      clientCertificate?: ClientCertificateOutcome;
      /** The subject of the client certificate given, when the server asked for one. */
      clientSubject?: string;
      /** SHA-256 of the server's certificate, colon-separated hex (absent from older records). */
      fingerprint?: string;
      /** The name the certificate was checked against when the user gave one, and where (--tls-name, the accounts file); absent otherwise. */
      checkedAs?: { readonly name: string; readonly given: 'option' | 'config' };
    }
  /**
   * A host that could not take the message, and why (`Deferred: ... by host`): with --direct the
   * next one is tried; a relay that cannot be reached ends the run. `address`: the address tried
   * (a relay's host as given).
   */
  | { kind: 'deferred'; recipients: readonly string[]; host: string; address: string; error: ErrorFact }
  /** `edns`: false when asked again without EDNS, after a FORMERR to it (RFC 6891 §7). */
  | { kind: 'dns-query'; name: string; type: QueryType; server: string; transport: 'udp' | 'tcp'; edns?: false }
  | {
      kind: 'dns-answer';
      name: string;
      type: QueryType;
      server: string;
      rcode: string;
      truncated: boolean;
      /** How it came: A and AAAA are asked at once, so the query just before may be another's. Absent in an older record. */
      transport?: 'udp' | 'tcp';
      answers: readonly DnsRecord[];
      additionals: readonly DnsRecord[];
      /** A referral, which says nothing of the name (see DnsResponse); absent when it is not one. */
      referral?: true;
      ms: number;
    }
  /** Where a domain's mail goes, decided from its MX answer: hosts in the order they will be tried. */
  | { kind: 'mx-plan'; plan: MxPlan }
  /**
   * The domain's MX is the null MX `0 .` (RFC 7505): it takes no mail; `invalid`: its records all
   * name no host (`.`) without being that single record, which leaves no host just the same.
   */
  | { kind: 'null-mx'; domain: string; invalid?: true }
  /**
   * The message nobody received was appended to dead.letter at `path`: `size` octets, or, when
   * `unfinished`, only what was read of it before reading stopped.
   */
  | { kind: 'dead-letter'; path: string; size: number; unfinished: boolean }
  /**
   * A transaction failed without a reply to decide it (the connection lost, the message sent whole
   * and unconfirmed) and left these recipients without a verdict: `error` says why.
   */
  | { kind: 'unsettled'; recipients: readonly string[]; error: ErrorFact }
  /** A server gave no usable answer: `reason` says why (timeout, refused, malformed…), with its details. */
  | ({ kind: 'dns-no-answer'; name: string; type: QueryType; server: string } & NoAnswer);

/** Every note, by code; each folder declares its own in its facts.ts. */
export type Note = AppNote | AuthNote | CliNote | ConfigNote | DeliveryNote | DnsNote | MessageNote | SmtpNote;

export type EmitEvent = (event: SessionEvent) => void;
