import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../dist/errors.js';
import {
  assertHeaderText,
  encodeFieldText,
  encodePhrase,
  encodeUnstructured,
  foldHeader,
  formatMailbox,
  lineRoom,
  parseHeaderArgument,
} from '../../dist/message/header.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';
import { refused } from '../helpers/words.js';

import { decodeEncodedWords } from '../helpers/decode.js';

describe('header encoding', () => {
  it('leaves ASCII text alone and encodes only the non-ASCII run', () => {
    assert.equal(encodeUnstructured('Hello world'), 'Hello world');
    assert.equal(encodeUnstructured('Re: café ok'), 'Re: =?UTF-8?B?Y2Fmw6k=?= ok');
  });

  it('keeps an -H value of printable ASCII as it is, however long its words (a Message-ID, a URL), unless a word cannot fit a line', () => {
    const id = '<CAKvHMgTq9Zx3y7LwPp0a1bC2dE3fG4hI5jK6lM7nO8pQ9rS0tUv=wXyZ@mail.gmail.com>';
    assert.equal(encodeFieldText('In-Reply-To', id), id);
    assert.equal(encodeFieldText('References', `${id} ${id}`), `${id} ${id}`);
    assert.equal(encodeFieldText('X-Note', 'héllo'), '=?UTF-8?B?aMOpbGxv?=');
    // Keywords is a list of phrases: each encoded alone, the commas between them kept (RFC 5322 §3.6.5).
    // An encoded-word apart from the comma by a space (RFC 2047 §5(3)); a comma in a quoted phrase is the phrase's; empty ones go.
    assert.equal(encodeFieldText('Keywords', 'été, "a, b", , hiver'), '=?UTF-8?B?w6l0w6k=?= , "a, b" , hiver');
    // A quoted phrase in UTF-8 is encoded without its quotes: before, the opening quote went inside
    // the encoded-word and the closing one stayed outside, a quoted string that never ended.
    const quoted = encodeFieldText('Keywords', '"é, \\"f\\"", g');
    assert.match(quoted, /^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= , g$/);
    assert.equal(decodeEncodedWords(quoted), 'é, "f" , g');
    // No line past 998 octets, however long the field's name: a word that would pass it is encoded.
    const name = `X-${'N'.repeat(118)}`;
    const folded = foldHeader(name, encodeFieldText(name, `${'w'.repeat(900)} é`));
    for (const line of folded.split('\r\n')) assert.ok(line.length <= 998, `a line of ${line.length}`);
    assert.equal(decodeEncodedWords(folded.slice(name.length + 1, -2)).trim(), `${'w'.repeat(900)} é`);
    // `X-Long: ` and 990 octets make 998, the longest line: one more and it cannot be carried as it is.
    assert.equal(encodeFieldText('X-Long', 'x'.repeat(990)), 'x'.repeat(990));
    const huge = 'x'.repeat(991);
    assert.match(encodeFieldText('X-Long', huge), /^=\?UTF-8\?/);
  });

  it('decodes back to the input, for any text', () => {
    const samples = ['Ça va très bien, merci', '日本語のテキスト '.repeat(8), 'a é b ü c', 'emoji 😀 and 👍🏽 mixed', 'x'.repeat(200) + ' ñ'];
    for (const sample of samples) {
      const folded = foldHeader('Subject', encodeUnstructured(sample));
      // Trailing white space is dropped: it would fold into a blank continuation line.
      assert.equal(decodeEncodedWords(folded.slice('Subject: '.length, -2)), sample.trimEnd());
      for (const line of folded.split('\r\n').slice(0, -1)) {
        if (line.includes('=?')) assert.ok(line.length < 78, `line of ${line.length}: ${line}`);
      }
      for (const word of folded.match(/=\?[^?]+\?B\?[^?]*\?=/g) ?? []) assert.ok(word.length <= 75);
    }
  });

  it('folds long values at spaces under 78 characters', () => {
    const value = Array.from({ length: 30 }, (_, i) => `word${i}`).join(' ');
    const folded = foldHeader('X-Long', value);
    const lines = folded.split('\r\n');
    assert.equal(lines.pop(), '');
    assert.ok(lines.length > 1);
    for (const line of lines) assert.ok(line.length < 78);
    assert.equal(lines.join('').replace(/^X-Long: /, ''), value);
  });

  it('never folds into a blank line, and encodes a word too long to fold', () => {
    const spaced = foldHeader('Subject', encodeUnstructured(`${'word '.repeat(14)}      tail     `));
    for (const line of spaced.split('\r\n').slice(0, -1)) assert.match(line, /\S/);
    assert.ok(spaced.endsWith('tail\r\n'));
    const long = 'a'.repeat(1200);
    const folded = foldHeader('Subject', encodeUnstructured(`see ${long}`));
    for (const line of folded.split('\r\n')) assert.ok(line.length < 78, `line of ${line.length}`);
    assert.equal(decodeEncodedWords(folded.slice('Subject: '.length, -2)), `see ${long}`);
  });

  it('encodes a run of spaces too long to fold, which a fold cannot split: no line past 998 octets, the spaces kept (RFC 5322 §2.1.1)', () => {
    const run = ' '.repeat(1200);
    for (const [name, value, encoded] of [
      ['Subject', `x${run}yy`, encodeUnstructured(`x${run}yy`)],
      ['X-Note', `a${run}b`, encodeFieldText('X-Note', `a${run}b`)],
      ['From', `a${run}b`, encodePhrase(`a${run}b`)],
    ] as const) {
      const folded = foldHeader(name, encoded);
      for (const line of folded.split('\r\n')) assert.ok(line.length <= 78, `${name}: a line of ${line.length}`);
      assert.equal(decodeEncodedWords(folded.slice(name.length + 2, -2)), value, name);
    }
    // Spaces and tabs mixed: no continuation line of white space alone.
    const mixed = `a${' \t'.repeat(600)}b`;
    const foldedMixed = foldHeader('Subject', encodeUnstructured(mixed));
    for (const line of foldedMixed.split('\r\n').slice(0, -1)) assert.match(line, /[^ \t]/);
    assert.equal(decodeEncodedWords(foldedMixed.slice('Subject: '.length, -2)), mixed);
    // A run that fits a line stays as typed.
    assert.equal(encodeFieldText('X-Note', `a${' '.repeat(40)}b`), `a${' '.repeat(40)}b`);
  });

  it('keeps a long ASCII word (a URL) as typed, on a line of its own: only a word past what a line holds is encoded', () => {
    const url = 'https://ci.example.org/job/project-name/job/feature-branch-x/1234/console';
    assert.equal(encodeUnstructured(`Build failed: ${url}`), `Build failed: ${url}`);
    assert.equal(foldHeader('Subject', encodeUnstructured(`Build failed: ${url}`)), `Subject: Build failed:\r\n ${url}\r\n`);
    const word = 'w'.repeat(900);
    assert.equal(encodeUnstructured(word), word);
    assert.match(encodeUnstructured(`${word}w`), /^=\?UTF-8\?B\?/);
    // Given the room a field's line leaves (`Subject: ` and 989 octets make 998), up to that.
    assert.equal(lineRoom('Subject'), 989);
    assert.equal(encodeUnstructured(`see ${'u'.repeat(989)}`, lineRoom('Subject')), `see ${'u'.repeat(989)}`);
    assert.match(encodeUnstructured(`see ${'u'.repeat(990)}`, lineRoom('Subject')), /^see =\?UTF-8\?B\?/);
  });

  it('keeps every line of encoded-words to 76 characters, a long field name before the first too (RFC 2047 §2)', () => {
    const folded = foldHeader('X-Application-Specific-Header', encodeUnstructured('é'.repeat(21)));
    const lines = folded.split('\r\n').slice(0, -1);
    for (const line of lines) assert.ok(line.length <= 76, `${line.length}: ${line}`);
    assert.equal(lines[0], 'X-Application-Specific-Header:');
    assert.equal(decodeEncodedWords(lines.join('\r\n').slice('X-Application-Specific-Header:'.length)).trim(), 'é'.repeat(21));
    // A plain first word stays beside the name, however long: a Message-ID reads as given.
    const id = `<${'x'.repeat(70)}@example.org>`;
    assert.equal(foldHeader('In-Reply-To', id), `In-Reply-To: ${id}\r\n`);
  });

  it('quotes or encodes display names as needed', () => {
    assert.equal(encodePhrase('Bob Smith'), 'Bob Smith');
    assert.equal(encodePhrase('Smith, Bob'), '"Smith, Bob"');
    assert.equal(encodePhrase('say "hi"'), '"say \\"hi\\""');
    assert.equal(formatMailbox({ name: 'Zoë', address: 'zoe@example.org' }), '=?UTF-8?B?Wm/Dqw==?= <zoe@example.org>');
  });

  it('encodes what a reader would take for an encoded-word, and a name word too long to fold, so that each shows as typed', () => {
    for (const text of ['=?UTF-8?B?SGFja2Vk?=', 'see =?utf-8?q?evil?= here']) {
      const subject = encodeUnstructured(text);
      assert.notEqual(subject, text);
      assert.equal(decodeEncodedWords(subject), text);
      const name = encodePhrase(text);
      assert.match(name, /^=\?UTF-8\?B\?/);
      assert.equal(decodeEncodedWords(name), text);
    }
    assert.equal(encodeUnstructured('a = b? c ?= d'), 'a = b? c ?= d', 'an = and a ? apart are plain text');
    const long = 'A'.repeat(1100);
    const folded = foldHeader('To', `${encodePhrase(long)} <long@example.org>`);
    for (const line of folded.split('\r\n')) assert.ok(line.length <= 78, `${line.length}: ${line.slice(0, 40)}`);
    assert.equal(decodeEncodedWords(encodePhrase(long)), long);
  });

  it('refuses header injection and bad names', () => {
    refused(
      () => parseHeaderArgument('X-Test: a\r\nBcc: evil@example.org'),
      'header X-Test contains a line break (U+000D), given with -H',
      'l’en-tête X-Test contient un saut de ligne (U+000D), dans la valeur de -H',
    );
    refused(
      () => parseHeaderArgument('X-Test: a\x1b[2Jb'),
      'header X-Test contains a control character (U+001B), given with -H',
      'l’en-tête X-Test contient un caractère de contrôle (U+001B), dans la valeur de -H',
    );
    refused(
      () => parseHeaderArgument('X Test: a'),
      `invalid header name "X Test": only printable ASCII without ':' or spaces`,
      `nom d’en-tête invalide « X Test » : de l’ASCII imprimable seulement, sans « : » ni espace`,
    );
    refused(
      () => parseHeaderArgument('no colon'),
      'invalid header "no colon": expected "Name: value"',
      'en-tête invalide « no colon » : la forme attendue est "Nom: valeur"',
    );
    assert.deepEqual(parseHeaderArgument('X-Mailer:  mailv '), ['X-Mailer', 'mailv']);
    // A name is never folded: one that leaves no room on its line for a value is refused.
    refused(
      () => parseHeaderArgument(`X-${'n'.repeat(994)}: v`),
      'header name of 996 characters is too long: a name is never folded, and its line holds 998 octets (RFC 5322 §2.1.1); 995 at most',
      'nom d’en-tête de 996 caractères trop long : un nom ne se replie jamais, et sa ligne tient en 998 octets (RFC 5322 §2.1.1) ; 995 au plus',
    );
    assert.equal(parseHeaderArgument(`X-${'n'.repeat(993)}: v`)[0].length, 995);
  });

  it('refuses every control character but TAB in header text', () => {
    const controls = [...Array.from({ length: 0x20 }, (_, code) => code), 0x7f, ...Array.from({ length: 0x20 }, (_, i) => 0x80 + i)];
    for (const code of controls) {
      const text = `before ${String.fromCharCode(code)} after`;
      if (code === 0x09) {
        assert.doesNotThrow(() => assertHeaderText('Subject', text, 'subject-option'));
        continue;
      }
      const hex = code.toString(16).toUpperCase().padStart(4, '0');
      const kind = code === 0x0a || code === 0x0d ? 'a line break' : 'a control character';
      assert.throws(
        () => assertHeaderText('Subject', text, 'subject-option'),
        (error: Error) => error instanceof UsageError && describeError(error, wordsFor('en')) === `header Subject contains ${kind} (U+${hex}), given with -s`,
      );
    }
    for (const fine of ['Résumé', '日本語 😀', 'a\tb', '\u00a0no-break space', '']) assert.doesNotThrow(() => assertHeaderText('X', fine, 'header-option'));
  });

  it('refuses text that was not UTF-8 where it was read (Node put U+FFFD for its octets), in either language', () => {
    // `-s "$(printf 'caf\xe9')"` in a Latin-1 script reaches mailv as 'caf\uFFFD'.
    refused(
      () => assertHeaderText('Subject', 'caf\uFFFD', 'subject-option'),
      'header Subject is not UTF-8 (a U+FFFD stands where octets were), given with -s: give it in UTF-8 (iconv -f latin1, say)',
      'l’en-tête Subject n’est pas en UTF-8 (un U+FFFD tient la place d’octets), dans la valeur de -s : donnez-le en UTF-8 (iconv -f latin1, par exemple)',
    );
    assert.doesNotThrow(() => assertHeaderText('Subject', 'café', 'subject-option'));
  });

  it('names where the text came from, as a fact the words turn into the flag, the prompt or the file', () => {
    assert.throws(
      () => assertHeaderText(undefined, 'bob\x1b@example.org', 'bcc-option'),
      (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.deepEqual(error.fact, { code: 'MAILV_HEADER_CONTROL', field: undefined, codePoint: 0x1b, source: 'bcc-option' });
        return true;
      },
    );
    refused(
      () => assertHeaderText('Subject', 'Hi\x07', 'subject-prompt'),
      'header Subject contains a control character (U+0007), typed at the Subject: prompt',
      'l’en-tête Subject contient un caractère de contrôle (U+0007), dans la réponse à l’invite « Subject: »',
    );
    refused(
      () => assertHeaderText(undefined, 'bob\x1b@example.org', 'bcc-option'),
      'address contains a control character (U+001B), given with -b',
      'l’adresse contient un caractère de contrôle (U+001B), dans la valeur de -b',
    );
    refused(
      () => assertHeaderText('From', 'Eve\x9b <eve@example.org>', 'user-variable'),
      'header From contains a control character (U+009B), in $USER',
      'l’en-tête From contient un caractère de contrôle (U+009B), dans $USER',
    );
  });

  it('never writes a control character raw, even one no check caught: it is encoded', () => {
    assert.equal(encodeUnstructured('red \x1b[31m text'), 'red =?UTF-8?B?G1szMW0=?= text');
    assert.equal(encodePhrase('Eve\x1b[2J'), '=?UTF-8?B?RXZlG1sySg==?=');
    assert.equal(encodeUnstructured('tab\there'), 'tab\there');
    assert.equal(encodePhrase('Tab\tName'), '"Tab\tName"');
  });
});
