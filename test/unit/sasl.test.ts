// The SASL mechanisms against their RFCs' own examples, and the checks that catch a forged server.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { chooseMechanism } from '../../dist/auth/choose-mechanism.js';
import { cramMd5Mechanism } from '../../dist/auth/cram-md5.js';
import { loginMechanism } from '../../dist/auth/login.js';
import { SaslFailure } from '../../dist/auth/mechanism.js';
import { plainMechanism } from '../../dist/auth/plain.js';
import { saslPrep } from '../../dist/auth/saslprep.js';
import { scramSha256Mechanism } from '../../dist/auth/scram-sha-256.js';
import { xoauth2Mechanism } from '../../dist/auth/xoauth2.js';
import type { SaslProblem } from '../../dist/auth/facts.js';
import { CapabilityError } from '../../dist/errors.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';

// RFC 7677 §3.
const RFC7677 = {
  nonce: 'rOprNGfwEbeRWgbNEkqO',
  clientFirst: 'n,,n=user,r=rOprNGfwEbeRWgbNEkqO',
  serverFirst: 'r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096',
  clientFinal: 'c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=',
  serverFinal: 'v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=',
};

/** Asserts that `action` throws SaslFailure with exactly this problem. */
function fails(action: () => unknown, problem: SaslProblem): void {
  assert.throws(action, (error: unknown) => {
    assert.ok(error instanceof SaslFailure, String(error));
    assert.deepEqual(error.problem, problem);
    return true;
  });
}

function rfc7677Client() {
  return scramSha256Mechanism({ user: 'user', secret: 'pencil' }, RFC7677.nonce);
}

describe('SCRAM-SHA-256 (RFC 5802, RFC 7677)', () => {
  it('produces the exact messages of RFC 7677 and accepts its server signature', () => {
    const client = rfc7677Client();
    assert.equal(client.initialResponse()!.toString(), RFC7677.clientFirst);
    assert.equal(client.respond(Buffer.from(RFC7677.serverFirst)).toString(), RFC7677.clientFinal);
    assert.equal(client.respond(Buffer.from(RFC7677.serverFinal)).length, 0);
    assert.doesNotThrow(() => client.verifySuccess!());
  });

  it('refuses a server signature that is wrong by one bit', () => {
    const client = rfc7677Client();
    client.respond(Buffer.from(RFC7677.serverFirst));
    const forged = Buffer.from('6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=', 'base64');
    forged[0]! ^= 1;
    fails(() => client.respond(Buffer.from(`v=${forged.toString('base64')}`)), { kind: 'scram-signature' });
  });

  it('refuses success without the server proof', () => {
    const client = rfc7677Client();
    client.respond(Buffer.from(RFC7677.serverFirst));
    fails(() => client.verifySuccess!(), { kind: 'scram-unproven' });
  });

  it('refuses a nonce that does not extend the client nonce, a missing salt, absurd iteration counts, e= errors', () => {
    fails(() => rfc7677Client().respond(Buffer.from('r=other,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096')), { kind: 'scram-nonce' });
    fails(() => rfc7677Client().respond(Buffer.from(`r=${RFC7677.nonce},s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096`)), { kind: 'scram-nonce' });
    fails(() => rfc7677Client().respond(Buffer.from(`r=${RFC7677.nonce}x,i=4096`)), { kind: 'scram-no-salt' });
    fails(() => rfc7677Client().respond(Buffer.from(`r=${RFC7677.nonce}x,s=AA==,i=99999999`)), {
      kind: 'scram-iterations',
      iterations: '99999999',
      max: 1_000_000,
    });
    fails(() => rfc7677Client().respond(Buffer.from(`r=${RFC7677.nonce}x,s=AA==,i=0`)), { kind: 'scram-iterations', iterations: '0', max: 1_000_000 });
    fails(() => rfc7677Client().respond(Buffer.from(`r=${RFC7677.nonce}x,s=AA==`)), { kind: 'scram-iterations', iterations: undefined, max: 1_000_000 });
    fails(() => rfc7677Client().respond(Buffer.from(`r=${RFC7677.nonce}x,s=AA==,i=4096,m=ext`)), { kind: 'scram-extension' });
    fails(() => rfc7677Client().respond(Buffer.from('garbage')), { kind: 'scram-malformed', message: 'garbage' });
    const client = rfc7677Client();
    client.respond(Buffer.from(RFC7677.serverFirst));
    fails(() => client.respond(Buffer.from('e=invalid-proof')), { kind: 'scram-server-error', error: 'invalid-proof' });
  });

  it('escapes = and , in the user name (RFC 5802 §5.1)', () => {
    const client = scramSha256Mechanism({ user: 'a=b,c', secret: 'x' }, 'nonce');
    assert.equal(client.initialResponse()!.toString(), 'n,,n=a=3Db=2Cc,r=nonce');
  });

  it('uses a fresh random nonce each time by default', () => {
    const first = scramSha256Mechanism({ user: 'u', secret: 'p' }).initialResponse()!.toString();
    const second = scramSha256Mechanism({ user: 'u', secret: 'p' }).initialResponse()!.toString();
    assert.notEqual(first, second);
    assert.match(first, /^n,,n=u,r=[A-Za-z0-9+/=]{32}$/);
  });
});

describe('SASLprep (RFC 4013)', () => {
  it('maps non-ASCII spaces, drops soft hyphens, applies NFKC; ASCII unchanged', () => {
    assert.equal(saslPrep('I\u00ADX'), 'IX');
    assert.equal(saslPrep('a\u00A0b'), 'a b');
    assert.equal(saslPrep('\u2168'), 'IX');
    assert.equal(saslPrep('pencil'), 'pencil');
  });
});

describe('CRAM-MD5 (RFC 2195)', () => {
  it('answers the RFC example challenge exactly', () => {
    const client = cramMd5Mechanism({ user: 'tim', secret: 'tanstaaftanstaaf' });
    assert.equal(client.initialResponse(), undefined);
    const answer = client.respond(Buffer.from('<1896.697170952@postoffice.reston.mci.net>'));
    assert.equal(answer.toString(), 'tim b913a602c7eda7a495b4e6e7334d3890');
    assert.equal(answer.toString('base64'), 'dGltIGI5MTNhNjAyYzdlZGE3YTQ5NWI0ZTZlNzMzNGQzODkw');
  });
});

describe('PLAIN (RFC 4616), LOGIN, XOAUTH2', () => {
  it('PLAIN: NUL, user, NUL, password in the initial response', () => {
    assert.equal(plainMechanism({ user: 'tim', secret: 'tanstaaftanstaaf' }).initialResponse()!.toString('base64'), 'AHRpbQB0YW5zdGFhZnRhbnN0YWFm');
  });

  it('LOGIN: the user to "Username:", the password to "Password:"', () => {
    const client = loginMechanism({ user: 'alice', secret: 's3cret' });
    assert.equal(client.initialResponse(), undefined);
    assert.equal(client.respond(Buffer.from('Username:')).toString(), 'alice');
    assert.equal(client.respond(Buffer.from('Password:')).toString(), 's3cret');
  });

  it('LOGIN: the user to the first challenge and the password to the second, whatever their words say', () => {
    // A prompt that began with "user" was answered with the user name: the password never went.
    const client = loginMechanism({ user: 'alice', secret: 's3cret' });
    assert.equal(client.respond(Buffer.from('User password:')).toString(), 'alice');
    assert.equal(client.respond(Buffer.from('User password:')).toString(), 's3cret');
    const german = loginMechanism({ user: 'alice', secret: 's3cret' });
    assert.equal(german.respond(Buffer.from('Benutzername:')).toString(), 'alice');
    assert.equal(german.respond(Buffer.from('Passwort:')).toString(), 's3cret');
  });

  it("XOAUTH2: Google's documented example, byte for byte", () => {
    const client = xoauth2Mechanism({ user: 'someuser@example.com', secret: 'ya29.vF9dft4qmTc2Nvb3RlckBhdHRhdmlzdGEuY29tCg' });
    assert.equal(
      client.initialResponse()!.toString('base64'),
      'dXNlcj1zb21ldXNlckBleGFtcGxlLmNvbQFhdXRoPUJlYXJlciB5YTI5LnZGOWRmdDRxbVRjMk52YjNSbGNrQmhkSFJoZG1semRHRXVZMjl0Q2cBAQ==',
    );
    assert.equal(client.respond(Buffer.from('{"status":"401"}')).length, 0, 'an empty answer to the error challenge');
  });
});

describe('choosing a mechanism', () => {
  const credentials = { user: 'u', secret: 'p' };
  const pick = (offered: string[], forced?: string, token = false) => chooseMechanism(offered, { forced, token }, credentials).name;

  it('takes the strongest offered: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN', () => {
    assert.equal(pick(['LOGIN', 'PLAIN', 'CRAM-MD5', 'SCRAM-SHA-256']), 'SCRAM-SHA-256');
    assert.equal(pick(['login', 'plain', 'cram-md5']), 'CRAM-MD5');
    assert.equal(pick(['LOGIN', 'PLAIN']), 'PLAIN');
    assert.equal(pick(['LOGIN', 'XOAUTH2']), 'LOGIN');
  });

  it('XOAUTH2 for a token; a forced mechanism or nothing', () => {
    assert.equal(pick(['PLAIN', 'XOAUTH2'], undefined, true), 'XOAUTH2');
    assert.equal(pick(['PLAIN', 'LOGIN'], 'LOGIN'), 'LOGIN');
    const refused = (offered: string[], forced: string | undefined, en: string, fr: string) =>
      assert.throws(
        () => pick(offered, forced),
        (error: unknown) => {
          assert.ok(error instanceof CapabilityError);
          assert.equal(error.exitCode, 69);
          assert.equal(describeError(error, wordsFor('en')), en);
          assert.equal(describeError(error, wordsFor('fr')), fr);
          return true;
        },
      );
    refused(
      ['PLAIN'],
      'CRAM-MD5',
      'the server does not offer AUTH CRAM-MD5 (--auth CRAM-MD5); it offers: PLAIN',
      'le serveur ne propose pas AUTH CRAM-MD5 (--auth CRAM-MD5) ; il propose : PLAIN',
    );
    refused(
      ['GSSAPI'],
      undefined,
      'the server does not offer AUTH SCRAM-SHA-256 or CRAM-MD5 or PLAIN or LOGIN; it offers: GSSAPI',
      'le serveur ne propose pas AUTH SCRAM-SHA-256, CRAM-MD5, PLAIN ou LOGIN ; il propose : GSSAPI',
    );
    refused(
      [],
      undefined,
      'the server does not offer AUTH SCRAM-SHA-256 or CRAM-MD5 or PLAIN or LOGIN; it offers: none',
      'le serveur ne propose pas AUTH SCRAM-SHA-256, CRAM-MD5, PLAIN ou LOGIN ; il propose : aucun mécanisme',
    );
  });
});
