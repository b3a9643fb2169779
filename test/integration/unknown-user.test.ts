// A process whose uid the password file does not list, with neither $USER nor $LOGNAME: no sender
// can be made up, and mailv says so (64), where Node's own error used to end it as an internal one.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { freshHome, MAILV, runCli } from '../helpers/cli.js';
import { closedPort } from '../helpers/loopback-port.js';
import { skipUnlessRunning } from '../helpers/service.js';
import { startSink } from '../helpers/smtp-sink.js';

/** A uid no Debian machine gives to anyone, so that no password-file entry names it. */
const NOBODY_KNOWN = 40_999;

describe('a user the password file does not know', {
  skip: skipUnlessRunning(process.getuid?.() === 0, 'root (to run as a uid without a password-file entry)', 'run the tests as root, as .ci/run does'),
}, () => {
  it('without -r: one line naming the problem, 64; with -r: that sender, and on to the send', () => {
    const run = (args: string[]) =>
      spawnSync('setpriv', [`--reuid=${NOBODY_KNOWN}`, `--regid=${NOBODY_KNOWN}`, '--clear-groups', process.execPath, MAILV, ...args], {
        input: 'body\n',
        env: { PATH: '/usr/bin:/bin', HOME: '/nonexistent' },
        encoding: 'utf8',
      });
    const unknown = run(['--dry-run', '-s', 'x', 'bob@example.org']);
    assert.equal(unknown.status, 64, unknown.stderr);
    assert.equal(
      unknown.stderr,
      `mailv: no sender: $USER and $LOGNAME are unset, and uid ${NOBODY_KNOWN} has no entry in the password file; give the sender with -r\n`,
    );
    const given = run(['--dry-run', '-r', 'alice@example.org', '-s', 'x', 'bob@example.org']);
    assert.equal(given.status, 0, given.stderr);
    assert.match(given.stdout, /MAIL From:<alice@example\.org>/);
  });

  it('with a relative HOME and no password-file home: nothing is written under the working directory', async () => {
    const work = mkdtempSync(join(tmpdir(), 'mailv-nohome-'));
    // relhome/ is there and writable by the unknown uid, so that a write under it would happen.
    chmodSync(work, 0o755);
    mkdirSync(join(work, 'relhome'));
    chmodSync(join(work, 'relhome'), 0o777);
    const port = await closedPort();
    const failed = spawnSync(
      'setpriv',
      [
        `--reuid=${NOBODY_KNOWN}`,
        `--regid=${NOBODY_KNOWN}`,
        '--clear-groups',
        process.execPath,
        MAILV,
        '--server',
        `127.0.0.1:${port}`,
        '-r',
        'a@example.org',
        '-s',
        'x',
        'bob@example.org',
      ],
      { input: 'body\n', env: { PATH: '/usr/bin:/bin', HOME: 'relhome' }, cwd: work, encoding: 'utf8' },
    );
    assert.equal(failed.status, 75, failed.stderr);
    assert.deepEqual(readdirSync(join(work, 'relhome')), [], 'no dead.letter under the working directory');
  });
});

describe('a $USER that makes no address', () => {
  it('says the sender came from $USER, whom no address was typed for (64)', async () => {
    const home = freshHome();
    const run = await runCli(['--server', '127.0.0.1:9', '-s', 'x', 'bob@example.org'], { input: 'body\n', home, env: { USER: 'a b', LOGNAME: 'c' } });
    assert.equal(run.code, 64, run.stderr);
    // Before: `invalid address "a b": …`, an address the user never typed.
    assert.equal(
      run.stderr.split('\n')[0],
      'mailv: no sender: the address made from $USER ("a b") is no address (invalid address "a b": malformed local part "a b"); give the sender with -r',
    );
    // From $LOGNAME when $USER is unset; under -r '<>', for From: alone.
    const logname = await runCli(['--server', '127.0.0.1:9', '-r', '<>', '-s', 'x', 'bob@example.org'], {
      input: 'body\n',
      home,
      env: { USER: undefined, LOGNAME: 'a b' },
    });
    assert.equal(logname.code, 64, logname.stderr);
    assert.match(
      logname.stderr,
      /^mailv: no author for the From field: the address made from \$LOGNAME \("a b"\) is no address \(.*\); set LOGNAME to a name that makes one$/m,
    );
  });

  it("under -r '<>', a whole message with its own From: goes; one without is refused once read (64), and kept", async () => {
    const sink = await startSink();
    try {
      const home = freshHome();
      const send = (message: string, args: string[] = ['-t', '-r', '<>']) =>
        runCli(['--server', `127.0.0.1:${sink.port}`, '-q', ...args], { input: message, home, env: { USER: 'a b', LOGNAME: undefined } });
      const own = 'From: Alice <alice@example.org>\nTo: bob@example.org\nSubject: bounce\n\nbody\n';
      const sent = await send(own);
      assert.equal(sent.code, 0, sent.stderr);
      assert.equal(sink.messages.length, 1);
      assert.equal(sink.messages[0]!.from, '', 'the null sender');
      assert.match(sink.messages[0]!.data.toString('latin1'), /^From: Alice <alice@example\.org>\r\n/);
      // Resent, it needs a Resent-From: of its own.
      const resent = await send('Resent-From: alice@example.org\nResent-To: carol@example.org\nFrom: dave@example.org\nTo: bob@example.org\n\nbody\n');
      assert.equal(resent.code, 0, resent.stderr);
      assert.deepEqual(sink.messages[1]!.recipients, ['carol@example.org']);
      const without = 'To: bob@example.org\nSubject: no author\n\nbody\n';
      const refused = await send(without);
      assert.equal(refused.code, 64, refused.stderr);
      assert.equal(
        refused.stderr,
        `mailv: no author for the From field: the address made from $USER ("a b") is no address (invalid address "a b": malformed local part "a b"); set USER to a name that makes one\nmailv: the message was saved in ${join(home, 'dead.letter')}\n`,
      );
      assert.match(readFileSync(join(home, 'dead.letter'), 'utf8'), /^From MAILER-DAEMON .*\nTo: bob@example\.org\nSubject: no author\n\nbody\n/);
      assert.equal(sink.messages.length, 2, 'nothing more sent');
    } finally {
      await sink.close();
    }
  });
});
