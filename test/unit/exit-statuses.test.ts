// The exit statuses --help, the man page and the README promise are those of the one table: every
// status mailv can return is documented in each, and none documents a status mailv cannot return.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../dist/cli/program.js';
import { exitCodeForResults } from '../../dist/delivery/outcome.js';
import {
  AuthError,
  CannotCreateError,
  CapabilityError,
  ConfigError,
  DnsError,
  exitCodeOf,
  failureStatuses,
  InputError,
  InterruptedError,
  LocalIoError,
  ProtocolError,
  RefusedThenFailedError,
  SmtpReplyError,
  StalledError,
  StepStop,
  TlsError,
  TransportError,
  UsageError,
} from '../../dist/errors.js';
import type { RecipientOutcome } from '../../dist/events.js';
import { STOP_SIGNALS } from '../../dist/exit-codes.js';
import { makeReply } from '../../dist/smtp/reply.js';
import { fr } from '../../dist/words/fr/index.js';

const OUTCOMES: readonly RecipientOutcome[] = ['sent', 'refused', 'deferred'];

/** What a delivery's outcomes can end with: every mix of sent, refused and deferred recipients, and none. */
function resultStatuses(): Set<number> {
  const statuses = new Set<number>();
  for (let mix = 0; mix < 1 << OUTCOMES.length; mix++) {
    const outcomes = OUTCOMES.filter((_, bit) => mix & (1 << bit));
    statuses.add(exitCodeForResults(outcomes.map((outcome) => ({ recipient: 'bob@example.org', outcome, reply: undefined }))));
  }
  return statuses;
}

/** Every status mailv can return: the failures' table, the recipients' outcomes, and 0. */
const TABLE = new Set([0, ...failureStatuses().map((each) => each.status), ...resultStatuses()]);

const sorted = (statuses: Iterable<number>) => [...statuses].sort((a, b) => a - b);

/** The statuses listed at the start of the lines of a section, as `  64   usage…` or `| 64 | usage… |`. */
function listed(lines: readonly string[], pattern: RegExp): number[] {
  return lines.flatMap((line) => {
    const match = pattern.exec(line);
    return match
      ? match[1]!
          .split(/[^0-9]+/)
          .filter(Boolean)
          .map(Number)
      : [];
  });
}

describe('exit statuses', () => {
  it('come from one table that names the failures behind each', () => {
    const table = failureStatuses();
    assert.deepEqual(
      table.map((each) => each.status),
      [64, 65, 66, 67, 68, 69, 70, 73, 74, 75, 76, 77, 78, 129, 130, 131, 143],
    );
    const meaning = (status: number) => table.find((each) => each.status === status)?.failures;
    assert.deepEqual(meaning(75), ['DnsError', 'TransportError', 'TlsError', 'StepStop', 'SmtpReplyError']);
    assert.deepEqual(meaning(70), ['internal', 'StalledError']);
    assert.deepEqual(meaning(67), ['RefusedThenFailedError']);
    assert.deepEqual(sorted(resultStatuses()), [0, 67, 75]);
  });

  it('are what exitCodeOf returns for each failure, from its class and reason, never from its fact', () => {
    const reply = (code: number) => makeReply([`${code} 4.0.0 no`]);
    // One fact for all: the status must not depend on it.
    const fact = { code: 'MAILV_INTERNAL', detail: 'any fact' } as const;
    const cases: [unknown, number][] = [
      [new UsageError(fact), 64],
      [new InputError(fact, 65), 65],
      [new InputError(fact, 66), 66],
      [new DnsError({ code: 'MAILV_DNS_NO_SUCH_NAME', name: 'x.test.' }, 'no-such-domain'), 68],
      [new DnsError({ code: 'MAILV_DNS_NO_SUCH_NAME', name: 'x.test.' }, 'budget'), 75],
      [new SmtpReplyError(fact, 'mail', reply(550)), 69],
      [new SmtpReplyError(fact, 'mail', reply(451)), 75],
      [new CapabilityError(fact, 'mail'), 69],
      [new Error('a bug'), 70],
      [new LocalIoError(fact, 'input'), 74],
      [new CannotCreateError(fact, 'options'), 73],
      [new TransportError(fact, 'data', 'reset'), 75],
      [new TlsError(fact, 'starttls'), 75],
      [new StepStop(), 75],
      [new ProtocolError(fact, 'ehlo'), 76],
      [new AuthError(fact, 'auth'), 77],
      [new RefusedThenFailedError(new TransportError(fact, 'data', 'reset'), [{ recipient: 'bob@example.org', outcome: 'refused', reply: undefined }]), 67],
      [new ConfigError(fact), 78],
      [new StalledError(), 70],
      ...STOP_SIGNALS.map((signal): [unknown, number] => [
        new InterruptedError(signal, 'input'),
        { SIGHUP: 129, SIGINT: 130, SIGQUIT: 131, SIGTERM: 143 }[signal],
      ]),
    ];
    for (const [error, status] of cases) assert.equal(exitCodeOf(error), status, String(error));
    const produced = new Set(cases.map(([error]) => exitCodeOf(error)));
    assert.deepEqual(sorted(produced), sorted(failureStatuses().map((each) => each.status)), 'every status of the table is reached by some failure');
  });

  it('are all listed in --help, and only those', () => {
    const help = parseCommandLine(['--help'], '0') as { kind: 'exit'; output: string };
    const section = help.output.slice(help.output.indexOf('\nExit status:\n'));
    assert.ok(section.length > 20, 'no "Exit status:" section in --help');
    assert.deepEqual(sorted(listed(section.split('\n'), /^ {2}(\d+(?:, \d+)*)(?: |$)/)), sorted(TABLE));
  });

  it('are all listed in the French --help too, and only those', () => {
    const help = parseCommandLine(['--help'], '0', fr.help) as { kind: 'exit'; output: string };
    const section = help.output.slice(help.output.indexOf('\nCodes de sortie :\n'));
    assert.ok(section.length > 20, 'no "Codes de sortie :" section in the French --help');
    assert.deepEqual(sorted(listed(section.split('\n'), /^ {2}(\d+(?:, \d+)*)(?: |$)/)), sorted(TABLE));
  });

  it('are all listed in the man page, and only those', () => {
    const page = readFileSync(new URL('../../man/mailv.1', import.meta.url), 'utf8');
    const section = page.slice(page.indexOf('.SH EXIT STATUS'), page.indexOf('\n.SH ', page.indexOf('.SH EXIT STATUS') + 1));
    // Each status is the tag of a .TP paragraph: `.B 0`, `.BR 64 " (EX_USAGE)"`, `.BR 129 ", " 130 …`.
    const tags = section.split('\n').filter((_, at, lines) => lines[at - 1] === '.TP');
    assert.ok(tags.length > 10, section.slice(0, 200));
    assert.deepEqual(sorted(listed(tags, /^\.BR? ((?:\d+|"[^"]*"| )+)/)), sorted(TABLE));
  });

  it("are all listed in the README's table, and only those", () => {
    const readme = readFileSync(new URL('../../README.md', import.meta.url), 'utf8');
    const start = readme.indexOf('| status | meaning |');
    assert.ok(start > 0, 'no exit status table in README.md');
    const rows = readme.slice(start).split('\n\n')[0]!.split('\n').slice(2);
    assert.deepEqual(sorted(listed(rows, /^\| ([\d, ]+) \|/)), sorted(TABLE));
  });
});
