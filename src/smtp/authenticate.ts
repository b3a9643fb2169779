// AUTH (RFC 4954) over an open session: the credential gate, the mechanism's exchange in base64,
// and a transcript that never shows a secret unless asked (--show-secrets, which also decodes
// each step for teaching): what is sent is shown redacted, and every form of the secret is masked
// in the server's replies to the end of the session.
import { credentialRefusal, type ConnectionSecurity } from '../auth/credential-gate.js';
import { chooseMechanism } from '../auth/choose-mechanism.js';
import type { AuthNote } from '../auth/facts.js';
import { SaslFailure, type Credentials } from '../auth/mechanism.js';
import { AuthError, ProtocolError, SmtpReplyError } from '../errors.js';
import type { Capabilities } from './capabilities.js';
import { REDACTED } from './redact.js';
import { replyText, type Reply } from './reply.js';

export interface AuthPlan {
  readonly credentials: Credentials;
  /** --auth: this mechanism or nothing. */
  readonly mechanism: string | undefined;
  /** The secret is an OAuth 2.0 token (XOAUTH2). */
  readonly token: boolean;
  readonly insecure: boolean;
  readonly allowPlaintextAuth: boolean;
  readonly showSecrets: boolean;
}

/**
 * The session's side: how to write a line (and what to show for it), read a reply, show it, note,
 * and mask a secret in every reply from then on.
 */
export interface AuthDialogue {
  send(line: string, shown: string): Promise<void>;
  read(): Promise<Reply>;
  show(reply: Reply): void;
  note(note: AuthNote): void;
  hide(secret: string): void;
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
  if (!capabilities.has('AUTH')) {
    const hint = security.tls === undefined ? '; some servers offer it only after STARTTLS (--tls)' : '';
    throw new AuthError(`the server offers no AUTH, so ${plan.credentials.user} cannot log in (--user)${hint}`, 'auth');
  }
  const refusal = credentialRefusal(host, security, plan);
  if (refusal !== undefined) {
    throw new AuthError(refusal, 'auth');
  }
  const mechanism = chooseMechanism(capabilities.params('AUTH'), { forced: plan.mechanism, token: plan.token }, plan.credentials);

  // Everything that would give the secret away, should the server echo it back in a reply, now
  // or later in the session (a 550 to RCPT quoting what it was sent).
  const hide = (secret: string) => {
    if (!plan.showSecrets) dialogue.hide(secret);
  };
  hide(plan.credentials.secret);
  hide(Buffer.from(plan.credentials.secret).toString('base64'));
  const read = async () => {
    const reply = await dialogue.read();
    dialogue.show(reply);
    return reply;
  };
  const show = (octets: Buffer, direction: 'sent' | 'received') => {
    if (plan.showSecrets) dialogue.note({ code: 'sasl-decoded', direction, text: octets.toString('utf8') });
  };
  const sendLine = async (line: string, shown: string, octets: Buffer | undefined) => {
    // A step that carries only the user name (LOGIN's first) hides nothing: the name is no secret.
    if (octets !== undefined && octets.length > 0 && octets.toString('utf8') !== plan.credentials.user) {
      hide(line.slice(line.lastIndexOf(' ') + 1));
      hide(octets.toString('utf8'));
    }
    await dialogue.send(line, shown);
    if (octets !== undefined && octets.length > 0) show(octets, 'sent');
  };
  const sendAnswer = (answer: Buffer) => {
    const line = answer.length === 0 ? '' : answer.toString('base64');
    return sendLine(line, plan.showSecrets ? line : line === '' ? '' : REDACTED, answer);
  };

  let initial = mechanism.initialResponse();
  const encoded = initial === undefined ? undefined : initial.length === 0 ? '=' : initial.toString('base64');
  const command = `AUTH ${mechanism.name}`;
  if (encoded !== undefined && command.length + 1 + encoded.length <= MAX_AUTH_LINE) {
    await sendLine(`${command} ${encoded}`, `${command} ${plan.showSecrets ? encoded : REDACTED}`, initial);
    initial = undefined;
  } else {
    await dialogue.send(command, command);
  }

  for (let challenges = 0; ; challenges++) {
    const reply = await read();
    if (reply.code === 334) {
      if (challenges === MAX_CHALLENGES) throw new ProtocolError(`the server sent more than ${MAX_CHALLENGES} AUTH challenges`, 'auth');
      const text = (reply.lines[0] ?? '').trim();
      if (initial !== undefined && text === '') {
        await sendAnswer(initial);
        initial = undefined;
        continue;
      }
      let answer: Buffer;
      try {
        if (!BASE64.test(text)) throw new SaslFailure(`the server's challenge is not base64: ${JSON.stringify(text.slice(0, 40))}`);
        const challenge = Buffer.from(text, 'base64');
        if (challenge.length > 0) show(challenge, 'received');
        answer = mechanism.respond(challenge);
      } catch (error) {
        if (!(error instanceof SaslFailure)) throw error;
        const failure = new AuthError(`${mechanism.name} with ${host} cancelled: ${error.message}`, 'auth');
        try {
          await dialogue.send('*', '*'); // RFC 4954 §4: the client cancels the exchange
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
        throw new AuthError(`${mechanism.name} with ${host}: ${error.message}`, 'auth');
      }
      return;
    }
    const why = `authentication of ${plan.credentials.user} with ${mechanism.name} failed: ${reply.code} ${replyText(reply)}`;
    if (reply.code >= 400 && reply.code < 500) throw new SmtpReplyError(why, 'auth', reply);
    if (reply.code >= 500) throw new AuthError(why, 'auth');
    throw new ProtocolError(`unexpected reply to AUTH: ${reply.code} ${replyText(reply)}`, 'auth');
  }
}
