import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { describeNote, wordsFor } from '../../dist/words/describe.js';
import { shellWord } from '../../dist/words/shell-word.js';

describe('a path in a command mailv tells the user to run', () => {
  it('is pasted as one word: plain as it is, anything else in single quotes', () => {
    assert.equal(shellWord('/home/alice/.config/mailv/key.pem'), '/home/alice/.config/mailv/key.pem');
    assert.equal(shellWord('/home/alice/my key.pem'), "'/home/alice/my key.pem'");
    assert.equal(shellWord("/tmp/alice's;rm -rf ~"), `'/tmp/alice'\\''s;rm -rf ~'`);
    assert.equal(shellWord('$HOME/`id`.pem'), "'$HOME/`id`.pem'");
  });

  it("goes quoted into the readable key's chmod, in both languages", () => {
    const note = { code: 'client-key-readable', path: '/home/alice/my key.pem', mode: 0o644 } as const;
    assert.match(describeNote(note, wordsFor('en')), / chmod o-rwx '\/home\/alice\/my key\.pem'$/);
    assert.match(describeNote(note, wordsFor('fr')), / chmod o-rwx '\/home\/alice\/my key\.pem'$/);
  });
});
