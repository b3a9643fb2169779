// The server side of mailv-sendmail -bs: command lines read as Postfix's smtpd reads them, and
// an SMTP client's standard input cut into command lines and un-stuffed messages.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_COMMAND_LINE, SmtpInput } from '../../dist/cli/smtp-input.js';
import { parseServerCommand } from '../../dist/smtp/server-command.js';

describe('parseServerCommand', () => {
  it('reads MAIL and RCPT with or without brackets, spaces after the colon, a source route and parameters', () => {
    assert.deepEqual(parseServerCommand('MAIL FROM:<alice@example.org>'), { kind: 'mail', path: 'alice@example.org', params: [] });
    assert.deepEqual(parseServerCommand('mail from: <alice@example.org> SIZE=120 BODY=8BITMIME'), {
      kind: 'mail',
      path: 'alice@example.org',
      params: ['SIZE=120', 'BODY=8BITMIME'],
    });
    assert.deepEqual(parseServerCommand('MAIL FROM:<>'), { kind: 'mail', path: '', params: [] });
    assert.deepEqual(parseServerCommand('RCPT TO:bob@example.org'), { kind: 'rcpt', path: 'bob@example.org', params: [] });
    assert.deepEqual(parseServerCommand('RCPT TO:<@relay.example,@other.example:bob@example.org>'), { kind: 'rcpt', path: 'bob@example.org', params: [] });
    // A `>` inside a quoted local part is not the end of the path.
    assert.deepEqual(parseServerCommand('RCPT TO:<"a>b"@example.org> NOTIFY=NEVER'), { kind: 'rcpt', path: '"a>b"@example.org', params: ['NOTIFY=NEVER'] });
  });

  it('says which verb did not parse, and tells a command not offered from one unknown', () => {
    for (const line of ['MAIL alice@example.org', 'MAIL FROM:<alice@example.org', 'MAIL FROM:<a@b>x', 'MAIL FROM:']) {
      assert.deepEqual(parseServerCommand(line), { kind: 'syntax', verb: 'MAIL' }, line);
    }
    assert.deepEqual(parseServerCommand('RCPT FROM:<bob@example.org>'), { kind: 'syntax', verb: 'RCPT' });
    assert.deepEqual(parseServerCommand('EHLO'), { kind: 'syntax', verb: 'EHLO' });
    assert.deepEqual(parseServerCommand('ehlo [127.0.0.1] extra'), { kind: 'hello', extended: true, domain: '[127.0.0.1]' });
    assert.deepEqual(parseServerCommand('HELO client.example'), { kind: 'hello', extended: false, domain: 'client.example' });
    assert.deepEqual(parseServerCommand('STARTTLS'), { kind: 'not-offered', verb: 'STARTTLS' });
    assert.deepEqual(parseServerCommand('auth PLAIN AGFsaWNl'), { kind: 'not-offered', verb: 'AUTH' });
    assert.deepEqual(parseServerCommand('BDAT 10 LAST'), { kind: 'not-offered', verb: 'BDAT' });
    assert.deepEqual(parseServerCommand('MAILX FROM:<a@b>'), { kind: 'unknown' });
    assert.deepEqual(parseServerCommand(''), { kind: 'unknown' });
    for (const [line, kind] of [
      ['DATA', 'data'],
      ['rset', 'rset'],
      ['NOOP anything', 'noop'],
      ['QUIT', 'quit'],
      ['HELP MAIL', 'help'],
      ['VRFY bob', 'vrfy'],
    ] as const) {
      assert.deepEqual(parseServerCommand(line), { kind }, line);
    }
  });
});

/** The input as a stream of the given pieces. */
function inputOf(...pieces: string[]): SmtpInput {
  return new SmtpInput(
    (async function* () {
      for (const piece of pieces) yield Buffer.from(piece, 'latin1');
    })(),
  );
}

async function messageOf(input: SmtpInput): Promise<string> {
  const parts: Buffer[] = [];
  for await (const piece of input.message()) parts.push(piece);
  return Buffer.concat(parts).toString('latin1');
}

describe('SmtpInput', () => {
  it('gives command lines ended by CRLF or LF, then the message un-stuffed up to its lone dot, then the lines after it', async () => {
    const input = inputOf('EHLO a\r\nMAIL FROM:<x@y>\nDATA\r\nSubject: s\r\n\r\n..one\r\n\r\n..\r\n', 'last\r\n.\r\nQUIT\r\n');
    assert.deepEqual(await input.line(), { kind: 'line', text: 'EHLO a' });
    assert.deepEqual(await input.line(), { kind: 'line', text: 'MAIL FROM:<x@y>' });
    assert.deepEqual(await input.line(), { kind: 'line', text: 'DATA' });
    assert.equal(await messageOf(input), 'Subject: s\r\n\r\n.one\r\n\r\n.\r\nlast\r\n');
    assert.equal(input.complete(), true);
    assert.deepEqual(await input.line(), { kind: 'line', text: 'QUIT' });
    assert.deepEqual(await input.line(), { kind: 'end' });
  });

  it('finds the lone dot however the input is cut, even an octet at a time', async () => {
    const text = 'a\r\n.b\r\n..\r\n.\r\nNOOP\r\n';
    const input = inputOf(...text.split(''));
    assert.equal(await messageOf(input), 'a\r\nb\r\n.\r\n');
    assert.equal(input.complete(), true);
    assert.deepEqual(await input.line(), { kind: 'line', text: 'NOOP' });
  });

  it('a message whose client went away before the dot is not complete; a dot inside a line is text', async () => {
    const input = inputOf('one .\r\nx.\r\n.');
    assert.equal(await messageOf(input), 'one .\r\nx.\r\n');
    assert.equal(input.complete(), false);
  });

  it('a command line past the limit is dropped as it comes and said to be too long; the next is read', async () => {
    const input = inputOf(`NOOP ${'x'.repeat(MAX_COMMAND_LINE)}`, 'x'.repeat(10_000), '\r\nQUIT\r\n');
    assert.deepEqual(await input.line(), { kind: 'too-long' });
    assert.deepEqual(await input.line(), { kind: 'line', text: 'QUIT' });
    const exact = inputOf(`${'y'.repeat(MAX_COMMAND_LINE)}\r\n`);
    assert.deepEqual(await exact.line(), { kind: 'line', text: 'y'.repeat(MAX_COMMAND_LINE) });
  });
});
