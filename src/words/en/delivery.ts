// English words for what delivery/ reports (src/delivery/facts.ts).
import type { DeliveryErrorFact, DeliveryNote, NotAFile } from '../../delivery/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact } from '../fact-sentence.js';
import { hostAt } from '../host.js';
import { systemProblem } from './system.js';

const NOT_A_FILE: Readonly<Record<NotAFile, string>> = {
  'symbolic-link': 'it is a symbolic link, not a regular file (set DEAD to the file it leads to)',
  directory: 'it is a directory, not a regular file',
  fifo: 'it is a FIFO, not a regular file',
  'character-device': 'it is a character device, not a regular file',
  'block-device': 'it is a block device, not a regular file',
  socket: 'it is a socket, not a regular file',
  other: 'it is not a regular file',
};

export const errors = (): WordsOf<DeliveryErrorFact> => ({
  MAILV_DEAD_LETTER_NOT_A_FILE: ({ path, found }) => `cannot save the message to ${path}: ${NOT_A_FILE[found]}`,
  MAILV_DEAD_LETTER_MESSAGE_FAILED: ({ path, error }, words) => `cannot save the message to ${path}: ${describeFact(error, words)}`,
  // The file is created if need be: a name that does not exist is a directory of its path.
  MAILV_DEAD_LETTER_IO: ({ path, errno, detail }) =>
    `cannot save the message to ${path}: ${errno === 'ENOENT' ? 'a directory of its path does not exist' : systemProblem({ errno, detail })}`,
  MAILV_NO_MX_TOOK: ({ domain, tried, skipped, otherFamily, literal }) =>
    literal
      ? otherFamily
        ? `${domain} is an IPv${otherFamily.family === 6 ? 4 : 6} address literal, never tried under -${otherFamily.family}`
        : `${domain} did not take the message (an address literal: no MX, no other host to try)`
      : `no MX host of ${domain} took the message (${tried} tried${skipped > 0 ? `, ${skipped} without an address` : ''}` +
        `${otherFamily ? `, ${otherFamily.hosts} without an IPv${otherFamily.family} address` : ''})`,
  MAILV_UNCONFIRMED: ({ host, address, error }, words) =>
    `${describeFact(error, words)} after the whole message was sent: ${hostAt(host, address)} may have it, so it is not sent again`,
  // Each refused recipient was named on its own line, with its reply: not again here.
  MAILV_REFUSED_THEN_FAILED: ({ error }, words) => describeFact(error, words),
});

export const notes: WordsOf<DeliveryNote> = {
  'interrupted-unconfirmed': ({ host, address }) =>
    `stopped after the whole message was sent, before the verdict on it: ${hostAt(host, address)} may have it; look before sending the copy kept again`,
  'mx-host-skipped': ({ recipients, host, problem }, words) =>
    `${recipients.join(',')}... ${host} ${problem ? words.dns.noAddress(problem) : 'has no address'}: skipped`,
  'tls-retry-plain': ({ recipients, host, error }, words) => `${recipients.join(',')}... ${describeFact(error, words)}: trying ${host} again without TLS`,
  'tls-retry-without-certificate': ({ recipients, host, error }, words) =>
    `${recipients.join(',')}... ${describeFact(error, words)}: trying ${host} again with TLS, without the client certificate`,
};
