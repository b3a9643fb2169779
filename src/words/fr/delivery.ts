// French words for what delivery/ reports (src/delivery/facts.ts).
import type { DeliveryErrorFact, DeliveryNote, NotAFile } from '../../delivery/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact } from '../fact-sentence.js';
import { hostAt } from '../host.js';
import { systemProblem } from './system.js';
import { de } from '../french-elision.js';

const NOT_A_FILE: Readonly<Record<NotAFile, string>> = {
  'symbolic-link': 'c’est un lien symbolique, pas un fichier ordinaire (donnez à DEAD le fichier vers lequel il mène)',
  directory: 'c’est un répertoire, pas un fichier ordinaire',
  fifo: 'c’est un tube nommé (FIFO), pas un fichier ordinaire',
  'character-device': 'c’est un périphérique en mode caractère, pas un fichier ordinaire',
  'block-device': 'c’est un périphérique en mode bloc, pas un fichier ordinaire',
  socket: 'c’est une socket, pas un fichier ordinaire',
  other: 'ce n’est pas un fichier ordinaire',
};

/** The system's errors said in French; any other keeps the system's own words. */
export const errors = (): WordsOf<DeliveryErrorFact> => ({
  MAILV_DEAD_LETTER_NOT_A_FILE: ({ path, found }) => `impossible d’enregistrer le message dans ${path} : ${NOT_A_FILE[found]}`,
  MAILV_DEAD_LETTER_MESSAGE_FAILED: ({ path, error }, words) => `impossible d’enregistrer le message dans ${path} : ${describeFact(error, words)}`,
  // The file is created if need be: a name that does not exist is a directory of its path.
  MAILV_DEAD_LETTER_IO: ({ path, errno, detail }) =>
    `impossible d’enregistrer le message dans ${path} : ${errno === 'ENOENT' ? 'un dossier du chemin n’existe pas' : systemProblem({ errno, detail })}`,
  MAILV_NO_MX_TOOK: ({ domain, tried, skipped, otherFamily, literal }) =>
    literal
      ? otherFamily
        ? `${domain} est un littéral d’adresse IPv${otherFamily.family === 6 ? 4 : 6}, jamais essayé avec -${otherFamily.family}`
        : `${domain} n’a pas pris le message (un littéral d’adresse : pas de MX, aucun autre hôte à essayer)`
      : `aucun MX ${de(domain)} n’a pris le message (${tried} essayé${tried > 1 ? 's' : ''}${skipped > 0 ? `, ${skipped} sans adresse` : ''}` +
        `${otherFamily ? `, ${otherFamily.hosts} sans adresse IPv${otherFamily.family}` : ''})`,
  MAILV_UNCONFIRMED: ({ host, address, error }, words) =>
    `${describeFact(error, words)} après l’envoi du message entier : ${hostAt(host, address)} l’a peut-être reçu, il n’est donc pas renvoyé`,
  // Chaque destinataire refusé a eu sa ligne, avec la réponse du serveur : pas de nouveau ici.
  MAILV_REFUSED_THEN_FAILED: ({ error }, words) => describeFact(error, words),
});

export const notes: WordsOf<DeliveryNote> = {
  'interrupted-unconfirmed': ({ host, address }) =>
    `arrêté après l’envoi du message entier, avant le verdict : ${hostAt(host, address)} l’a peut-être reçu ; vérifiez avant de renvoyer la copie gardée`,
  'mx-host-skipped': ({ recipients, host, problem }, words) =>
    `${recipients.join(',')}... ${host} ${problem ? words.dns.noAddress(problem) : 'n’a pas d’adresse'} : ignoré`,
  'tls-retry-plain': ({ recipients, host, error }, words) => `${recipients.join(',')}... ${describeFact(error, words)} : nouvel essai ${de(host)} sans TLS`,
  'tls-retry-without-certificate': ({ recipients, host, error }, words) =>
    `${recipients.join(',')}... ${describeFact(error, words)} : nouvel essai ${de(host)} avec TLS, sans le certificat client`,
};
