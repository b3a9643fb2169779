// The words of what -v and --explain show before the dialogue (the message as generated, the
// table of envelope and header addresses), in each language. One interface: a label missing from
// one language is a compile error.
import type { Language } from '../words/language.js';

export interface TableLabels {
  /** `eightBit`: the size is that of the 8-bit form, which only a server offering 8BITMIME gets. */
  messageTitle: (octets: number, eightBit: boolean) => string;
  moreOctets: (octets: number) => string;
  /** Under the title of a message with 8-bit text: what a server without 8BITMIME gets instead. */
  eightBitNote: string;
  addressesTitle: string;
  address: string;
  envelope: string;
  header: string;
  givenBy: string;
  /** A blind copy: in the envelope, kept out of the header. */
  blindCopy: string;
  /** A recipient no header names, though none was asked to be hidden (sendmail's arguments, -H To:). */
  envelopeOnly: string;
  notInHeader: string;
  headerOnly: string;
  commandLine: string;
  configFile: string;
  userVariable: string;
  messageField: (name: string) => string;
}

const en: TableLabels = {
  messageTitle: (octets, eightBit) => `Message as generated: ${octets} octets (what SIZE= announces${eightBit ? ' to a server offering 8BITMIME' : ''}):`,
  moreOctets: (octets) => `[… ${octets} more octets not shown]`,
  eightBitNote:
    '(8-bit text, shown as a server offering 8BITMIME gets it; to one without, it goes quoted-printable, or, with -t, an 8-bit body not at all and an 8-bit header as it is)',
  addressesTitle: 'Envelope and header (the envelope decides who gets the message):',
  address: 'address',
  envelope: 'envelope',
  header: 'header',
  givenBy: 'given by',
  blindCopy: '(none: Bcc, envelope only)',
  envelopeOnly: '(none: envelope only)',
  notInHeader: '(none: the header names another)',
  headerOnly: '(none: header only)',
  commandLine: 'command line',
  configFile: 'configuration file',
  userVariable: '$USER at this host',
  messageField: (name) => `the message's ${name}:`,
};

const fr: TableLabels = {
  messageTitle: (octets, eightBit) => `Message tel que produit : ${octets} octets (ce qu’annonce SIZE=${eightBit ? ' à un serveur qui offre 8BITMIME' : ''}) :`,
  moreOctets: (octets) => `[… ${octets} octets de plus, non montrés]`,
  eightBitNote:
    '(texte 8 bits, montré tel que le reçoit un serveur qui offre 8BITMIME ; sans lui, il part en quoted-printable, ou, avec -t, un corps 8 bits pas du tout et un en-tête 8 bits tel quel)',
  addressesTitle: 'Enveloppe et en-têtes (c’est l’enveloppe qui décide qui reçoit le message) :',
  address: 'adresse',
  envelope: 'enveloppe',
  header: 'en-tête',
  givenBy: 'donnée par',
  blindCopy: '(aucun : Cci, enveloppe seule)',
  envelopeOnly: '(aucun : enveloppe seule)',
  notInHeader: '(aucun : l’en-tête en nomme un autre)',
  headerOnly: '(aucune : en-tête seul)',
  commandLine: 'ligne de commande',
  configFile: 'fichier de configuration',
  userVariable: '$USER sur cette machine',
  messageField: (name) => `le champ ${name}: du message`,
};

export function tableLabelsFor(language: Language): TableLabels {
  return language === 'fr' ? fr : en;
}
