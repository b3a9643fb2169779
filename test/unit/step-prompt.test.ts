// --step's prompt: what the next write will carry, named in the run's language, from the facts the
// session gives (the commands, or the message's size); never a secret, never a raw control character.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fitted, stepNext } from '../../dist/cli/step-prompt.js';
import { cutToWidth, displayWidth } from '../../dist/text/display-width.js';
import type { PendingWrite } from '../../dist/smtp/command.js';
import { wordsFor } from '../../dist/words/describe.js';

const en = (next: PendingWrite) => wordsFor('en').cli.stepPrompt(stepNext(next), false);
const fr = (next: PendingWrite) => wordsFor('fr').cli.stepPrompt(stepNext(next), false);

describe('--step prompt', () => {
  it('names one command as it will be written', () => {
    const bdat: PendingWrite = { content: undefined, commands: [{ verb: 'BDAT', size: 268, last: true }] };
    assert.equal(en(bdat), '   [Enter] send BDAT 268 LAST   [q] quit');
    assert.equal(fr(bdat), '   [Entrée] envoyer BDAT 268 LAST   [q] quitter');
    assert.equal(en({ content: undefined, commands: [{ verb: 'QUIT' }] }), '   [Enter] send QUIT   [q] quit');
    // A replay sends nothing: it shows.
    assert.equal(wordsFor('en').cli.stepPrompt(stepNext(bdat), true), '   [Enter] show BDAT 268 LAST   [q] quit');
    assert.equal(wordsFor('fr').cli.stepPrompt(stepNext(bdat), true), '   [Entrée] montrer BDAT 268 LAST   [q] quitter');
  });

  it('names the message by its size, then the dot (and QUIT when it rides along)', () => {
    assert.equal(en({ content: 268, commands: [{ verb: '.' }] }), '   [Enter] send the message, 268 octets, then "."   [q] quit');
    assert.equal(fr({ content: 268, commands: [{ verb: '.' }] }), '   [Entrée] envoyer le message, 268 octets, puis « . »   [q] quitter');
    assert.equal(en({ content: 268, commands: [{ verb: '.' }, { verb: 'QUIT' }] }), '   [Enter] send the message, 268 octets, then "." and QUIT   [q] quit');
  });

  it('names a pipelined flight by its verbs', () => {
    const flight: PendingWrite = {
      content: undefined,
      commands: [{ verb: 'MAIL', from: 'a@example.org', params: ['SIZE=268'] }, { verb: 'RCPT', to: 'b@example.org', params: [] }, { verb: 'DATA' }],
    };
    assert.equal(en(flight), '   [Enter] send 3 commands in one flight (MAIL, RCPT, DATA)   [q] quit');
    assert.equal(fr(flight), '   [Entrée] envoyer 3 commandes d’un seul envoi (MAIL, RCPT, DATA)   [q] quitter');
  });

  it('shows a withheld secret as withheld, escapes control characters, and cuts a long line', () => {
    const auth: PendingWrite = { content: undefined, commands: [{ verb: 'AUTH', mechanism: 'PLAIN', initial: { text: undefined, secret: true } }] };
    assert.equal(en(auth), '   [Enter] send AUTH PLAIN ********   [q] quit');
    const odd = en({ content: undefined, commands: [{ verb: 'EHLO', domain: 'a\x1b[2Jb' }] });
    assert.doesNotMatch(odd, /\x1b/);
    const long = stepNext({ content: undefined, commands: [{ verb: 'RCPT', to: `${'x'.repeat(80)}@example.org`, params: [] }] });
    assert.equal(long.kind, 'command');
    assert.equal(long.kind === 'command' && long.line.length, 60);
    assert.ok(long.kind === 'command' && long.line.endsWith('…'));
  });

  it('fits one line of a narrow terminal, its keys kept, a wide character counted as two columns', () => {
    const message: PendingWrite = { content: 254, commands: [{ verb: '.' }] };
    // Before, at 40 columns the message's question lost its [q] quit, cut at the end.
    assert.equal(fitted(message, 'en', false, 40), '   [Enter] send the message…   [q] quit');
    assert.equal(fitted(message, 'fr', false, 40), '   [Entrée] envoyer le m…   [q] quitter');
    assert.equal(fitted(message, 'en', false, 100), en(message), 'whole where it fits');
    const wide: PendingWrite = { content: undefined, commands: [{ verb: 'RCPT', to: 'ユーザー@例え.テスト', params: [] }] };
    for (const columns of [30, 40, 41]) {
      const line = fitted(wide, 'en', false, columns);
      assert.ok(displayWidth(line) < columns, `${displayWidth(line)} columns at ${columns}: ${line}`);
      assert.match(line, /\[q\] quit$/);
    }
    // Narrower than its frame: cut at the end, on one line still.
    assert.ok(displayWidth(fitted(message, 'en', false, 20)) < 20);
    assert.equal(displayWidth('ユーザー'), 8);
    assert.equal(displayWidth('e\u0301te\u0301'), 3);
    // Thai tone marks, Bengali and Tamil vowel signs and viramas take no column either (before, one each).
    assert.equal(displayWidth('น้ำ'), 2);
    assert.equal(displayWidth('কুমার'), 4);
    assert.equal(displayWidth('முருகன்'), 6); // its vowel signs are spacing marks (Mc), its virama none
    assert.equal(displayWidth('a\u200db'), 2);
    // Emoji sequences as terminals draw them (before: a family summed to 6, ❤️ counted 1, a flag 2 × 1).
    assert.equal(displayWidth('👨\u200d👩\u200d👧'), 2);
    assert.equal(displayWidth('❤\ufe0f'), 2);
    assert.equal(displayWidth('🇫🇷🇩🇪'), 4);
    assert.equal(cutToWidth('a👨\u200d👩\u200d👧b', 3), 'a👨\u200d👩\u200d👧');
    // Emoji of every block a terminal draws wide, marks drawn over the letter before them.
    assert.equal(displayWidth('🚀🫠🀄🈁😀🤖'), 12);
    assert.equal(displayWidth('\u304b\u3099'), 2);
    assert.equal(displayWidth('नमस्ते'), 4);
  });
});
