// The vocabulary between the protocol and the renderers: what happened, typed, never formatted.
// The session emits these; render/ turns them into a transcript.
import type { DnsRecord, QueryType } from './dns/wire.js';
import type { Stage } from './errors.js';
import type { Reply } from './smtp/reply.js';

export type RecipientOutcome = 'sent' | 'refused' | 'deferred';

export type SessionEvent =
  | { kind: 'connecting'; recipients: readonly string[]; host: string; port: number; via: 'relay' | 'esmtp' }
  | { kind: 'connected'; address: string; port: number }
  | { kind: 'send'; stage: Stage; line: string; pipelined: boolean }
  | { kind: 'reply'; stage: Stage; reply: Reply; recipient: string | undefined }
  /** Message bytes as written after DATA, dot-stuffed; emitted only when asked for (-vv). */
  | { kind: 'body'; bytes: Buffer }
  | { kind: 'recipient'; recipient: string; outcome: RecipientOutcome; reply: Reply | undefined }
  | { kind: 'note'; text: string; severity: 'info' | 'warning' }
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
      problem: string | undefined;
    }
  /** A host that could not take the message; the next one is tried (`Deferred: ... by host`). */
  | { kind: 'deferred'; recipients: readonly string[]; host: string; reason: string }
  | { kind: 'dns-query'; name: string; type: QueryType; server: string; transport: 'udp' | 'tcp' }
  | {
      kind: 'dns-answer';
      name: string;
      type: QueryType;
      server: string;
      rcode: string;
      truncated: boolean;
      answers: readonly DnsRecord[];
      additionals: readonly DnsRecord[];
      ms: number;
    }
  | { kind: 'dns-no-answer'; name: string; type: QueryType; server: string; reason: string };

export type EmitEvent = (event: SessionEvent) => void;
