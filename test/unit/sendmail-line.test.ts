// sendmail's command line as programs pass it, and the end of a message at a line of `.`.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { untilDotLine } from '../../dist/cli/dot-line.js';
import { CommandLineError } from '../../dist/cli/program.js';
import { UsageError } from '../../dist/errors.js';
import { parseSendmailLine } from '../../dist/cli/sendmail-line.js';

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

  it('refuses what it cannot do, as a usage error', () => {
    for (const argv of [['-bp'], ['-q'], ['-N', 'never,success'], ['-R', 'some'], ['-oZ'], ['-f'], ['--subject', 'x'], ['-tq'], ['-B', '9BIT']]) {
      assert.throws(() => parseSendmailLine(argv), CommandLineError, argv.join(' '));
    }
  });

  it('reads grouped flags as getopt does in sendmail and Postfix: -ti, -it, -tif addr, -vodi', () => {
    for (const argv of [['-ti'], ['-it'], ['-tioem']]) {
      const line = parseSendmailLine([...argv, 'a@example.org']);
      assert.equal(line.recipientsFromHeaders, true, argv.join(' '));
      assert.equal(line.endsAtDotLine, false, argv.join(' '));
      assert.deepEqual(line.recipients, ['a@example.org'], argv.join(' '));
    }
    const withValue = parseSendmailLine(['-tif', 'bob@example.org', '-vodi', '-tfcarol@example.org']);
    assert.equal(withValue.options.from, 'carol@example.org');
    assert.equal(withValue.options.verbose, 1);
    assert.equal(withValue.recipientsFromHeaders, true);
    assert.equal(withValue.endsAtDotLine, false);
    assert.deepEqual(withValue.recipients, []);
  });

  it('-V is held to what --envid allows: no controls, no line breaks, no UTF-8, at most 100 characters', () => {
    for (const envid of ['id\r\nRCPT TO:<x@example.org>', 'id\x01', 'idé', 'a'.repeat(101), '']) {
      assert.throws(
        () => parseSendmailLine(['-V', envid, 'a@example.org']),
        (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_ENVID_INVALID',
        JSON.stringify(envid),
      );
    }
    assert.equal(parseSendmailLine(['-V', 'a'.repeat(100), 'a@example.org']).dsn?.envid, 'a'.repeat(100));
  });

  it('-N naming a kind twice asks for it once, as sendmail reads it', () => {
    assert.deepEqual(parseSendmailLine(['-N', 'success,SUCCESS,delay', 'a@example.org']).dsn?.notify, ['success', 'delay']);
  });

  it('accepts and ignores -m, -n, -U, -G, -h N, -L tag, -oQ…, -em/-ep/-eq', () => {
    const line = parseSendmailLine(['-m', '-n', '-U', '-G', '-h', '17', '-Ltag', '-oQ/var/spool', '-em', '-ep', '-eq', 'a@example.org']);
    assert.deepEqual(line.recipients, ['a@example.org']);
    assert.equal(line.endsAtDotLine, true);
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
