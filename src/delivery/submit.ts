// Handing the message to one submission server ("via relay", as sendmail says): connect, run the
// session, report; a failure after the whole message was written says the server may have it.
import { DnsError, SmtpReplyError, TlsError, TransportError } from '../errors.js';
import type { EmitEvent } from '../events.js';
import { SmtpConnection } from '../smtp/connection.js';
import { SmtpSession, unnamed, type RecipientResult, type SessionPlan } from '../smtp/session.js';
import { hungUpForNoOne, messageLeft, noOnesVerdicts, unconfirmed } from './unconfirmed.js';
import { goesAgain, secondTry } from './second-try.js';
import { afterFailedFirst, sendOverLimit, type FailedRound } from './recipient-limit.js';
import { refusedFirst } from './refused-first.js';
import type { InterruptSignal } from '../interruption.js';

export interface ServerAddress {
  readonly host: string;
  readonly port: number;
  /** smtps:// (RFC 8314): TLS from the first byte. */
  readonly implicitTls: boolean;
  /** lmtp:// or lmtp:/path: LMTP (RFC 2033), LHLO and one reply per recipient after the message. */
  readonly lmtp?: boolean;
  /** unix:/path or lmtp:/path: a unix-domain socket (then `host` is the path, `port` 0). */
  readonly socket?: string;
  /** --demo's embedded server, said in the connecting event for the explanations. */
  readonly demo?: boolean;
}

/**
 * Delivers through `server`; `signal` aborting ends the session at once. Returns each recipient's
 * outcome; throws MailvError on failure (MAILV_UNCONFIRMED, 75, once the message was committed).
 */
export async function submit(server: ServerAddress, plan: SessionPlan, emit: EmitEvent, signal?: InterruptSignal): Promise<RecipientResult[]> {
  const limited = { ...plan, recipientsOverLimitGoAgain: true };
  const again = (recipients: readonly string[]) => submitOnce(server, { ...limited, envelope: { ...plan.envelope, recipients } }, emit, signal);
  const first = await submitOnce(server, limited, emit, signal);
  if (Array.isArray(first)) return sendOverLimit(first, again, emit);
  const settled = afterFailedFirst(plan.envelope.recipients, first, again, emit);
  if (settled === undefined) throw refusedFirst(first.failure, first.refused);
  return settled;
}

/**
 * One session with the server: its recipients' results, those past its limit marked to go again;
 * or what failed it, with the recipients it had refused for good before that.
 */
async function submitOnce(server: ServerAddress, plan: SessionPlan, emit: EmitEvent, signal?: InterruptSignal): Promise<RecipientResult[] | FailedRound> {
  const implicitTls = plan.implicitTls === true;
  const via = server.lmtp ? 'lmtp' : 'relay';
  emit({
    kind: 'connecting',
    recipients: plan.envelope.recipients,
    host: server.host,
    port: server.port,
    via,
    implicitTls,
    ...(server.demo ? { demo: true } : {}),
  });
  let connection: SmtpConnection;
  try {
    const timeout = plan.timeouts.forStage('connect');
    connection =
      server.socket === undefined
        ? await SmtpConnection.open(server.host, server.port, timeout, signal, plan.local)
        : await SmtpConnection.openSocket(server.socket, timeout, signal);
  } catch (error) {
    // As sendmail: the recipients are deferred by the relay that could not be reached (`Deferred:
    // Connection refused by …`), or whose name could not be looked up for now (`Deferred: Name server: …`).
    if (error instanceof TransportError || (error instanceof DnsError && error.reason === 'lookup-failed')) {
      emit({ kind: 'deferred', recipients: plan.envelope.recipients, host: server.host, address: server.host, error: error.fact });
    }
    return { failure: error, refused: [] };
  }
  emit({ kind: 'connected', address: connection.remoteAddress, port: connection.remotePort });
  // As a refused connection is said, and as --direct says it of an MX host: the relay put the
  // message off (a 4xx greeting or verdict, 421, the connection or TLS lost before the message was
  // whole), `Deferred: 421 …` as sendmail says it, where the verdict would be, before QUIT; not
  // when the message goes once more (below), which may yet succeed.
  const failing = (error: unknown) => {
    if (goesAgain(session) || !putOff(error, messageLeft(session))) return;
    // Those refused for good at RCPT are not put off with the rest, nor those put off there once the
    // message left (BDAT): each had its own verdict said, and no one may be left to name.
    const recipients = unnamed(plan.envelope.recipients, session.refusedRecipients, session.deferredAtRcpt);
    if (recipients.length === 0) return;
    emit({ kind: 'deferred', recipients, host: server.host, address: connection.remoteAddress, error: error.fact });
  };
  const session: SmtpSession = new SmtpSession(connection, { ...plan, failing }, emit);
  try {
    return await session.run();
  } catch (error) {
    // Nothing of the message had left: a refused early EHLO, or a kept TLS session the server
    // failed, goes once more over a new connection without it.
    const again = secondTry(session, plan, emit);
    if (again !== undefined) return submitOnce(server, again, emit, signal);
    const hangUp = hungUpForNoOne(session, error);
    if (hangUp !== undefined) {
      // As after any verdict: the session closes, the hang-up said as no one's loss.
      return noOnesVerdicts(hangUp, session, plan.envelope.recipients, plan.serverName ?? connection.host, emit);
    }
    const failure = messageLeft(session) ? unconfirmed(error, server.host, connection.remoteAddress, emit) : error;
    return { failure, refused: [...session.refusedRecipients], settled: [...session.settledRecipients], deferredAtRcpt: [...session.deferredAtRcpt] };
  }
}

/**
 * The relay put the whole message off, none of it taken: 421 at any step, a 4xx greeting or verdict
 * on the message; before the message was whole, the connection lost or its TLS handshake failed
 * (after, the relay may have it: said so instead).
 */
function putOff(error: unknown, committed: boolean): error is SmtpReplyError | TransportError | TlsError {
  if (error instanceof SmtpReplyError) {
    const code = error.reply.code;
    return code === 421 || (code < 500 && (error.fact.code === 'MAILV_GREETING_REFUSED' || error.fact.code === 'MAILV_MESSAGE_REFUSED'));
  }
  if (committed) return false;
  return error instanceof TransportError || (error instanceof TlsError && error.fact.code === 'MAILV_TLS_HANDSHAKE');
}
