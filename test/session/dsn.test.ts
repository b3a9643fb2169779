// DSN (RFC 3461) in the session, over an in-memory byte stream: the exact parameters written on
// MAIL and each RCPT when the server offers DSN, and none of them, with a note, when it does not.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../dist/events.js';
import { SmtpConnection } from '../../dist/smtp/connection.js';
import type { DsnParameters } from '../../dist/smtp/dsn.js';
import { SmtpSession, type SessionPlan } from '../../dist/smtp/session.js';
import { Timeouts } from '../../dist/smtp/timeouts.js';
import { serveScript } from '../helpers/scripted-server.js';
import { memoryPair } from './memory-pair.js';
import { messageOf } from './message-of.js';

const MESSAGE = 'Subject: t\r\n\r\nhello\r\n';
const SIZE = Buffer.byteLength(MESSAGE);
const WITH_DSN = '250-scripted.test\r\n250-PIPELINING\r\n250-SIZE 1000000\r\n250 DSN';
const WITHOUT_DSN = '250-scripted.test\r\n250-PIPELINING\r\n250 SIZE 1000000';

async function converse(ehlo: string, dsn: DsnParameters | undefined, recipients: string[]): Promise<{ writes: string[]; events: SessionEvent[] }> {
  const [client, server] = memoryPair();
  serveScript(server, { replies: { EHLO: ehlo } }, { chunks: [], commands: [] });
  const plan: SessionPlan = {
    helo: 'client.test',
    envelope: { from: 'a@client.test', recipients },
    prepare: async () => messageOf(MESSAGE),
    timeouts: new Timeouts(2000),
    echoBody: false,
    tls: 'off',
    ...(dsn === undefined ? {} : { dsn }),
  };
  const events: SessionEvent[] = [];
  await new SmtpSession(new SmtpConnection(client, 'mx.test'), plan, (event) => events.push(event)).run();
  return { writes: client.writes.map((write) => write.toString('utf8')), events };
}

const dsnNotes = (events: readonly SessionEvent[]) => events.filter((event) => event.kind === 'note' && event.note.code === 'dsn-not-offered');

describe('session: DSN (RFC 3461)', () => {
  it('offered: RET and ENVID on MAIL, NOTIFY and ORCPT on each RCPT, xtext-encoded', async () => {
    const run = await converse(WITH_DSN, { notify: ['success', 'failure'], ret: 'hdrs', envid: 'lesson 1+2=3' }, ['b@mx.test', 'c+tag@mx.test']);
    assert.equal(
      run.writes[1],
      `MAIL From:<a@client.test> SIZE=${SIZE} RET=HDRS ENVID=lesson+201+2B2+3D3\r\n` +
        'RCPT To:<b@mx.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b@mx.test\r\n' +
        'RCPT To:<c+tag@mx.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;c+2Btag@mx.test\r\n' +
        'DATA\r\n',
    );
    assert.deepEqual(dsnNotes(run.events), []);
  });

  it('offered, NOTIFY=NEVER alone and no RET nor ENVID: ORCPT still names the recipient', async () => {
    const run = await converse(WITH_DSN, { notify: ['never'], ret: undefined, envid: undefined }, ['b=x@mx.test']);
    assert.equal(run.writes[1], `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b=x@mx.test> NOTIFY=NEVER ORCPT=rfc822;b+3Dx@mx.test\r\nDATA\r\n`);
  });

  it('not offered: no DSN parameter is written, and a warning note says so once', async () => {
    const run = await converse(WITHOUT_DSN, { notify: ['success'], ret: 'full', envid: 'id1' }, ['b@mx.test', 'c@mx.test']);
    assert.equal(run.writes[1], `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nRCPT To:<c@mx.test>\r\nDATA\r\n`);
    assert.deepEqual(dsnNotes(run.events), [{ kind: 'note', note: { code: 'dsn-not-offered' }, severity: 'warning' }]);
  });

  it('not asked for: nothing of DSN is written, even to a server that offers it, and no note', async () => {
    const run = await converse(WITH_DSN, undefined, ['b@mx.test']);
    assert.equal(run.writes[1], `MAIL From:<a@client.test> SIZE=${SIZE}\r\nRCPT To:<b@mx.test>\r\nDATA\r\n`);
    assert.deepEqual(dsnNotes(run.events), []);
  });
});
