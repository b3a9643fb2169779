// French words for what message/ reports (src/message/facts.ts).
import type { MessageErrorFact, MessageNote, SourceName, TextSource } from '../../message/facts.js';
import type { WordsOf } from '../catalogue.js';
import { codePointName, guillemets as q } from '../quote.js';
import { systemProblem } from './system.js';

const ORIGIN: Readonly<Record<TextSource, string>> = {
  'recipient-argument': 'dans un destinataire de la ligne de commande',
  'subject-option': 'dans la valeur de -s',
  'cc-option': 'dans la valeur de -c',
  'bcc-option': 'dans la valeur de -b',
  'header-option': 'dans la valeur de -H',
  'from-option': 'dans la valeur de -r',
  'sendmail-from-option': 'dans la valeur de -f',
  'fullname-option': 'dans la valeur de -F',
  'config-file': 'dans le fichier de configuration',
  'user-variable': 'dans $USER',
  'subject-prompt': 'dans la réponse à l’invite « Subject: »',
};

function sourceName(source: SourceName): string {
  return source.kind === 'file' ? source.path : source.kind === 'standard-input' ? 'l’entrée standard' : 'la copie temporaire du message';
}

/** U+000A, comme Unicode désigne un caractère. */
export const errors = (): WordsOf<MessageErrorFact> => ({
  MAILV_ADDRESS_CONTROL: ({ text, codePoint }) => `l’adresse contient ${codePoint === 0 ? 'un octet NUL' : 'un saut de ligne'} : ${q(text)}`,
  MAILV_ADDRESS_EMPTY: ({ address }) => `adresse invalide ${q(address)} : elle est vide`,
  MAILV_ADDRESS_TOO_LONG: ({ start, octets, limit }) =>
    `adresse invalide ${q(`${start}…`)} : ${octets} octets, au-delà des ${limit} qu’un chemin peut porter (RFC 5321 §4.5.3.1.3)`,
  MAILV_ADDRESS_LOCAL_PART: ({ address, localPart }) => `adresse invalide ${q(address)} : partie locale mal formée ${q(localPart)}`,
  MAILV_ADDRESS_AT_LOOKALIKE: ({ address, codePoint }) =>
    `adresse invalide ${q(address)} : ${q(String.fromCodePoint(codePoint))} (${codePointName(codePoint)}) n’est pas l’@ d’une adresse (tapez l’@ ASCII)`,
  MAILV_ADDRESS_INVISIBLE: ({ address, codePoint }) =>
    `adresse invalide ${q(address)} : sa partie locale contient ${codePointName(codePoint)}, un caractère qui ne se voit pas (collé avec elle ?) ; mettez-la entre guillemets si c’est voulu`,
  MAILV_ADDRESS_NAME: ({ address, name }) =>
    `adresse invalide ${q(address)} : ${q(name)} ne peut pas en être le nom (une adresse ? séparez les adresses par une virgule)`,
  MAILV_ADDRESS_NO_DOMAIN: ({ address }) => `adresse invalide ${q(address)} : pas de domaine après @`,
  MAILV_ADDRESS_DOMAIN: ({ address, domain, literal }) =>
    literal === undefined
      ? `adresse invalide ${q(address)} : domaine mal formé ${q(domain)}`
      : `adresse invalide ${q(address)} : une adresse IP s’écrit en littéral, ${literal} (RFC 5321 §4.1.3)`,
  MAILV_ADDRESS_LIST_QUOTE: ({ list }) => `liste d’adresses invalide ${q(list)} : un guillemet n’est pas refermé`,
  MAILV_HEADER_CONTROL: ({ field, codePoint, source }) =>
    `${field === undefined ? 'l’adresse' : `l’en-tête ${field}`} contient ${codePoint === 0x0a || codePoint === 0x0d ? 'un saut de ligne' : 'un caractère de contrôle'} (${codePointName(codePoint)}), ${ORIGIN[source]}`,
  MAILV_HEADER_NOT_UTF8: ({ field, source }) =>
    `${field === undefined ? 'l’adresse' : `l’en-tête ${field}`} n’est pas en UTF-8 (un U+FFFD tient la place d’octets), ${ORIGIN[source]} : donnez-le en UTF-8 (iconv -f latin1, par exemple)`,
  MAILV_HEADER_NAME_LONG: ({ name, longest }) =>
    `nom d’en-tête de ${name.length} caractères trop long : un nom ne se replie jamais, et sa ligne tient en 998 octets (RFC 5322 §2.1.1) ; ${longest} au plus`,
  MAILV_HEADER_NAME: ({ name }) => `nom d’en-tête invalide ${q(name)} : de l’ASCII imprimable seulement, sans « : » ni espace`,
  MAILV_HEADER_FORM: ({ argument }) => `en-tête invalide ${q(argument)} : la forme attendue est "Nom: valeur"`,
  MAILV_HEADER_BCC: () => 'un en-tête Bcc révélerait les copies cachées : utilisez -b au lieu de -H',
  MAILV_HEADER_RETURN_PATH: () => 'Return-Path est écrit à la remise, d’après l’expéditeur de l’enveloppe : utilisez -r au lieu de -H (RFC 5321 §4.4)',
  MAILV_HEADER_STRUCTURAL: ({ name }) =>
    `l’en-tête ${name} est écrit par mailv d’après la structure du message${name.toLowerCase() === 'content-type' ? ' : donnez le type du texte avec --content-type (text/html…)' : ''}`,
  MAILV_HEADER_ID_TOO_LONG: ({ name, length, longest }) =>
    `-H ${name} : un identifiant de ${length} caractères est trop long : il ne se replie ni ne s’encode jamais, et sa ligne tient en 998 octets (RFC 5322 §2.1.1) ; ${longest} au plus`,
  MAILV_HEADER_VALUE_FORM: ({ name, value, wanted }) =>
    `-H ${name} : ${q(value)} n’est pas ${wanted === 'date' ? 'une date comme l’écrit la RFC 5322 §3.3 (Mon, 1 Jan 2024 09:00:00 +0000)' : `${wanted === 'msg-ids' ? 'une liste d’identifiants' : 'un identifiant'} de message (<unique@example.org>${wanted === 'msg-ids' ? ' …' : ''}, en ASCII, RFC 5322 §3.6.4)`}`,
  MAILV_HEADER_ADDRESS_EMPTY: ({ name, groupAllowed }) =>
    `-H ${name} : ne nomme aucune adresse${groupAllowed ? ` (pour n’en montrer aucune, donnez un groupe vide : -H '${name}: undisclosed-recipients:;')` : ''}`,
  MAILV_HEADER_ADDRESS_GROUP: ({ name }) => `-H ${name} : un groupe ne peut pas y figurer, seulement des boîtes aux lettres (RFC 5322 §3.6.2)`,
  MAILV_HEADER_TWICE: ({ name }) =>
    `-H ${name} donné deux fois : un message n’a qu’un champ ${name} (RFC 5322 §3.6) ; donnez-le une fois, avec tout ce qu’il contient`,
  MAILV_HEADER_ADDRESS_ONE: ({ name, count }) => `-H ${name} : nomme ${count} boîtes aux lettres là où il n’en prend qu’une (RFC 5322 §3.6.2)`,
  MAILV_HEADER_SENDER_NEEDED: ({ name, count }) =>
    `-H ${name} : ${count} auteurs demandent un champ ${name === 'From' ? 'Sender' : 'Resent-Sender'} qui nomme celui qui envoie (RFC 5322 §3.6.2) : ajoutez -H '${name === 'From' ? 'Sender' : 'Resent-Sender'}: …'`,
  MAILV_MESSAGE_LINE_ENDS: () =>
    'le message termine les lignes de son bloc d’en-têtes par un CR seul, jusqu’à une ligne vide, et les suivantes par un LF : on ne peut pas savoir où finit ce bloc (un CR seul peut être du texte transmis par un programme)',
  MAILV_MESSAGE_HEADER_UNENDED: ({ limit }) => `le bloc d’en-têtes du message ne se termine pas dans ses ${limit} premiers octets`,
  MAILV_MESSAGE_HEADER_CONTROL: ({ line, field, codePoint }) =>
    `l’en-tête ${field} du message (ligne ${line}) contient un caractère de contrôle (${codePointName(codePoint)})`,
  MAILV_MESSAGE_HEADER_LINE: ({ line, text }) => `la ligne ${line} du message n’est pas un champ d’en-tête : ${q(text)}`,
  MAILV_MESSAGE_ADDRESS_NOT_UTF8: ({ field }) =>
    `l’en-tête ${field} du message nomme un destinataire avec des octets qui ne sont pas de l’UTF-8 : l’enveloppe ne peut pas nommer l’adresse que l’en-tête montre ; donnez-le en UTF-8 (iconv -f latin1, par exemple)`,
  MAILV_SOURCE_UNREADABLE: ({ source, errno, detail }) => `impossible de lire ${sourceName(source)} : ${systemProblem({ errno, detail })}`,
  MAILV_SOURCE_CHANGED: ({ source }) => `${sourceName(source)} a changé pendant l’envoi`,
  MAILV_SOURCE_SHORTER: ({ source }) => `${sourceName(source)} a raccourci pendant l’envoi`,
});

export const notes: WordsOf<MessageNote> = {};
