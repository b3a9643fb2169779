// English words for what the application reports (src/app/facts.ts), and for what it prints
// around the events (src/words/output-words.ts).
import type { AppErrorFact, AppNote, OutputName } from '../../app/facts.js';
import type { WordsOf } from '../catalogue.js';
import { describeFact, describeLoadFailure } from '../fact-sentence.js';
import type { OutputWords } from '../output-words.js';
import { runInput } from './record.js';
import { systemProblem } from './system.js';
import { octal } from '../file-mode.js';
import { shellWord } from '../shell-word.js';
import { quoted as q } from '../quote.js';

const OUTPUT: Readonly<Record<OutputName, string>> = { stdout: 'standard output', stderr: 'standard error' };

const list = (recipients: readonly string[]) => recipients.join(', ');

export const errors = (): WordsOf<AppErrorFact> => ({
  MAILV_OUTPUT_FAILED: ({ output, errno, detail }) => `cannot write to ${OUTPUT[output]}: ${systemProblem({ errno, detail })}`,
  MAILV_DIAGRAM_FAILED: ({ path, errno, detail, found }) =>
    `cannot write the diagram to ${path}: ${found === 'not-a-file' ? 'not a regular file' : systemProblem({ errno, detail })}`,
  MAILV_DIAGRAM_IS_INPUT: ({ path, input }) => `cannot draw the diagram in ${path}: it is ${runInput(input)}, which it would overwrite`,
  MAILV_RECIPIENTS_REFUSED: ({ recipients }) =>
    `${recipients.length === 1 ? 'a recipient was' : `${recipients.length} recipients were`} refused: ${list(recipients)}`,
  MAILV_RECIPIENTS_DEFERRED: ({ recipients }) => `not accepted for now (try again later): ${list(recipients)}`,
  MAILV_LOAD_FAILED: ({ failed, count, decidedBy }, words) =>
    `${failed} of ${count} message${count === 1 ? '' : 's'} failed (${describeLoadFailure(decidedBy, words)})`,
});

export const notes: WordsOf<AppNote> = {
  'null-body': () => "Null message body; hope that's ok", // as mail(1) says it
  // Node says it so at its start: "Warning: Ignoring extra certs from `…`, load failed: …".
  'node-extra-ca-unreadable': ({ path, errno, detail, found, block }) =>
    found === 'damaged'
      ? `the extra CA certificates of NODE_EXTRA_CA_CERTS (${path}): its block ${block} is damaged; it and those after it are ignored`
      : `ignoring the extra CA certificates of NODE_EXTRA_CA_CERTS (${path}): ${
          found === 'directory'
            ? 'a directory'
            : found === 'too-large'
              ? 'larger than 64 MiB'
              : found === 'read-by-node'
                ? 'not a regular file, and Node read it at its start; beside --ca, run mailv as installed (not by node bin/mailv.js) to trust it'
                : systemProblem({ errno, detail: detail ?? '' })
        }`,
  'client-key-readable': ({ path, mode }) =>
    `the private key in ${path} is used, but its mode ${octal(mode)} lets anyone on this machine read it: chmod o-rwx ${shellWord(path)}`,
  'dead-letter-waiting': ({ lock }) => `waiting for ${lock}: another process holds dead.letter's lock`,
  'secret-file-readable': ({ path, mode }) =>
    `the secret in ${path} is used, but its mode ${octal(mode)} lets anyone on this machine read it: chmod o-rwx ${shellWord(path)}`,
  'empty-not-sent': () => 'the message is empty: not sent (-E)',
  'client-idle': ({ seconds, unread }) => `the client ${unread ? 'read no reply' : 'sent nothing'} for ${seconds} s: the dialogue was closed (421)`,
  'body-not-utf8': () => 'the text is not UTF-8: it goes as charset=unknown-8bit, and its reader must guess (recode it to UTF-8 first, e.g. with iconv)',
  'recipient-not-delivered': ({ recipient, reply }) => `not delivered to ${recipient}: ${reply.raw.join(' ')}`,
  'domain-not-delivered': ({ recipients, error }, words) => `not delivered to ${list(recipients)}: ${describeFact(error, words)}`,
  // Not "not delivered": the failure may be one after the whole message left, which it says.
  'recipients-unsettled': ({ recipients, error }, words) => `${list(recipients)}: ${describeFact(error, words)}`,
  'sendmail-option-ignored': ({ option, value }) => `bad ${option} option value ${q(value)}: ignored, as Postfix ignores it`,
  'sendmail-nothing-to-do': ({ what }) =>
    what === 'aliases'
      ? 'mailv-sendmail keeps no alias database: there is nothing to rebuild'
      : 'mailv-sendmail keeps no host status: there is nothing to show or purge',
  'dead-letter-saved': ({ path, unfinished }) => `${unfinished ? 'what was read of the message' : 'the message'} was saved in ${path}`,
  'dead-letter-saved-without-attachments': ({ path, error }, words) =>
    `the message was saved in ${path}, without its attachments (${describeFact(error, words)})`,
  'dead-letter-failed': ({ error, fate }, words) =>
    `${describeFact(error, words)}; ${fate === 'lost' ? 'the message is lost' : 'it is only in the file given on standard input'}`,
};

export const output: OutputWords = {
  dryRun: {
    envelope: 'Envelope (what a server offering SIZE is told):',
    bccOnly: '(Bcc: envelope only)',
    message: (octets, eightBit) => `Message (${octets} octets${eightBit ? ', 8-bit, as sent to a server that offers 8BITMIME' : ''}):`,
  },
  demo: {
    received: (octets, from, recipients) => `--- The demo server received ${octets} octets from ${from} for ${recipients}:`,
    end: '--- end of message',
  },
  spinner: {
    connecting: (host, port) => `connecting to ${host} port ${port}…`,
    greeting: (host) => `waiting for the greeting of ${host}…`,
    reply: (command) => `waiting for the reply to ${command}…`,
    verdict: 'waiting for the verdict on the message…',
    dnsQuery: (server, type, name) => `asking ${server} for the ${type} records of ${name}…`,
  },
  errorsWithheld: 'mailv: more failures are not written here: standard error is only read once the dialogue is over',
};
