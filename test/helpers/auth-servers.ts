// Servers that ask for a login: smtp-server with the mechanisms it knows, and a scripted server
// speaking the server side of SCRAM-SHA-256 (RFC 5802), which smtp-server lacks.
import { createHash, createHmac, pbkdf2Sync, randomBytes } from 'node:crypto';
import { startScriptedServer, type ScriptedServer } from './scripted-server.js';
import { startSink, type SmtpSink } from './smtp-sink.js';

export const ACCOUNT = { user: 'alice', password: 'Corr3ct-horse' } as const;

export interface AuthSink extends SmtpSink {
  /** Each login tried: mechanism, user, accepted. */
  readonly attempts: { method: string; user: string; accepted: boolean }[];
}

/** smtp-server on 127.0.0.1 offering `methods` (PLAIN, LOGIN, CRAM-MD5, XOAUTH2) for ACCOUNT. */
export async function startAuthSink(methods: string[], token = 'ya29.token-for-alice'): Promise<AuthSink> {
  const attempts: AuthSink['attempts'] = [];
  const sink = await startSink({
    disabledCommands: ['STARTTLS'],
    authMethods: methods,
    authOptional: false,
    allowInsecureAuth: true,
    onAuth(auth, _session, callback) {
      const accepted =
        auth.username === ACCOUNT.user &&
        (auth.method === 'XOAUTH2'
          ? auth.accessToken === token
          : auth.method === 'CRAM-MD5'
            ? auth.validatePassword(ACCOUNT.password)
            : auth.password === ACCOUNT.password);
      attempts.push({ method: auth.method, user: auth.username ?? '', accepted });
      if (accepted) return callback(null, { user: auth.username });
      if (auth.method === 'XOAUTH2') return callback(null, { data: { status: '401', schemes: 'bearer', scope: 'https://mail.example/' } });
      callback(Object.assign(new Error('Authentication credentials invalid'), { responseCode: 535 }));
    },
  });
  return Object.assign(sink, { attempts });
}

export interface ScramServer extends ScriptedServer {
  /** Whether the client's proof was right, per exchange. */
  readonly proofs: boolean[];
}

/**
 * A server offering only AUTH SCRAM-SHA-256 for ACCOUNT. `forgeSignature` makes it answer with a
 * wrong server signature, as a server that does not know the password would.
 */
export async function startScramServer(options: { forgeSignature?: boolean } = {}): Promise<ScramServer> {
  const proofs: boolean[] = [];
  const salt = randomBytes(16);
  const iterations = 4096;
  let clientFirstBare = '';
  let serverFirst = '';
  let step: 'idle' | 'proof' | 'done' = 'idle';
  const hmac = (key: Buffer, text: string) => createHmac('sha256', key).update(text).digest();
  const server = await startScriptedServer({
    replies: {
      EHLO: '250-scram.test\r\n250-PIPELINING\r\n250-AUTH SCRAM-SHA-256\r\n250 ENHANCEDSTATUSCODES',
      AUTH: (line) => {
        const [, mechanism, initial] = line.split(' ');
        if (mechanism !== 'SCRAM-SHA-256' || !initial) return '504 5.5.4 Unrecognized authentication type';
        clientFirstBare = Buffer.from(initial, 'base64').toString().replace(/^n,,/, '');
        const clientNonce = /r=([^,]+)/.exec(clientFirstBare)![1]!;
        serverFirst = `r=${clientNonce}${randomBytes(12).toString('base64')},s=${salt.toString('base64')},i=${iterations}`;
        step = 'proof';
        return `334 ${Buffer.from(serverFirst).toString('base64')}`;
      },
      '*': (line) => {
        if (step === 'done') {
          step = 'idle';
          return line === '' ? '235 2.7.0 Authentication successful' : '501 5.5.2 Expected an empty line';
        }
        if (step !== 'proof') return '502 5.5.2 Unknown command';
        const clientFinal = Buffer.from(line, 'base64').toString();
        const withoutProof = clientFinal.replace(/,p=[^,]*$/, '');
        const proof = Buffer.from(/,p=([^,]*)$/.exec(clientFinal)?.[1] ?? '', 'base64');
        const saltedPassword = pbkdf2Sync(ACCOUNT.password, salt, iterations, 32, 'sha256');
        const clientKey = hmac(saltedPassword, 'Client Key');
        const authMessage = `${clientFirstBare},${serverFirst},${withoutProof}`;
        const signature = hmac(createHash('sha256').update(clientKey).digest(), authMessage);
        const recovered = Buffer.from(proof.map((byte, index) => byte ^ signature[index]!));
        const right = recovered.equals(clientKey);
        proofs.push(right);
        if (!right) {
          step = 'idle';
          return '535 5.7.8 Authentication credentials invalid';
        }
        const serverSignature = hmac(hmac(saltedPassword, 'Server Key'), authMessage);
        if (options.forgeSignature) serverSignature[0]! ^= 1;
        step = 'done';
        return `334 ${Buffer.from(`v=${serverSignature.toString('base64')}`).toString('base64')}`;
      },
    },
  });
  return Object.assign(server, { proofs });
}
