// Every French word mailv shows outside --explain, gathered from one file per folder.
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
 * errors and notes are merged from the folders' words at their first use, not at start-up: most runs
 * show no error, and a dry run then allocates about 80 KB less, which spares it a scavenge.
 */
let errors: Words['errors'] | undefined;
let notes: Words['notes'] | undefined;

export const fr: Words = {
  get errors() {
    errors ??= {
      ...app.errors,
      ...auth.errors,
      ...cli.errors,
      ...config.errors,
      ...delivery.errors,
      ...dns.errors,
      ...message.errors,
      ...record.errors,
      ...smtp.errors,
    };
    return errors;
  },
  get notes() {
    notes ??= { ...app.notes, ...auth.notes, ...cli.notes, ...config.notes, ...delivery.notes, ...dns.notes, ...message.notes, ...smtp.notes };
    return notes;
  },
  dns: dns.dnsWords,
  cli: cli.cliWords,
  output: app.output,
  tls: smtp.tlsWords,
  transcript: smtp.transcriptWords,
  timing: smtp.timingWords,
  diagram: diagramWords,
  load: loadWords,
  help: helpWords,
};
