// French words for what record/ reports (src/record/facts.ts): --record and mailv replay.
import type { ExpectedValue, RecordErrorFact, RecordProblem, RunInput } from '../../record/facts.js';
import type { WordsOf } from '../catalogue.js';
import { clipped, guillemets } from '../quote.js';
import { systemProblem } from './system.js';

/** A value from the record, quoted and cut short. */
const q = (value: string) => guillemets(clipped(value));

const file = (path: string) => (path === '-' ? 'l’entrée standard' : path);

const EXPECTED: Readonly<Record<ExpectedValue, string>> = {
  string: 'une chaîne',
  number: 'un nombre',
  integer: 'un entier',
  boolean: 'true ou false',
  array: 'un tableau',
  object: 'un objet',
  base64: 'du texte base64',
  'reply-code': 'un code de réponse de 200 à 599',
  'address-family': '4 ou 6',
  'address-row':
    'une ligne que la table peut contenir : dans l’enveloppe, un en-tête ou les deux ; From: ou Resent-From: pour l’expéditeur, les autres pour un destinataire ; cachée seulement si aucun en-tête ne la montre',
  'reply-of-its-lines': 'le code, le code étendu et le texte que portent ses lignes brutes (modifiez raw, et ceux-ci avec)',
  time: 'des millisecondes, de 0 à 2^53',
  'later-time': 'des millisecondes, pas moins qu’à la ligne précédente',
};

const PROBLEM: { readonly [K in RecordProblem['kind']]: (problem: Extract<RecordProblem, { kind: K }>) => string } = {
  empty: () => 'le fichier est vide',
  'not-json': () => 'ce n’est pas une ligne JSON',
  'not-a-record': () => 'ce n’est pas un enregistrement de mailv (sa première ligne ne nomme pas le format mailv-record)',
  'unknown-version': ({ version, supported }) =>
    `un enregistrement de version ${clipped(version)}, que ce mailv ne sait pas lire (il lit la version ${supported}) ; un mailv plus récent le pourra peut-être`,
  'unknown-kind': ({ field, value }) => `${field} ${q(value)} est inconnu de ce mailv`,
  'bad-field': ({ field, expected }) => `${field} devrait être ${EXPECTED[expected]}`,
  'bad-value': ({ field, value, choices }) => `${field} vaut ${q(value)}, qui n’est pas l’une des valeurs ${choices.join(', ')}`,
  'unknown-line': () => 'une ligne qui n’est ni un événement, ni une note, ni la fin de la session',
  truncated: () => 'la dernière ligne s’arrête au milieu (l’exécution qui l’écrivait a été arrêtée)',
  'no-end': () => 'l’enregistrement s’arrête avant la fin de la session (l’exécution qui l’écrivait a été arrêtée)',
  'after-end': () => 'une ligne après la fin de la session',
  'second-header': () =>
    'une deuxième ligne d’en-tête : un enregistrement tient une seule session ; deux enregistrements mis bout à bout se rejouent un par un',
  unshowable: () => 'des faits que mailv ne peut pas montrer tels quels',
};

const problem = (each: RecordProblem) => (PROBLEM[each.kind] as (problem: RecordProblem) => string)(each);

export const errors = (): WordsOf<RecordErrorFact> => ({
  MAILV_RECORD_UNWRITABLE: (fact) => `impossible de créer l’enregistrement ${fact.path} : ${systemProblem(fact)} ; rien n’a été envoyé`,
  MAILV_RECORD_NOT_A_FILE: ({ path, reading }) =>
    reading
      ? `impossible de lire l’enregistrement ${file(path)} : ce n’est ni un fichier ni un tube`
      : `impossible de créer l’enregistrement ${path} : ce n’est pas un fichier ordinaire ; rien n’a été envoyé`,
  MAILV_RECORD_IS_INPUT: ({ path, input }) => `impossible de faire l’enregistrement ${path} : c’est ${runInput(input)}, qu’il viderait ; rien n’a été envoyé`,
  MAILV_RECORD_WRITE_FAILED: (fact) =>
    `impossible d’écrire l’enregistrement ${fact.path} : ${systemProblem(fact)} ; il s’arrête là${fact.allElseDone === true ? ', le reste de l’exécution a réussi (statut 0 sans lui : un message envoyé ne doit pas être renvoyé)' : ''}`,
  MAILV_RECORD_UNREADABLE: (fact) => `impossible de lire l’enregistrement ${file(fact.path)} : ${systemProblem(fact)}`,
  MAILV_RECORD_TOO_LARGE: ({ path, limit }) => `impossible de lire l’enregistrement ${file(path)} : plus de ${limit / 1024 / 1024} Mio`,
  MAILV_RECORD_DAMAGED: ({ path, line, problem: found }) => `${file(path)}, ligne ${line} : ${problem(found)}`,
});

const RUN_INPUTS: Readonly<Record<RunInput, string>> = {
  stdin: 'le message sur l’entrée standard',
  attachment: 'un fichier joint',
  'dead-letter': 'dead.letter',
  trust: 'un fichier de certificat ou de clé que l’envoi lit',
  secret: 'le fichier du mot de passe ou du jeton',
  record: 'l’enregistrement rejoué',
  config: 'le fichier des comptes',
  'own-record': 'l’enregistrement que cet envoi écrit',
};

/** Un fichier que l’envoi lit ou où il garde des messages, nommé par ce qu’il est pour lui. */
export function runInput(input: RunInput): string {
  return RUN_INPUTS[input];
}
