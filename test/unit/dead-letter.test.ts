import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { saveDeadLetter } from '../../dist/delivery/dead-letter.js';

describe('dead.letter', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mailv-dead-letter-'));
  after(() => rmSync(directory, { recursive: true, force: true }));
  const date = new Date(2026, 10, 28, 3, 4, 5); // local time, as mail(1) writes the From_ line

  async function* chunks(...pieces: (string | Error)[]): AsyncIterable<Buffer> {
    for (const piece of pieces) {
      if (piece instanceof Error) throw piece;
      yield Buffer.from(piece, 'latin1');
    }
  }

  it('appends one mbox entry: From_ line, LF lines, From quoted, owner-only', async () => {
    const path = join(directory, 'appended');
    writeFileSync(path, 'an older entry\n', { mode: 0o600 });
    await saveDeadLetter(path, 'alice@example.org', chunks('Subject: x\r\n\r\nFrom here\r\nsplit CR', 'LF\r\nlast'), date);
    assert.equal(
      readFileSync(path, 'latin1'),
      'an older entry\nFrom alice@example.org Sat Nov 28 03:04:05 2026\nSubject: x\n\n>From here\nsplit CRLF\nlast\n\n',
    );
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('leaves the file as it was when the message cannot be read to its end', async () => {
    const path = join(directory, 'failed');
    writeFileSync(path, 'an older entry\n', { mode: 0o600 });
    await assert.rejects(
      saveDeadLetter(path, 'alice@example.org', chunks('Subject: x\r\n\r\nfirst half\r\n', new Error('standard input became shorter')), date),
      /cannot save the message to .*failed: standard input became shorter/,
    );
    assert.equal(readFileSync(path, 'latin1'), 'an older entry\n', 'no half entry');
    const fresh = join(directory, 'fresh');
    await assert.rejects(saveDeadLetter(fresh, 'alice@example.org', chunks('Subject: x\r\n', new Error('gone')), date));
    assert.equal(existsSync(fresh), false, 'a file made for the entry goes with it');
  });
});
