// French words for what the application reports (src/app/facts.ts), and for what it prints
// around the events (src/words/output-words.ts).
import type { AppErrorFact, AppNote, OutputName } from '../../app/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact, describeLoadFailure } from '../fact-sentence.js';
import type { OutputWords } from '../output-words.js';
import { runInput } from './record.js';
import { systemProblem } from './system.js';
import { octal } from '../file-mode.js';
import { shellWord } from '../shell-word.js';
import { guillemets as q } from '../quote.js';
import { de } from '../french-elision.js';

const OUTPUT: Readonly<Record<OutputName, string>> = { stdout: 'la sortie standard', stderr: 'la sortie d’erreur standard' };

const list = (recipients: readonly string[]) => recipients.join(', ');

export const errors = (): WordsOf<AppErrorFact> => ({
  MAILV_OUTPUT_FAILED: ({ output, errno, detail }) => `impossible d’écrire sur ${OUTPUT[output]} : ${systemProblem({ errno, detail })}`,
  MAILV_DIAGRAM_FAILED: ({ path, errno, detail, found }) =>
    `impossible d’écrire le diagramme dans ${path} : ${found === 'not-a-file' ? 'ce n’est pas un fichier ordinaire' : systemProblem({ errno, detail })}`,
  MAILV_DIAGRAM_IS_INPUT: ({ path, input }) => `impossible de dessiner le diagramme dans ${path} : c’est ${runInput(input)}, qu’il écraserait`,
  MAILV_RECIPIENTS_REFUSED: ({ recipients }) =>
    recipients.length === 1 ? `un destinataire refusé : ${list(recipients)}` : `${recipients.length} destinataires refusés : ${list(recipients)}`,
  MAILV_RECIPIENTS_DEFERRED: ({ recipients }) => `pas accepté pour l’instant (réessayez plus tard) : ${list(recipients)}`,
  MAILV_LOAD_FAILED: ({ failed, count, decidedBy }, words) =>
    `${failed} message${failed === 1 ? '' : 's'} sur ${count} n’${failed === 1 ? 'a' : 'ont'} pas abouti (${describeLoadFailure(decidedBy, words)})`,
});

export const notes: WordsOf<AppNote> = {
  'null-body': () => 'Corps du message vide ; j’espère que c’est voulu',
  'node-extra-ca-unreadable': ({ path, errno, detail, found, block }) =>
    found === 'damaged'
      ? `certificats d’AC supplémentaires de NODE_EXTRA_CA_CERTS (${path}) : son bloc ${block} est endommagé ; lui et ceux qui le suivent sont ignorés`
      : `certificats d’AC supplémentaires de NODE_EXTRA_CA_CERTS (${path}) ignorés : ${
          found === 'directory'
            ? 'c’est un répertoire'
            : found === 'too-large'
              ? 'plus de 64 Mio'
              : found === 'read-by-node'
                ? 'ce n’est pas un fichier ordinaire, et Node l’a lu à son démarrage ; avec --ca, lancez mailv tel qu’installé (pas par node bin/mailv.js) pour s’y fier'
                : systemProblem({ errno, detail: detail ?? '' })
        }`,
  'client-key-readable': ({ path, mode }) =>
    `la clé privée de ${path} est utilisée, mais son mode ${octal(mode)} permet à tout utilisateur de cette machine de la lire : chmod o-rwx ${shellWord(path)}`,
  'dead-letter-waiting': ({ lock }) => `attente de ${lock} : un autre processus tient le verrou de dead.letter`,
  'secret-file-readable': ({ path, mode }) =>
    `le secret de ${path} est utilisé, mais son mode ${octal(mode)} permet à tout utilisateur de cette machine de le lire : chmod o-rwx ${shellWord(path)}`,
  'empty-not-sent': () => 'le message est vide : pas envoyé (-E)',
  'client-idle': ({ seconds, unread }) => `le client n’a ${unread ? 'lu aucune réponse' : 'rien envoyé'} pendant ${seconds} s : le dialogue a été fermé (421)`,
  'body-not-utf8': () =>
    'le texte n’est pas en UTF-8 : il part en charset=unknown-8bit, à son lecteur de deviner (convertissez-le d’abord en UTF-8, avec iconv par exemple)',
  'recipient-not-delivered': ({ recipient, reply }) => `non remis à ${recipient} : ${reply.raw.join(' ')}`,
  'domain-not-delivered': ({ recipients, error }, words) => `non remis à ${list(recipients)} : ${describeFact(error, words)}`,
  'recipients-unsettled': ({ recipients, error }, words) => `${list(recipients)} : ${describeFact(error, words)}`,
  'sendmail-option-ignored': ({ option, value }) => `valeur invalide ${q(value)} pour ${option} : ignorée, comme Postfix l’ignore`,
  'sendmail-nothing-to-do': ({ what }) =>
    what === 'aliases'
      ? 'mailv-sendmail n’a pas de base d’alias : il n’y a rien à reconstruire'
      : 'mailv-sendmail ne garde pas l’état des hôtes : il n’y a rien à montrer ni à purger',
  'dead-letter-saved': ({ path, unfinished }) => `${unfinished ? 'ce qui a été lu du message a été enregistré' : 'le message a été enregistré'} dans ${path}`,
  'dead-letter-saved-without-attachments': ({ path, error }, words) =>
    `le message a été enregistré dans ${path}, sans ses pièces jointes (${describeFact(error, words)})`,
  'dead-letter-failed': ({ error, fate }, words) =>
    `${describeFact(error, words)} ; ${fate === 'lost' ? 'le message est perdu' : 'il n’est plus que dans le fichier donné en entrée standard'}`,
};

export const output: OutputWords = {
  dryRun: {
    envelope: 'Enveloppe (ce qu’on annonce à un serveur qui offre SIZE) :',
    bccOnly: '(Cci : enveloppe seule)',
    message: (octets, eightBit) => `Message (${octets} octets${eightBit ? ', 8 bits, tel qu’envoyé à un serveur qui offre 8BITMIME' : ''}) :`,
  },
  demo: {
    received: (octets, from, recipients) => `--- Le serveur de démonstration a reçu ${octets} octets de ${from} pour ${recipients} :`,
    end: '--- fin du message',
  },
  spinner: {
    connecting: (host, port) => `connexion à ${host} port ${port}…`,
    greeting: (host) => `attente de l’accueil ${de(host)}…`,
    reply: (command) => `attente de la réponse à ${command}…`,
    verdict: 'attente du verdict sur le message…',
    dnsQuery: (server, type, name) => `question à ${server} : les enregistrements ${type} ${de(name)}…`,
  },
  errorsWithheld: 'mailv : les échecs suivants ne sont pas écrits ici : la sortie d’erreur n’est lue qu’à la fin du dialogue',
};
