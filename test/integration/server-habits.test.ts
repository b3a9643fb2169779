// What the servers of the course page do that others do not, as the user sees it: the exit
// status, the one error line, the message kept. sendmail's 503 to the DATA of a refused flight,
// and qmail's 451 followed by a dropped connection (its answer to a bare LF).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { startScriptedServer } from '../helpers/scripted-server.js';
import { qmail } from '../helpers/servers/qmail.js';

const errorLines = (stderr: string) => stderr.split('\n').filter((line) => line !== '');

describe('server habits', () => {
  it("sendmail's 503 to the DATA of a flight whose recipient it refused: shown, and the refusal alone decides (67), nothing said of DATA", async () => {
    // sendmail 8.17's words for relaying denied at RCPT and for the DATA after it.
    const server = await startScriptedServer({
      replies: { RCPT: '550 5.7.1 <x@example.org>... Relaying denied', DATA: '503 5.0.0 Need RCPT (recipient)' },
    });
    try {
      const run = await runCli(['--server', `127.0.0.1:${server.port}`, '-s', 'habit', 'x@example.org'], { input: 'body\n' });
      assert.equal(run.code, 67);
      assert.match(run.stdout, /^550 5\.7\.1 <x@example\.org>\.\.\. Relaying denied\n503 5\.0\.0 Need RCPT \(recipient\)\n/m);
      assert.deepEqual(errorLines(run.stderr), [
        'mailv: not delivered to x@example.org: 550 5.7.1 <x@example.org>... Relaying denied',
        `mailv: the message was saved in ${join(run.home, 'dead.letter')}`,
      ]);
      // No RSET, no second attempt: QUIT right after the flight's replies.
      assert.deepEqual(server.commands.slice(2), ['RCPT To:<x@example.org>', 'DATA', 'QUIT']);
    } finally {
      await server.close();
    }
  });

  describe('qmail (double)', () => {
    before(() => qmail.start!());
    after(() => qmail.stop!());

    it('a 451 to the message and the connection dropped: 75, the 451 shown, the message in dead.letter, the lost goodbye a warning', async () => {
      qmail.refuseNextMessage();
      const [recipient] = qmail.recipients;
      const run = await runCli(['--server', `127.0.0.1:${qmail.port}`, '-s', 'habit', recipient], { input: 'kept for later\n' });
      assert.equal(run.code, 75);
      assert.match(run.stdout, /^>>> \.\n>>> QUIT\n451 See https:\/\/cr\.yp\.to\/docs\/smtplf\.html\.\n/m);
      assert.match(run.stdout, /^Warning: .*QUIT/m);
      assert.deepEqual(errorLines(run.stderr), [
        'mailv: the server did not accept the message: 451 See https://cr.yp.to/docs/smtplf.html.',
        `mailv: the message was saved in ${join(run.home, 'dead.letter')}`,
      ]);
      assert.match(readFileSync(join(run.home, 'dead.letter'), 'utf8'), /\nSubject: habit\n[\s\S]*\nkept for later\n/);
      assert.equal(qmail.messages().filter((message) => message.stored.includes('kept for later')).length, 0);

      // The refusal was for one message: the next goes through.
      const next = await runCli(['--server', `127.0.0.1:${qmail.port}`, '-s', 'habit', recipient], { input: 'sent now\n' });
      assert.equal(next.code, 0, next.stderr);
    });
  });
});
