// mailv-sendmail in memory: what a program's command line may not choose (-C, but from root), and
// a message piped with recipients or a sender that cannot be used, kept all the same.
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { runApp } from '../helpers/app.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

const REPORT = 'Subject: cron\n\nimportant\n';

describe('mailv-sendmail in memory', () => {
  it("-C from a user other than root: 64, said, the file's password command never run, nothing sent, the message kept", async () => {
    const server = await startScriptedServer();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'mailv-c-'));
      const marker = join(dir, 'ran');
      const config = join(dir, 'uploaded.conf');
      writeFileSync(config, `[default]\nserver = 127.0.0.1:${server.port}\nuser = x\npassword-cmd = touch ${marker}; echo pw\n`, { mode: 0o600 });
      // PHP's mail() puts its fifth argument before the recipients: an -f value with more in it.
      const run = await runApp(['-t', '-i', '-fx@example.org', `-C${config}`], { sendmail: true, input: `To: bob@example.org\n${REPORT}` });
      assert.equal(run.status, 64, run.stderr);
      assert.equal(
        run.stderr,
        "mailv: -C is taken from root only, as Postfix's sendmail takes it: a program may pass on options given to it (CVE-2016-10033); XDG_CONFIG_HOME names another configuration directory\n" +
          `mailv: the message was saved in ${join(run.home, 'dead.letter')}\n`,
      );
      assert.equal(existsSync(marker), false);
      assert.equal(server.received().length, 0);
      assert.match(readFileSync(join(run.home, 'dead.letter'), 'utf8'), /\nTo: bob@example\.org\nSubject: cron\n\nimportant\n/);
    } finally {
      await server.close();
    }
  });

  it('-C from root is read, as Postfix reads it: its server gets the message', async () => {
    const server = await startScriptedServer();
    try {
      const dir = mkdtempSync(join(tmpdir(), 'mailv-c-'));
      const config = join(dir, 'other.conf');
      writeFileSync(config, `[default]\nserver = 127.0.0.1:${server.port}\n`, { mode: 0o600 });
      const run = await runApp(['-C', config, '-i', 'bob@example.org'], { sendmail: true, superUser: true, input: REPORT });
      assert.equal(run.status, 0, run.stderr);
      assert.ok(server.commands.includes('RCPT To:<bob@example.org>'), server.commands.join('\n'));
    } finally {
      await server.close();
    }
  });

  it('a recipient or -f that cannot be used (a cron job\'s MAILTO mistyped, an empty "$ADMIN"): 64, said, the message kept', async () => {
    const server = await startScriptedServer();
    try {
      const env = { MAILV_SERVER: `127.0.0.1:${server.port}` };
      for (const [argv, said] of [
        [['a@b@example.org'], 'mailv: invalid address "a@b@example.org": malformed local part "a@b"'],
        [[''], 'mailv: no recipient given'],
        [['-oi'], 'mailv: no recipient given'],
        [['undisclosed-recipients:;'], 'mailv: no recipient given'],
        // Arguments go in the envelope only: no header is named for them.
        [
          ['j\uFFFD@example.org'],
          'mailv: address is not UTF-8 (a U+FFFD stands where octets were), given as a recipient: give it in UTF-8 (iconv -f latin1, say)',
        ],
        [
          ['-f', 'j\uFFFD@example.org', 'bob@example.org'],
          'mailv: address is not UTF-8 (a U+FFFD stands where octets were), given with -f: give it in UTF-8 (iconv -f latin1, say)',
        ],
      ] as const) {
        const run = await runApp(argv, { sendmail: true, input: REPORT, env, notUtf8: true });
        assert.equal(run.status, 64, `${argv.join(' ')}: ${run.stderr}`);
        assert.equal(run.stderr, `${said}\nmailv: the message was saved in ${join(run.home, 'dead.letter')}\n`, argv.join(' '));
        assert.match(readFileSync(join(run.home, 'dead.letter'), 'utf8'), /\nSubject: cron\n\nimportant\n/, argv.join(' '));
      }
      assert.equal(server.received().length, 0);
    } finally {
      await server.close();
    }
  });
});
