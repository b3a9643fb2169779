// The server side of mailv-sendmail -bs: command lines read as Postfix's smtpd reads them.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
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
    // A display name is no path: cut at its space, it would name the address "Bob" at this host.
    assert.deepEqual(parseServerCommand('RCPT TO:"Bob" <bob@example.org>'), { kind: 'syntax', verb: 'RCPT' });
    assert.deepEqual(parseServerCommand('RCPT TO:Bob <bob@example.org>'), { kind: 'syntax', verb: 'RCPT' });
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
      ['QUIT now', 'quit'],
      ['HELP MAIL', 'help'],
      ['VRFY bob', 'vrfy'],
    ] as const) {
      assert.deepEqual(parseServerCommand(line), { kind }, line);
    }
    // As Postfix answers them: 501 5.5.4 Syntax: DATA.
    assert.deepEqual(parseServerCommand('DATA x'), { kind: 'data', argument: true });
    assert.deepEqual(parseServerCommand('rset all'), { kind: 'syntax', verb: 'RSET' });
  });
});
