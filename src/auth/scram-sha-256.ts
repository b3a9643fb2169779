// SCRAM-SHA-256 (RFC 5802, RFC 7677), without channel binding ("n,,"). Neither the password nor
// anything replayable crosses the wire, and the server proves it knows the password too: a
// server signature that does not match ends the exchange (SaslFailure).
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from 'node:crypto';
import { SaslFailure, type Credentials, type SaslMechanism } from './mechanism.js';
import { saslPrep } from './saslprep.js';

/** RFC 7677 asks for at least 4096; far more is a server making the client burn CPU. */
const MAX_ITERATIONS = 1_000_000;
const GS2_HEADER = 'n,,';

/** `nonce` is for the RFC's test vectors; a run uses 24 random bytes. */
export function scramSha256Mechanism({ user, secret }: Credentials, nonce = randomBytes(24).toString('base64')): SaslMechanism {
  const clientFirstBare = `n=${escapeSaslName(saslPrep(user))},r=${nonce}`;
  let expectedServerSignature: Buffer | undefined;
  let verified = false;

  const answerServerFirst = (serverFirst: string): Buffer => {
    const fields = parseAttributes(serverFirst);
    if (fields.has('m')) throw new SaslFailure({ kind: 'scram-extension' });
    const serverNonce = fields.get('r');
    const salt = fields.get('s');
    const iterations = /^[1-9]\d{0,9}$/.test(fields.get('i') ?? '') ? Number(fields.get('i')) : NaN;
    if (!serverNonce?.startsWith(nonce) || serverNonce.length === nonce.length) {
      throw new SaslFailure({ kind: 'scram-nonce' });
    }
    if (!salt) throw new SaslFailure({ kind: 'scram-no-salt' });
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
      throw new SaslFailure({ kind: 'scram-iterations', iterations: fields.get('i'), max: MAX_ITERATIONS });
    }
    const saltedPassword = pbkdf2Sync(saslPrep(secret), Buffer.from(salt, 'base64'), iterations, 32, 'sha256');
    const clientKey = hmac(saltedPassword, 'Client Key');
    const storedKey = createHash('sha256').update(clientKey).digest();
    const withoutProof = `c=${Buffer.from(GS2_HEADER).toString('base64')},r=${serverNonce}`;
    const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
    const clientSignature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((byte, index) => byte ^ clientSignature[index]!));
    expectedServerSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
    return Buffer.from(`${withoutProof},p=${proof.toString('base64')}`);
  };

  const checkServerFinal = (serverFinal: string): void => {
    const fields = parseAttributes(serverFinal);
    const error = fields.get('e');
    if (error !== undefined) throw new SaslFailure({ kind: 'scram-server-error', error });
    const signature = Buffer.from(fields.get('v') ?? '', 'base64');
    if (!expectedServerSignature || signature.length !== expectedServerSignature.length || !timingSafeEqual(signature, expectedServerSignature)) {
      throw new SaslFailure({ kind: 'scram-signature' });
    }
    verified = true;
  };

  return {
    name: 'SCRAM-SHA-256',
    initialResponse: () => Buffer.from(GS2_HEADER + clientFirstBare),
    respond(challenge) {
      const text = challenge.toString('utf8');
      if (expectedServerSignature === undefined) return answerServerFirst(text);
      checkServerFinal(text);
      return Buffer.alloc(0);
    },
    verifySuccess() {
      if (!verified) throw new SaslFailure({ kind: 'scram-unproven' });
    },
  };
}

function hmac(key: Buffer, text: string): Buffer {
  return createHmac('sha256', key).update(text).digest();
}

/** RFC 5802 §5.1: `=` and `,` in a name are written =3D and =2C. */
function escapeSaslName(name: string): string {
  return name.replace(/=/g, '=3D').replace(/,/g, '=2C');
}

function parseAttributes(text: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of text.split(',')) {
    const match = /^([A-Za-z])=(.*)$/s.exec(part);
    if (!match) throw new SaslFailure({ kind: 'scram-malformed', message: text });
    if (!fields.has(match[1]!)) fields.set(match[1]!, match[2]!);
  }
  return fields;
}
