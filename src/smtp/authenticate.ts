// AUTH (RFC 4954) over an open session: the credential gate, the mechanism's exchange in base64,
// and a transcript that never shows a secret unless asked (--show-secrets, which also decodes
// each step for teaching): each response sent is marked secret for the session to withhold, and
// every form of the secret is masked in the server's replies to the end of the session.
import { credentialRefusal, type ConnectionSecurity } from '../auth/credential-gate.js';
import { isLoopbackAddress } from '../ip-address.js';
import { chooseMechanism } from '../auth/choose-mechanism.js';
import type { AuthNote } from '../auth/facts.js';
import { SaslFailure, type Credentials } from '../auth/mechanism.js';
import { AuthError, ProtocolError, SmtpReplyError } from '../errors.js';
import type { Capabilities } from './capabilities.js';
import type { Command, SaslResponse } from './command.js';
import { secretForms, type SecretKind } from './redact.js';
import type { Reply } from './reply.js';

export interface AuthPlan {
  readonly credentials: Credentials;
  /** --auth: this mechanism or nothing. */
  readonly mechanism: string | undefined;
  /** The secret is an OAuth 2.0 token (XOAUTH2). */
  readonly token: boolean;
  readonly insecure: boolean;
  readonly allowPlaintextAuth: boolean;
  readonly showSecrets: boolean;
  /**
   * Told every secret the dialogue would mask, --show-secrets or not: what else keeps them out
   * (the run's error lines, which never show one).
   */
  readonly alsoMask?: (secret: string, kind: SecretKind) => void;
}

/**
 * The session's side: how to send a command (the session writes it, and shows it with its secret
 * responses withheld unless --show-secrets), read a reply, show it, note, and mask a secret in
 * every reply from then on.
 */
export interface AuthDialogue {
  send(command: Command): Promise<void>;
  read(): Promise<Reply>;
  show(reply: Reply): void;
  /** `warning`: a note the user should see even when nothing went wrong. */
  note(note: AuthNote, warning?: boolean): void;
  /** `kind`: what pieces of it are masked besides the whole (see SecretKind). */
  hide(secret: string, kind?: SecretKind): void;
}
/** RFC 4954 §4: a command line may hold 512 octets; a longer initial response waits for a 334. */
const MAX_AUTH_LINE = 510;
/** RFC 4648 base64, as RFC 4954 requires of challenges; empty is allowed. */
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
/** A server that keeps challenging is going nowhere. */
const MAX_CHALLENGES = 10;

/**
 * Authenticates or throws: AuthError (77), SmtpReplyError (4xx: 75), CapabilityError, ProtocolError.
 * The server is still listening after any of the first three: the caller says QUIT.
 */
export async function authenticate(
  dialogue: AuthDialogue,
  plan: AuthPlan,
  capabilities: Capabilities,
  host: string,
  security: ConnectionSecurity,
): Promise<void> {
  const offered = capabilities.authMechanisms;
  if (offered === undefined) {
    throw new AuthError({ code: 'MAILV_AUTH_NOT_OFFERED', user: plan.credentials.user, overTls: security.tls !== undefined }, 'auth');
  }
  const refusal = credentialRefusal(host, security, plan);
  if (refusal !== undefined) {
    throw new AuthError(refusal, 'auth');
  }
  // Loopback lets the secret go all the same (credential-gate.ts); a certificate that does not
  // verify there is still worth saying: on a shared machine it may be another user's server.
  if (security.tls !== undefined && !security.tls.verified && !plan.insecure && isLoopbackAddress(security.remoteAddress)) {
    dialogue.note({ code: 'auth-loopback-unverified', host, problem: security.tls.problem }, true);
  }
  const mechanism = chooseMechanism(offered, { forced: plan.mechanism, token: plan.token }, plan.credentials);

  // Everything that would give the secret away, should the server echo it back in a reply, now
  // or later in the session (a 550 to RCPT quoting what it was sent).
  const hide = (secret: string, kind: SecretKind = 'whole') => {
    plan.alsoMask?.(secret, kind);
    if (!plan.showSecrets) dialogue.hide(secret, kind);
  };
  hide(plan.credentials.secret, 'typed');
  for (const form of secretForms(plan.credentials.secret)) hide(form);
  const read = async () => {
    const reply = await dialogue.read();
    dialogue.show(reply);
    return reply;
  };
  const show = (octets: Buffer, direction: 'sent' | 'received') => {
    if (plan.showSecrets) dialogue.note({ code: 'sasl-decoded', direction, text: octets.toString('utf8') });
  };
  // Any response with octets in it is marked secret, so the session withholds it from what it
  // shows: which step holds the secret is the mechanism's business.
  const response = (octets: Buffer, empty: string): SaslResponse => {
    if (octets.length === 0) return { text: empty, secret: false };
    // Masking in replies spares a step that carries only the user name (LOGIN's first): the
    // name is no secret, and masking it would hide it wherever a server quotes it.
    if (octets.toString('utf8') !== plan.credentials.user) {
      hide(octets.toString('base64'), 'sent');
      hide(octets.toString('utf8'));
    }
    return { text: octets.toString('base64'), secret: true };
  };
  const sendAnswer = async (answer: Buffer) => {
    await dialogue.send({ verb: 'SASL', response: response(answer, '') });
    if (answer.length > 0) show(answer, 'sent');
  };

  // The initial response, unless it goes with AUTH: then it waits for the server's empty 334.
  let initial = mechanism.initialResponse();
  // RFC 4954 §4: `=` is an empty initial response.
  const first = initial === undefined ? undefined : response(initial, '=');
  if (initial !== undefined && first !== undefined && `AUTH ${mechanism.name} ${first.text}`.length <= MAX_AUTH_LINE) {
    await dialogue.send({ verb: 'AUTH', mechanism: mechanism.name, initial: first });
    if (initial.length > 0) show(initial, 'sent');
    initial = undefined;
  } else {
    await dialogue.send({ verb: 'AUTH', mechanism: mechanism.name, initial: undefined });
  }

  for (let challenges = 0; ; challenges++) {
    const reply = await read();
    if (reply.code === 334) {
      if (challenges === MAX_CHALLENGES) throw new ProtocolError({ code: 'MAILV_AUTH_TOO_MANY_CHALLENGES', limit: MAX_CHALLENGES }, 'auth');
      const text = (reply.lines[0] ?? '').trim();
      if (initial !== undefined && text === '') {
        await sendAnswer(initial);
        initial = undefined;
        continue;
      }
      let answer: Buffer;
      try {
        if (!BASE64.test(text)) throw new SaslFailure({ kind: 'challenge-not-base64', challenge: text });
        const challenge = Buffer.from(text, 'base64');
        if (challenge.length > 0) show(challenge, 'received');
        answer = mechanism.respond(challenge);
      } catch (error) {
        if (!(error instanceof SaslFailure)) throw error;
        const failure = new AuthError({ code: 'MAILV_AUTH_CANCELLED', mechanism: mechanism.name, host, problem: error.problem }, 'auth');
        try {
          await dialogue.send({ verb: 'SASL', response: { text: '*', secret: false } }); // RFC 4954 §4: the client cancels the exchange
          await read();
        } catch {
          // The server hung up on the cancel: what matters is why mailv cancelled.
        }
        throw failure;
      }
      await sendAnswer(answer);
      continue;
    }
    if (reply.code === 235) {
      try {
        mechanism.verifySuccess?.();
      } catch (error) {
        if (!(error instanceof SaslFailure)) throw error;
        throw new AuthError({ code: 'MAILV_AUTH_SERVER_UNPROVEN', mechanism: mechanism.name, host, problem: error.problem }, 'auth');
      }
      return;
    }
    const refused = { code: 'MAILV_AUTH_REFUSED', user: plan.credentials.user, mechanism: mechanism.name, reply } as const;
    if (reply.code >= 400 && reply.code < 500) throw new SmtpReplyError(refused, 'auth', reply);
    if (reply.code >= 500) throw new AuthError(refused, 'auth');
    throw new ProtocolError({ code: 'MAILV_AUTH_UNEXPECTED_REPLY', reply }, 'auth');
  }
}
