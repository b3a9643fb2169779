// English words for what record/ reports (src/record/facts.ts): --record and mailv replay.
import type { ExpectedValue, RecordErrorFact, RecordProblem, RunInput } from '../../record/facts.js';
import type { WordsOf } from '../catalogue.js';
import { clipped, quoted } from '../quote.js';
import { systemProblem } from './system.js';

/** A value from the record, quoted and cut short. */
const q = (value: string) => quoted(clipped(value));

const file = (path: string) => (path === '-' ? 'standard input' : path);

const EXPECTED: Readonly<Record<ExpectedValue, string>> = {
  string: 'a string',
  number: 'a number',
  integer: 'an integer',
  boolean: 'true or false',
  array: 'an array',
  object: 'an object',
  base64: 'base64 text',
  'reply-code': 'a reply code from 200 to 599',
  'address-family': '4 or 6',
  'address-row':
    'a row the table can hold: in the envelope, a header or both; From: or Resent-From: for the sender, the others for a recipient; blind only when no header shows it',
  'reply-of-its-lines': 'the code, enhanced code and text its raw lines hold (edit raw, and those with it)',
  time: 'milliseconds, from 0 to 2^53',
  'later-time': 'milliseconds, no fewer than on the line before',
};

const PROBLEM: { readonly [K in RecordProblem['kind']]: (problem: Extract<RecordProblem, { kind: K }>) => string } = {
  empty: () => 'the file is empty',
  'not-json': () => 'not a line of JSON',
  'not-a-record': () => 'not a mailv record (its first line names no format mailv-record)',
  'unknown-version': ({ version, supported }) =>
    `a record of version ${clipped(version)}, which this mailv cannot read (it reads version ${supported}); a newer mailv may`,
  'unknown-kind': ({ field, value }) => `${field} ${q(value)} is unknown to this mailv`,
  'bad-field': ({ field, expected }) => `${field} should be ${EXPECTED[expected]}`,
  'bad-value': ({ field, value, choices }) => `${field} is ${q(value)}, not one of ${choices.join(', ')}`,
  'unknown-line': () => 'a line that is neither an event, a note nor the end of the run',
  truncated: () => 'the last line stops in the middle (the run that wrote it was stopped)',
  'no-end': () => 'the record stops before the end of the run (the run that wrote it was stopped)',
  'after-end': () => 'a line after the end of the run',
  'second-header': () => 'a second header line: a record holds one run, so two records joined must be replayed one by one',
  unshowable: () => 'facts mailv cannot show as they are',
};

const problem = (each: RecordProblem) => (PROBLEM[each.kind] as (problem: RecordProblem) => string)(each);

export const errors = (): WordsOf<RecordErrorFact> => ({
  MAILV_RECORD_UNWRITABLE: (fact) => `cannot create the record ${fact.path}: ${systemProblem(fact)}; nothing was sent`,
  MAILV_RECORD_NOT_A_FILE: ({ path, reading }) =>
    reading
      ? `cannot read the record ${file(path)}: it is neither a file nor a pipe`
      : `cannot create the record ${path}: it is not a regular file; nothing was sent`,
  MAILV_RECORD_IS_INPUT: ({ path, input }) => `cannot make the record ${path}: it is ${runInput(input)}, which it would empty; nothing was sent`,
  MAILV_RECORD_WRITE_FAILED: (fact) =>
    `cannot write the record ${fact.path}: ${systemProblem(fact)}; it stops there${fact.allElseDone === true ? ', the rest of the run succeeded (status 0 but for it: a message it sent is not to be sent again)' : ''}`,
  MAILV_RECORD_UNREADABLE: (fact) => `cannot read the record ${file(fact.path)}: ${systemProblem(fact)}`,
  MAILV_RECORD_TOO_LARGE: ({ path, limit }) => `cannot read the record ${file(path)}: more than ${limit / 1024 / 1024} MiB`,
  MAILV_RECORD_DAMAGED: ({ path, line, problem: found }) => `${file(path)}, line ${line}: ${problem(found)}`,
});

const RUN_INPUTS: Readonly<Record<RunInput, string>> = {
  stdin: 'the message on standard input',
  attachment: 'a file attached',
  'dead-letter': 'dead.letter',
  trust: 'a certificate or key file the run reads',
  secret: 'the password or token file',
  record: 'the record replayed',
  config: 'the accounts file',
  'own-record': 'the record this run writes',
};

/** A file the run reads or keeps messages in, named as what it is to the run. */
export function runInput(input: RunInput): string {
  return RUN_INPUTS[input];
}
