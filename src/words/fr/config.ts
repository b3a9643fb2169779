// French words for what config/ reports (src/config/facts.ts).
import type { ConfigErrorFact, ConfigNote, FileKind, ServerProblem } from '../../config/facts.js';
import type { WordsOf } from '../catalogue.js';
import { codePointName, guillemets as q } from '../quote.js';
import { octal } from '../file-mode.js';
import { shellWord } from '../shell-word.js';
import { systemProblem } from './system.js';

/** `fichier:ligne`, comme les compilateurs désignent un endroit d’un fichier. */
const at = ({ path, line }: { path: string; line: number }) => `${path}:${line}`;

/** L’en-tête de la section tel que le fichier l’écrit. */
const section = (account: string | undefined) => (account === undefined ? '[default]' : `[account ${account}]`);

/** Les droits comme chmod les prend : 0644. */

/** `a, b ou c`. */
const choice = (words: readonly string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} ou ${words.at(-1)}`);

const SERVER_PROBLEM: Readonly<Record<ServerProblem, string>> = {
  form: 'il faut smtp://hôte[:port], smtps://hôte[:port], lmtp://hôte[:port], hôte[:port], [adresse-ipv6][:port], unix:/chemin ou lmtp:/chemin',
  scheme: 'le schéma doit être smtp://, smtps:// ou lmtp:// (ou unix: et lmtp: devant un chemin)',
  port: 'le port est hors limites (de 1 à 65535)',
  user: 'un nom d’utilisateur se donne avec --user (ou user = dans le fichier des comptes), un mot de passe avec --password-file ou --password-cmd, pas dans le serveur',
};

const HELO_PROBLEM = 'il faut un nom de domaine ou une adresse littérale';
const TLS_NAME_PROBLEM = 'il faut le nom du serveur tel que son certificat le porte (un nom de domaine, sans joker) ou une adresse IP';

const KIND: Readonly<Record<FileKind, string>> = {
  directory: 'c’est un répertoire',
  fifo: 'c’est un FIFO, pas un fichier ordinaire',
  'character-device': 'c’est un périphérique en mode caractère, pas un fichier ordinaire',
  'block-device': 'c’est un périphérique en mode bloc, pas un fichier ordinaire',
  socket: 'c’est une socket, pas un fichier ordinaire',
  other: 'ce n’est pas un fichier ordinaire',
};

const ERRNO: Readonly<Record<string, string>> = { ENOENT: 'fichier inexistant', EACCES: 'permission refusée', EISDIR: 'c’est un répertoire' };

export const errors = (): WordsOf<ConfigErrorFact> => ({
  MAILV_CONFIG_SECTION_UNCLOSED: (fact) => `${at(fact)} : un en-tête de section se termine par ]`,
  MAILV_CONFIG_DEFAULT_LATE: (fact) => `${at(fact)} : [default] vient après des clés qui lui appartiennent déjà (depuis la ligne ${fact.firstLine})`,
  MAILV_CONFIG_ACCOUNT_EMPTY: (fact) => `${at(fact)} : nom de compte vide`,
  MAILV_CONFIG_ACCOUNT_NAME: (fact) => `${at(fact)} : nom de compte invalide ${q(fact.name)} : lettres, chiffres, « . », « _ » et « - » seulement`,
  MAILV_CONFIG_SECTION_UNKNOWN: (fact) => `${at(fact)} : section inconnue [${fact.section}] : [default] ou [account NOM] attendu`,
  MAILV_CONFIG_SECTION_TWICE: (fact) => `${at(fact)} : section ${section(fact.account)} en double (déjà ligne ${fact.firstLine})`,
  MAILV_CONFIG_LINE_FORM: (fact) => `${at(fact)} : il faut « clé = valeur », un en-tête [section] ou un commentaire #`,
  MAILV_CONFIG_KEY_UNKNOWN: (fact) =>
    fact.key === undefined ? `${at(fact)} : clé inconnue, non montrée : elle pourrait faire partie d’un secret` : `${at(fact)} : clé inconnue ${q(fact.key)}`,
  MAILV_CONFIG_KEY_TWICE: (fact) => `${at(fact)} : la clé « ${fact.key} » apparaît deux fois dans ${section(fact.account)} (déjà ligne ${fact.firstLine})`,
  MAILV_CONFIG_PASSWORD_SOURCES: (fact) =>
    `${at(fact)} : « ${fact.key} » et « ${fact.other} » (ligne ${fact.otherLine}) disent toutes deux d’où vient le mot de passe : n’en gardez qu’une`,
  MAILV_CONFIG_QUOTE_TRAILING: (fact) => `${at(fact)} : du texte suit le guillemet fermant`,
  MAILV_CONFIG_QUOTE_ESCAPE: (fact) => `${at(fact)} : dans une valeur entre guillemets, \\ n’échappe que " et \\`,
  MAILV_CONFIG_QUOTE_UNCLOSED: (fact) => `${at(fact)} : il manque le guillemet fermant d’une valeur entre guillemets`,
  MAILV_CONFIG_VALUE_EMPTY: (fact) => `${at(fact)} : « ${fact.key} » n’a pas de valeur`,
  MAILV_CONFIG_TLS: (fact) => `${at(fact)} : tls invalide : ${choice(fact.allowed)}`,
  MAILV_CONFIG_PIPELINING: (fact) => `${at(fact)} : pipelining invalide : ${choice(fact.allowed)}`,
  MAILV_CONFIG_INSECURE: (fact) => `${at(fact)} : insecure invalide : ${choice(fact.yes.flatMap((word, index) => [word, fact.no[index]!]))}`,
  MAILV_CONFIG_AUTH: (fact) => `${at(fact)} : mécanisme auth inconnu (mailv connaît ${fact.known.join(', ')})`,
  MAILV_CONFIG_SERVER: (fact) => `${at(fact)} : server invalide : ${SERVER_PROBLEM[fact.problem]}`,
  MAILV_CONFIG_HELO: (fact) => `${at(fact)} : helo invalide : ${HELO_PROBLEM}`,
  MAILV_CONFIG_TLS_NAME: (fact) => `${at(fact)} : tls-name invalide : ${TLS_NAME_PROBLEM}`,
  MAILV_CONFIG_TIMEOUT: (fact) => `${at(fact)} : timeout invalide : un nombre de secondes supérieur à 0 (30, 2.5)`,
  MAILV_CONFIG_FROM: (fact) =>
    fact.character === undefined
      ? `${at(fact)} : from invalide : il faut une adresse, comme alice@example.org ou Alice <alice@example.org>`
      : fact.character.kind === 'invisible'
        ? `${at(fact)} : from invalide : sa partie locale contient ${codePointName(fact.character.codePoint)}, un caractère qui ne se voit pas ; mettez-la entre guillemets si c’est voulu`
        : `${at(fact)} : from invalide : ${codePointName(fact.character.codePoint)} n’est pas l’@ d’une adresse (tapez l’@ ASCII)`,
  MAILV_CONFIG_USER_CONTROL: (fact) => `${at(fact)} : user invalide : la valeur contient un caractère de contrôle`,
  MAILV_CONFIG_NOT_UTF8: (fact) => `${at(fact)} : ce n’est pas du texte UTF-8`,
  MAILV_CONFIG_UNREADABLE: ({ path, errno, detail }) => `${path} : ${systemProblem({ errno, detail }, ERRNO)}`,
  MAILV_CONFIG_NOT_REGULAR: ({ path, kind }) => `${path} : ${KIND[kind]}`,
  MAILV_CONFIG_READABLE: ({ path, mode }) =>
    `${path} : contient un mot de passe, mais son mode ${octal(mode)} permet au groupe ou aux autres de le lire : chmod 600 ${shellWord(path)}`,
  MAILV_CONFIG_WRITABLE: ({ path, mode }) =>
    `${path} : son mode ${octal(mode)} permet au groupe ou aux autres de le modifier, et donc d’exécuter des commandes en votre nom : chmod go-w ${path}`,
  MAILV_CONFIG_OWNER: ({ path, uid }) =>
    `${path} : appartient à l’utilisateur ${uid}, pas à vous : un autre utilisateur pourrait s’en servir pour exécuter des commandes en votre nom`,
  MAILV_CONFIG_LINK_OWNER: ({ path, uid }) =>
    `${path} : est un lien symbolique de l’utilisateur ${uid}, pas de vous : cet utilisateur pourrait le faire pointer vers un autre fichier`,
  MAILV_CONFIG_REPLACED: ({ path }) => `${path} : a été remplacé pendant que mailv le lisait`,
  MAILV_CONFIG_DIRECTORY_OWNER: ({ path, directory, uid }) =>
    `${path} : le répertoire ${directory} appartient à l’utilisateur ${uid}, qui pourrait mettre un autre fichier à sa place`,
  MAILV_CONFIG_DIRECTORY_WRITABLE: ({ path, directory, mode }) =>
    `${path} : le répertoire ${directory} a le mode ${octal(mode)}, qui permet au groupe ou aux autres de mettre un autre fichier à sa place : chmod go-w ${directory}`,
  MAILV_CONFIG_TOO_LARGE: ({ path, limit }) => `${path} : plus de ${limit / 1024} Kio, trop grand pour un fichier de configuration`,
  MAILV_CONFIG_TLS_KEY_ALONE: ({ path, account }) => `${path} : ${section(account)} a une tls-key mais pas de tls-cert : la clé de quel certificat ?`,
  MAILV_CONFIG_SMTPS_TLS_OFF: ({ path, account }) =>
    `${path} : ${section(account)} a un serveur smtps:// et tls = off, qui se contredisent : smtps, c’est TLS dès le premier octet`,
  MAILV_CONFIG_SECRET_WITHOUT_USER: ({ path, account, key, sendmail }) =>
    `${path} : ${section(account)} a ${key === 'auth' ? 'un auth' : `un ${key}`} mais pas de user sous lequel se connecter : ajoutez une ligne « user = … »${sendmail ? '' : ' ou donnez --user'}`,
  MAILV_CONFIG_NO_ACCOUNT: ({ path, account, defined }) =>
    `${path} : pas de compte ${q(account)} : ${defined.length === 0 ? 'le fichier n’en définit aucun' : `le fichier définit ${defined.join(', ')}`}`,
  MAILV_SERVER_INVALID: ({ text, problem, from }) => `serveur invalide ${q(text)}${from === undefined ? '' : ` (${from})`} : ${SERVER_PROBLEM[problem]}`,
  MAILV_HELO_INVALID: ({ name }) =>
    `--helo invalide ${q(name)} : il faut de l’ASCII imprimable sans espace, envoyé tel quel (un nom de domaine ou une adresse littérale, pour passer les contrôles d’un serveur)`,
  MAILV_TLS_NAME_INVALID: ({ name }) => `--tls-name invalide ${q(name)} : ${TLS_NAME_PROBLEM}`,
});

export const notes: WordsOf<ConfigNote> = {};
