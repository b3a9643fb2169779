// Les mots du bilan d'un envoi en charge.
import type { LoadWords } from '../load-words.js';

export const loadWords: LoadWords = {
  totals: (count, accepted, failed, connections, seconds) =>
    `${count} messages en ${seconds} s sur ${connections} connexion${connections === 1 ? '' : 's'} : ${accepted} acceptés, ${failed} en échec`,
  rate: (perSecond) => `${perSecond} messages par seconde`,
  latency: 'latence (ms)',
  phase: { connect: 'connexion', greeting: 'accueil', transaction: 'transaction' },
  replies: 'réponses',
  failure: (count, what) => `${count} × ${what}`,
  recipient: (recipient, outcome, reply) => `${recipient} ${outcome === 'refused' ? 'refusé' : 'différé'} : ${reply}`,
};
