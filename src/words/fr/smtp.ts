// French words for what smtp/ reports (src/smtp/facts.ts).
import type { Stage } from '../../errors.js';
import type { CertificateProblem, HandshakeFailure, ReplyFault, SkippedStep, SmtpErrorFact, SmtpNote } from '../../smtp/facts.js';
import type { QuitPoint } from '../../smtp/quit-points.js';
import { replyText, type Reply } from '../../smtp/reply.js';
import type { TimingWords, TlsWords, TranscriptWords, WordsOf } from '../catalogue.js';
import { displayHost } from '../../text/host.js';
import { describeFact } from '../fact-sentence.js';
import { guillemets as q } from '../quote.js';
import { de } from '../french-elision.js';
import { caMayHelp } from '../certificate-advice.js';

/** Where a connection went: a host and its port, or the path of a unix-domain socket (port 0). */
const endpoint = (host: string, port: number) => (port === 0 ? host : `${displayHost(host)} port ${port}`);
const said = (reply: Reply) => `${reply.code} ${replyText(reply)}`;
const seconds = (ms: number) => `${decimal(String(ms / 1000))} s`;
/** Pourquoi la connexion n’a pu se faire, en mots : un chemin qui n’est pas un socket, un socket fermé à cet utilisateur. */
const CONNECT_ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'aucun socket à ce chemin',
  EACCES: 'permission refusée',
  ENOTSOCK: 'ce n’est pas un socket',
  ENETUNREACH: 'réseau injoignable',
  EHOSTUNREACH: 'hôte injoignable',
};

const MONTHS: Readonly<Record<string, string>> = {
  Jan: 'janv.',
  Feb: 'févr.',
  Mar: 'mars',
  Apr: 'avr.',
  May: 'mai',
  Jun: 'juin',
  Jul: 'juil.',
  Aug: 'août',
  Sep: 'sept.',
  Oct: 'oct.',
  Nov: 'nov.',
  Dec: 'déc.',
};

/** A certificate's date as OpenSSL writes it (`Mar  9 06:15:28 2029 GMT`), in French: `9 mars 2029 06:15:28 GMT`; any other form as it is. */
function certificateDate(date: string): string {
  const parts = /^([A-Z][a-z]{2}) +(\d{1,2}) (\d\d:\d\d:\d\d) (\d{4}) GMT$/.exec(date);
  const month = parts === null ? undefined : MONTHS[parts[1]!];
  return parts === null || month === undefined ? date : `${parts[2]} ${month} ${parts[4]} ${parts[3]} GMT`;
}
/** A number as French writes it: a decimal comma. */
const decimal = (figure: string) => figure.replace('.', ',');

function fault(fault: ReplyFault): string {
  switch (fault.fault) {
    case 'malformed':
      return `réponse mal formée : ${q(fault.text)}`;
    case 'mixed-codes':
      return `réponse sur plusieurs lignes qui mêle les codes ${fault.first} et ${fault.second}`;
    case 'line-too-long':
      return `ligne de réponse de plus de ${fault.limit} octets`;
    case 'too-many-lines':
      return `réponse de plus de ${fault.limit} lignes`;
    case 'too-much':
      return `le serveur a envoyé plus de ${fault.limit / (1024 * 1024)} Mio de réponses`;
    case 'unsolicited':
      return `réponse reçue avant qu’une commande ne l’appelle : ${q(fault.text)}`;
  }
}

function handshake(failure: HandshakeFailure): string {
  switch (failure.kind) {
    case 'openssl':
      return failure.reason;
    case 'timeout':
      return `pas de négociation en ${seconds(failure.ms)}`;
    case 'closed':
      return 'connexion fermée pendant la négociation';
    case 'other':
      return failure.detail;
    case 'unverified':
      return `le certificat du serveur n’est pas vérifié (${certificateProblem(failure.problem)}) : la négociation a été arrêtée, un certificat client n’étant destiné qu’à un serveur vérifié (${caMayHelp(failure.problem) ? '--ca <fichier> fait confiance à son autorité, ' : ''}--insecure accepte tout)`;
  }
}

export const errors = (): WordsOf<SmtpErrorFact> => ({
  MAILV_GREETING_REFUSED: ({ reply }) => `le serveur a refusé la connexion : ${said(reply)}`,
  MAILV_HELLO_REFUSED: ({ verb, afterTls, reply }) =>
    `le serveur ${reply.code === 421 ? 'a fermé la session à' : 'a refusé'} ${verb}${afterTls ? ' après STARTTLS' : ''} : ${said(reply)}`,
  MAILV_SENDER_REFUSED: ({ from, reply }) =>
    reply.code === 421
      ? `le serveur a fermé la session avant de prendre l’expéditeur <${from}> : ${said(reply)}`
      : `le serveur a refusé l’expéditeur <${from}> : ${said(reply)}`,
  MAILV_DATA_REFUSED: ({ reply }) => `le serveur ${reply.code === 421 ? 'a fermé la session à' : 'a refusé'} DATA : ${said(reply)}`,
  MAILV_RECIPIENT_CLOSING: ({ recipient, reply }) => `le serveur a fermé la session au destinataire <${recipient}> : ${said(reply)}`,
  MAILV_MESSAGE_REFUSED: ({ reply }) => `le serveur n’a pas accepté le message : ${said(reply)}`,
  MAILV_UNEXPECTED_REPLY: ({ stage, reply }) => `réponse inattendue pendant ${stageFr(stage)} : ${said(reply)}`,
  MAILV_REPLIES_OUT_OF_STEP: ({ reply, verdict }) =>
    `là où venait la réponse à QUIT, le serveur a envoyé ${said(reply)} et non 221 : ses réponses étaient décalées par rapport aux commandes ; ` +
    `ce refus est peut-être celui du message, et ${verdict === undefined ? 'le verdict sur le message' : `le verdict ${said(verdict)}`} répondait peut-être à une autre commande`,
  MAILV_REPLY_SYNTAX: ({ stage, fault: what }) => `erreur de protocole pendant ${stageFr(stage)} : ${fault(what)}`,
  MAILV_STARTTLS_INJECTION: () => 'le serveur a envoyé autre chose après son 220 à STARTTLS : une injection de réponse (CVE-2011-0411)',
  MAILV_NO_CHUNKING: () => 'le serveur ne propose pas CHUNKING (--body bdat)',
  MAILV_NO_XCLIENT: () => 'le serveur ne propose pas XCLIENT à ce client (--xclient ; Postfix : smtpd_authorized_xclient_hosts)',
  MAILV_XCLIENT_REFUSED: ({ reply }) => `le serveur a refusé XCLIENT : ${said(reply)}`,
  MAILV_PROXY_FAMILY: ({ source, destination }) =>
    `--proxy-source ${source} et l’adresse du serveur ${destination} sont de deux familles : un en-tête PROXY n’en porte qu’une`,
  MAILV_TOO_BIG: ({ size, limit }) => `le message fait ${size} octets ; le serveur en accepte au plus ${limit} (SIZE)`,
  MAILV_NO_SMTPUTF8: () => 'une adresse n’est pas en ASCII et le serveur ne propose pas SMTPUTF8',
  MAILV_MESSAGE_GREW: ({ size }) => `le message a dépassé pendant l’envoi la taille annoncée de ${size} octets`,
  MAILV_MESSAGE_SHORT: ({ missing }) => `il manque ${missing} octets au message par rapport à la taille annoncée`,
  MAILV_TLS_HANDSHAKE: ({ host, failure, hint }) =>
    `échec de la négociation TLS avec ${host} : ${handshake(failure)}` +
    (failure.kind === 'unverified'
      ? ''
      : failure.kind === 'openssl' && failure.alert !== undefined
        ? failure.alert === 'certificate'
          ? ' (le serveur a refusé la négociation : un certificat client qu’il n’accepte pas, ou aucun quand il en veut un)'
          : ''
        : hint === 'smtps'
          ? ' (smtps:// attend TLS dès le premier octet ; smtp:// passe par STARTTLS)'
          : hint === 'starttls'
            ? ' (--tls off envoie sans TLS)'
            : ''),
  MAILV_CERTIFICATE_UNVERIFIED: ({ host, problem, enforcedBy }) =>
    `le certificat ${de(host)} n’est PAS vérifié : ${certificateProblem(problem)} (${enforcedBy === 'smtps' ? 'smtps://' : '--tls required'} ; ${caMayHelp(problem) ? '--ca <fichier> fait confiance à son autorité, ' : ''}--insecure accepte tout certificat)`,
  MAILV_TLS_UNAVAILABLE: (fact) =>
    (fact.why === 'not-offered'
      ? 'le serveur ne propose pas STARTTLS'
      : fact.why === 'no-ehlo'
        ? 'le serveur ne connaît pas EHLO, il ne peut donc pas proposer STARTTLS'
        : `le serveur a refusé STARTTLS : ${said(fact.reply)}`) + ' (--tls required)',
  MAILV_CONNECT_FAILED: ({ host, port, reason, errno, ms, source }) =>
    reason === 'refused'
      ? `connexion refusée par ${endpoint(host, port)}`
      : reason === 'timeout' && ms !== undefined
        ? `délai de ${seconds(ms)} dépassé pour se connecter à ${endpoint(host, port)}`
        : source !== undefined
          ? `connexion impossible à ${endpoint(host, port)} depuis ${source} : ce n’est pas une adresse de cette machine (--source-address)`
          : `connexion impossible à ${endpoint(host, port)} : ${(errno === undefined ? undefined : CONNECT_ERRNO[errno]) ?? errno ?? reason}`,
  MAILV_CONNECTION_LOST: ({ stage, reason, errno, midReply, implicitTlsPort }) =>
    (reason === 'closed'
      ? 'connexion fermée par le serveur'
      : reason === 'reset' && (errno === undefined || errno === 'ECONNRESET')
        ? 'connexion réinitialisée par le serveur'
        : `connexion perdue (${errno ?? reason})`) +
    ` pendant ${stageFr(stage)}${midReply ? ' (au milieu d’une réponse)' : ''}${implicitTlsPort ? ', sans accueil : un serveur sur le port 465 attend TLS dès le premier octet (smtps://hôte:465)' : ''}`,
  MAILV_TIMEOUT: ({ stage, ms, waiting, implicitTlsPort }) =>
    `délai de ${seconds(ms)} dépassé ${waiting === 'reply' ? 'en attendant la réponse' : 'pendant l’envoi des données'} (${stageFr(stage)})${implicitTlsPort ? ' : un serveur sur le port 465 attend TLS dès le premier octet (smtps://hôte:465)' : ''}`,
  MAILV_SERVICE_CLOSING: ({ reply }) => `le serveur a fermé la session : ${reply.raw.join(' ')}`,
});

/** Pourquoi l’étape que nomme --quit-after n’a pas eu lieu. */
const SKIPPED_FR: Readonly<Record<SkippedStep, string>> = {
  'tls-off': 'TLS est désactivé (--tls off)',
  'not-offered': 'le serveur ne propose pas STARTTLS',
  refused: 'le serveur a refusé STARTTLS',
  'no-credentials': 'aucun utilisateur pour s’authentifier (--user ou un compte)',
};

/** The steps --quit-after names, said in French; the option's own word follows in parentheses. */
const QUIT_POINT_FR: Readonly<Record<QuitPoint, string>> = {
  connect: 'la connexion',
  greeting: 'l’accueil',
  ehlo: 'EHLO',
  starttls: 'STARTTLS',
  auth: 'AUTH',
  mail: 'MAIL',
  rcpt: 'RCPT',
  data: 'DATA',
};

export const notes: WordsOf<SmtpNote> = {
  'quit-after': ({ point, skipped }) => {
    const stop = `arrêt après ${QUIT_POINT_FR[point]} (--quit-after ${point})`;
    if (point === 'connect') return `${stop} : fermeture sans un mot`;
    if (point === 'data') return `${stop} : mailv raccroche, et le serveur jette le message inachevé`;
    return skipped === undefined ? stop : `${stop}, étape qui n’a pas eu lieu : ${SKIPPED_FR[skipped]}`;
  },
  'quit-before-data': () => 'arrêt avant DATA (--quit-after data) : aucun destinataire n’a été accepté',
  'certificates-unchecked': () => 'les certificats ne sont pas vérifiés (--insecure) : n’importe qui sur le chemin pourrait se faire passer pour le serveur',
  'starttls-refused': ({ reply }) => `STARTTLS refusé (${reply.code}) : la suite se fait sans TLS`,
  'login-not-tried': () =>
    'le serveur propose AUTH et mailv ne s’est pas authentifié : s’il veut une authentification avant de prendre le courrier, donnez --user (ou un compte avec un user)',
  'recipients-over-limit': ({ count }) =>
    `${count} destinataire${count < 2 ? '' : 's'} au-delà de la limite du serveur pour un message (452) : envoyé${count < 2 ? '' : 's'} dans une autre transaction une fois celle-ci acceptée (RFC 5321 §4.5.3.1.10)`,
  'quit-unanswered': ({ error }, words) => `pas de réponse à QUIT (${describeFact(error, words)})`,
  'quit-unexpected': ({ error }, words) => describeFact(error, words),
  'hung-up-for-no-one': ({ error }, words) => `${describeFact(error, words)}, chaque destinataire refusé ou différé : le message n’était à personne`,
  'quit-interrupted': ({ signal }) => `interrompu par ${signal} pendant l’attente de la réponse à QUIT : le verdict sur le message ne change pas`,
  'dsn-not-offered': () => 'le serveur ne propose pas DSN : NOTIFY, RET, ENVID et ORCPT sont omis, aucun avis de remise n’est demandé',
  'pipeconnect-early': () => 'EHLO envoyé avant l’accueil : ce serveur a proposé PIPECONNECT et ses capacités ont été mémorisées',
  'pipeconnect-changed': ({ stillOffered, tooLarge }) =>
    `les capacités du serveur ont changé depuis leur mémorisation : mailv s’en tient à la réponse reçue, ${tooLarge ? 'trop longue pour être mémorisée (rien n’est mémorisé)' : stillOffered ? 'mémorisée à nouveau' : 'qui ne propose plus PIPECONNECT (rien n’est mémorisé)'}`,
  'pipeconnect-refused': ({ lasting }) =>
    `le serveur n’a pas accepté l’EHLO anticipé : ${lasting ? 'plus d’EHLO anticipé vers lui pendant un jour' : 'ce qui était mémorisé de ce serveur est oublié'}, et le message part par une nouvelle connexion sans lui`,
  'pipeconnect-ehlo-refused': ({ lasting }) =>
    `l’EHLO anticipé a été refusé : ${lasting ? 'plus d’EHLO anticipé vers ce serveur pendant un jour' : 'ce qui était mémorisé de ce serveur est oublié'}, et EHLO est renvoyé après l’accueil`,
  'pipeconnect-stale': ({ future }) =>
    `les capacités mémorisées de ce serveur ${future === true ? 'portent une date à venir (l’horloge a peut-être été retardée depuis)' : 'datent de plus d’un jour'} : elles ne servent pas, et le dialogue est le dialogue habituel`,
  'tls-resumption-failed': ({ failure }) =>
    `${failure === undefined ? 'le serveur a raccroché juste après avoir repris la session TLS gardée d’une exécution précédente' : `la négociation TLS a échoué en proposant la session gardée d’une exécution précédente (${handshake(failure)})`} : cette session est oubliée, aucune n’est proposée à ce serveur pendant un jour, et le message part par une nouvelle connexion, avec une négociation complète`,
};

/** Pourquoi un certificat n’a pas été vérifié, en quelques mots. */
export function certificateProblem(problem: CertificateProblem | undefined): string {
  if (problem === undefined) return 'raison inconnue';
  switch (problem.kind) {
    case 'self-signed':
      return 'autosigné';
    case 'self-signed-in-chain':
      return 'autorité autosignée dans la chaîne';
    case 'expired':
      return 'expiré';
    case 'not-yet-valid':
      return 'pas encore valide';
    case 'unknown-ca':
      return problem.caGiven
        ? 'autorité de certification inconnue, --ca donné : une autre l’a signé, ou le serveur omet son certificat intermédiaire'
        : 'autorité de certification inconnue';
    case 'name-mismatch':
      return problem.altNames ? `nom différent : le certificat est pour ${problem.altNames}` : 'nom différent';
    case 'other':
      return problem.code;
  }
}

export const tlsWords = (): TlsWords => ({
  handshake: (tls) =>
    `TLS : ${tls.protocol}, ${tls.cipher} ; certificat ${tls.verified ? 'vérifié' : 'NON vérifié'}${tls.checkedAs === undefined ? '' : ` au nom de ${tls.checkedAs.name} (${tls.checkedAs.given === 'option' ? '--tls-name' : 'tls-name du fichier des comptes'})`}${tls.verified ? '' : ` : ${certificateProblem(tls.problem)}`}${tls.resumed ? ' à la création de la session, ici reprise' : ''}`,
  certificate: (tls) => `TLS : sujet ${tls.subject} ; émetteur ${tls.issuer} ; valide du ${certificateDate(tls.validFrom)} au ${certificateDate(tls.validTo)}`,
  fingerprint: (tls) => (tls.fingerprint === undefined ? undefined : `TLS : certificat SHA-256 ${tls.fingerprint}`),
  clientCertificate: (tls) => {
    switch (tls.clientCertificate) {
      case 'offered':
        return `TLS : le serveur a demandé un certificat client : proposé ${tls.clientSubject ?? ''}`;
      case 'unsuitable':
        return `TLS : le serveur a demandé un certificat client : aucun envoyé, car il n’accepte aucune signature que la clé de ${tls.clientSubject ?? ''} puisse produire`;
      case 'none':
        return 'TLS : le serveur a demandé un certificat client : aucun envoyé (--tls-cert en donne un)';
      case 'withheld':
        return 'TLS : le serveur a demandé un certificat client : aucun envoyé, celui qui est donné n’allant qu’à un serveur vérifié';
      case 'not-asked':
        return 'TLS : le serveur n’a pas demandé de certificat client, ou n’a nommé aucune signature que mailv sache faire : aucun envoyé';
      case undefined:
        return undefined;
    }
  },
});

export const transcriptWords: TranscriptWords = {
  warning: 'Attention : ',
  // Port 0 : une socket du domaine Unix, nommée par son seul chemin.
  connected: (host, port) => `Connecté à ${port === 0 ? host : `${host} port ${port}`}`,
  flight: (commands) => `(les ${commands} commandes suivantes d’un seul envoi : les réponses suivent, dans l’ordre)`,
  dnsQuery: (type, name, server, transport, withoutEdns) => `;; ${type} ${name} ? question à ${server} par ${transport}${withoutEdns ? ', sans EDNS' : ''}`,
  dnsAnswer: (type, name, rcode, truncated, server, ms, answers) =>
    `;; réponse à ${type} ${name} de ${server} : ${rcode}${truncated ? ', tronquée' : ''}, ${answers} enregistrement${answers > 1 ? 's' : ''}, ${ms} ms`,
  additional: '(additionnel)',
  dnsNoAnswer: (type, name, server, why) => `;; pas de réponse à ${type} ${name} de ${server} : ${why}`,
};

export const timingWords = (): TimingWords => ({
  stamp: (ms) => `[${decimal(ms)} ms] `,
  ms: (figure) => `${decimal(figure)} ms`,
  total: (roundTrips, sent, received, ms) =>
    `Temps : ${roundTrips} aller${roundTrips > 1 ? 's' : ''}-retour${roundTrips > 1 ? 's' : ''} (attentes du serveur), ${sent} octets envoyés, ${received} reçus, ${decimal(ms)} ms en tout`,
  greeting: (ms, afterTls, connections) =>
    `Temps : accueil ${decimal(ms)} ms après ${afterTls ? 'la négociation TLS (smtps://)' : 'l’établissement de la connexion'}${connections > 1 ? `, sur la dernière des ${connections} connexions` : ''}`,
  steps: (steps, connections) =>
    `Temps : ${connections > 1 ? `sur ${connections} connexions, ` : ''}${steps.map(([step, ms]) => `${stageFr(step as Stage)} ${decimal(ms)} ms`).join(', ')}`,
});

/** Where a failure happened, as a French sentence names it; commands keep their names. */
const STAGES: Readonly<Record<Stage | 'tls', string>> = {
  options: 'la lecture des options',
  resolve: 'la résolution DNS',
  input: 'la lecture du message',
  compose: 'la composition du message',
  connect: 'la connexion',
  greeting: 'l’accueil',
  ehlo: 'EHLO',
  starttls: 'STARTTLS',
  tls: 'TLS',
  auth: 'AUTH',
  mail: 'MAIL',
  rcpt: 'RCPT',
  data: 'DATA',
  body: 'l’envoi du message',
  rset: 'RSET',
  quit: 'QUIT',
  output: 'l’écriture de la sortie',
  run: 'l’exécution',
};

function stageFr(stage: Stage | 'tls'): string {
  return STAGES[stage] ?? stage;
}
