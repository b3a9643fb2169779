// English words for what auth/ reports (src/auth/facts.ts).
import type { AuthErrorFact, AuthNote, SaslProblem } from '../../auth/facts.js';
import { replyText } from '../../smtp/reply.js';
import type { WordsOf } from '../catalogue.js';
import { quoteOctets, quoted } from '../quote.js';
import { certificateProblem } from './smtp.js';
import { caMayHelp } from '../certificate-advice.js';

type ProblemWords = { readonly [K in SaslProblem['kind']]: (problem: Extract<SaslProblem, { kind: K }>) => string };

const sasl: ProblemWords = {
  'challenge-not-base64': ({ challenge }) => `the server's challenge is not base64: ${quoted(challenge.slice(0, 40))}`,
  'cram-md5-empty-challenge': () => 'the server sent an empty CRAM-MD5 challenge',
  'scram-extension': () => 'the server asks for a SCRAM extension mailv does not know',
  'scram-nonce': () => "the server's SCRAM nonce does not extend mailv's",
  'scram-no-salt': () => 'the server sent no SCRAM salt',
  'scram-iterations': ({ iterations, max }) => `the server asks for ${iterations ?? 'no'} SCRAM iterations (1 to ${max} accepted)`,
  'scram-server-error': ({ error }) => `the server ended SCRAM with an error: ${error}`,
  'scram-signature': () => "the server's SCRAM signature is wrong: it does not know the password, so it is not the server it claims to be",
  'scram-unproven': () => 'the server accepted SCRAM without proving it knows the password',
  'scram-malformed': ({ message }) => `malformed SCRAM message from the server: ${quoted(message.slice(0, 80))}`,
};

function saslProblem(problem: SaslProblem): string {
  return (sasl[problem.kind] as (problem: SaslProblem) => string)(problem);
}

/** The host as asked for, with the address connected to when that is not the same text. */
function where(host: string, address: string): string {
  return host === address ? host : `${host} [${address}]`;
}

export const errors = (): WordsOf<AuthErrorFact> => ({
  MAILV_AUTH_NOT_OFFERED: ({ user, overTls }) =>
    `the server offers no AUTH, so ${user} cannot log in (--user)${overTls ? '' : '; some servers offer it only after STARTTLS (--tls)'}`,
  MAILV_AUTH_PLAINTEXT_WITHHELD: ({ host, address }) =>
    `not sending credentials to ${where(host, address)} without TLS: anyone on the path could read them (--allow-plaintext-auth to send them anyway)`,
  MAILV_AUTH_UNVERIFIED_WITHHELD: ({ host, address, problem }) =>
    `not sending credentials to ${where(host, address)}: its certificate is NOT verified (${certificateProblem(problem)}), so it may not be ${host} (${caMayHelp(problem) ? '--ca <file> to trust its CA, or ' : ''}--insecure)`,
  MAILV_AUTH_MECHANISM_NOT_OFFERED: ({ wanted, forced, offered }) =>
    `the server does not offer AUTH ${wanted.join(' or ')}${forced ? ` (--auth ${wanted.join(' ')})` : ''}; it offers: ${offered.length > 0 ? offered.join(' ') : 'none'}`,
  MAILV_AUTH_CANCELLED: ({ mechanism, host, problem }) => `${mechanism} with ${host} cancelled: ${saslProblem(problem)}`,
  MAILV_AUTH_SERVER_UNPROVEN: ({ mechanism, host, problem }) => `${mechanism} with ${host}: ${saslProblem(problem)}`,
  MAILV_AUTH_REFUSED: ({ user, mechanism, reply }) =>
    reply.code === 421
      ? `the server closed the session during the authentication of ${user} with ${mechanism}: ${reply.code} ${replyText(reply)}`
      : `authentication of ${user} with ${mechanism} failed: ${reply.code} ${replyText(reply)}`,
  MAILV_AUTH_UNEXPECTED_REPLY: ({ reply }) => `unexpected reply to AUTH: ${reply.code} ${replyText(reply)}`,
  MAILV_AUTH_TOO_MANY_CHALLENGES: ({ limit }) => `the server sent more than ${limit} AUTH challenges`,
});

export const notes: WordsOf<AuthNote> = {
  'sasl-decoded': ({ direction, text }) => `(${direction}, decoded: ${quoteOctets(text)})`,
  'auth-loopback-unverified': ({ host, problem }) =>
    `logging in to ${host} although its certificate is NOT verified (${certificateProblem(problem)}): allowed on loopback, where nothing leaves this machine, but on a shared machine another user may hold this port (--insecure says you know)`,
};
