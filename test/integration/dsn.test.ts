// DSN (RFC 3461) end to end: real Postfix, asked for a success notification, delivers one to the
// sender's Maildir, a multipart/report naming the recipient and the envelope id mailv sent; a
// server without DSN gets none of the parameters, and the user is told so in English or French.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { LOCAL_RECIPIENT, POSTFIX, deliveredMessage, postfixSkipReason } from '../helpers/postfix.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

const server = `${POSTFIX.host}:${POSTFIX.port}`;

/** The header fields of one block of `Name: value` lines (continuations unfolded), names in lower case. */
function fields(block: string): Map<string, string> {
  const map = new Map<string, string>();
  for (const line of block.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon > 0) map.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  return map;
}

interface Report {
  readonly contentType: string;
  /** The message/delivery-status part: its per-message block, then one block per recipient. */
  readonly perMessage: Map<string, string>;
  readonly perRecipient: Map<string, string>[];
}

/** RFC 6522 and RFC 3464: the report's parts split on the boundary, the delivery-status part read as blocks of fields. */
function parseReport(message: string): Report {
  const split = message.search(/\r?\n\r?\n/);
  const header = fields(message.slice(0, split));
  const contentType = header.get('content-type') ?? '';
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1];
  assert.ok(boundary, `no boundary in ${contentType}`);
  const parts = message.split(`--${boundary}`).slice(1, -1);
  const status = parts.find((part) =>
    /^message\/delivery-status\b/i.test(fields(part.replace(/^\r?\n/, '').split(/\r?\n\r?\n/)[0]!).get('content-type') ?? ''),
  );
  assert.ok(status, 'no message/delivery-status part');
  const blocks = status
    .slice(status.search(/\r?\n\r?\n/))
    .split(/\r?\n\r?\n/)
    .filter((block) => block.trim() !== '')
    .map(fields);
  return { contentType, perMessage: blocks[0]!, perRecipient: blocks.slice(1) };
}

describe('DSN against real Postfix', { skip: await postfixSkipReason() }, () => {
  it('--notify success: the success notification reaches the sender as a multipart/report with the recipient delivered', async () => {
    // Unique, and with the characters xtext must encode: Postfix decodes it back into the report.
    const envid = `mailv ${randomBytes(6).toString('hex')} 1+1=2`;
    const run = await runCli(
      ['--server', server, '-r', LOCAL_RECIPIENT, '--notify', 'success', '--ret', 'hdrs', '--envid', envid, '-s', 'dsn', LOCAL_RECIPIENT],
      {
        input: 'notify me\n',
      },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^250-DSN$/m);
    const encoded = envid.replace(/\+/g, '+2B').replace(/=/g, '+3D').replace(/ /g, '+20');
    assert.match(run.stdout, new RegExp(`^>>> MAIL From:<mailtest@localhost> SIZE=\\d+ RET=HDRS ENVID=${encoded.replace(/\+/g, '\\+')}$`, 'm'));
    assert.match(run.stdout, /^>>> RCPT To:<mailtest@localhost> NOTIFY=SUCCESS ORCPT=rfc822;mailtest@localhost$/m);

    const report = parseReport((await deliveredMessage(`Original-Envelope-Id: ${envid}`)).toString());
    assert.match(report.contentType, /^multipart\/report;\s*report-type=delivery-status;/i);
    assert.equal(report.perMessage.get('original-envelope-id'), envid);
    assert.equal(report.perRecipient.length, 1);
    const recipient = report.perRecipient[0]!;
    assert.equal(recipient.get('final-recipient'), 'rfc822; mailtest@localhost');
    assert.equal(recipient.get('original-recipient'), 'rfc822;mailtest@localhost');
    assert.equal(recipient.get('action'), 'delivered');
    assert.match(recipient.get('status') ?? '', /^2\.\d{1,3}\.\d{1,3}$/);
  });
});

describe('DSN asked of a server that does not offer it', async () => {
  const scripted = await startScriptedServer();
  after(() => scripted.close());

  for (const [lang, note] of [
    ['en', 'the server does not offer DSN: NOTIFY, RET, ENVID and ORCPT are left out, and no delivery notification was asked for'],
    ['fr', 'le serveur ne propose pas DSN : NOTIFY, RET, ENVID et ORCPT sont omis, aucun avis de remise n’est demandé'],
  ] as const) {
    it(`--lang ${lang}: the parameters are left out and a note says why`, async () => {
      const before = scripted.commands.length;
      const run = await runCli(['--server', `127.0.0.1:${scripted.port}`, '--lang', lang, '--notify', 'success', '--envid', 'e1', '-s', 'x', 'b@mx.test'], {
        input: 'x\n',
      });
      assert.equal(run.code, 0, run.stderr);
      const mine = scripted.commands.slice(before);
      assert.deepEqual(
        mine.filter((line) => /^(MAIL|RCPT)/.test(line)),
        [/^MAIL From:<[^>]+> SIZE=\d+$/.exec(mine.find((line) => line.startsWith('MAIL')) ?? '')?.[0], 'RCPT To:<b@mx.test>'],
      );
      assert.ok(`${run.stdout}${run.stderr}`.includes(note), run.stdout + run.stderr);
    });
  }
});

describe('DSN parameters as the command line gives them', () => {
  it('--ret full and --ret hdrs go on MAIL as RET=FULL and RET=HDRS (RFC 3461 §4.3), --notify delay,failure on RCPT', async () => {
    const scripted = await startScriptedServer({ replies: { EHLO: '250-scripted.test\r\n250-DSN\r\n250 PIPELINING' } });
    try {
      const sent: string[] = [];
      for (const ret of ['full', 'hdrs']) {
        const before = scripted.commands.length;
        const run = await runCli(
          ['--server', `127.0.0.1:${scripted.port}`, '--ret', ret, '--notify', 'delay,failure', '-r', 'a@mx.test', '-s', 'x', 'b@mx.test'],
          {
            input: 'x\n',
          },
        );
        assert.equal(run.code, 0, run.stderr);
        sent.push(...scripted.commands.slice(before).filter((line) => /^(MAIL|RCPT)/.test(line)));
      }
      assert.deepEqual(
        sent.map((line) => line.replace(/ SIZE=\d+/, '')),
        [
          'MAIL From:<a@mx.test> RET=FULL',
          'RCPT To:<b@mx.test> NOTIFY=DELAY,FAILURE ORCPT=rfc822;b@mx.test',
          'MAIL From:<a@mx.test> RET=HDRS',
          'RCPT To:<b@mx.test> NOTIFY=DELAY,FAILURE ORCPT=rfc822;b@mx.test',
        ],
      );
    } finally {
      await scripted.close();
    }
  });
});
