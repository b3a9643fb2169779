import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdtempSync, readFileSync, readlinkSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { saveDeadLetter } from '../../dist/delivery/dead-letter.js';
import { withDeadLetterLock } from '../../dist/delivery/dead-letter-lock.js';
import { InputError, LocalIoError, exitCodeOf } from '../../dist/errors.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';
import { skipUnlessRunning } from '../helpers/service.js';

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

  it('makes a new dead.letter readable by its owner alone, whatever the umask lets through', async () => {
    const path = join(directory, 'made');
    // 022, the usual umask, would leave a file made 0644 readable by everyone: the message is private.
    const before = process.umask(0o022);
    try {
      await saveDeadLetter(path, 'alice@example.org', chunks('Subject: x\r\n\r\nbody\r\n'), date);
    } finally {
      process.umask(before);
    }
    assert.equal(statSync(path).mode & 0o777, 0o600);
  });

  it('after a file that does not end its last line, starts its From_ line on a line of its own, an empty line before it (RFC 4155)', async () => {
    const path = join(directory, 'unended');
    writeFileSync(path, 'From x Sat Dec  5 17:00:00 2026\nSubject: old\n\nold body', { mode: 0o600 });
    await saveDeadLetter(path, 'alice@example.org', chunks('Subject: new\r\n\r\nbody'), date);
    assert.equal(
      readFileSync(path, 'latin1'),
      'From x Sat Dec  5 17:00:00 2026\nSubject: old\n\nold body\n\nFrom alice@example.org Sat Nov 28 03:04:05 2026\nSubject: new\n\nbody\n\n',
    );
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
  it('refuses a device, leaving the node in place', {
    skip: skipUnlessRunning(process.getuid?.() === 0, 'root (only root can make a device node)', 'run the tests as root, as .ci/run does'),
  }, async () => {
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

  /** The entries of an mbox file: each From_ line with what follows it up to the next. */
  function entries(path: string): string[] {
    return readFileSync(path, 'latin1')
      .split(/^(?=From )/m)
      .filter((entry) => entry !== '');
  }

  /** A message of `lines` lines, yielded a line at a time across turns of the event loop, as a slow reader would. */
  async function* slowly(name: string, lines: number): AsyncIterable<Buffer> {
    yield Buffer.from(`Subject: ${name}\r\n\r\n`);
    for (let line = 1; line <= lines; line++) {
      await new Promise((resolve) => setImmediate(resolve));
      yield Buffer.from(`${name} line ${line}\r\n`);
    }
  }

  const expected = (name: string, lines: number) =>
    `From alice@example.org Sat Nov 28 03:04:05 2026\nSubject: ${name}\n\n${Array.from({ length: lines }, (_, i) => `${name} line ${i + 1}\n`).join('')}\n`;

  it('keeps entries written at the same time whole, one after the other (cron jobs failing together)', async () => {
    const path = join(directory, 'together');
    const names = Array.from({ length: 12 }, (_, i) => `job${i}`);
    await Promise.all(names.map((name) => saveDeadLetter(path, 'alice@example.org', slowly(name, 30), date)));
    const kept = entries(path);
    assert.equal(kept.length, names.length);
    assert.deepEqual([...kept].sort(), names.map((name) => expected(name, 30)).sort());
    assert.equal(existsSync(`${path}.lock`), false, 'the lock goes with the last writer');
  });

  it('lets one writer of a process in at a time, however slowly its lock is made and released', async () => {
    const fs = await import('node:fs/promises');
    // Every step of the lock slowed: a sibling of the same process (same number in the lock) must
    // neither take a lock being made for a stale one, nor release another's.
    const pause = (ms = 5) => new Promise((resolve) => setTimeout(resolve, ms));
    const slowFs = {
      ...fs,
      open: async (...args: Parameters<typeof fs.open>) => {
        const handle = await fs.open(...args);
        return Object.assign(Object.create(handle) as typeof handle, {
          writeFile: async (data: string) => {
            await pause();
            return handle.writeFile(data);
          },
          // The lock's own handle closes slowly; the takeover guard's does not.
          close: async () => {
            await pause(String(args[0]).endsWith('.lock') ? 40 : 0);
            return handle.close();
          },
        });
      },
      readFile: (async (...args: Parameters<typeof fs.readFile>) => {
        await pause();
        return fs.readFile(...args);
      }) as typeof fs.readFile,
      unlink: async (path: Parameters<typeof fs.unlink>[0]) => {
        await pause();
        return fs.unlink(path);
      },
    };
    const path = join(directory, 'siblings');
    let inside = 0;
    let most = 0;
    await Promise.all(
      Array.from({ length: 8 }, () =>
        withDeadLetterLock(slowFs, path, async () => {
          most = Math.max(most, ++inside);
          await pause(100);
          inside--;
        }),
      ),
    );
    assert.equal(most, 1, 'two writers of one process held the lock together');
    assert.equal(existsSync(`${path}.lock`), false);
  });

  it('keeps them whole across processes too', async () => {
    const path = join(directory, 'processes');
    const module = new URL('../../dist/delivery/dead-letter.js', import.meta.url).href;
    const script = `import { saveDeadLetter } from ${JSON.stringify(module)};
      const name = process.argv[1];
      async function* slowly() {
        yield Buffer.from('Subject: ' + name + '\\r\\n\\r\\n');
        for (let line = 1; line <= 200; line++) { await new Promise((r) => setImmediate(r)); yield Buffer.from(name + ' line ' + line + '\\r\\n'); }
      }
      await saveDeadLetter(${JSON.stringify(path)}, 'alice@example.org', slowly(), new Date(2026, 10, 28, 3, 4, 5));`;
    const { spawn } = await import('node:child_process');
    const names = ['p0', 'p1', 'p2', 'p3', 'p4', 'p5'];
    await Promise.all(
      names.map(
        (name) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', script, name], { stdio: 'inherit' });
            child.on('error', reject);
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${name} exited ${code}`))));
          }),
      ),
    );
    assert.deepEqual([...entries(path)].sort(), names.map((name) => expected(name, 200)).sort());
  });

  it('takes over a lock its owner left behind when it died, and waits for one whose owner runs', async () => {
    const { hostname } = await import('node:os');
    const path = join(directory, 'locked');
    // A process that has ended: its number is free, its lock stale.
    const gone = execFileSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
    writeFileSync(`${path}.lock`, `${gone}@${hostname()}\n`);
    await saveDeadLetter(path, 'alice@example.org', slowly('after-stale', 2), date);
    assert.deepEqual(entries(path), [expected('after-stale', 2)]);
    assert.equal(existsSync(`${path}.lock`), false);
    // The same number alone, as liblockfile writes a lock: this host's, and as stale.
    writeFileSync(`${path}.lock`, `${gone}\n`);
    await saveDeadLetter(path, 'alice@example.org', slowly('after-bare-number', 2), date);
    assert.deepEqual(entries(path), [expected('after-stale', 2), expected('after-bare-number', 2)]);
    assert.equal(existsSync(`${path}.lock`), false);

    // The test runner's parent runs: the writer waits until the lock is given up.
    writeFileSync(`${path}.lock`, `${process.ppid}@${hostname()}\n`);
    let saved = false;
    const saving = saveDeadLetter(path, 'alice@example.org', slowly('after-wait', 2), date).then(() => {
      saved = true;
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(saved, false, 'written while another held the lock');
    assert.equal(entries(path).length, 2);
    rmSync(`${path}.lock`);
    await saving;
    assert.deepEqual(entries(path), [expected('after-stale', 2), expected('after-bare-number', 2), expected('after-wait', 2)]);
  });

  it('judges a lock by its owner and its age, waits out what it cannot judge, and stops waiting when asked', async () => {
    const { hostname } = await import('node:os');
    const { utimesSync, mkdirSync } = await import('node:fs');
    const fs = await import('node:fs/promises');
    const path = join(directory, 'judged');
    const timed = async (stop?: { aborted: boolean }, waitMs = 400) => {
      const started = Date.now();
      let ran = false;
      await withDeadLetterLock(
        fs,
        path,
        async () => {
          ran = true;
        },
        { stop, waitMs },
      );
      assert.ok(ran);
      return Date.now() - started;
    };
    // This very process's number on a lock it does not hold: a number reused, the lock stale; so
    // is the number alone, which this process never writes.
    for (const text of [`${process.pid}@${hostname()}\n`, `${process.pid}\n`]) {
      writeFileSync(`${path}.lock`, text);
      assert.ok((await timed()) < 300, text);
      assert.equal(existsSync(`${path}.lock`), false);
    }
    // A running owner, but a lock untouched for an hour: stale all the same.
    writeFileSync(`${path}.lock`, `${process.ppid}@${hostname()}\n`);
    utimesSync(`${path}.lock`, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    assert.ok((await timed()) < 300);
    // A running owner, fresh: waited for, up to the time given, then written regardless; the lock stays.
    writeFileSync(`${path}.lock`, `${process.ppid}@${hostname()}\n`);
    assert.ok((await timed()) >= 400);
    assert.equal(readFileSync(`${path}.lock`, 'latin1'), `${process.ppid}@${hostname()}\n`);
    // Nor is a running owner's number alone taken over; another host's is judged by its age alone.
    for (const text of [`${process.ppid}\n`, `1@elsewhere.example\n`]) {
      writeFileSync(`${path}.lock`, text);
      assert.ok((await timed()) >= 400, text);
      assert.equal(readFileSync(`${path}.lock`, 'latin1'), text);
    }
    // The run stopped (Ctrl-C): no wait for a lock that cannot be judged (another host's, of no
    // owner's form) or is no lock; but a writer of this host at work on its entry is waited for,
    // up to the time given: an entry written beside its own would cut it in two.
    for (const text of ['1@elsewhere.example\n', '']) {
      writeFileSync(`${path}.lock`, text);
      assert.ok((await timed({ aborted: true }, 60_000)) < 300, text);
    }
    writeFileSync(`${path}.lock`, `${process.ppid}@${hostname()}\n`);
    assert.ok((await timed({ aborted: true }, 400)) >= 400);
    assert.equal(readFileSync(`${path}.lock`, 'latin1'), `${process.ppid}@${hostname()}\n`);
    // That wait is inside what is held whole, with the writing: a second signal cannot end mailv
    // in it, the message not kept. The writer done, its lock is taken.
    const started = Date.now();
    let heldAt: number | undefined;
    let lockDuringWork: string | undefined;
    setTimeout(() => rmSync(`${path}.lock`), 600);
    await withDeadLetterLock(
      fs,
      path,
      async () => {
        lockDuringWork = readFileSync(`${path}.lock`, 'latin1');
      },
      {
        stop: { aborted: true },
        waitMs: 5000,
        hold: async (whole) => {
          heldAt = Date.now() - started;
          return whole();
        },
      },
    );
    assert.ok(heldAt !== undefined && heldAt < 300, `held from ${heldAt} ms`);
    assert.ok(Date.now() - started >= 600);
    assert.equal(lockDuringWork, `${process.pid}@${hostname()}\n`);
    assert.equal(existsSync(`${path}.lock`), false);
    // A wait that lasts is told, once, with the lock's path.
    writeFileSync(`${path}.lock`, `${process.ppid}@${hostname()}\n`);
    const told: string[] = [];
    await withDeadLetterLock(fs, path, async () => {}, { waitMs: 1600, waiting: (lock) => told.push(lock) });
    assert.deepEqual(told, [`${path}.lock`]);
    rmSync(`${path}.lock`);
    // Left by a run that died and unreadable here (another user's), but an hour old: stale all the same.
    writeFileSync(`${path}.lock`, 'unreadable\n', { mode: 0o000 });
    utimesSync(`${path}.lock`, new Date(Date.now() - 3_600_000), new Date(Date.now() - 3_600_000));
    assert.ok((await timed()) < 300);
    assert.equal(existsSync(`${path}.lock`), false);
    // A signal during the writing cannot leave the lock behind: the release is inside what is held.
    let heldWhole = 0;
    await withDeadLetterLock(fs, path, async () => assert.equal(readFileSync(`${path}.lock`, 'latin1'), `${process.pid}@${hostname()}\n`), {
      hold: async (whole) => {
        const done = await whole();
        heldWhole++;
        assert.equal(existsSync(`${path}.lock`), false, 'released before the held piece ends');
        return done;
      },
    });
    assert.equal(heldWhole, 1);
    // Something that is no lock of mailv's (a directory) is never removed, only waited out.
    mkdirSync(`${path}.lock`);
    assert.ok((await timed()) >= 400);
    assert.equal(statSync(`${path}.lock`).isDirectory(), true);
  });

  it('writes all the same where no lock can be made beside the file', async () => {
    // A name of 255 octets, the most a directory entry holds: `.lock` after it cannot be made.
    const path = join(directory, 'd'.repeat(255));
    await saveDeadLetter(path, 'alice@example.org', slowly('unlocked', 1), date);
    assert.deepEqual(entries(path), [expected('unlocked', 1)]);
  });
});
