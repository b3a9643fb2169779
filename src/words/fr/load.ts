// Les mots du bilan d'un test de charge.
import type { LoadWords } from '../load-words.js';
import { caMayHelp } from '../certificate-advice.js';
import { certificateProblem } from './smtp.js';

export const loadWords = (): LoadWords => ({
  totals: (count, accepted, failed, connections, seconds) =>
    `${count} message${count === 1 ? '' : 's'} en ${seconds} s sur ${connections} connexion${connections < 2 ? '' : 's'} : ${accepted} accepté${accepted < 2 ? '' : 's'}, ${failed} en échec`,
  split: (refused, deferred) =>
    `en échec : ${refused} refusé${refused < 2 ? '' : 's'} pour de bon, ${deferred} différé${deferred < 2 ? '' : 's'} (échecs temporaires)`,
  resent: (resent) =>
    resent === 1
      ? '1 message renvoyé sur une nouvelle connexion : la connexion qui portait son enveloppe a été perdue avant l’envoi de son contenu'
      : `${resent} messages renvoyés sur une nouvelle connexion : chaque fois, la connexion qui portait l’enveloppe a été perdue avant l’envoi du contenu`,
  resentBehindClosing: (resent) =>
    resent === 1
      ? '1 message renvoyé sur une nouvelle connexion : il avait été écrit en entier derrière un message auquel le serveur a répondu 421, et le serveur, qui fermait, n’en a rien lu'
      : `${resent} messages renvoyés sur une nouvelle connexion : chacun avait été écrit en entier derrière un message auquel le serveur a répondu 421, et le serveur, qui fermait, n’en a rien lu`,
  quitUnanswered: (connections, timedOut) => {
    const on = `QUIT sans réponse sur ${connections} connexion${connections === 1 ? '' : 's'}`;
    if (timedOut === 0) return `${on} : le serveur ${connections === 1 ? 'l’a fermée' : 'les a fermées'} sans répondre`;
    const waited = 'mailv l’a attendue jusqu’à la fin du délai';
    if (timedOut === connections) return `${on} : ${waited}${connections === 1 ? '' : ' sur chacune'}`;
    return `${on} : ${waited} sur ${timedOut} d’entre elles, le serveur a fermé les autres sans répondre`;
  },
  tlsResumed: (resumed, handshakes) =>
    `TLS : ${resumed} négociation${resumed < 2 ? '' : 's'} sur ${handshakes} ${resumed < 2 ? 'a' : 'ont'} repris une session${resumed === 0 ? '' : ' (sans certificat, un aller-retour de moins en TLS 1.2)'}`,
  tlsUnverified: (unverified, handshakes, unchecked, problem) =>
    `Attention : ${unchecked ? 'les certificats n’ont pas été vérifiés (--insecure)' : `le certificat du serveur n’a PAS été vérifié dans ${unverified} négociation${unverified < 2 ? '' : 's'} TLS sur ${handshakes}${problem === undefined ? '' : ` (${certificateProblem(problem)})`}`} : n’importe qui sur le chemin aurait pu se faire passer pour le serveur${unchecked ? '' : ` (${caMayHelp(problem) ? '--ca <fichier> fait confiance à son AC ; ' : ''}--tls required n’envoie rien à un tel serveur)`}`,
  resumptionsFailed: (connections) =>
    `la session TLS gardée d’une exécution précédente a échoué sur ${connections} connexion${connections === 1 ? '' : 's'} qui la proposai${connections === 1 ? 't' : 'ent'} (la négociation a échoué, ou le serveur a raccroché juste après l’avoir reprise) : la session est oubliée, aucune n’est proposée à ce serveur pendant un jour, et ${connections === 1 ? 'son message est reparti par une nouvelle connexion' : 'leurs messages sont repartis par de nouvelles connexions'}`,
  connectionFaults: (connections) =>
    connections === 1
      ? '1 connexion rompue entre deux messages, sans perte de message (les messages qu’elle aurait portés ont été laissés à une autre connexion) :'
      : `${connections} connexions rompues entre deux messages, sans perte de message (les messages qu’elles auraient portés ont été laissés à d’autres connexions) :`,
  stopped: (unsent, what, by) =>
    `${by === 'stop-on-error' ? 'arrêt au premier échec (--stop-on-error)' : 'arrêt : l’authentification a été refusée, et le serait à chaque connexion'}, ${unsent} message${unsent === 1 ? '' : 's'} non envoyé${unsent === 1 ? '' : 's'} : ${what}`,
  interrupted: (signal, unconfirmed, unsent) =>
    unconfirmed === 0 && unsent === 0
      ? `interrompu (${signal}) après le verdict de chaque message, pendant la fermeture des connexions`
      : `interrompu (${signal}) : ${unconfirmed > 0 ? `${unconfirmed} message${unconfirmed < 2 ? '' : 's'} en cours sans verdict, ${unsent}` : `${unsent} message${unsent < 2 ? '' : 's'}`} jamais commencé${unsent < 2 ? '' : 's'}`,
  cutShort: (by, unconfirmed, unsent) =>
    `écourté par ${by === 'fault' ? 'une erreur interne' : 'une écriture impossible'} : ${unconfirmed} message${unconfirmed < 2 ? '' : 's'} en cours sans verdict, ${unsent} jamais commencé${unsent < 2 ? '' : 's'}`,
  target: (host, address, port) =>
    host.startsWith('[')
      ? `charge envoyée à ${host} port ${port}, le littéral d’adresse des destinataires`
      : `charge envoyée à ${host} [${address}] port ${port}, le premier hôte MX qui a accepté une connexion`,
  progress: (accepted, refused, deferred, perSecond, seconds) => `acceptés ${accepted}, refusés ${refused}, différés ${deferred}, ${perSecond}/s, ${seconds} s`,
  // French puts what is under 2 in the singular, and writes a decimal comma.
  rate: (perSecond) => {
    const plural = Number(perSecond) < 2 ? '' : 's';
    return `${perSecond.replace('.', ',')} message${plural} accepté${plural} par seconde`;
  },
  decimal: (figure) => figure.replace('.', ','),
  latency: 'latence (ms) :',
  samples: 'mesures',
  phase: { connect: 'connexion', greeting: 'accueil', tls: 'TLS', auth: 'AUTH', transaction: 'transaction' },
  replies: 'réponses :',
  failure: (count, what) => `${count} × ${what}`,
  failureWhen: (count, first, last, { acceptedBefore, connectionsOpen, underWay }) => {
    const accepted =
      acceptedBefore === 0
        ? 'avant qu’aucun message ne soit accepté'
        : `après ${acceptedBefore} message${acceptedBefore < 2 ? '' : 's'} accepté${acceptedBefore < 2 ? '' : 's'}`;
    const open = connectionsOpen === 1 ? '1 autre connexion ouverte' : `${connectionsOpen} autres connexions ouvertes`;
    const messages = `${underWay} message${underWay === 1 ? '' : 's'} en cours`;
    const after = connectionsOpen === 0 ? accepted : underWay === 0 ? `${accepted}, ${open}` : `${accepted}, ${open} avec ${messages}`;
    return count === 1 ? `à ${first} s, ${after}` : `la première fois à ${first} s, ${after} ; la dernière fois à ${last} s`;
  },
  failuresNotShown: (count, first, last) =>
    `${count} × ${count === 1 ? 'autre échec' : 'autres échecs'}, différents de ceux ci-dessus, non détaillés : ${count === 1 ? `à ${first} s` : `le premier à ${first} s, le dernier à ${last} s`}`,
  witness: 'La première connexion où un message a échoué (-v), telle qu’elle s’est déroulée :',
  witnessBroken: 'Aucun message n’a échoué ; la première connexion que le serveur a rompue entre deux messages (-v), telle qu’elle s’est déroulée :',
  witnessOmitted: (count) => `(… ${count} événement${count === 1 ? '' : 's'} de cette connexion omis ici …)`,
  numbered: (failure) => `${failure} (le destinataire sous ses numéros, --vary-recipients)`,
  recipient: (recipient, outcome, reply, numbered) =>
    `${recipient} ${outcome === 'refused' ? 'refusé' : 'différé'}${numbered ? ' sous ses numéros (--vary-recipients)' : ''} : ${reply}`,
});
