// French words for what delivery/ reports (src/delivery/facts.ts).
import type { DeliveryErrorFact, DeliveryNote } from '../../delivery/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact } from '../describe.js';

export const errors: WordsOf<DeliveryErrorFact> = {};

export const notes: WordsOf<DeliveryNote> = {
  'mx-host-skipped': ({ recipients, host, problem }, words) =>
    `${recipients.join(',')}... ${host} ${problem ? words.dns.noAddress(problem) : "n'a pas d'adresse"} : ignoré`,
  'tls-retry-plain': ({ recipients, host, error }, words) => `${recipients.join(',')}... ${describeFact(error, words)} : nouvel essai de ${host} sans TLS`,
};
