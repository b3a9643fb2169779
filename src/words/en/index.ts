// Every English word mailv shows outside --explain, gathered from one file per folder.
import type { Words } from '../catalogue.js';
import * as app from './app.js';
import * as auth from './auth.js';
import * as cli from './cli.js';
import * as config from './config.js';
import * as delivery from './delivery.js';
import { diagramWords } from './diagram.js';
import * as dns from './dns.js';
import { helpWords } from './help.js';
import { loadWords } from './load.js';
import * as message from './message.js';
import * as record from './record.js';
import * as smtp from './smtp.js';

/**
 * The words a run may never show (errors, notes, those of TLS, DNS, --timing, --diagram, the load
 * mode) are made at their first use, not at start-up: most runs show no error, and a plain send then
 * allocates about 50 KB less.
 */
const made: { -readonly [Part in keyof Words]?: Words[Part] } = {};

/** The part `make` makes, made at the first call and kept. */
function once<Part extends keyof Words>(part: Part, make: () => Words[Part]): Words[Part] {
  const words = made[part] ?? make();
  made[part] = words;
  return words;
}

export const en: Words = {
  get errors() {
    return once('errors', () => ({
      ...app.errors(),
      ...auth.errors(),
      ...cli.errors(),
      ...config.errors(),
      ...delivery.errors(),
      ...dns.errors(),
      ...message.errors(),
      ...record.errors(),
      ...smtp.errors(),
    }));
  },
  get notes() {
    return once('notes', () => ({
      ...app.notes,
      ...auth.notes,
      ...cli.notes,
      ...config.notes,
      ...delivery.notes,
      ...dns.notes,
      ...message.notes,
      ...smtp.notes,
    }));
  },
  get dns() {
    return once('dns', dns.dnsWords);
  },
  get cli() {
    return once('cli', cli.cliWords);
  },
  output: app.output,
  get tls() {
    return once('tls', smtp.tlsWords);
  },
  transcript: smtp.transcriptWords,
  get timing() {
    return once('timing', smtp.timingWords);
  },
  get diagram() {
    return once('diagram', diagramWords);
  },
  get load() {
    return once('load', loadWords);
  },
  help: helpWords,
};
