// The PIPECONNECT memory on disk: written 0600 in a 0700 directory, by rename; fresh for a day;
// a file that is damaged, not the user's or not a file is ignored, and one that cannot be written
// is left alone, never a failure.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { describe, it } from 'node:test';
import { cacheDirectory } from '../../dist/cache/cache-directory.js';
import { EHLO_MEMORY_LIFETIME_MS, EhloMemory } from '../../dist/cache/ehlo-memory.js';
import type { EhloOffer } from '../../dist/smtp/capabilities.js';
import type { EhloKey } from '../../dist/smtp/remembered.js';
import { skipUnlessRunning } from '../helpers/service.js';

const KEY: EhloKey = { host: 'mx.example.org', address: '127.0.0.1', port: 25, tls: 'clear', helo: 'client.example.org' };
const OFFER: EhloOffer = {
  domain: 'mx.example.org',
  extensions: [
    { keyword: 'PIPELINING', params: [] },
    { keyword: 'PIPECONNECT', params: [] },
  ],
};
const NOW = 1_800_000_000_000;

function directory(): string {
  return join(mkdtempSync(join(tmpdir(), 'mailv-ehlo-memory-')), 'mailv');
}

describe('the EHLO memory', () => {
  it('is under $XDG_CACHE_HOME/mailv when that is absolute, else ~/.cache/mailv', () => {
    assert.equal(cacheDirectory({ XDG_CACHE_HOME: '/var/cache/u', HOME: '/home/u' }), '/var/cache/u/mailv');
    assert.equal(cacheDirectory({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/mailv');
  });

  it('writes a 0600 file in a 0700 directory, leaves no temporary file, and reads it back fresh for a day', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    await memory.save();
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(join(dir, 'pipeconnect.json')).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), ['pipeconnect.json']);
    const again = await EhloMemory.open(dir);
    assert.deepEqual(again.remembered(KEY.helo, NOW + 1000), [{ ...KEY, offer: OFFER, fresh: true }]);
    assert.equal(again.remembered(KEY.helo, NOW + EHLO_MEMORY_LIFETIME_MS)[0]?.fresh, false);
    // Dated later than now (a clock set back): not fresh, and told apart from an old one.
    assert.deepEqual(again.remembered(KEY.helo, NOW - 3_600_000), [{ ...KEY, offer: OFFER, fresh: false, future: true }]);
    assert.deepEqual(again.remembered('other.example.org', NOW), []);
  });

  it('forgets a server whose EHLO no longer offers PIPECONNECT, and keeps a refusal of early talk for a day against its offer', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    memory.learn({ ...KEY, port: 587 }, OFFER, NOW);
    await memory.save();
    const next = await EhloMemory.open(dir);
    next.learn({ ...KEY, port: 587 }, { domain: 'mx.example.org', extensions: [{ keyword: 'PIPELINING', params: [] }] }, NOW);
    next.refused(KEY, NOW);
    // The message goes again the usual way, and the 250 to that EHLO offers PIPECONNECT once more.
    next.learn(KEY, OFFER, NOW + 1);
    await next.save();
    assert.deepEqual((await EhloMemory.open(dir)).remembered(KEY.helo, NOW), []);
    const file = JSON.parse(readFileSync(join(dir, 'pipeconnect.json'), 'utf8'));
    assert.deepEqual(file.entries, [{ ...KEY, learned: NOW, refused: true }]);

    // A later run within the day: the offer is not learned back.
    const later = await EhloMemory.open(dir);
    later.learn(KEY, OFFER, NOW + EHLO_MEMORY_LIFETIME_MS - 1);
    await later.save();
    assert.deepEqual((await EhloMemory.open(dir)).remembered(KEY.helo, NOW + EHLO_MEMORY_LIFETIME_MS - 1), []);

    // A day on, the server is tried again: its offer is remembered, fresh.
    const dayOn = await EhloMemory.open(dir);
    dayOn.learn(KEY, OFFER, NOW + EHLO_MEMORY_LIFETIME_MS);
    await dayOn.save();
    assert.deepEqual((await EhloMemory.open(dir)).remembered(KEY.helo, NOW + EHLO_MEMORY_LIFETIME_MS), [{ ...KEY, offer: OFFER, fresh: true }]);
  });

  it('keeps a refusal made in the same run against the clock going back, and against another run that learned the offer meanwhile', async () => {
    const dir = directory();
    const first = await EhloMemory.open(dir);
    first.learn(KEY, OFFER, NOW);
    await first.save();
    const refusing = await EhloMemory.open(dir);
    const learning = await EhloMemory.open(dir);
    refusing.refused(KEY, NOW + 10);
    refusing.learn(KEY, OFFER, NOW + 5); // the clock stepped back before the message went again
    await refusing.save();
    learning.learn(KEY, OFFER, NOW + 20); // read the file before the refusal was written
    await learning.save();
    const file = JSON.parse(readFileSync(join(dir, 'pipeconnect.json'), 'utf8'));
    assert.deepEqual(file.entries, [{ ...KEY, learned: NOW + 10, refused: true }]);
  });

  it('keeps a refusal another run wrote after this run learned the offer, while this one was still sending', async () => {
    const dir = directory();
    const first = await EhloMemory.open(dir);
    first.learn(KEY, OFFER, NOW);
    await first.save();
    const sending = await EhloMemory.open(dir);
    sending.learn(KEY, OFFER, NOW + 5);
    const refusing = await EhloMemory.open(dir);
    refusing.refused(KEY, NOW + 10);
    await refusing.save();
    // Before, the older offer undid the newer refusal, and the next run sent early and paid a second connection.
    await sending.save();
    const file = JSON.parse(readFileSync(join(dir, 'pipeconnect.json'), 'utf8'));
    assert.deepEqual(file.entries, [{ ...KEY, learned: NOW + 10, refused: true }]);
  });

  it('keeps a reply learned under TLS apart for each name SNI sent, and reads no name on a reply in clear (none was sent)', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    const named = { ...KEY, tls: 'starttls', tlsName: 'mail.example.org' } as const;
    memory.learn(named, OFFER, NOW);
    memory.learn({ ...KEY, tls: 'starttls' }, OFFER, NOW);
    await memory.save();
    const again = await EhloMemory.open(dir);
    assert.deepEqual(
      again.remembered(KEY.helo, NOW).map((entry) => entry.tlsName),
      ['mail.example.org', undefined],
    );
    again.refused(named, NOW);
    assert.equal(again.refusesEarly(named, NOW), true);
    assert.equal(again.refusesEarly({ ...named, tlsName: 'other.example.org' }, NOW), false, 'another name is another server');
    assert.equal(again.refusesEarly({ ...KEY, tls: 'starttls' }, NOW), false);
    const path = join(dir, 'pipeconnect.json');
    const entries = [
      { ...KEY, tlsName: 'mail.example.org', learned: NOW, offer: OFFER },
      { ...KEY, tls: 'implicit', tlsName: 7, learned: NOW, offer: OFFER },
      { ...KEY, tls: 'implicit', tlsName: 'mail.example.org', learned: NOW, offer: OFFER },
    ];
    writeFileSync(path, JSON.stringify({ version: 1, entries }), { mode: 0o600 });
    assert.deepEqual(
      (await EhloMemory.open(dir)).remembered(KEY.helo, NOW).map((entry) => `${entry.tls} ${entry.tlsName}`),
      ['implicit mail.example.org'],
    );
  });

  it('ignores a file others may write, and an entry whose reply offers no PIPECONNECT: neither is one mailv wrote', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    await memory.save();
    const path = join(dir, 'pipeconnect.json');
    for (const mode of [0o622, 0o602]) {
      chmodSync(path, mode);
      assert.deepEqual((await EhloMemory.open(dir)).remembered(KEY.helo, NOW), [], mode.toString(8));
    }
    chmodSync(path, 0o644);
    assert.equal((await EhloMemory.open(dir)).remembered(KEY.helo, NOW).length, 1, 'one others may only read is used');
    const withoutIt = { ...KEY, learned: NOW, offer: { domain: 'mx.example.org', extensions: [{ keyword: 'PIPELINING', params: [] }] } };
    writeFileSync(path, JSON.stringify({ version: 1, entries: [withoutIt, { ...KEY, port: 587, learned: NOW, offer: OFFER }] }), { mode: 0o600 });
    assert.deepEqual(
      (await EhloMemory.open(dir)).remembered(KEY.helo, NOW).map((entry) => entry.port),
      [587],
    );
  });

  it('a hang-up or a 4xx only forgets; a damaged entry with both a refusal and an offer reads as a refusal', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    await memory.save();
    const next = await EhloMemory.open(dir);
    next.forget(KEY);
    next.learn(KEY, OFFER, NOW + 1);
    await next.save();
    assert.equal(existsSync(join(dir, 'pipeconnect.json')) && JSON.parse(readFileSync(join(dir, 'pipeconnect.json'), 'utf8')).entries.length, 0);
    const later = await EhloMemory.open(dir);
    later.learn(KEY, OFFER, NOW + 2);
    await later.save();
    assert.deepEqual((await EhloMemory.open(dir)).remembered(KEY.helo, NOW + 2), [{ ...KEY, offer: OFFER, fresh: true }]);

    writeFileSync(join(dir, 'pipeconnect.json'), JSON.stringify({ version: 1, entries: [{ ...KEY, learned: NOW, refused: true, offer: OFFER }] }));
    const damaged = await EhloMemory.open(dir);
    assert.deepEqual(damaged.remembered(KEY.helo, NOW + 1), []);
    damaged.learn(KEY, OFFER, NOW + 1);
    await damaged.save();
    assert.equal(JSON.parse(readFileSync(join(dir, 'pipeconnect.json'), 'utf8')).entries[0].refused, true);
  });

  it("keeps no reply too large to keep, so that one server's cannot push every other out of the file", async () => {
    const dir = directory();
    const first = await EhloMemory.open(dir);
    first.learn(KEY, OFFER, NOW);
    await first.save();
    // 300 lines of one-letter parameters, offering PIPECONNECT: about 600 KB.
    const huge: EhloOffer = {
      ...OFFER,
      extensions: [...OFFER.extensions, ...Array.from({ length: 300 }, (_, index) => ({ keyword: `X${index}`, params: Array(1000).fill('a') }))],
    };
    const hostile = await EhloMemory.open(dir);
    hostile.learn({ ...KEY, port: 2525 }, huge, NOW);
    await hostile.save();
    const after = await EhloMemory.open(dir);
    assert.deepEqual(
      after.remembered(KEY.helo, NOW).map(({ port }) => port),
      [25],
    );
    assert.ok(statSync(join(dir, 'pipeconnect.json')).size < 4096);
  });

  it('keeps every entry when several runs save at once: each reads, merges and writes under the lock', async () => {
    const dir = directory();
    const module = new URL('../../dist/cache/ehlo-memory.js', import.meta.url).href;
    // Each of 8 runs learns 10 servers, saving after each: 80 entries, none written over.
    const run = (first: number) =>
      `const { EhloMemory } = await import(${JSON.stringify(module)});
       for (let port = ${first}; port < ${first + 10}; port++) {
         const memory = await EhloMemory.open(${JSON.stringify(dir)});
         memory.learn({ ...${JSON.stringify(KEY)}, port }, ${JSON.stringify(OFFER)}, ${NOW});
         await memory.save();
       }`;
    await Promise.all(
      Array.from(
        { length: 8 },
        (_, index) =>
          new Promise<void>((resolve, reject) => {
            const child = spawn(process.execPath, ['--input-type=module', '-e', run(1000 + 10 * index)], { stdio: 'inherit' });
            child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`a run ended with ${code}`))));
          }),
      ),
    );
    assert.equal((await EhloMemory.open(dir)).remembered(KEY.helo, NOW).length, 80);
    assert.deepEqual(readdirSync(dir), ['pipeconnect.json'], 'no lock left behind');
  });

  it('takes a lock left by a run that died, and leaves the file alone while another run holds it', async () => {
    const dir = directory();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = join(dir, 'pipeconnect.json.lock');
    writeFileSync(lock, '');
    const held = await EhloMemory.open(dir);
    held.learn(KEY, OFFER, NOW);
    await held.save();
    assert.equal(existsSync(join(dir, 'pipeconnect.json')), false, 'a fresh lock is another run at work');
    utimesSync(lock, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
    await held.save();
    assert.equal((await EhloMemory.open(dir)).remembered(KEY.helo, NOW).length, 1);
    assert.equal(existsSync(lock), false);
  });

  it('says which servers refuse early talk for now: refused within the day, or refused or forgotten in this run', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    assert.equal(memory.refusesEarly(KEY, NOW), false);
    memory.refused(KEY, NOW);
    assert.equal(memory.refusesEarly(KEY, NOW), true);
    await memory.save();
    const later = await EhloMemory.open(dir);
    assert.equal(later.refusesEarly(KEY, NOW + EHLO_MEMORY_LIFETIME_MS - 1), true);
    assert.equal(later.refusesEarly(KEY, NOW + EHLO_MEMORY_LIFETIME_MS), false);
    const other = { ...KEY, port: 2526 };
    later.learn(other, OFFER, NOW);
    later.forget(other);
    assert.equal(later.refusesEarly(other, NOW), true);
  });

  it('takes a lock dated ahead of the clock (left by a run that died while the clock was ahead), rather than waiting on it for ever', async () => {
    const dir = directory();
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const lock = join(dir, 'pipeconnect.json.lock');
    writeFileSync(lock, '');
    const ahead = new Date(Date.now() + 3_600_000);
    utimesSync(lock, ahead, ahead);
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    await memory.save();
    assert.equal((await EhloMemory.open(dir)).remembered(KEY.helo, NOW).length, 1);
    assert.equal(existsSync(lock), false);
  });

  it('leaves the cache unused, and returns, where its directory cannot be made (under /proc)', () => {
    // In a child: Node's recursive mkdir looped there for ever, at full speed, deaf to signals.
    const save = `import { EhloMemory } from ${JSON.stringify(new URL('../../dist/cache/ehlo-memory.js', import.meta.url).href)};
       const memory = await EhloMemory.open('/proc/mailv-cache-test/mailv');
       memory.learn(${JSON.stringify(KEY)}, ${JSON.stringify(OFFER)}, ${NOW});
       await memory.save();
       console.log('saved');`;
    const run = spawnSync(process.execPath, ['--input-type=module', '-e', save], { encoding: 'utf8', timeout: 20_000 });
    assert.equal(run.signal, null, 'it returned');
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stdout, 'saved\n');
    assert.equal(existsSync('/proc/mailv-cache-test'), false);
  });

  it('gives up, within the wait, on a stale lock it cannot remove (a directory), leaving the cache as it is', async () => {
    const dir = directory();
    mkdirSync(join(dir, 'pipeconnect.json.lock'), { recursive: true, mode: 0o700 });
    const old = new Date(Date.now() - 60_000);
    utimesSync(join(dir, 'pipeconnect.json.lock'), old, old);
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    const started = Date.now();
    // Before, this never returned: the stale lock was tried again and again, at full speed.
    await memory.save();
    assert.ok(Date.now() - started < 2000, `${Date.now() - started} ms`);
    assert.equal(existsSync(join(dir, 'pipeconnect.json')), false);
  });

  it('writes nothing, not even its directory, for a server that offers no PIPECONNECT and was never remembered', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, { domain: 'mx.example.org', extensions: [{ keyword: 'PIPELINING', params: [] }] }, NOW);
    memory.learn({ ...KEY, tls: 'starttls' }, { domain: 'mx.example.org', extensions: [] }, NOW);
    await memory.save();
    assert.equal(existsSync(dir), false);
  });

  it('ignores a damaged file and one of the wrong shape, and replaces them when it learns', async () => {
    for (const content of ['{"version":1,"entries":[', '{"version":2,"entries":[]}', '{"version":1,"entries":[{"host":1}]}', '[]']) {
      const dir = directory();
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'pipeconnect.json'), content);
      const memory = await EhloMemory.open(dir);
      assert.deepEqual(memory.remembered(KEY.helo, NOW), [], content);
      memory.learn(KEY, OFFER, NOW);
      await memory.save();
      assert.equal(JSON.parse(readFileSync(join(dir, 'pipeconnect.json'), 'utf8')).entries.length, 1, content);
    }
  });

  it('ignores a file that belongs to another user', {
    skip: skipUnlessRunning(process.getuid?.() === 0, 'root (only root can give a file to another user)', 'run the tests as root, as .ci/run does'),
  }, async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    await memory.save();
    chownSync(join(dir, 'pipeconnect.json'), 4242, 4242);
    assert.deepEqual((await EhloMemory.open(dir)).remembered(KEY.helo, NOW), []);
  });

  it('neither reads nor writes in a directory others may write to, or through a link to a directory', async () => {
    const dir = directory();
    const memory = await EhloMemory.open(dir);
    memory.learn(KEY, OFFER, NOW);
    await memory.save();
    const before = readFileSync(join(dir, 'pipeconnect.json'), 'utf8');
    chmodSync(dir, 0o777); // whoever may write here may swap the file for one of theirs
    assert.deepEqual((await EhloMemory.open(dir)).remembered(KEY.helo, NOW), []);
    const writer = await EhloMemory.open(dir);
    writer.learn({ ...KEY, port: 2525 }, OFFER, NOW);
    await writer.save();
    assert.equal(readFileSync(join(dir, 'pipeconnect.json'), 'utf8'), before);
    chmodSync(dir, 0o700);
    const linked = join(dirname(dir), 'linked');
    symlinkSync(dir, linked);
    assert.deepEqual((await EhloMemory.open(linked)).remembered(KEY.helo, NOW), []);
    assert.equal((await EhloMemory.open(dir)).remembered(KEY.helo, NOW).length, 1, 'the directory itself is still read');
  });

  it('neither fails nor writes when the directory cannot be made, and ignores a directory where the file should be', async () => {
    const parent = directory();
    writeFileSync(parent, 'a file where the directory should be');
    const blocked = await EhloMemory.open(parent);
    blocked.learn(KEY, OFFER, NOW);
    await blocked.save();
    assert.equal(statSync(parent).isFile(), true);

    const dir = directory();
    mkdirSync(join(dir, 'pipeconnect.json'), { recursive: true });
    const memory = await EhloMemory.open(dir);
    assert.deepEqual(memory.remembered(KEY.helo, NOW), []);
    memory.learn(KEY, OFFER, NOW);
    await memory.save();
    assert.equal(statSync(join(dir, 'pipeconnect.json')).isDirectory(), true);
    assert.deepEqual(readdirSync(dir), ['pipeconnect.json']);
  });
});
