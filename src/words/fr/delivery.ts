// French words for what delivery/ reports (src/delivery/facts.ts).
import type { DeliveryErrorFact, DeliveryNote } from '../../delivery/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact } from '../describe.js';
import { hostAt } from '../host.js';

export const errors: WordsOf<DeliveryErrorFact> = {
  MAILV_NO_MX_TOOK: ({ domain, tried, skipped }) =>
    `aucun MX de ${domain} n'a pris le message (${tried} essayé${tried > 1 ? 's' : ''}${skipped > 0 ? `, ${skipped} sans adresse` : ''})`,
  MAILV_UNCONFIRMED: ({ host, address, error }, words) =>
    `${describeFact(error, words)} après l'envoi du message entier : ${hostAt(host, address)} l'a peut-être reçu, il n'est donc pas renvoyé`,
};

export const notes: WordsOf<DeliveryNote> = {
  'mx-host-skipped': ({ recipients, host, problem }) => `${recipients.join(',')}... ${host} ${problem ?? "n'a pas d'adresse"} : ignoré`,
  'tls-retry-plain': ({ recipients, host, error }, words) => `${recipients.join(',')}... ${describeFact(error, words)} : nouvel essai de ${host} sans TLS`,
};
