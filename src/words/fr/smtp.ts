// French words for what smtp/ reports (src/smtp/facts.ts).
import type { SmtpErrorFact, SmtpNote } from '../../smtp/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact } from '../describe.js';

export const errors: WordsOf<SmtpErrorFact> = {};

export const notes: WordsOf<SmtpNote> = {
  'quit-after': ({ point }) =>
    point === 'connect'
      ? 'arrêt après connect (--quit-after) : fermeture sans un mot'
      : point === 'data'
        ? 'arrêt après data (--quit-after) : mailv raccroche, et le serveur jette le message inachevé'
        : `arrêt après ${point} (--quit-after)`,
  'quit-before-data': () => "arrêt avant data (--quit-after) : aucun destinataire n'a été accepté",
  'certificates-unchecked': () => "les certificats ne sont pas vérifiés (--insecure) : n'importe qui sur le chemin pourrait se faire passer pour le serveur",
  'starttls-refused': ({ reply }) => `STARTTLS refusé (${reply.code}) : la suite se fait sans TLS`,
  'quit-unanswered': ({ error }, words) => `pas de réponse à QUIT (${describeFact(error, words)})`,
  'quit-unexpected': ({ error }, words) => describeFact(error, words),
};
