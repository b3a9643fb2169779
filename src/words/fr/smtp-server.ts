// Le texte des réponses de mailv-sendmail -bs, en français.
import type { SmtpServerWords } from '../smtp-server-words.js';

const FORMS = { HELO: 'HELO nom-d-hôte', EHLO: 'EHLO nom-d-hôte', MAIL: 'MAIL FROM:<adresse>', RCPT: 'RCPT TO:<adresse>' } as const;

export const smtpServerWords: SmtpServerWords = {
  greeting: 'ESMTP mailv-sendmail',
  ok: 'D’accord',
  sent: (partly) => (partly ? 'D’accord : envoyé, mais pas à tous les destinataires (voir la sortie d’erreur)' : 'D’accord : envoyé'),
  startData: 'Envoyez le message, terminé par <CR><LF>.<CR><LF>',
  bye: 'Au revoir',
  nestedMail: 'Erreur : MAIL déjà donné',
  needMail: 'Erreur : il faut d’abord MAIL',
  needRecipient: 'Erreur : il faut d’abord RCPT',
  syntax: (verb) => `Syntaxe : ${FORMS[verb]}`,
  notOffered: (verb) => `Erreur : ${verb} n’est pas proposé ici`,
  unknown: 'Erreur : commande inconnue',
  lineTooLong: 'Erreur : ligne trop longue',
  help: 'Commandes : HELO EHLO MAIL RCPT DATA RSET NOOP VRFY HELP QUIT',
  vrfy: 'VRFY impossible, mais un message sera tenté',
};
