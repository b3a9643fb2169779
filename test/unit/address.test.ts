import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../dist/errors.js';
import { needsSmtpUtf8, parseAddressEntries, parseAddressList, parseMailbox } from '../../dist/message/address.js';
import { sanitize } from '../../dist/text/sanitize.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';
import { refused } from '../helpers/words.js';

const HOST = 'mailv-client.example';

describe('addresses', () => {
  it('parses the forms people type', () => {
    assert.deepEqual(parseAddressList('bob@example.org, Alice <alice@example.org>', HOST), [
      { name: undefined, address: 'bob@example.org' },
      { name: 'Alice', address: 'alice@example.org' },
    ]);
    assert.deepEqual(parseAddressList('"Doe, John" <john@Example.ORG>', HOST), [{ name: 'Doe, John', address: 'john@example.org' }]);
    // A phrase is words, atoms or quoted strings (RFC 5322 §3.2.5): each quoted one gives its text.
    assert.deepEqual(parseAddressList('"Alice" "Admin" <a@example.org>, Alice "the" Admin <b@example.org>, "a \\"b\\"" c <c@example.org>', HOST), [
      { name: 'Alice Admin', address: 'a@example.org' },
      { name: 'Alice the Admin', address: 'b@example.org' },
      { name: 'a "b" c', address: 'c@example.org' },
    ]);
    assert.deepEqual(parseAddressList('carol@example.org (Carol C.)', HOST), [{ name: undefined, address: 'carol@example.org' }]);
    assert.deepEqual(parseAddressList('undisclosed-recipients:;', HOST), []);
    // The root's dot and an obsolete source route are left out, as Postfix leaves them out.
    assert.equal(parseMailbox('joe@Example.org.', HOST).address, 'joe@example.org');
    refused(
      () => parseMailbox('joe@[127.0.0.1].', HOST),
      'invalid address "joe@[127.0.0.1].": malformed domain "[127.0.0.1]."',
      'adresse invalide « joe@[127.0.0.1]. » : domaine mal formé « [127.0.0.1]. »',
    );
    // An IP address written bare is no domain: it goes as an address literal.
    refused(
      () => parseMailbox('mailtest@127.0.0.1', HOST),
      'invalid address "mailtest@127.0.0.1": an IP address is written as an address literal, [127.0.0.1] (RFC 5321 §4.1.3)',
      'adresse invalide « mailtest@127.0.0.1 » : une adresse IP s’écrit en littéral, [127.0.0.1] (RFC 5321 §4.1.3)',
    );
    assert.equal(parseMailbox('mailtest@[127.0.0.1]', HOST).address, 'mailtest@[127.0.0.1]');
    // Nor a name the conversion to ASCII would read as an address, as a URL's host is read.
    for (const domain of ['127.1', '0x7f000001', '127.0.0.01', '\uff11\uff12\uff17.\uff10.\uff10.\uff11', '127\u30020\u30020\u30021']) {
      assert.throws(
        () => parseMailbox(`b@${domain}`, HOST),
        (error: unknown) => error instanceof UsageError && (error.fact as { literal?: string }).literal === '[127.0.0.1]',
        domain,
      );
    }
    assert.equal(parseMailbox('joe@1.example', HOST).address, 'joe@1.example');
    assert.equal(parseMailbox('<@relay.example:joe@example.org>', HOST).address, 'joe@example.org');
    assert.equal(parseMailbox('@a.example,@b.example:joe@example.org', HOST).address, 'joe@example.org');
    refused(
      () => parseMailbox('joe@example.org..', HOST),
      'invalid address "joe@example.org..": malformed domain "example.org.."',
      'adresse invalide « joe@example.org.. » : domaine mal formé « example.org.. »',
    );
    // Its groups kept, for a header written from them.
    assert.deepEqual(parseAddressEntries('undisclosed-recipients:;', HOST), [{ kind: 'group', name: 'undisclosed-recipients', members: [] }]);
    assert.deepEqual(parseAddressEntries('"My Team" (x): a@example.org; c', HOST), [
      { kind: 'group', name: 'My Team', members: [{ name: undefined, address: 'a@example.org' }] },
      { kind: 'mailbox', mailbox: { name: undefined, address: `c@${HOST}` } },
    ]);
    assert.deepEqual(
      parseAddressList('Team: a@example.org, b@example.org;, c@example.org', HOST).map((m) => m.address),
      ['a@example.org', 'b@example.org', 'c@example.org'],
    );
  });

  it('reads comments outside quoted strings only: a quoted local part keeps its parentheses, a comment its quotes', () => {
    assert.equal(parseMailbox('"a(b)c"@example.org', HOST).address, '"a(b)c"@example.org');
    assert.equal(parseMailbox('"quoted \\" (x)"@example.org', HOST).address, '"quoted \\" (x)"@example.org');
    assert.deepEqual(parseMailbox('<bob@example.org> (Bob)', HOST), { name: undefined, address: 'bob@example.org' });
    assert.deepEqual(
      parseAddressList('bob@example.org (O"Brien), "a(b)c"@example.org', HOST).map((m) => m.address),
      ['bob@example.org', '"a(b)c"@example.org'],
    );
  });

  it('gives a bare local user this host', () => {
    assert.equal(parseMailbox('root', HOST).address, 'root@mailv-client.example');
  });

  it('accepts RFC 5322 local parts, address literals and international domains', () => {
    assert.equal(parseMailbox('"john smith"@example.org', HOST).address, '"john smith"@example.org');
    assert.equal(parseMailbox("o'brien+tag@example.org", HOST).address, "o'brien+tag@example.org");
    assert.equal(parseMailbox('postmaster@[127.0.0.1]', HOST).address, 'postmaster@[127.0.0.1]');
    // The tag is case-insensitive ABNF; it goes out as RFC 5321 spells it.
    assert.equal(parseMailbox('postmaster@[ipv6:::1]', HOST).address, 'postmaster@[IPv6:::1]');
    assert.equal(parseMailbox('postmaster@[IPV6:2001:db8::1]', HOST).address, 'postmaster@[IPv6:2001:db8::1]');
    assert.equal(parseMailbox('info@bücher.example', HOST).address, 'info@xn--bcher-kva.example');
    assert.equal(needsSmtpUtf8('info@xn--bcher-kva.example'), false);
    assert.equal(needsSmtpUtf8(parseMailbox('josé@example.org', HOST).address), true);
  });

  it('refuses an international domain IDNA2008 does not let through, which the conversion to ASCII would', () => {
    // Each went on as xn--…: a hyphen at an end or in the third and fourth places of the label as
    // typed, a symbol (typed, or as its A-label), a middle dot outside Catalan's l·l.
    // And, from a review against Python's idna: numbers that are no decimal digits, the tatweel, old
    // Hangul jamo, an enclosing circle, and the contextual characters out of their context.
    for (const domain of [
      '-ü.com',
      'ü-.com',
      'üb--er.com',
      '☃.com',
      'xn--n3h.com',
      '😀.com',
      'a·b.cat',
      'ኢ፩.com',
      'aↂa.com',
      'abـ.com',
      'aᄀa.com',
      'a⃝a.com',
      'a׳.com',
      'a・a.com',
      'a͵a.com',
    ]) {
      assert.throws(
        () => parseMailbox(`bob@${domain}`, HOST),
        (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_ADDRESS_DOMAIN',
        domain,
      );
    }
    assert.equal(parseMailbox('bob@col·legi.cat', HOST).address, 'bob@xn--collegi-xma.cat');
    // What IDNA2008 lets through, in context or as PVALID, goes on (a first version refused them):
    // a Chinese numeral zero, the joiners of Sinhala and Persian, Hebrew gershayim, the katakana middle dot.
    for (const domain of [
      '二〇二四.cn',
      'ශ්\u200dරී.lk',
      'نامه\u200cای.ir',
      'צה״ל.co.il',
      'カタカナ・テスト.jp',
      '𠮷--b.jp',
      'سنڌ۾.pk',
      'κερ͵α.gr',
      'ཀ་ཁ.cn',
      '한국.kr',
      'ラーメン.jp',
    ]) {
      assert.match(parseMailbox(`bob@${domain}`, HOST).address, /^bob@xn--/, domain);
    }
    // The third and fourth places are characters, not UTF-16 units.
    assert.throws(
      () => parseMailbox('bob@𠮷a--b.jp', HOST),
      (error: unknown) => error instanceof UsageError,
    );
    assert.equal(parseMailbox('bob@xn--mnchen-3ya.de', HOST).address, 'bob@xn--mnchen-3ya.de');
    assert.equal(parseMailbox('用户@例子.广告', HOST).address, '用户@xn--fsqu00a.xn--4rr70v');
  });

  it('refuses what is not an address, naming the problem', () => {
    refused(() => parseMailbox('bob@', HOST), 'invalid address "bob@": no domain after @', 'adresse invalide « bob@ » : pas de domaine après @');
    refused(
      () => parseMailbox('Bob <bob@exa mple.org>', HOST),
      'invalid address "Bob <bob@exa mple.org>": malformed domain "exa mple.org"',
      'adresse invalide « Bob <bob@exa mple.org> » : domaine mal formé « exa mple.org »',
    );
    refused(
      () => parseMailbox('bob..smith@example.org', HOST),
      'invalid address "bob..smith@example.org": malformed local part "bob..smith"',
      'adresse invalide « bob..smith@example.org » : partie locale mal formée « bob..smith »',
    );
    refused(
      () => parseMailbox(`${'l'.repeat(250)}@example.org`, HOST),
      `invalid address "${'l'.repeat(40)}…": 262 octets, past the 254 a path may carry (RFC 5321 §4.5.3.1.3)`,
      `adresse invalide « ${'l'.repeat(40)}… » : 262 octets, au-delà des 254 qu’un chemin peut porter (RFC 5321 §4.5.3.1.3)`,
    );
    assert.equal(parseMailbox(`${'l'.repeat(242)}@example.org`, HOST).address.length, 254);
    refused(() => parseMailbox('<>', HOST), 'invalid address "<>": it is empty', 'adresse invalide « <> » : elle est vide');
    refused(
      () => parseMailbox('bob@-example.org', HOST),
      'invalid address "bob@-example.org": malformed domain "-example.org"',
      'adresse invalide « bob@-example.org » : domaine mal formé « -example.org »',
    );
    // A URL's delimiters and escapes, which the conversion to ASCII would read as a URL's host reads
    // them, naming another domain: refused, never cut short.
    for (const domain of [
      'discard.test/.bank.example',
      'discard.test?.bank.example',
      'discard.test#x',
      'discard.test\\x.bank.example',
      'discard%2etest',
      'discard.test:25',
      'a_b.test',
    ]) {
      refused(
        () => parseMailbox(`bob@${domain}`, HOST),
        `invalid address "bob@${domain}": malformed domain "${domain}"`,
        `adresse invalide « bob@${domain} » : domaine mal formé « ${domain} »`,
      );
    }
    assert.equal(parseMailbox('bob@ex\u00e4mple.org', HOST).address, 'bob@xn--exmple-cua.org');
    refused(
      () => parseAddressList('"unterminated <a@b.org>', HOST),
      'invalid address list "\\"unterminated <a@b.org>": unterminated quote',
      `liste d’adresses invalide « "unterminated <a@b.org> » : un guillemet n’est pas refermé`,
    );
  });

  it('refuses an angle bracket outside quotes where the display name stands: another address, never sent to if taken for a name', () => {
    refused(
      () => parseMailbox('<a@example.org> <b@example.org>', HOST),
      'invalid address "<a@example.org> <b@example.org>": "<a@example.org>" cannot be its name (an address? separate addresses with a comma)',
      'adresse invalide « <a@example.org> <b@example.org> » : « <a@example.org> » ne peut pas en être le nom (une adresse ? séparez les adresses par une virgule)',
    );
    assert.deepEqual(parseMailbox('"Doe <x>" <a@example.org>', HOST), { name: 'Doe <x>', address: 'a@example.org' });
    assert.deepEqual(parseMailbox('bob@example.org <bob@example.org>', HOST), { name: 'bob@example.org', address: 'bob@example.org' });
  });

  it('refuses an @ look-alike where no @ is: taken as a local part, the address would go to a user of this host', () => {
    refused(
      () => parseMailbox('bob＠example.org', HOST),
      'invalid address "bob＠example.org": "＠" (U+FF20) is not the @ of an address (type the ASCII @)',
      'adresse invalide « bob＠example.org » : « ＠ » (U+FF20) n’est pas l’@ d’une adresse (tapez l’@ ASCII)',
    );
    refused(
      () => parseAddressList('alice@example.org, Bob <bob﹫example.org>', HOST),
      'invalid address "Bob <bob﹫example.org>": "﹫" (U+FE6B) is not the @ of an address (type the ASCII @)',
      'adresse invalide « Bob <bob﹫example.org> » : « ﹫ » (U+FE6B) n’est pas l’@ d’une adresse (tapez l’@ ASCII)',
    );
    // Quoted, or beside a real @, it is a local part someone wrote on purpose (RFC 6531).
    assert.equal(parseMailbox('"bob＠example.org"', HOST).address, `"bob＠example.org"@${HOST}`);
    assert.equal(parseMailbox('bob＠home@example.org', HOST).address, 'bob＠home@example.org');
  });

  it('refuses a local part holding a character that does not show, pasted with the address: the server would take another mailbox', () => {
    refused(
      () => parseMailbox('bob\u200b@example.org', HOST),
      'invalid address "bob\u200b@example.org": its local part holds U+200B, a character that does not show (pasted with it?); quote the local part if it is meant',
      'adresse invalide « bob\u200b@example.org » : sa partie locale contient U+200B, un caractère qui ne se voit pas (collé avec elle ?) ; mettez-la entre guillemets si c’est voulu',
    );
    for (const [address, codePoint] of [
      ['\u202ebob@example.org', 0x202e],
      ['bo\u00adb@example.org', 0xad],
      ['bob\u{e0040}example.org', 0xe0040],
      ['Bob <bob\ufeff@example.org>', 0xfeff],
      ['bob\u2066x@example.org', 0x2066],
      // Only a whole quoted local part is meant: a character after its closing quote is named.
      ['"bob"\u200b@example.org', 0x200b],
      ['bob\u3164@example.org', 0x3164],
      ['bob\u2028@example.org', 0x2028],
      ['\u034fbob@example.org', 0x34f],
      // Tags outside a flag's sequence show nothing.
      ['\u{e0067}\u{e0062}bob@example.org', 0xe0067],
    ] as const) {
      assert.throws(
        () => parseAddressList(address, HOST),
        (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_ADDRESS_INVISIBLE' && error.fact.codePoint === codePoint,
        address,
      );
    }
    // A flag's tags show (🏴 Scotland), as do an emoji's variation selector (❤️) and Mongolian's.
    const scotland = '\u{1f3f4}\u{e0067}\u{e0062}\u{e0073}\u{e0063}\u{e0074}\u{e007f}';
    assert.equal(parseMailbox(`${scotland}@example.org`, HOST).address, `${scotland}@example.org`);
    assert.equal(parseMailbox('\u2764\ufe0f@example.org', HOST).address, '\u2764\ufe0f@example.org');
    // Read only to be shown (the -v table of a From: that decides nothing), it is shown as it is.
    assert.deepEqual(parseAddressList('a\u200b@example.org', HOST, { shownOnly: true }), [{ name: undefined, address: 'a\u200b@example.org' }]);
    // Quoted, it is meant; a joiner is part of words in some scripts; a domain's is IDNA's.
    assert.equal(parseMailbox('"bob\u200b"@example.org', HOST).address, '"bob\u200b"@example.org');
    assert.equal(
      parseMailbox('\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645@example.org', HOST).address,
      '\u0645\u06cc\u200c\u062e\u0648\u0627\u0647\u0645@example.org',
    );
    assert.equal(parseMailbox('bob@exam\u00adple.org', HOST).address, 'bob@example.org');
  });

  it('refuses CR, LF and NUL anywhere', () => {
    for (const evil of ['bob@example.org\r\nRCPT TO:<x@y.org>', 'bob@example.org\n', 'bob\0@example.org']) {
      assert.throws(() => parseAddressList(evil, HOST), UsageError);
    }
    refused(
      () => parseAddressList('bob@example.org\r\nRCPT TO:<x@y.org>', HOST),
      'address contains a line break: "bob@example.org\r\nRCPT TO:<x@y.org>"',
      `l’adresse contient un saut de ligne : « bob@example.org\r\nRCPT TO:<x@y.org> »`,
    );
    // The words quote the text as it is; the line shown escapes its controls once, by the
    // transcript's rule: an ESC is \x1b, and the text `\u001b` keeps its backslash doubled.
    assert.throws(
      () => parseAddressList('bob@example.org\r\nRCPT TO:<x@y.org>', HOST),
      (error: unknown) =>
        sanitize(describeError(error as UsageError, wordsFor('en'))) === 'address contains a line break: "bob@example.org\\x0d\\x0aRCPT TO:<x@y.org>"',
    );
    refused(
      () => parseMailbox('bob@example.org\n\0', HOST),
      'address contains a NUL byte: "bob@example.org\n\0"',
      `l’adresse contient un octet NUL : « bob@example.org\n\0 »`,
    );
  });
});
