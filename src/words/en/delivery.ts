// English words for what delivery/ reports (src/delivery/facts.ts).
import type { DeliveryErrorFact, DeliveryNote } from '../../delivery/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact } from '../describe.js';
import { hostAt } from '../host.js';

export const errors: WordsOf<DeliveryErrorFact> = {
  MAILV_NO_MX_TOOK: ({ domain, tried, skipped }) => `no MX host of ${domain} took the message (${tried} tried${skipped > 0 ? `, ${skipped} without an address` : ''})`,
  MAILV_UNCONFIRMED: ({ host, address, error }, words) =>
    `${describeFact(error, words)} after the whole message was sent: ${hostAt(host, address)} may have it, so it is not sent again`,
};

export const notes: WordsOf<DeliveryNote> = {
  'mx-host-skipped': ({ recipients, host, problem }) => `${recipients.join(',')}... ${host} ${problem ?? 'has no address'}: skipped`,
  'tls-retry-plain': ({ recipients, host, error }, words) => `${recipients.join(',')}... ${describeFact(error, words)}: trying ${host} again without TLS`,
};
