// Properties that must hold for any input, checked on a few hundred random cases each (seeded:
// a failure names MAILV_PROPERTY_SEED to replay it): the composer never emits a bare CR or LF or a
// line over 998 octets and its body decodes back; dot-stuffing undoes; replies parse the same
// however the stream is cut; encoded headers and mailboxes come back as they went in.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { composeMessage } from '../../dist/message/compose.js';
import { encodeUnstructured, foldHeader, formatMailbox } from '../../dist/message/header.js';
import { parseMailbox } from '../../dist/message/address.js';
import { DotStuffer } from '../../dist/smtp/dot-stuff.js';
import { ReplyReader } from '../../dist/smtp/reply.js';
import { decodeEncodedWords, decodeQuotedPrintable } from '../helpers/decode.js';
import { seededRandom, messageText, printable, randomSplits, unicodeText, type Random } from '../helpers/generate.js';
import { collect, draft } from '../helpers/messages.js';

const CASES = 200;

/** Runs `property` on CASES cases; a failure says how to replay it. */
async function forAll(name: string, property: (random: Random, index: number) => void | Promise<void>): Promise<void> {
  const random = seededRandom();
  for (let index = 0; index < CASES; index++) {
    try {
      await property(random, index);
    } catch (error) {
      throw new Error(`${name}: case ${index} failed (replay with MAILV_PROPERTY_SEED=${random.seed}): ${(error as Error).message}`);
    }
  }
}

/** Input text with every line end made CRLF and a final CRLF: what a message body must carry. */
function normalised(text: Buffer): string {
  const crlf = text.toString('utf8').replace(/\r\n|\r|\n/g, '\r\n');
  return crlf === '' || crlf.endsWith('\r\n') ? crlf : `${crlf}\r\n`;
}

describe('properties', () => {
  it('the composer: no bare CR or LF, no line over 998 octets, the exact size, the body decodes back', async () => {
    await forAll('composer', async (random) => {
      const text = messageText(random);
      const eightBitMime = random.next() < 0.5;
      const message = await composeMessage(await draft({ text, subject: unicodeText(random) }), { eightBitMime });
      const bytes = await collect(message.chunks());
      assert.equal(bytes.length, message.size, 'SIZE= is exact');
      const wire = bytes.toString('latin1');
      assert.doesNotMatch(wire, /\r(?!\n)|(?<!\r)\n/, 'a bare CR or LF');
      for (const line of wire.split('\r\n')) assert.ok(line.length <= 998, `a line of ${line.length} octets`);
      const split = bytes.indexOf('\r\n\r\n');
      const head = bytes.subarray(0, split).toString('latin1');
      const body = bytes.subarray(split + 4);
      const encoding = /^Content-Transfer-Encoding: (\S+)$/im.exec(head)?.[1];
      const decoded = encoding === 'quoted-printable' ? decodeQuotedPrintable(body.toString('latin1')).toString('utf8') : body.toString('utf8');
      assert.equal(decoded, normalised(text));
      if (!eightBitMime) assert.ok(!/[\x80-\xff]/.test(wire), '8-bit octets without 8BITMIME');
    });
  });

  it('dot-stuffing: undone by the receiver, whatever the chunking; no lone dot before the end', async () => {
    await forAll('dot-stuffing', (random) => {
      const content = Buffer.from(normalised(messageText(random)), 'utf8');
      const stuffer = new DotStuffer();
      const out = Buffer.concat([...randomSplits(random, content).map((chunk) => stuffer.push(chunk)), stuffer.end()]).toString('latin1');
      assert.ok(out.endsWith('\r\n.\r\n') || out === '.\r\n');
      const lines = out.slice(0, -'.\r\n'.length).split('\r\n').slice(0, -1);
      assert.ok(!lines.includes('.'), 'a lone dot inside the content');
      const unstuffed = lines
        .map((line) => (line.startsWith('.') ? line.slice(1) : line))
        .map((line) => `${line}\r\n`)
        .join('');
      assert.equal(unstuffed, content.toString('latin1'));
    });
  });

  it('the reply reader: the same replies however the stream is cut', async () => {
    await forAll('reply reader', (random) => {
      const replies = Array.from({ length: 1 + random.int(6) }, () => {
        const code = 200 + random.int(400);
        const texts = Array.from({ length: 1 + random.int(4) }, () => printable(random, 60));
        return texts.map((text, index) => `${code}${index === texts.length - 1 ? ' ' : '-'}${text}\r\n`).join('');
      });
      const stream = Buffer.from(replies.join(''), 'latin1');
      const whole = new ReplyReader().push(stream);
      const reader = new ReplyReader();
      const pieces = randomSplits(random, stream).flatMap((chunk) => reader.push(chunk));
      assert.equal(whole.length, replies.length);
      assert.deepEqual(pieces, whole);
    });
  });

  it('headers: unstructured text folds to short lines, none blank, and decodes back', async () => {
    await forAll('headers', (random) => {
      const text = unicodeText(random, 30);
      const field = foldHeader('Subject', encodeUnstructured(text));
      const lines = field.split('\r\n').slice(0, -1);
      for (const line of lines) {
        // Past 78, only a word that cannot be folded, alone on its line (or beside the name): a long ASCII word stays as typed.
        assert.ok(line.length <= 78 || !line.replace(/^Subject: /, '').includes(' ', 1), `a line of ${line.length} characters: ${line}`);
        assert.ok(line.length <= 998, `a line of ${line.length} characters`);
        assert.notEqual(line.trim(), '', 'a blank continuation line');
      }
      assert.equal(decodeEncodedWords(field.slice('Subject: '.length, -2)), text);
    });
  });

  it('mailboxes: the address survives formatting and parsing; the name decodes back', async () => {
    const atext = 'abcdefghijklmnopqrstuvwxyz0123456789!#$%&*+-/=?^_`{|}~';
    await forAll('mailboxes', (random) => {
      const local = Array.from({ length: 1 + random.int(3) }, () => Array.from({ length: 1 + random.int(8) }, () => random.pick([...atext])).join('')).join(
        '.',
      );
      const label = (alphabet: string) => Array.from({ length: 1 + random.int(10) }, () => random.pick([...alphabet])).join('');
      // A top-level domain is never all digits (RFC 3696 §2), so it is made of letters.
      const domain = [
        ...Array.from({ length: 1 + random.int(2) }, () => label('abcdefghijklmnopqrstuvwxyz0123456789')),
        label('abcdefghijklmnopqrstuvwxyz'),
      ].join('.');
      const name = random.next() < 0.3 ? undefined : unicodeText(random, 4);
      const formatted = formatMailbox({ name, address: `${local}@${domain}` });
      const parsed = parseMailbox(formatted, 'default.example');
      assert.equal(parsed.address, `${local}@${domain}`);
      if (name !== undefined) assert.equal(decodeEncodedWords(parsed.name ?? ''), name);
    });
  });
});
