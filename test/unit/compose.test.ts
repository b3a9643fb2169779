process.env.TZ = 'UTC';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { isAscii, isUtf8 } from 'node:buffer';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { assertExtraHeaders, chooseTransferEncoding, composeMessage, heldMessage, messageAsRead, passThroughMessage } from '../../dist/message/compose.js';
import type { InputError, UsageError } from '../../dist/errors.js';
import { formatAsctime, formatRfc5322Date } from '../../dist/message/identity.js';
import { readHeaderBlock } from '../../dist/message/raw-message.js';
import { fileSource } from '../../dist/message/source.js';
import { CharsetDetector, charsetOf } from '../../dist/message/text-stats.js';
import { decodeQuotedPrintable } from '../helpers/decode.js';
import { attachment, bodyOf, collect, draft } from '../helpers/messages.js';

const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url));

async function bytesOf(message: { size: number; chunks(): AsyncIterable<Buffer> }): Promise<Buffer> {
  const bytes = await collect(message.chunks());
  assert.equal(message.size, bytes.length, 'announced size equals the bytes produced');
  return bytes;
}

/**
 * The parts of a multipart message as a reader takes them (RFC 2046 §5.1.1): every delimiter is
 * CRLF, `--`, the boundary; a part is what lies between the line break that ends one delimiter
 * line and the CRLF that begins the next.
 */
function mimeParts(message: Buffer): { headers: string; content: Buffer }[] {
  const text = message.toString('latin1');
  const boundary = /boundary="([^"]+)"/.exec(text)![1]!;
  const pieces = text.split(`\r\n--${boundary}`);
  assert.ok(pieces.at(-1)!.startsWith('--'), 'a close delimiter ends the parts');
  return pieces.slice(1, -1).map((piece) => {
    assert.ok(piece.startsWith('\r\n'), 'a delimiter line ends in CRLF');
    const part = piece.slice(2);
    const split = part.indexOf('\r\n\r\n');
    return { headers: part.slice(0, split + 2), content: Buffer.from(part.slice(split + 4), 'latin1') };
  });
}

/** A part's content decoded, line breaks as the reader's system has them (LF). */
function decodedPart(part: { headers: string; content: Buffer }): Buffer {
  const encoding = /^Content-Transfer-Encoding: (\S+)\r$/im.exec(part.headers)![1]!;
  if (encoding === 'base64') return Buffer.from(part.content.toString('latin1'), 'base64');
  const wire = encoding === 'quoted-printable' ? decodeQuotedPrintable(part.content.toString('latin1')) : part.content;
  return Buffer.from(wire.toString('latin1').replace(/\r\n/g, '\n'), 'latin1');
}

const directory = mkdtempSync(join(tmpdir(), 'mailv-compose-'));
after(() => rmSync(directory, { recursive: true, force: true }));

describe('composer', () => {
  it('-t: every field past 998 octets is folded (a Subject, a --vary numbered one, an X- field), the size still exact', async () => {
    const input = `To: bob@example.org\nSubject: ${'word '.repeat(300)}end\nX-Token: ${'t'.repeat(1500)}\n\n${'b'.repeat(2500)}\n`;
    const whole = await bodyOf(input);
    const block = await readHeaderBlock(whole.source);
    const body = whole.source.slice(block.inputOctets);
    const breaks = (await bodyOf(Buffer.from(`${'b'.repeat(2500)}\n`))).stats.overlongBreaks;
    for (const sequence of [undefined, 12]) {
      const additions = { date: new Date(0), messageId: '<id@example.org>', from: { name: undefined, address: 'alice@example.org' }, sequence };
      const bytes = (await bytesOf(passThroughMessage(block.fields, block.wireOctets, whole, body, additions, breaks))).toString('latin1');
      assert.ok(
        bytes.split('\r\n').every((line) => line.length <= 998),
        `sequence ${sequence}`,
      );
      assert.match(bytes, sequence === undefined ? /end\r\n/ : /end(?:\r\n)? #12\r\n/);
    }
  });

  it('says when its header holds UTF-8 no encoding carries (SMTPUTF8): an address in -H, a -t header in UTF-8, not Latin-1', async () => {
    const plain = await composeMessage(await draft({ subject: 'Café', text: 'é\n' }), { eightBitMime: true });
    assert.equal(plain.utf8Header, false, 'a subject in UTF-8 goes as an encoded-word');
    const reply = await composeMessage(await draft({ headers: [['Reply-To', 'jörg@example.org']] }), { eightBitMime: true });
    assert.equal(reply.utf8Header, true);
    assert.equal(reply.eightBit, false, 'the body alone decides BODY=8BITMIME');
    const passed = async (input: string | Buffer) => {
      const whole = await bodyOf(input);
      const block = await readHeaderBlock(whole.source);
      const from = { name: undefined, address: 'alice@example.org' };
      return passThroughMessage(block.fields, block.wireOctets, whole, whole.source.slice(block.inputOctets), {
        date: new Date(0),
        messageId: '<id@example.org>',
        from,
      }).utf8Header;
    };
    assert.equal(await passed('To: bob@example.org\nSubject: plain\n\nbody é\n'), false, 'UTF-8 in the body only');
    assert.equal(await passed('To: jörg@example.org\nSubject: x\n\nbody\n'), true);
    assert.equal(await passed(Buffer.from('To: bob@example.org\nSubject: caf\xe9\n\nbody\n', 'latin1')), false, 'Latin-1 is not UTF-8');
    const held = await heldMessage(reply);
    assert.equal(held.utf8Header, true, 'a load run holds the message with what it announces');
  });

  it('builds a plain ASCII message byte for byte', async () => {
    const message = await composeMessage(await draft({ cc: [{ name: undefined, address: 'carol@example.org' }], text: 'Hello Bob.\n.dot line\n' }), {
      eightBitMime: true,
    });
    assert.equal(message.eightBit, false);
    assert.deepEqual(await bytesOf(message), fixture('plain.eml'));
  });

  it('sends UTF-8 text as 8bit when the server offers 8BITMIME, quoted-printable otherwise', async () => {
    const text = 'Ça marche très bien.\nFin.\n';
    const subject = 'Résumé du cours';
    const eight = await composeMessage(await draft({ text, subject }), { eightBitMime: true });
    assert.equal(eight.eightBit, true);
    assert.deepEqual(await bytesOf(eight), fixture('utf8-8bit.eml'));
    const seven = await composeMessage(await draft({ text, subject }), { eightBitMime: false });
    assert.equal(seven.eightBit, false);
    assert.deepEqual(await bytesOf(seven), fixture('utf8-qp.eml'));
  });

  it('chooses the transfer encoding from the text', async () => {
    const stats = async (text: string) => (await bodyOf(text)).stats;
    assert.equal(chooseTransferEncoding(await stats('ascii\n'), false), '7bit');
    assert.equal(chooseTransferEncoding(await stats(`${'x'.repeat(998)}\n`), false), '7bit');
    assert.equal(chooseTransferEncoding(await stats(`${'x'.repeat(999)}\n`), true), 'quoted-printable');
    assert.equal(chooseTransferEncoding(await stats('nul\0byte\n'), true), 'quoted-printable');
    assert.equal(chooseTransferEncoding(await stats('é\n'), true), '8bit');
  });

  it('makes a multipart/mixed message with base64 attachments', async () => {
    const binary = Buffer.from(Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff));
    const message = await composeMessage(await draft({ attachments: [attachment('data.bin', binary), attachment('notes été.txt', Buffer.from('hi\n'))] }), {
      eightBitMime: true,
    });
    assert.deepEqual(await bytesOf(message), fixture('attachments.eml'));
  });

  it('labels a multipart message 8bit when its text part is (RFC 2045 §6.4), and only then', async () => {
    const head = async (text: string, eightBitMime: boolean) => {
      const message = await composeMessage(await draft({ text, attachments: [attachment('a.txt', Buffer.from('hi\n'))] }), { eightBitMime });
      const bytes = (await bytesOf(message)).toString('latin1');
      return bytes.slice(0, bytes.indexOf('\r\n\r\n'));
    };
    assert.match(await head('héllo\n', true), /\r\nContent-Transfer-Encoding: 8bit$/);
    assert.doesNotMatch(await head('héllo\n', false), /Content-Transfer-Encoding/, 'quoted-printable: 7bit, the default');
    assert.doesNotMatch(await head('hello\n', true), /Content-Transfer-Encoding/);
  });

  it('cuts a long file name in numbered sections (RFC 2231 §3), so that no header line passes 78 characters, and it reads back whole', async () => {
    const names = [`${'é'.repeat(100)}.txt`, `a${'Ä'.repeat(20)}.txt`, `${'a'.repeat(150)}.txt`, `${'%'.repeat(40)}é.txt`, `x${'😀'.repeat(30)}.txt`];
    const message = await composeMessage(await draft({ attachments: names.map((name) => attachment(name, Buffer.from('hi\n'))) }), { eightBitMime: false });
    const text = (await bytesOf(message)).toString('latin1');
    for (const line of text.split('\r\n')) assert.ok(line.length <= 78, line);
    // RFC 2231 §3 and §4: the sections in order, the charset on the first, octets %-encoded.
    const names2231 = [...text.matchAll(/^Content-Disposition: attachment;((?:\r\n .*)+)/gm)].map(([, folded]) => {
      const sections = [...folded!.matchAll(/filename\*(\d+)(\*?)=("?)([^";\r]*)\3/g)];
      assert.deepEqual(
        sections.map(([, index]) => Number(index)),
        sections.map((_, index) => index),
      );
      const joined = sections.map(([, , star, , value]) => (star ? value! : encodeURIComponent(value!))).join('');
      // Each section decodes alone: no character cut between two (a reader may decode them apart).
      for (const [, , star, , value] of sections) if (star) assert.doesNotThrow(() => decodeURIComponent(value!.replace(/^UTF-8''/, '')), value);
      return decodeURIComponent(joined.replace(/^UTF-8''/, ''));
    });
    assert.deepEqual(names2231, names);
  });

  it('keeps the final line break of the text part before an attachment: it decodes back whole', async () => {
    const photo = join(directory, 'photo.png');
    const image = Buffer.from(Array.from({ length: 5000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff));
    writeFileSync(photo, image);
    const handle = await open(photo, 'r');
    try {
      const cases = [
        { text: 'see attached\n', eightBitMime: true, expected: 'see attached\n' },
        { text: 'deux lignes\r\n\r\n', eightBitMime: true, expected: 'deux lignes\n\n' },
        { text: 'voilà la photo\n', eightBitMime: false, expected: 'voilà la photo\n' }, // quoted-printable
        { text: 'no line break', eightBitMime: true, expected: 'no line break\n' }, // one is added, as without -a
        { text: '', eightBitMime: true, expected: '' },
      ];
      for (const { text, eightBitMime, expected } of cases) {
        const attachments = [{ fileName: 'photo.png', source: fileSource(handle, { kind: 'file', path: photo }, 0, image.length) }];
        const message = await composeMessage(await draft({ text, attachments }), { eightBitMime });
        const parts = mimeParts(await bytesOf(message));
        assert.equal(parts.length, 2, JSON.stringify(text));
        assert.equal(decodedPart(parts[0]!).toString('utf8'), expected, JSON.stringify(text));
        assert.deepEqual(decodedPart(parts[1]!), image);
      }
    } finally {
      await handle.close();
    }
  });

  it('declares the charset of a text attachment: us-ascii, utf-8, unknown-8bit, or none for binary', async () => {
    const chunk = 256 * 1024; // a file is read in chunks of this size: characters cut by its edges
    const cases: [string, Buffer, string][] = [
      ['notes.txt', Buffer.from('Héllo wörld\n'), 'text/plain; charset=utf-8; name="notes.txt"'],
      ['plain.txt', Buffer.from('Hello world\n'), 'text/plain; charset=us-ascii; name="plain.txt"'],
      ['empty.csv', Buffer.alloc(0), 'text/csv; charset=us-ascii; name="empty.csv"'],
      ['latin1.txt', Buffer.from('H\xe9llo\n', 'latin1'), 'text/plain; charset=unknown-8bit; name="latin1.txt"'],
      ['nul.txt', Buffer.from('a\0b\n'), 'text/plain; name="nul.txt"'],
      ['cut.txt', Buffer.from(`${'a'.repeat(chunk - 1)}é${'😀'.padStart(chunk, 'b')}`), 'text/plain; charset=utf-8; name="cut.txt"'],
      [
        'cut-short.txt',
        Buffer.concat([Buffer.from('a'.repeat(chunk + 10)), Buffer.from([0xe2, 0x82])]),
        'text/plain; charset=unknown-8bit; name="cut-short.txt"',
      ],
      // Not UTF-8 early, a NUL past the first chunk: binary all the same.
      ['late-nul.txt', Buffer.concat([Buffer.from([0xe9]), Buffer.from('a'.repeat(chunk + 10)), Buffer.from([0])]), 'text/plain; name="late-nul.txt"'],
      ['late.md', Buffer.concat([Buffer.from('é'.repeat(chunk)), Buffer.from([0xff])]), 'text/markdown; charset=unknown-8bit; name="late.md"'],
      ['data.json', Buffer.from('{"a": "é"}'), 'application/json; name="data.json"'],
      ['photo.png', Buffer.from('Héllo'), 'image/png; name="photo.png"'],
    ];
    for (const [fileName, content, type] of cases) {
      const path = join(directory, fileName);
      writeFileSync(path, content);
      const handle = await open(path, 'r');
      try {
        const attachments = [{ fileName, source: fileSource(handle, { kind: 'file', path }, 0, content.length) }];
        const text = (await bytesOf(await composeMessage(await draft({ attachments }), { eightBitMime: true }))).toString('latin1');
        const header = /\r\nContent-Type: ([^\r]*(?:\r\n [^\r]*)*)\r\nContent-Disposition: attachment/.exec(text)![1]!;
        assert.equal(header.replace(/\r\n /g, ' '), type, fileName);
        assert.deepEqual(decodedPart(mimeParts(Buffer.from(text, 'latin1'))[1]!), content, fileName);
      } finally {
        await handle.close();
      }
    }
  });

  it('finds the same charset however the text is cut, reading only as far as it must', async () => {
    const samples = [
      Buffer.from('Héllo wörld, 日本語 😀'),
      Buffer.from('plain ASCII text'),
      Buffer.from([0x41, 0xc3, 0x28, 0x41]), // a lead octet without its continuation
      Buffer.from([0x41, 0xc0, 0xaf]), // overlong
      Buffer.from([0xed, 0xa0, 0x80]), // a surrogate
      Buffer.from([0xf4, 0x90, 0x80, 0x80]), // above U+10FFFF
      Buffer.from([0x41, 0xe2, 0x82]), // cut short at the end
      Buffer.from([0x80, 0x41]), // a continuation octet alone
      Buffer.from('é\0é'),
      Buffer.from([0xff, 0x41, 0x00]), // not UTF-8, then a NUL: binary however it is cut
    ];
    for (const sample of samples) {
      const expected = sample.includes(0) ? undefined : !isUtf8(sample) ? 'unknown-8bit' : isAscii(sample) ? 'us-ascii' : 'utf-8';
      for (let first = 0; first <= sample.length; first++) {
        for (let second = first; second <= sample.length; second++) {
          const detector = new CharsetDetector();
          for (const piece of [sample.subarray(0, first), sample.subarray(first, second), sample.subarray(second)]) detector.push(piece);
          assert.equal(detector.result(), expected, `${sample.toString('hex')} cut at ${first}, ${second}`);
        }
      }
    }
    async function* binaryThenFailing() {
      yield Buffer.from('a\0');
      throw new Error('read past a NUL');
    }
    assert.equal(await charsetOf(binaryThenFailing()), undefined);
  });

  /** The message composed with these -H headers, for a server offering 8BITMIME. */
  const withHeaders = async (headers: [string, string][]) =>
    (await bytesOf(await composeMessage(await draft({ headers }), { eightBitMime: true }))).toString('utf8');

  it('never writes Bcc and lets -H replace a generated header', async () => {
    const text = await withHeaders([
      ['Date', 'Mon, 1 Jan 2024 00:00:00 +0000'],
      ['X-Course', 'Réseaux'],
      ['Reply-To', '"Dupont, José" <jose@example.org>, prof'],
    ]);
    assert.doesNotMatch(text, /^Bcc:/im);
    assert.match(text, /^Date: Mon, 1 Jan 2024 00:00:00 \+0000\r\n/m);
    assert.equal(text.match(/^Date:/gm)!.length, 1);
    assert.match(text, /^X-Course: =\?UTF-8\?B\?UsOpc2VhdXg=\?=\r\n/m);
    // An address header given with -H is written as mailboxes, not as text.
    assert.match(text, /^Reply-To: =\?UTF-8\?B\?RHVwb250LCBKb3PDqQ==\?= <jose@example\.org>,(?:\r\n)? prof@example\.org\r\n/m);
  });

  it('writes the receipt and follow-up fields given with -H as mailboxes: no encoded-word in an address or a quoted string', async () => {
    const text = await withHeaders([
      ['Disposition-Notification-To', '"Smith, José" <js@example.org>'],
      ['Mail-Followup-To', 'Jörg <jörg@example.org>'],
      ['To', 'Équipe: a@example.org, b@example.org;'],
    ]);
    // Before, each value was text: the quote swallowed into an encoded-word, the address inside one.
    assert.match(text, /^Disposition-Notification-To: =\?UTF-8\?B\?U21pdGgsIEpvc8Op\?= <js@example\.org>\r\n/m);
    assert.match(text, /^Mail-Followup-To: =\?UTF-8\?B\?SsO2cmc=\?= <jörg@example\.org>\r\n/m);
    // An encoded group name is followed by a space before its colon (RFC 2047 §5 (3)).
    assert.match(text, /^To: =\?UTF-8\?B\?w4lxdWlwZQ==\?= : a@example\.org, b@example\.org;\r\n/m);
  });

  it('-H Resent-To: the resent block gets the Resent-Date and Resent-From every one must have, before the other fields (RFC 5322 §3.6.6)', async () => {
    const text = await withHeaders([
      ['X-Course', 'x'],
      ['Resent-To', 't@example.org'],
    ]);
    // Before, Resent-To came alone, after the others.
    assert.match(text, /^Resent-Date: [^\r]+\r\nResent-From: [^\r]+\r\nResent-To: t@example\.org\r\nDate: [^\r]+\r\nFrom: /);
    assert.equal(text.match(/^Resent-From: (.*)\r$/m)![1], text.match(/^From: (.*)\r$/m)![1]);
    const own = await withHeaders([
      ['Resent-From', 'Rita <rita@example.org>'],
      ['Resent-To', 't@example.org'],
    ]);
    assert.match(own, /^Resent-Date: [^\r]+\r\nResent-From: Rita <rita@example\.org>\r\nResent-To: t@example\.org\r\nDate: /);
    assert.equal(own.match(/^Resent-From:/gm)!.length, 1);
    assert.doesNotMatch(await withHeaders([['X-Course', 'x']]), /^Resent-/m);
  });

  it('keeps the groups of an address header given with -H: an empty one, and one with members beside a mailbox', async () => {
    const text = await withHeaders([
      ['To', 'undisclosed-recipients:;'],
      ['Cc', 'Team: a@example.org, "Doe, J." <j@example.org>;, c@example.org'],
    ]);
    assert.match(text, /^To: undisclosed-recipients:;\r\n/m);
    // Identifiers glued together get the space that folding needs, never an encoded-word.
    const glued = Array.from({ length: 40 }, (_, i) => `<id${i}.abcdefghij@example.org>`).join('');
    const references = (await withHeaders([['References', glued]])).match(/^References:.*(?:\r\n .*)*/m)![0];
    assert.doesNotMatch(references, /=\?/);
    assert.equal(references.replace(/\r\n /g, ' '), `References: ${glued.replace(/></g, '> <')}`);
    assert.match(text, /^Cc: Team: a@example\.org, "Doe, J\." <j@example\.org>;, c@example\.org\r\n/m);
  });

  it('refuses -H address fields RFC 5322 §3.6 would not have, naming the field', () => {
    const refusal = (headers: [string, string][]) => {
      try {
        assertExtraHeaders(headers, 'mailv-client.example');
        return undefined;
      } catch (error) {
        return (error as UsageError).fact;
      }
    };
    assert.deepEqual(refusal([['To', '']]), { code: 'MAILV_HEADER_ADDRESS_EMPTY', name: 'To', groupAllowed: true });
    assert.deepEqual(refusal([['From', ' ']]), { code: 'MAILV_HEADER_ADDRESS_EMPTY', name: 'From', groupAllowed: false });
    assert.deepEqual(refusal([['From', 'Friends: a@example.org, b@example.org;']]), { code: 'MAILV_HEADER_ADDRESS_GROUP', name: 'From' });
    assert.deepEqual(refusal([['Sender', 'a@example.org, b@example.org']]), { code: 'MAILV_HEADER_ADDRESS_ONE', name: 'Sender', count: 2 });
    // RFC 5322 §3.6: one of each of these at most; fields that may repeat (Comments, Keywords, X-…) may.
    assert.deepEqual(
      refusal([
        ['Subject', 'one'],
        ['subject', 'two'],
      ]),
      { code: 'MAILV_HEADER_TWICE', name: 'subject' },
    );
    assert.deepEqual(
      refusal([
        ['Cc', 'c@example.org'],
        ['Cc', 'd@example.org'],
      ]),
      { code: 'MAILV_HEADER_TWICE', name: 'Cc' },
    );
    assert.equal(
      refusal([
        ['Comments', 'a'],
        ['Comments', 'b'],
        ['Keywords', 'x'],
        ['Keywords', 'y'],
        ['X-Tag', '1'],
        ['X-Tag', '2'],
      ]),
      undefined,
    );
    assert.deepEqual(refusal([['From', 'a@example.org, b@example.org']]), { code: 'MAILV_HEADER_SENDER_NEEDED', name: 'From', count: 2 });
    assert.deepEqual(refusal([['resent-from', 'a@example.org, b@example.org']]), { code: 'MAILV_HEADER_SENDER_NEEDED', name: 'Resent-From', count: 2 });
    // Taken: several authors and the one who sent it, an empty group where groups may stand, a bare name.
    assert.equal(
      refusal([
        ['From', 'a@example.org, b@example.org'],
        ['Sender', 'a@example.org'],
      ]),
      undefined,
    );
    assert.equal(
      refusal([
        ['To', 'undisclosed-recipients:;'],
        ['Reply-To', 'prof'],
      ]),
      undefined,
    );
    // A group needs a name: `:;` names nobody.
    assert.deepEqual(refusal([['To', ':;']]), { code: 'MAILV_HEADER_ADDRESS_EMPTY', name: 'To', groupAllowed: true });
    assert.deepEqual(refusal([['Bcc', 'x@example.org']]), { code: 'MAILV_HEADER_BCC' });
    // Dates and message identifiers of their forms: an encoded-word may not stand in them (RFC 2047 §5).
    for (const [name, value, wanted] of [
      ['Date', 'yesterday', 'date'],
      ['Date', '', 'date'],
      ['Message-ID', 'not-an-id', 'msg-id'],
      ['Message-ID', '<café@example.org>', 'msg-id'],
      ['References', '<a@x> junk', 'msg-ids'],
      ['In-Reply-To', '<é@x>', 'msg-ids'],
      // Of the form, but no moment (RFC 5322 §3.3): a day the month lacks, an hour, a minute or a
      // zone that cannot be, a weekday not the date's.
      ['Date', 'Mon, 31 Feb 2024 09:00:00 +0000', 'date'],
      ['Date', '29 Feb 2023 09:00 +0000', 'date'],
      ['Date', '0 Jan 2024 09:00 +0000', 'date'],
      ['Date', '1 Jan 2024 24:00 +0000', 'date'],
      ['Date', '1 Jan 2024 09:60 +0000', 'date'],
      ['Date', '1 Jan 2024 09:00:61 +0000', 'date'],
      ['Date', '1 Jan 2024 09:00 +9999', 'date'],
      ['Date', 'Tue, 1 Jan 2024 09:00:00 +0000', 'date'],
    ] as const) {
      assert.deepEqual(refusal([[name, value]]), { code: 'MAILV_HEADER_VALUE_FORM', name, value, wanted }, `${name}: ${value}`);
    }
    // An identifier longer than its line: never folded inside nor encoded, so written in no form.
    assert.deepEqual(refusal([['Message-ID', `<${'x'.repeat(973)}@example.org>`]]), {
      code: 'MAILV_HEADER_ID_TOO_LONG',
      name: 'Message-ID',
      length: 987,
      longest: 986,
    });
    assert.deepEqual(refusal([['References', `<a@x> <${'x'.repeat(973)}@example.org>`]]), {
      code: 'MAILV_HEADER_ID_TOO_LONG',
      name: 'References',
      length: 987,
      longest: 986,
    });
    for (const [name, value] of [
      ['Date', 'Mon, 1 Jan 2024 09:00:00 +0000'],
      ['Date', '1 Jan 2024 09:00 GMT'],
      // ABNF is case-blind (RFC 5234 §2.3), and a two-digit year is the obsolete form (RFC 5322 §4.3).
      ['Date', 'mon, 1 jan 2024 09:00:00 +0000'],
      ['Date', '1 Jan 24 09:00 +0000'],
      // A leap day, a leap second, a zone of half an hour, and an obsolete year's weekday (1999).
      ['Date', 'Thu, 29 Feb 2024 23:59:60 -0930'],
      ['Date', 'Fri, 1 Jan 99 09:00 EST'],
      ['Message-ID', '<CAKvHMgTq9=wXyZ@mail.gmail.com>'],
      ['References', '<a@x> <b@y>\t<c@z>'],
      // As long as its line leaves room for: 998 octets, `Message-ID: ` and `References: ` first.
      ['Message-ID', `<${'x'.repeat(972)}@example.org>`],
      ['References', `<a@x> <${'x'.repeat(972)}@example.org> <b@y>`],
      // Other fields may hold a long `<…>`: folded at its spaces, or encoded, as any text.
      ['Subject', `Re: <${'word '.repeat(200)}>`],
      ['List-Unsubscribe', `<https://example.org/u?t=${'A'.repeat(1000)}>`],
    ] as const) {
      assert.equal(refusal([[name, value]]), undefined, `${name}: ${value}`);
    }
  });

  /** A -t message as it is passed through, with a fixed date, Message-ID and sender. */
  const passedThrough = async (input: string) => {
    const whole = await bodyOf(input);
    const block = await readHeaderBlock(whole.source);
    const message = passThroughMessage(block.fields, block.wireOctets, whole, whole.source.slice(block.inputOctets), {
      date: new Date(Date.UTC(2026, 10, 27, 20, 29, 31)),
      messageId: '<fixed.0001@example.org>',
      from: { name: 'Alice', address: 'alice@example.org' },
    });
    return (await bytesOf(message)).toString();
  };

  it('takes a CR alone inside a header line for a space, never a line break: no field injected, none cut off, the size exact (RFC 5322 §2.2)', async () => {
    const fixed = 'Date: Fri, 27 Nov 2026 20:29:31 +0000\r\nMessage-ID: <fixed.0001@example.org>\r\nFrom: Alice <alice@example.org>\r\n';
    assert.equal(
      await passedThrough('Subject: hello\rReply-To: evil@example.org\rX-Injected: yes\r\nTo: b@example.org\r\n\r\nbody\rmore\r\n'),
      `Subject: hello Reply-To: evil@example.org X-Injected: yes\r\nTo: b@example.org\r\n${fixed}\r\nbody\r\nmore\r\n`,
    );
    // Two CRs alone that would end the header before the first LF: a header of CR lines, or one
    // ended early by text passed on? Refused (65), never guessed; so is a CR message whose body has an LF.
    for (const text of ['Subject: hi\r\rX-Hidden: y\r\nTo: b@example.org\r\n\r\nbody\r\n', 'To: ops@example.org\r\rcheck the logs\n']) {
      await assert.rejects(passedThrough(text), (error: InputError) => error.fact.code === 'MAILV_MESSAGE_LINE_ENDS' && error.exitCode === 65, text);
    }
    // Nor when the LF comes only past the first MiB: the text after the CRs goes on, as a field's would.
    const far = `Subject: x\rBcc: evil@example.org\r\r${'a'.repeat(1024 * 1024)}\nTo: a@example.org\n\nbody\n`;
    await assert.rejects(passedThrough(far), (error: InputError) => error.fact.code === 'MAILV_MESSAGE_LINE_ENDS');
    // Not refused: text that starts with no header field (a progress meter's CRs piped to sendmail),
    // CRs alone before an LF (one line end), a blank line of CRs first.
    for (const text of ['\r  0%\r 50%\r100%\nDone.\n', 'Downloading\r\rDone\n', '\r\r\nbody\r\r\n']) {
      const read = await readHeaderBlock((await bodyOf(text)).source, true);
      assert.deepEqual(read.fields, [], JSON.stringify(text));
    }
    assert.equal(
      await passedThrough('To: b@example.org\r\r\r\nSubject: x\r\r\r\n\r\r\r\nbody\r\r\r\n'),
      `To: b@example.org  \r\nSubject: x  \r\n${fixed}\r\nbody\r\n\r\n\r\n`,
    );
    // What dead.letter keeps reads its header as what is sent does: the CR a space, no field made of it.
    const whole = await bodyOf('To: a@example.org\nSubject: hi\rBcc: evil@example.org\n\nbody\n');
    const block = await readHeaderBlock(whole.source, true);
    assert.equal((await bytesOf(messageAsRead(whole, block))).toString(), 'To: a@example.org\r\nSubject: hi Bcc: evil@example.org\r\n\r\nbody\r\n');
    const empty = await bodyOf('To: a@example.org\n\n');
    assert.equal((await bytesOf(messageAsRead(empty, await readHeaderBlock(empty.source)))).toString(), 'To: a@example.org\r\n\r\n');
    // A line of CRs alone still ends it; a message whose lines all end in CR alone is read as before.
    assert.equal(await passedThrough('To: b@example.org\r\n\r\r\nbody\r\n'), `To: b@example.org\r\n${fixed}\r\nbody\r\n`);
    assert.equal(await passedThrough('To: b@example.org\rSubject: cr\r\rbody\r'), `To: b@example.org\r\nSubject: cr\r\n${fixed}\r\nbody\r\n`);
  });

  it('passes a -t message through, removing Bcc and adding Date, Message-ID and From', async () => {
    assert.equal(
      await passedThrough('To: bob@example.org\nBcc: secret@example.org,\n  other@example.org\nSubject: raw\n\nline one\n.line two\r\nno end'),
      'To: bob@example.org\r\nSubject: raw\r\nDate: Fri, 27 Nov 2026 20:29:31 +0000\r\n' +
        'Message-ID: <fixed.0001@example.org>\r\nFrom: Alice <alice@example.org>\r\n\r\nline one\r\n.line two\r\nno end\r\n',
    );
  });

  it('a message being resent gets the Resent-Date, Resent-Message-ID and Resent-From it lacks (RFC 5322 §3.6.6), its own header left as it came, as Postfix does', async () => {
    const resent = await passedThrough(
      'From: bob@example.org\nDate: Mon, 1 Jan 2024 00:00:00 +0000\nMessage-ID: <first@example.org>\nResent-To: r@example.org\n\nb\n',
    );
    assert.match(
      resent,
      /\r\nResent-Date: Fri, 27 Nov 2026 20:29:31 \+0000\r\nResent-Message-ID: <fixed\.0001@example\.org>\r\nResent-From: Alice <alice@example\.org>\r\n\r\nb\r\n$/,
    );
    const dated = await passedThrough('Resent-Date: Tue, 2 Jan 2024 00:00:00 +0000\nResent-Bcc: hidden@example.org\n\nb\n');
    assert.equal(dated.match(/^Resent-Date:/gm)?.length, 1);
    assert.match(dated, /^Resent-From: Alice <alice@example\.org>\r$/m);
    // The first sending's fields are not made up for it: no Date, Message-ID or From added.
    assert.doesNotMatch(dated, /^(Date|Message-ID|From):/m);
    assert.doesNotMatch(await passedThrough('To: bob@example.org\n\nb\n'), /^Resent-/m);
  });

  it('--vary numbers a Subject at the end of its value, folding before the number where the line would pass 998 octets', async () => {
    const numbered = async (subject: string) => {
      const whole = await bodyOf(`To: bob@example.org\nSubject: ${subject}\n\nbody\n`);
      const block = await readHeaderBlock(whole.source);
      const message = passThroughMessage(block.fields, block.wireOctets, whole, whole.source.slice(block.inputOctets), {
        date: new Date(Date.UTC(2026, 10, 27, 20, 29, 31)),
        messageId: '<fixed.0003@example.org>',
        from: { name: undefined, address: 'alice@example.org' },
        sequence: 12,
      });
      return /^Subject:[\s\S]*?\r\n(?=[^ \t])/m.exec((await bytesOf(message)).toString('latin1'))![0];
    };
    assert.equal(await numbered('short'), 'Subject: short #12\r\n');
    // 'Subject: ' and 985 x: a line of 994 octets, which ' #12' would take to 998, the most a line may hold.
    assert.equal(await numbered('x'.repeat(985)), `Subject: ${'x'.repeat(985)} #12\r\n`);
    assert.equal(await numbered('x'.repeat(986)), `Subject: ${'x'.repeat(986)}\r\n #12\r\n`);
    // Folded already: only its last line counts.
    assert.equal(await numbered(`${'x'.repeat(900)}\n ${'y'.repeat(900)}`), `Subject: ${'x'.repeat(900)}\r\n ${'y'.repeat(900)} #12\r\n`);
  });

  it('removes Resent-Bcc as it removes Bcc, and Return-Path, final delivery’s to write (RFC 5321 §4.4), whatever their case and spacing', async () => {
    const input =
      'Return-Path: <bounces@example.org>\nTo: bob@example.org\nResent-Bcc: hidden@example.org\nRESENT-BCC :\n  folded@example.org\nreturn-path :<x@example.org>\nSubject: again\n\nbody\n';
    const whole = await bodyOf(input);
    const block = await readHeaderBlock(whole.source);
    const message = passThroughMessage(block.fields, block.wireOctets, whole, whole.source.slice(block.inputOctets), {
      date: new Date(Date.UTC(2026, 10, 27, 20, 29, 31)),
      messageId: '<fixed.0002@example.org>',
      from: { name: undefined, address: 'alice@example.org' },
    });
    assert.equal(
      (await bytesOf(message)).toString(),
      'To: bob@example.org\r\nSubject: again\r\n' +
        // Resent (its Resent-Bcc): when, which and by whom, as RFC 5322 §3.6.6 wants, and Postfix adds.
        'Resent-Date: Fri, 27 Nov 2026 20:29:31 +0000\r\nResent-Message-ID: <fixed.0002@example.org>\r\nResent-From: alice@example.org\r\n\r\nbody\r\n',
    );
  });

  it('sendmail reads a header block that runs past 1 MiB as ending at the last whole line before it, the rest body, as Postfix does; -t refuses it', async () => {
    const lines = Array.from({ length: 40000 }, (_, index) => `X-Line-${index}: request ${index} served\n`).join('');
    const whole = await bodyOf(`Subject: log\n${lines}`);
    const block = await readHeaderBlock(whole.source, true);
    assert.equal(block.fields[0], 'Subject: log\r\n');
    assert.ok(block.fields.length > 1000 && block.fields.length < 40001, String(block.fields.length));
    // The body begins with the first line left out of the header, whole.
    const rest = whole.source.slice(block.inputOctets);
    const first = (await collect(rest.chunks())).toString('latin1').split('\n')[0];
    assert.equal(first, `X-Line-${block.fields.length - 1}: request ${block.fields.length - 1} served`);
    await assert.rejects(readHeaderBlock(whole.source), (error: Error & { fact?: { code: string } }) => error.fact?.code === 'MAILV_MESSAGE_HEADER_UNENDED');
  });

  it('-t drops the mbox From lines before a saved message, as sendmail does, and keeps the rest of the block', async () => {
    const saved = 'From a@x Sat Dec  5 10:00:00 2026\n>From b@x Sat Dec  5 09:00:00 2026\nTo: bob@example.org\nSubject: saved\n\nhi\n';
    const block = await readHeaderBlock((await bodyOf(saved)).source);
    assert.deepEqual(block.fields, ['To: bob@example.org\r\n', 'Subject: saved\r\n']);
    assert.deepEqual(block.leading, { inputOctets: saved.indexOf('To:'), wireOctets: saved.indexOf('To:') + 2 });
    assert.equal(block.complete, true);
    // A header field written `From : a@x` (obsolete syntax) is no mbox line.
    const spaced = await readHeaderBlock((await bodyOf('From : a@example.org\nTo: b@example.org\n\nbody\n')).source);
    assert.deepEqual(spaced.fields, ['From : a@example.org\r\n', 'To: b@example.org\r\n']);
  });

  it('finds the end of a -t header block however the input is cut, reading no further than it needs', async () => {
    const cases = [
      'To: bob@example.org\r\nSubject: crlf\r\n\r\nbody\r\n',
      'To: bob@example.org\nSubject: lf\n  folded\n\nbody\n',
      'To: bob@example.org\rSubject: cr\r\rbody\r',
      'To: bob@example.org\r\nSubject: no body\r',
      'To: bob@example.org\r\nSubject: no break at all',
      // A CR alone inside a line of a message whose lines end in LF: text, however the input is cut.
      'Subject: hello\rReply-To: evil@example.org\r\nTo: b@example.org\r\n\r\nbody\r\n',
      'Subject: hi\r\r\nTo: b@example.org\n\r\r\nbody\n',
    ];
    for (const text of cases) {
      const input = Buffer.from(text);
      const whole = await readHeaderBlock((await bodyOf(input)).source);
      for (let cut = 1; cut < input.length; cut++) {
        let reads = 0;
        const pieces = [input.subarray(0, cut), input.subarray(cut)];
        const source = {
          size: input.length,
          async *chunks() {
            for (const piece of pieces) {
              reads++;
              yield piece;
            }
          },
          lentChunks() {
            return this.chunks();
          },
          slice() {
            throw new Error('not needed');
          },
        };
        assert.deepEqual(await readHeaderBlock(source), whole, `${JSON.stringify(text)} cut at ${cut}`);
        // A message whose lines end in CR alone is read on past its blank line (a later LF would make
        // two CRs text inside a line), to its end or the header block's limit.
        if (cut > whole.inputOctets + 1 && text.includes('\n')) assert.equal(reads, 1, `${JSON.stringify(text)} cut at ${cut}: the body is not read`);
      }
    }
  });

  it('formats dates as RFC 5322 and asctime want them', () => {
    const date = new Date(Date.UTC(2026, 10, 7, 9, 5, 0));
    assert.equal(formatRfc5322Date(date), 'Sat, 7 Nov 2026 09:05:00 +0000');
    assert.equal(formatAsctime(date), 'Sat Nov  7 09:05:00 2026');
  });

  it('keeps the size exact for large bodies', async () => {
    const text = Buffer.from(`${'line of text\n'.repeat(50_000)}last line without newline`);
    const message = await composeMessage(await draft({ text }), { eightBitMime: true });
    const bytes = await bytesOf(message);
    assert.equal(
      createHash('sha256')
        .update(bytes.subarray(bytes.indexOf('\r\n\r\n') + 4))
        .digest('hex'),
      createHash('sha256')
        .update(Buffer.from(`${'line of text\r\n'.repeat(50_000)}last line without newline\r\n`))
        .digest('hex'),
    );
  });
});
