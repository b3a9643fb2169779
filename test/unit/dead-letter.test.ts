import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { saveDeadLetter } from '../../dist/delivery/dead-letter.js';
import { InputError, LocalIoError, exitCodeOf } from '../../dist/errors.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';

const en = wordsFor('en');
const fr = wordsFor('fr');

/** A check for assert.rejects: a LocalIoError whose English words are `words`. */
function saying(words: string | RegExp) {
  return (error: unknown) => {
    assert.ok(error instanceof LocalIoError, String(error));
    if (typeof words === 'string') assert.equal(describeError(error, en), words);
    else assert.match(describeError(error, en), words);
    return true;
  };
}

describe('dead.letter', () => {
  it("an empty HOME is no home: dead.letter goes to the password file's home, not where mailv was started", () => {
    const module = new URL('../../dist/delivery/dead-letter.js', import.meta.url).href;
    const where = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import { deadLetterPath } from ${JSON.stringify(module)}; process.stdout.write(deadLetterPath(process.env));`],
      { env: { HOME: '', PATH: process.env['PATH'] ?? '' }, cwd: tmpdir(), encoding: 'utf8' },
    );
    assert.equal(where, join(userInfo().homedir, 'dead.letter'));
  });

  it("nor is a relative HOME: dead.letter goes to the password file's home", () => {
    const module = new URL('../../dist/delivery/dead-letter.js', import.meta.url).href;
    for (const home of ['relhome', '.']) {
      const where = execFileSync(
        process.execPath,
        ['--input-type=module', '-e', `import { deadLetterPath } from ${JSON.stringify(module)}; process.stdout.write(deadLetterPath(process.env));`],
        { env: { HOME: home, PATH: process.env['PATH'] ?? '' }, cwd: tmpdir(), encoding: 'utf8' },
      );
      assert.equal(where, join(userInfo().homedir, 'dead.letter'), home);
    }
  });

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
      saying(/cannot save the message to .*failed: standard input became shorter/),
    );
    assert.equal(readFileSync(path, 'latin1'), 'an older entry\n', 'no half entry');
    const fresh = join(directory, 'fresh');
    await assert.rejects(saveDeadLetter(fresh, 'alice@example.org', chunks('Subject: x\r\n', new Error('gone')), date));
    assert.equal(existsSync(fresh), false, 'a file made for the entry goes with it');
  });

  it("takes back only what it appended: an empty file of the user's stays, empty", async () => {
    const path = join(directory, 'empty');
    writeFileSync(path, '', { mode: 0o640 });
    const { ino } = statSync(path);
    await assert.rejects(saveDeadLetter(path, 'alice@example.org', chunks('Subject: x\r\n\r\nhalf\r\n', new Error('gone')), date), saying(/gone$/));
    assert.equal(existsSync(path), true, 'not removed: mailv did not make it');
    assert.equal(statSync(path).ino, ino);
    assert.equal(statSync(path).size, 0);
    assert.equal(statSync(path).mode & 0o777, 0o640);
  });

  /** Asserts that saving to `path` is refused with this reason, promptly, and leaves `path` as it was. */
  async function refusedUntouched(path: string, reason: string, french?: string): Promise<void> {
    const before = lstatSync(path);
    const saving = saveDeadLetter(path, 'alice@example.org', chunks('Subject: x\r\n\r\nbody\r\n'), date);
    // An open that waits (a FIFO with no reader) must not hang the run.
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still waiting after 2 s')), 2000).unref());
    await assert.rejects(Promise.race([saving, late]), (error: Error) => {
      assert.ok(error instanceof LocalIoError, String(error));
      assert.equal(error.code, 'MAILV_DEAD_LETTER_NOT_A_FILE');
      assert.equal(describeError(error, en), `cannot save the message to ${path}: ${reason}`);
      if (french !== undefined) assert.equal(describeError(error, fr), `impossible d’enregistrer le message dans ${path} : ${french}`);
      return true;
    });
    const after = lstatSync(path);
    assert.deepEqual([after.ino, after.mode, after.size, after.rdev], [before.ino, before.mode, before.size, before.rdev]);
  }

  it('refuses a FIFO without opening it', async () => {
    const path = join(directory, 'fifo');
    execFileSync('mkfifo', ['-m', '600', path]);
    await refusedUntouched(path, 'it is a FIFO, not a regular file', 'c’est un tube nommé (FIFO), pas un fichier ordinaire');
  });

  // A private copy of /dev/full (major 1, minor 7): the device that used to be removed.
  it('refuses a device, leaving the node in place', { skip: process.getuid?.() !== 0 && 'needs root to make a device node' }, async () => {
    const path = join(directory, 'full');
    execFileSync('mknod', ['-m', '666', path, 'c', '1', '7']);
    await refusedUntouched(path, 'it is a character device, not a regular file');
  });

  it('refuses a directory', async () => {
    await refusedUntouched(directory, 'it is a directory, not a regular file', 'c’est un répertoire, pas un fichier ordinaire');
  });

  it('refuses a symbolic link, leaving the file it leads to alone', async () => {
    const target = join(directory, 'link-target');
    writeFileSync(target, 'not mail\n');
    const link = join(directory, 'link');
    symlinkSync(target, link);
    await refusedUntouched(
      link,
      'it is a symbolic link, not a regular file (set DEAD to the file it leads to)',
      'c’est un lien symbolique, pas un fichier ordinaire (donnez à DEAD le fichier vers lequel il mène)',
    );
    assert.equal(readlinkSync(link), target);
    assert.equal(readFileSync(target, 'latin1'), 'not mail\n');
  });

  it('says why the message could not be read, in the words of that failure', async () => {
    const path = join(directory, 'unreadable');
    const changed = new InputError({ code: 'MAILV_SOURCE_CHANGED', source: { kind: 'standard-input' } }, 65);
    await assert.rejects(saveDeadLetter(path, 'alice@example.org', chunks('Subject: x\r\n', changed), date), (error: unknown) => {
      assert.ok(error instanceof LocalIoError);
      assert.deepEqual(error.fact, { code: 'MAILV_DEAD_LETTER_MESSAGE_FAILED', path, error: changed.fact });
      assert.equal(describeError(error, en), `cannot save the message to ${path}: standard input changed while it was being sent`);
      assert.equal(exitCodeOf(error), 74);
      return true;
    });
    assert.equal(existsSync(path), false);
  });

  it("names the system's error by its meaning, not in Node's words", async () => {
    const path = join(directory, 'no-such-directory', 'dead.letter');
    await assert.rejects(saveDeadLetter(path, 'alice@example.org', chunks('Subject: x\r\n')), (error: unknown) => {
      assert.ok(error instanceof LocalIoError);
      assert.equal(error.code, 'MAILV_DEAD_LETTER_IO');
      assert.equal(error.fact.code === 'MAILV_DEAD_LETTER_IO' && error.fact.errno, 'ENOENT');
      assert.equal(describeError(error, en), `cannot save the message to ${path}: a directory of its path does not exist`);
      assert.equal(describeError(error, fr), `impossible d’enregistrer le message dans ${path} : un dossier du chemin n’existe pas`);
      return true;
    });
  });
});
