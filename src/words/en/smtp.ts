// English words for what smtp/ reports (src/smtp/facts.ts).
import type { SmtpErrorFact, SmtpNote } from '../../smtp/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact } from '../describe.js';

export const errors: WordsOf<SmtpErrorFact> = {};

export const notes: WordsOf<SmtpNote> = {
  'quit-after': ({ point }) =>
    point === 'connect'
      ? 'stopping after connect (--quit-after): closing without a word'
      : point === 'data'
        ? 'stopping after data (--quit-after): hanging up, so the server discards the unfinished message'
        : `stopping after ${point} (--quit-after)`,
  'quit-before-data': () => 'stopping before data (--quit-after): no recipient was accepted',
  'certificates-unchecked': () => 'certificates are not checked (--insecure): anyone on the path could pose as the server',
  'starttls-refused': ({ reply }) => `STARTTLS refused (${reply.code}): going on without TLS`,
  'quit-unanswered': ({ error }, words) => `no reply to QUIT (${describeFact(error, words)})`,
  'quit-unexpected': ({ error }, words) => describeFact(error, words),
};
