// French words for what auth/ reports (src/auth/facts.ts).
import type { AuthErrorFact, AuthNote, SaslProblem } from '../../auth/facts.js';
import { replyText } from '../../smtp/reply.js';
import type { WordsOf } from '../catalogue.js';
import { guillemets as q, guillemetsOctets } from '../quote.js';
import { de } from '../french-elision.js';
import { certificateProblem } from './smtp.js';
import { caMayHelp } from '../certificate-advice.js';

type ProblemWords = { readonly [K in SaslProblem['kind']]: (problem: Extract<SaslProblem, { kind: K }>) => string };

const sasl: ProblemWords = {
  'challenge-not-base64': ({ challenge }) => `le défi du serveur n’est pas en base64 : ${q(challenge.slice(0, 40))}`,
  'cram-md5-empty-challenge': () => 'le serveur a envoyé un défi CRAM-MD5 vide',
  'scram-extension': () => 'le serveur demande une extension de SCRAM que mailv ne connaît pas',
  'scram-nonce': () => 'le nonce SCRAM du serveur ne prolonge pas celui de mailv',
  'scram-no-salt': () => 'le serveur n’a pas envoyé de sel SCRAM',
  'scram-iterations': ({ iterations, max }) =>
    iterations === undefined
      ? `le serveur ne dit pas combien d’itérations SCRAM faire (de 1 à ${max} acceptées)`
      : `le serveur demande ${iterations} itérations SCRAM (de 1 à ${max} acceptées)`,
  'scram-server-error': ({ error }) => `le serveur a mis fin à SCRAM sur une erreur : ${error}`,
  'scram-signature': () => 'la signature SCRAM du serveur est fausse : il ne connaît pas le mot de passe, ce n’est donc pas le serveur qu’il prétend être',
  'scram-unproven': () => 'le serveur a accepté SCRAM sans prouver qu’il connaît le mot de passe',
  'scram-malformed': ({ message }) => `message SCRAM mal formé venant du serveur : ${q(message.slice(0, 80))}`,
};

function saslProblem(problem: SaslProblem): string {
  return (sasl[problem.kind] as (problem: SaslProblem) => string)(problem);
}

/** L’hôte tel que demandé, avec l’adresse jointe quand ce n’est pas le même texte. */
function where(host: string, address: string): string {
  return host === address ? host : `${host} [${address}]`;
}

/** « A », « A ou B », « A, B ou C ». */
function alternatives(names: readonly string[]): string {
  return names.length < 2 ? names.join('') : `${names.slice(0, -1).join(', ')} ou ${names.at(-1)}`;
}

export const errors = (): WordsOf<AuthErrorFact> => ({
  MAILV_AUTH_NOT_OFFERED: ({ user, overTls }) =>
    `le serveur ne propose pas AUTH : ${user} ne peut donc pas s’authentifier (--user)${overTls ? '' : ' ; certains serveurs ne le proposent qu’après STARTTLS (--tls)'}`,
  MAILV_AUTH_PLAINTEXT_WITHHELD: ({ host, address }) =>
    `identifiants non envoyés à ${where(host, address)} sans TLS : n’importe qui sur le chemin pourrait les lire (--allow-plaintext-auth pour les envoyer malgré tout)`,
  MAILV_AUTH_UNVERIFIED_WITHHELD: ({ host, address, problem }) =>
    `identifiants non envoyés à ${where(host, address)} : son certificat n’est PAS vérifié (${certificateProblem(problem)}), ce n’est donc peut-être pas ${host} (${caMayHelp(problem) ? '--ca <fichier> pour faire confiance à son autorité de certification, ou ' : ''}--insecure)`,
  MAILV_AUTH_MECHANISM_NOT_OFFERED: ({ wanted, forced, offered }) =>
    `le serveur ne propose pas AUTH ${alternatives(wanted)}${forced ? ` (--auth ${wanted.join(' ')})` : ''} ; il propose : ${offered.length > 0 ? offered.join(' ') : 'aucun mécanisme'}`,
  MAILV_AUTH_CANCELLED: ({ mechanism, host, problem }) => `${mechanism} avec ${host} annulé : ${saslProblem(problem)}`,
  MAILV_AUTH_SERVER_UNPROVEN: ({ mechanism, host, problem }) => `${mechanism} avec ${host} : ${saslProblem(problem)}`,
  MAILV_AUTH_REFUSED: ({ user, mechanism, reply }) =>
    reply.code === 421
      ? `le serveur a fermé la session pendant l’authentification de ${user} par ${mechanism} : ${reply.code} ${replyText(reply)}`
      : `échec de l’authentification de ${user} par ${mechanism} : ${reply.code} ${replyText(reply)}`,
  MAILV_AUTH_UNEXPECTED_REPLY: ({ reply }) => `réponse inattendue à AUTH : ${reply.code} ${replyText(reply)}`,
  MAILV_AUTH_TOO_MANY_CHALLENGES: ({ limit }) => `le serveur a envoyé plus de ${limit} défis AUTH`,
});

export const notes: WordsOf<AuthNote> = {
  'sasl-decoded': ({ direction, text }) => `(${direction === 'sent' ? 'envoyé' : 'reçu'}, décodé : ${guillemetsOctets(text)})`,
  'auth-loopback-unverified': ({ host, problem }) =>
    `authentification auprès ${de(host)} bien que son certificat ne soit PAS vérifié (${certificateProblem(problem)}) : permise en boucle locale, où rien ne quitte cette machine, mais sur une machine partagée un autre utilisateur peut tenir ce port (--insecure dit que vous le savez)`,
};
