// mailv-sendmail -bs reads an SMTP client's standard input: command lines of bounded length, and
// messages un-stuffed up to their lone dot, however the input is cut.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_COMMAND_LINE, SmtpInput } from '../../dist/cli/smtp-input.js';

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

  it('ends a message only at CR LF, dot, CR LF: a lone dot next to a bare LF is text, so no second message can be smuggled in (RFC 5321 §4.1.1.4)', async () => {
    // The SMTP smuggling pattern: what follows `<LF>.<LF>` must not be read as commands.
    const smuggled = inputOf('DATA\r\nSubject: first\r\n\r\nhello\n.\nMAIL FROM:<ceo@example.org>\nDATA\nwire money\r\n.\r\nQUIT\r\n');
    assert.deepEqual(await smuggled.line(), { kind: 'line', text: 'DATA' });
    assert.equal(await messageOf(smuggled), 'Subject: first\r\n\r\nhello\n\nMAIL FROM:<ceo@example.org>\nDATA\nwire money\r\n');
    assert.equal(smuggled.complete(), true);
    assert.deepEqual(await smuggled.line(), { kind: 'line', text: 'QUIT' });
    // Nor <CR><LF>.<LF>, nor <LF>.<CR><LF>; each cut an octet at a time as well.
    for (const text of ['a\r\n.\nb\r\n.\r\nNOOP\r\n', 'a\n.\r\nb\r\n.\r\nNOOP\r\n']) {
      for (const input of [inputOf(text), inputOf(...text.split(''))]) {
        const message = await messageOf(input);
        assert.equal(message, text.startsWith('a\r\n') ? 'a\r\n\nb\r\n' : 'a\n\r\nb\r\n', JSON.stringify(text));
        assert.equal(input.complete(), true);
        assert.deepEqual(await input.line(), { kind: 'line', text: 'NOOP' });
      }
    }
    // A CR and its LF in two reads still make the CR LF before the end.
    const cut = inputOf('a\r', '\n', '.', '\r', '\nNOOP\r\n');
    assert.equal(await messageOf(cut), 'a\r\n');
    assert.equal(cut.complete(), true);
    // Bare LF lines after a DATA ended with CR LF never end the message: gone before its end.
    const bare = inputOf('DATA\r\na\nb\n.\n');
    assert.deepEqual(await bare.line(), { kind: 'line', text: 'DATA' });
    assert.equal(await messageOf(bare), 'a\nb\n\n');
    assert.equal(bare.complete(), false);
    // A client that ends every line with LF alone, DATA too (a script's printf), ends its message
    // with LF, dot, LF, as it always could; only it can.
    for (const text of ['DATA\na\nb\n.\nQUIT\n', 'DATA\na\nb\r\n.\r\nQUIT\n']) {
      const lf = inputOf(...text.split(''));
      assert.deepEqual(await lf.line(), { kind: 'line', text: 'DATA' });
      assert.equal(await messageOf(lf), text.includes('\r') ? 'a\nb\r\n' : 'a\nb\n');
      assert.equal(lf.complete(), true);
      assert.deepEqual(await lf.line(), { kind: 'line', text: 'QUIT' });
    }
  });

  it('a message whose client went away before the dot is not complete; a dot inside a line is text', async () => {
    const input = inputOf('one .\r\nx.\r\n.');
    assert.equal(await messageOf(input), 'one .\r\nx.\r\n');
    assert.equal(input.complete(), false);
  });

  it('a message whose reading stopped short is skipped to its dot when resumed, and what follows it read as commands', async () => {
    const input = inputOf('first\r\n', 'RSET\r\nMAIL FROM:<evil@example.org>\r\n..\r\n.\r\nNOOP\r\n');
    const reading = input.message();
    assert.equal((await reading.next()).value?.toString(), 'first\r\n');
    await reading.return(undefined);
    const skipped: string[] = [];
    for await (const piece of input.message(true)) skipped.push(piece.toString());
    assert.equal(skipped.join(''), 'RSET\r\nMAIL FROM:<evil@example.org>\r\n.\r\n');
    assert.equal(input.complete(), true);
    assert.deepEqual(await input.line(), { kind: 'line', text: 'NOOP' });
  });

  it('hands a message on gathered in pieces of 64 KiB, not a piece a line, even when every line begins with a dot', async () => {
    const lines = Array.from({ length: 20_000 }, (_, index) => `..line ${index}\r\n`).join('');
    // Cut as a pipe cuts it.
    const text = `${lines}.\r\nQUIT\r\n`;
    const chunks = Array.from({ length: Math.ceil(text.length / 65_536) }, (_, index) => text.slice(index * 65_536, (index + 1) * 65_536));
    const input = inputOf(...chunks);
    const pieces: Buffer[] = [];
    for await (const piece of input.message()) pieces.push(piece);
    assert.equal(Buffer.concat(pieces).toString(), lines.replace(/^\./gm, ''));
    // At most a piece a chunk read (what is gathered goes on before the next read), and the last.
    assert.ok(pieces.length <= chunks.length + 1, `${pieces.length} pieces for ${chunks.length} chunks`);
    assert.deepEqual(await input.line(), { kind: 'line', text: 'QUIT' });
  });

  it('a command line that is not UTF-8 is said to be so, never read with replacement characters', async () => {
    const input = new SmtpInput(
      (async function* () {
        yield Buffer.concat([Buffer.from('RCPT TO:<j'), Buffer.from([0xfc]), Buffer.from('rgen@example.org>\r\nRCPT TO:<j\u00fcrgen@example.org>\r\n')]);
      })(),
    );
    assert.deepEqual(await input.line(), { kind: 'not-utf8' });
    assert.deepEqual(await input.line(), { kind: 'line', text: 'RCPT TO:<j\u00fcrgen@example.org>' });
  });

  it('a command line past the limit is dropped as it comes and said to be too long; the next is read', async () => {
    const input = inputOf(`NOOP ${'x'.repeat(MAX_COMMAND_LINE)}`, 'x'.repeat(10_000), '\r\nQUIT\r\n');
    assert.deepEqual(await input.line(), { kind: 'too-long' });
    assert.deepEqual(await input.line(), { kind: 'line', text: 'QUIT' });
    const exact = inputOf(`${'y'.repeat(MAX_COMMAND_LINE)}\r\n`);
    assert.deepEqual(await exact.line(), { kind: 'line', text: 'y'.repeat(MAX_COMMAND_LINE) });
  });
});
