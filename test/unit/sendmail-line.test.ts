// sendmail's command line as programs pass it, and the end of a message at a line of `.`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { untilDotLine } from '../../dist/cli/dot-line.js';
import { UsageError } from '../../dist/errors.js';
import { COMMAND_TIMEOUT_MS, parseSendmailLine, sendmailTime } from '../../dist/cli/sendmail-line.js';

async function collect(chunks: readonly string[]): Promise<string> {
  const out: Buffer[] = [];
  for await (const chunk of untilDotLine(chunks.map((each) => Buffer.from(each)))) out.push(chunk);
  return Buffer.concat(out).toString();
}

describe('sendmail command line', () => {
  it('reads what cron, git send-email, mutt and PHP pass', () => {
    const line = parseSendmailLine([
      '-oem',
      '-oi',
      '-odi',
      '-bm',
      '-fbob@example.org',
      '-F',
      'Bob B',
      '-N',
      'success,failure',
      '-R',
      'hdrs',
      '-V',
      'id1',
      '-B',
      '8BITMIME',
      '--',
      '-dash@example.org',
    ]);
    assert.equal(line.options.from, 'bob@example.org');
    assert.equal(line.fullName, 'Bob B');
    assert.equal(line.endsAtDotLine, false);
    assert.equal(line.recipientsFromHeaders, false);
    assert.equal(line.options.quiet, true);
    assert.deepEqual(line.dsn, { notify: ['success', 'failure'], ret: 'hdrs', envid: 'id1' });
    assert.deepEqual(line.recipients, ['-dash@example.org']);
  });

  it('-t -i -v, -r, -C and --account', () => {
    const line = parseSendmailLine(['-t', '-i', '-v', '-r', 'a@example.org', '-C', '/tmp/conf', '--account', 'work', 'x@example.org']);
    assert.equal(line.recipientsFromHeaders, true);
    assert.equal(line.endsAtDotLine, false);
    assert.equal(line.options.verbose, 1);
    assert.equal(line.options.quiet, undefined);
    assert.equal(line.options.from, 'a@example.org');
    assert.equal(line.options.config, '/tmp/conf');
    assert.equal(line.options.account, 'work');
    assert.deepEqual(line.recipients, ['x@example.org']);
  });

  it('-bs: SMTP on standard input and output, quiet even with -v; recipients or -t with it are refused', () => {
    for (const argv of [['-bs'], ['-bs', '-i'], ['-b', 's', '-v']]) {
      const line = parseSendmailLine(argv);
      assert.deepEqual([line.smtp, line.options.quiet, line.options.verbose], [true, true, 0], argv.join(' '));
    }
    assert.equal(parseSendmailLine(['-bm', 'a@example.org']).smtp, false);
    for (const [argv, given] of [
      [['-bs', 'a@example.org'], 'recipients'],
      [['-bs', '-t'], '-t'],
    ] as const) {
      assert.throws(
        () => parseSendmailLine(argv),
        (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_SENDMAIL_SMTP_ARGUMENTS' && error.fact.given === given,
        argv.join(' '),
      );
    }
  });

  it('refuses what it cannot do, as a usage error (64)', () => {
    for (const argv of [['-bv', 'bob@example.org'], ['-bd'], ['-q'], ['-b'], ['--subject', 'x'], ['-tz'], ['-B', '9BIT']]) {
      assert.throws(() => parseSendmailLine(argv), UsageError, argv.join(' '));
    }
  });

  it('-bi and -I (rebuild the aliases), -bh and -bH (host status) have nothing to do; -c and -x are flags Postfix ignores', () => {
    for (const [argv, nothing] of [
      [['-bi'], 'aliases'],
      [['-I'], 'aliases'],
      [['-bs', '-I'], 'aliases'],
      [['-bh'], 'host-status'],
      [['-bH'], 'host-status'],
      [['-bi', '-bm', 'a@example.org'], undefined],
      [['-cx', '-t'], undefined],
    ] as const) {
      const line = parseSendmailLine(argv);
      assert.equal(line.nothingToDo, nothing, argv.join(' '));
      if (nothing !== undefined) assert.deepEqual([line.smtp, line.listQueue], [false, false], argv.join(' '));
    }
    assert.equal(parseSendmailLine(['-cxt']).recipientsFromHeaders, true);
  });

  it('reads addresses a space separates in one argument as two, as Postfix does; names, groups, quotes and comments stay whole', () => {
    const cases: [string, string][] = [
      ['a@example.org b@example.org', 'a@example.org, b@example.org'],
      ['a@example.org,b@example.org  root', 'a@example.org,b@example.org, root'],
      ['Bob Smith <bob@example.org>', 'Bob Smith <bob@example.org>'],
      ['bob@example.org (Bob Smith) carol@example.org', 'bob@example.org (Bob Smith), carol@example.org'],
      ['"John Doe"@example.org b@example.org', '"John Doe"@example.org, b@example.org'],
      ['bob @ example.org', 'bob @ example.org'],
      ['team: a@example.org b@example.org;', 'team: a@example.org b@example.org;'],
      ['a@example.org b@[IPv6:2001:db8::1]', 'a@example.org, b@[IPv6:2001:db8::1]'],
      ['"a, b"@example.org c@example.org', '"a, b"@example.org, c@example.org'],
      // Several <…> addresses: the first is no name of the next, as Postfix reads them.
      ['<a@example.org> <b@example.org>', '<a@example.org>, <b@example.org>'],
      ['Ann <a@example.org> Bob <b@example.org>', 'Ann <a@example.org>, Bob <b@example.org>'],
      ['"Doe <x>" <a@example.org>', '"Doe <x>" <a@example.org>'],
      // A space is SP or HTAB: a BOM or a no-break space inside an address is no separator (the
      // address is refused for it later, never cut into two others).
      ['bo\ufeffb@example.org', 'bo\ufeffb@example.org'],
      ['a@example.org\u00a0b@example.org', 'a@example.org\u00a0b@example.org'],
      ['a@example.org\tb@example.org', 'a@example.org, b@example.org'],
    ];
    for (const [given, read] of cases) assert.deepEqual(parseSendmailLine([given]).recipients, [read], given);
    assert.deepEqual(parseSendmailLine(['-i', '--', 'a@example.org -b@example.org']).recipients, ['a@example.org, -b@example.org']);
    // Split, an address that begins with a dash is refused as one given alone is, with commas too.
    for (const given of ['a@example.org -fevil@example.org', 'a@example.org, -fevil@example.org']) {
      const line = parseSendmailLine([given]);
      assert.deepEqual([line.dashedRecipient, line.recipients], ['-fevil@example.org', []], given);
    }
  });

  it('-q, sendmail run over its queue, is told apart from an unknown option: mailv-sendmail keeps none', () => {
    for (const argument of ['-q', '-q30m', '-qI']) {
      assert.throws(
        () => parseSendmailLine([argument]),
        (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_SENDMAIL_QUEUE_RUN' && error.fact.argument === argument,
      );
    }
  });

  it('reads grouped flags as sendmail does (getopt): -ti is -t -i, and a value may close the group', () => {
    for (const argv of [['-ti'], ['-it'], ['-t', '-i']]) {
      const line = parseSendmailLine([...argv, 'a@example.org']);
      assert.deepEqual([line.recipientsFromHeaders, line.endsAtDotLine, line.recipients], [true, false, ['a@example.org']], argv.join(' '));
    }
    const valued = parseSendmailLine(['-tvfbob@example.org', '-iF', 'Bob B']);
    assert.deepEqual(
      [valued.recipientsFromHeaders, valued.options.verbose, valued.options.from, valued.endsAtDotLine, valued.fullName],
      [true, 1, 'bob@example.org', false, 'Bob B'],
    );
  });

  it('ignores a -N, -R or -V it cannot use, and an -e, -oe or -od of no known mode, as Postfix warns and goes on', () => {
    for (const [argv, option, value] of [
      [['-V', 'x'.repeat(101)], '-V', 'x'.repeat(101)],
      [['-V', 'caf\u00e9'], '-V', 'caf\u00e9'],
      [['-N', 'success,success'], '-N', 'success,success'],
      [['-N', 'never,success'], '-N', 'never,success'],
      [['-R', 'headers'], '-R', 'headers'],
      [['-ez'], '-e', 'z'],
      [['-oex'], '-oe', 'x'],
      [['-odz'], '-od', 'z'],
    ] as const) {
      const line = parseSendmailLine([...argv, 'a@example.org']);
      assert.deepEqual([line.ignored, line.dsn, line.recipients], [[{ option, value }], undefined, ['a@example.org']], argv.join(' '));
    }
    // The usable ones beside an unusable one still count.
    const mixed = parseSendmailLine(['-N', 'Success, Delay', '-R', 'some', '-V', 'id-1', 'a@example.org']);
    assert.deepEqual(mixed.dsn, { notify: ['success', 'delay'], ret: undefined, envid: 'id-1' });
    assert.deepEqual(mixed.ignored, [{ option: '-R', value: 'some' }]);
  });

  it("reads -bs's idle limit from -O Timeout.command as sendmail writes times; 300 s (Postfix's smtpd_timeout) without it", () => {
    assert.equal(parseSendmailLine(['-bs']).commandTimeoutMs, COMMAND_TIMEOUT_MS);
    assert.equal(COMMAND_TIMEOUT_MS, 300_000);
    assert.equal(parseSendmailLine(['-bs', '-O', 'Timeout.command=5m']).commandTimeoutMs, 300_000);
    assert.equal(parseSendmailLine(['-bs', '-OTimeout.Command = 1h30m']).commandTimeoutMs, 5_400_000);
    // The last one given counts; one that is no time is passed over, as Postfix passes -O over, the one before kept.
    const line = parseSendmailLine(['-bs', '-O', 'Timeout.command=2s', '-O', 'Timeout.command=2x']);
    assert.deepEqual([line.commandTimeoutMs, line.ignored], [2_000, []]);
    // As sendmail reads its Timeout options: a bare number is minutes, 0 no limit at all.
    assert.equal(parseSendmailLine(['-bs', '-O', 'Timeout.command=10']).commandTimeoutMs, 600_000);
    assert.equal(parseSendmailLine(['-bs', '-O', 'Timeout.command=0']).commandTimeoutMs, 0);
    // Other long options mean nothing here, as before.
    assert.deepEqual(parseSendmailLine(['-bs', '-O', 'Timeout.queuereturn=5d', '-O', 'DeliveryMode=b']).ignored, []);
    assert.equal(sendmailTime('30s'), 30_000);
    assert.equal(sendmailTime('1d2h'), 93_600_000);
    assert.equal(sendmailTime('1h30'), 5_400_000);
    assert.equal(sendmailTime('0m0s'), 0);
    for (const text of ['', '5 m', '2x', '-5s', '1.5m', '30S', 's']) assert.equal(sendmailTime(text), undefined, text);
    // Longer than a timer can wait: the longest it can (about 24.8 days).
    assert.equal(sendmailTime('8w'), 2 ** 31 - 1);
  });

  it('accepts and ignores -m, -n, -U, -G, -h N, -L tag, -Am, -oQ… and any other -o, -em/-ep/-eq, as Postfix does', () => {
    const line = parseSendmailLine([
      '-m',
      '-n',
      '-U',
      '-G',
      '-h',
      '17',
      '-Ltag',
      '-Am',
      '-Ac',
      '-oQ/var/spool',
      '-oR',
      '-oDfoo',
      '-em',
      '-ep',
      '-eq',
      'a@example.org',
    ]);
    assert.deepEqual(line.recipients, ['a@example.org']);
    assert.equal(line.endsAtDotLine, true);
  });

  it('options end at the first recipient, as getopt ends them: an option after it is refused, never read', () => {
    // Refused (sendmail.ts says so once the message is kept): neither sent to nor read as options.
    const injected = parseSendmailLine(['-i', 'admin@example.org', '-f', 'mallory@example.org', '-C', '/tmp/uploaded']);
    assert.deepEqual([injected.dashedRecipient, injected.recipients, injected.options.from, injected.options.config], ['-f', [], undefined, undefined]);
    // A value missing at the end is said after the message is kept (sendmail.ts), not thrown here;
    // but -b's and -C's, which would change what is done, are.
    assert.deepEqual([parseSendmailLine(['-t', '-f']).valueMissing, parseSendmailLine(['-t', '-f', 'x@example.org']).valueMissing], ['-f', undefined]);
    for (const argv of [
      ['-t', '-b'],
      ['-t', '-C'],
    ])
      assert.throws(() => parseSendmailLine(argv), /MAILV_OPTION_VALUE_MISSING|argument missing/);
    const line = parseSendmailLine(['-i', 'admin@example.org', 'second@example.org', '-']);
    assert.deepEqual(line.recipients, ['admin@example.org', 'second@example.org', '-']);
    assert.deepEqual(parseSendmailLine(['--', '-dash@example.org']).recipients, ['-dash@example.org'], 'after --, a recipient may begin with a dash');
  });
});

describe('a line of . ends the message (sendmail without -i)', () => {
  it('stops at the dot line, LF or CRLF, whatever the chunks', async () => {
    assert.equal(await collect(['a\n.\nb\n']), 'a\n');
    assert.equal(await collect(['a\r\n.\r\nb\r\n']), 'a\r\n');
    assert.equal(await collect(['a\n', '.', '\nb']), 'a\n');
    assert.equal(await collect(['a\n.', '\r', '\nb']), 'a\n');
    assert.equal(await collect(['.\n']), '');
    assert.equal(await collect(['a\n.']), 'a\n');
  });

  it('keeps lines that only begin with a dot, and a dot inside a line', async () => {
    assert.equal(await collect(['a\n..\n.x\n', 'b.\n', '.', 'y\n']), 'a\n..\n.x\nb.\n.y\n');
    assert.equal(await collect(['abc', '.\n', 'd']), 'abc.\nd');
  });
});
