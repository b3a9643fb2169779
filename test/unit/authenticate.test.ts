// AUTH against a scripted dialogue, in-process: the commands handed to the session as data (what
// goes on the wire, what a transcript may show), what is masked in later replies, and each failure
// as a fact worded in English and in French.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuthNote } from '../../dist/auth/facts.js';
import type { CertificateProblem } from '../../dist/smtp/facts.js';
import { AuthError, CapabilityError, ProtocolError, SmtpReplyError } from '../../dist/errors.js';
import { authenticate, type AuthPlan } from '../../dist/smtp/authenticate.js';
import { Capabilities } from '../../dist/smtp/capabilities.js';
import { formatCommand, withheld, type Command } from '../../dist/smtp/command.js';
import { makeReply, type Reply } from '../../dist/smtp/reply.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';

const en = wordsFor('en');
const fr = wordsFor('fr');
const USER = 'alice';
const PASSWORD = 'Tr0ub4dor&3';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');

function planFor(overrides: Partial<AuthPlan> = {}): AuthPlan {
  return {
    credentials: { user: USER, secret: PASSWORD },
    mechanism: undefined,
    token: false,
    insecure: false,
    allowPlaintextAuth: false,
    showSecrets: false,
    ...overrides,
  };
}

function ehlo(...keywords: string[]): Capabilities {
  return Capabilities.fromEhlo(makeReply(['250-mail.example.org', ...keywords.map((keyword) => `250 ${keyword}`)]));
}

interface Script {
  /** Each command as the session received it. */
  readonly commands: Command[];
  readonly hidden: string[];
  readonly notes: AuthNote[];
  readonly shown: Reply[];
}

/** Runs AUTH over a dialogue that answers each read with the next of `replies`. */
async function run(
  replies: readonly string[],
  plan: AuthPlan,
  capabilities: Capabilities,
  security: { remoteAddress: string; tls: { verified: boolean; problem: CertificateProblem | undefined } | undefined } = {
    remoteAddress: '127.0.0.1',
    tls: undefined,
  },
): Promise<Script & { error: unknown }> {
  const script: Script = { commands: [], hidden: [], notes: [], shown: [] };
  const queue = replies.map((line) => makeReply([line]));
  let error: unknown;
  try {
    await authenticate(
      {
        send: async (command) => {
          script.commands.push(command);
        },
        read: async () => {
          const next = queue.shift();
          if (next === undefined) throw new Error('the script has no more replies');
          return next;
        },
        show: (reply) => script.shown.push(reply),
        note: (note) => script.notes.push(note),
        hide: (secret, kind = 'whole') => script.hidden.push(kind === 'whole' ? secret : `${kind}:${secret}`),
      },
      plan,
      capabilities,
      'mail.example.org',
      security,
    );
  } catch (caught) {
    error = caught;
  }
  return { ...script, error };
}

/** Each command as the wire carries it, and as a transcript shows it without --show-secrets. */
const wire = (commands: readonly Command[]) => commands.map(formatCommand);
const shown = (commands: readonly Command[], showSecrets = false) => commands.map((command) => formatCommand(withheld(command, showSecrets)));

function worded(error: unknown, english: string, french: string): void {
  assert.equal(describeError(error, en), english);
  assert.equal(describeError(error, fr), french);
}

describe('AUTH commands as data', () => {
  it('PLAIN: the initial response goes with AUTH, marked secret, and every form of it is masked from then on', async () => {
    const result = await run(['235 2.7.0 Authentication successful'], planFor(), ehlo('AUTH PLAIN LOGIN'));
    assert.equal(result.error, undefined);
    const blob = b64(`\0${USER}\0${PASSWORD}`);
    assert.deepEqual(result.commands, [{ verb: 'AUTH', mechanism: 'PLAIN', initial: { text: blob, secret: true } }]);
    assert.deepEqual(wire(result.commands), [`AUTH PLAIN ${blob}`]);
    assert.deepEqual(shown(result.commands), ['AUTH PLAIN ********']);
    // The password's base64 from each octet of a 3-octet group: inside the blob, it starts at the second.
    const aligned = [b64(PASSWORD.slice(0, 9)), b64(PASSWORD.slice(1, 10)), b64(PASSWORD.slice(2, 11))];
    // The password as typed (a large piece of it masked too), then its forms, then the answer as it went.
    assert.deepEqual(result.hidden, [`typed:${PASSWORD}`, PASSWORD, b64(PASSWORD), ...aligned, `sent:${blob}`, `\0${USER}\0${PASSWORD}`]);
    assert.ok(blob.includes(aligned[2]!));
    assert.deepEqual(result.notes, []);
  });

  it('LOGIN: each answer is a SASL response marked secret; the user name alone is not masked in replies', async () => {
    const result = await run(['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '235 2.7.0 OK'], planFor({ mechanism: 'LOGIN' }), ehlo('AUTH PLAIN LOGIN'));
    assert.equal(result.error, undefined);
    assert.deepEqual(result.commands, [
      { verb: 'AUTH', mechanism: 'LOGIN', initial: undefined },
      { verb: 'SASL', response: { text: b64(USER), secret: true } },
      { verb: 'SASL', response: { text: b64(PASSWORD), secret: true } },
    ]);
    assert.deepEqual(wire(result.commands), ['AUTH LOGIN', b64(USER), b64(PASSWORD)]);
    assert.deepEqual(shown(result.commands), ['AUTH LOGIN', '********', '********']);
    assert.ok(!result.hidden.includes(USER) && !result.hidden.includes(b64(USER)), String(result.hidden));
    assert.deepEqual(
      result.shown.map((reply) => reply.code),
      [334, 334, 235],
    );
  });

  it('--show-secrets: nothing is masked or withheld, and each step is noted decoded', async () => {
    const plan = planFor({ mechanism: 'LOGIN', showSecrets: true });
    const result = await run(['334 VXNlcm5hbWU6', '334 UGFzc3dvcmQ6', '235 2.7.0 OK'], plan, ehlo('AUTH LOGIN'));
    assert.deepEqual(shown(result.commands, true), ['AUTH LOGIN', b64(USER), b64(PASSWORD)]);
    assert.deepEqual(result.hidden, []);
    assert.deepEqual(result.notes, [
      { code: 'sasl-decoded', direction: 'received', text: 'Username:' },
      { code: 'sasl-decoded', direction: 'sent', text: USER },
      { code: 'sasl-decoded', direction: 'received', text: 'Password:' },
      { code: 'sasl-decoded', direction: 'sent', text: PASSWORD },
    ]);
  });

  it('an initial response too long for the AUTH line waits for an empty 334 (RFC 4954 §4)', async () => {
    const token = 'x'.repeat(600);
    const result = await run(['334 ', '235 2.7.0 OK'], planFor({ credentials: { user: USER, secret: token }, token: true }), ehlo('AUTH XOAUTH2'));
    assert.equal(result.error, undefined);
    const blob = b64(`user=${USER}\x01auth=Bearer ${token}\x01\x01`);
    assert.deepEqual(result.commands, [
      { verb: 'AUTH', mechanism: 'XOAUTH2', initial: undefined },
      { verb: 'SASL', response: { text: blob, secret: true } },
    ]);
    assert.deepEqual(shown(result.commands), ['AUTH XOAUTH2', '********']);
  });

  it('an empty answer is no secret: XOAUTH2 answers the error challenge with an empty line', async () => {
    const error = b64('{"status":"401"}');
    const result = await run([`334 ${error}`, '535 5.7.8 Username and Password not accepted'], planFor({ token: true }), ehlo('AUTH XOAUTH2'));
    assert.deepEqual(result.commands.slice(1), [{ verb: 'SASL', response: { text: '', secret: false } }]);
    assert.deepEqual(shown(result.commands), ['AUTH XOAUTH2 ********', '']);
    assert.ok(result.error instanceof AuthError);
  });
});

describe('AUTH failures as facts', () => {
  it('a challenge that is not base64: cancelled with *, which is no secret', async () => {
    const result = await run(['334 !!not base64!!', '501 5.0.0 Cancelled'], planFor({ mechanism: 'CRAM-MD5' }), ehlo('AUTH CRAM-MD5'));
    assert.deepEqual(result.commands.at(-1), { verb: 'SASL', response: { text: '*', secret: false } });
    assert.deepEqual(shown(result.commands), ['AUTH CRAM-MD5', '*']);
    assert.ok(result.error instanceof AuthError);
    assert.equal(result.error.exitCode, 77);
    assert.deepEqual(result.error.fact, {
      code: 'MAILV_AUTH_CANCELLED',
      mechanism: 'CRAM-MD5',
      host: 'mail.example.org',
      problem: { kind: 'challenge-not-base64', challenge: '!!not base64!!' },
    });
    worded(
      result.error,
      `CRAM-MD5 with mail.example.org cancelled: the server's challenge is not base64: "!!not base64!!"`,
      `CRAM-MD5 avec mail.example.org annulé : le défi du serveur n’est pas en base64 : « !!not base64!! »`,
    );
  });

  it('535: the credentials refused (77), in both languages', async () => {
    const result = await run(['535 5.7.8 Authentication credentials invalid'], planFor(), ehlo('AUTH PLAIN'));
    assert.ok(result.error instanceof AuthError);
    assert.equal(result.error.exitCode, 77);
    assert.equal(result.error.stage, 'auth');
    worded(
      result.error,
      'authentication of alice with PLAIN failed: 535 5.7.8 Authentication credentials invalid',
      'échec de l’authentification de alice par PLAIN : 535 5.7.8 Authentication credentials invalid',
    );
  });

  it('454: a temporary refusal (75) with the same words', async () => {
    const result = await run(['454 4.7.0 Temporary authentication failure'], planFor(), ehlo('AUTH PLAIN'));
    assert.ok(result.error instanceof SmtpReplyError);
    assert.equal(result.error.exitCode, 75);
    assert.equal(describeError(result.error, en), 'authentication of alice with PLAIN failed: 454 4.7.0 Temporary authentication failure');
  });

  it('a reply AUTH has no use for, and a server that keeps challenging: protocol errors (76)', async () => {
    const odd = await run(['250 2.0.0 OK'], planFor(), ehlo('AUTH PLAIN'));
    assert.ok(odd.error instanceof ProtocolError);
    worded(odd.error, 'unexpected reply to AUTH: 250 2.0.0 OK', 'réponse inattendue à AUTH : 250 2.0.0 OK');
    const endless = await run(
      Array.from({ length: 11 }, () => '334 UGFzc3dvcmQ6'),
      planFor({ mechanism: 'LOGIN' }),
      ehlo('AUTH LOGIN'),
    );
    assert.ok(endless.error instanceof ProtocolError);
    assert.equal(endless.error.exitCode, 76);
    worded(endless.error, 'the server sent more than 10 AUTH challenges', 'le serveur a envoyé plus de 10 défis AUTH');
  });

  it('a SCRAM server that does not prove itself on 235', async () => {
    const result = await run(['235 2.7.0 OK'], planFor(), ehlo('AUTH SCRAM-SHA-256'));
    assert.ok(result.error instanceof AuthError);
    worded(
      result.error,
      'SCRAM-SHA-256 with mail.example.org: the server accepted SCRAM without proving it knows the password',
      'SCRAM-SHA-256 avec mail.example.org : le serveur a accepté SCRAM sans prouver qu’il connaît le mot de passe',
    );
  });

  it('the old AUTH= spelling offered alone: its mechanisms are used, as swaks and msmtp use them; AUTH wins when both are offered', async () => {
    const legacy = await run(['235 2.7.0 Ok'], planFor(), ehlo('AUTH=PLAIN LOGIN'));
    assert.equal(legacy.error, undefined);
    assert.deepEqual(shown(legacy.commands), ['AUTH PLAIN ********']);
    assert.deepEqual(ehlo('AUTH=LOGIN').authMechanisms, ['LOGIN']);
    assert.deepEqual(ehlo('AUTH=PLAIN LOGIN', 'AUTH CRAM-MD5').authMechanisms, ['CRAM-MD5']);
    assert.equal(ehlo('PIPELINING').authMechanisms, undefined);
  });

  it('SIZE as RFC 1870 writes it, digits only: 0x10, 1e2, +100 or 1.5 are no limit, never a refusal', () => {
    for (const [param, limit] of [
      ['10240000', 10240000],
      ['0', undefined],
      ['0x10', undefined],
      ['1e2', undefined],
      ['+100', undefined],
      ['1.5', undefined],
      ['0b111', undefined],
    ] as const) {
      assert.equal(ehlo(`SIZE ${param}`).sizeLimit, limit, param);
    }
    assert.equal(ehlo('SIZE').sizeLimit, undefined);
  });

  it('no AUTH in EHLO: nothing is sent; the hint about STARTTLS only without TLS', async () => {
    const plain = await run([], planFor(), ehlo('PIPELINING'));
    assert.deepEqual(plain.commands, []);
    assert.ok(plain.error instanceof AuthError);
    worded(
      plain.error,
      'the server offers no AUTH, so alice cannot log in (--user); some servers offer it only after STARTTLS (--tls)',
      'le serveur ne propose pas AUTH : alice ne peut donc pas s’authentifier (--user) ; certains serveurs ne le proposent qu’après STARTTLS (--tls)',
    );
    const overTls = await run([], planFor(), ehlo('PIPELINING'), { remoteAddress: '127.0.0.1', tls: { verified: true, problem: undefined } });
    worded(
      overTls.error,
      'the server offers no AUTH, so alice cannot log in (--user)',
      'le serveur ne propose pas AUTH : alice ne peut donc pas s’authentifier (--user)',
    );
  });

  it('the credential gate: nothing is sent to a remote server without TLS, and the words name the flag', async () => {
    const result = await run([], planFor(), ehlo('AUTH PLAIN'), { remoteAddress: '198.18.0.2', tls: undefined });
    assert.deepEqual(result.commands, []);
    assert.deepEqual(result.hidden, []);
    assert.ok(result.error instanceof AuthError);
    assert.equal(result.error.exitCode, 77);
    assert.deepEqual(result.error.fact, { code: 'MAILV_AUTH_PLAINTEXT_WITHHELD', host: 'mail.example.org', address: '198.18.0.2' });
    worded(
      result.error,
      'not sending credentials to mail.example.org [198.18.0.2] without TLS: anyone on the path could read them (--allow-plaintext-auth to send them anyway)',
      'identifiants non envoyés à mail.example.org [198.18.0.2] sans TLS : n’importe qui sur le chemin pourrait les lire (--allow-plaintext-auth pour les envoyer malgré tout)',
    );
  });

  it('a mechanism forced but not offered (69)', async () => {
    const result = await run([], planFor({ mechanism: 'CRAM-MD5' }), ehlo('AUTH PLAIN LOGIN'));
    assert.ok(result.error instanceof CapabilityError);
    worded(
      result.error,
      'the server does not offer AUTH CRAM-MD5 (--auth CRAM-MD5); it offers: PLAIN LOGIN',
      'le serveur ne propose pas AUTH CRAM-MD5 (--auth CRAM-MD5) ; il propose : PLAIN LOGIN',
    );
  });
});
