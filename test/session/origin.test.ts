// What a test client claims to be, byte for byte: XCLIENT after EHLO (and EHLO again after its
// 220), and the PROXY header, versions 1 and 2, as the first octets of the connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CapabilityError, SmtpReplyError } from '../../dist/errors.js';
import type { SessionEvent } from '../../dist/events.js';
import { SmtpConnection } from '../../dist/smtp/connection.js';
import { encodeProxyHeader } from '../../dist/smtp/proxy-header.js';
import { SmtpSession, type SessionPlan } from '../../dist/smtp/session.js';
import { xtext } from '../../dist/smtp/dsn.js';
import { serveScript, type Script } from '../helpers/scripted-server.js';
import { memoryPair, type MemoryEnd } from './memory-pair.js';
import { planOf } from './plan-of.js';

const MESSAGE = 'Subject: t\r\n\r\nhello\r\n';

const PLAN = planOf(MESSAGE, { pipelining: 'off' });

const OFFERS_XCLIENT = '250-scripted.test\r\n250-XCLIENT NAME ADDR PROTO HELO\r\n250 8BITMIME';
const AFTER_XCLIENT = '250-scripted.test\r\n250 8BITMIME';

/** The session against a script; EHLO offers XCLIENT the first time only, as Postfix does once it took XCLIENT. */
async function withXclient(plan: Partial<SessionPlan>, script: Script = {}) {
  const [client, server] = memoryPair();
  let ehlos = 0;
  serveScript(
    server,
    { replies: { EHLO: () => (ehlos++ === 0 ? OFFERS_XCLIENT : AFTER_XCLIENT), XCLIENT: '220 scripted.test ESMTP', ...script.replies } },
    { chunks: [], commands: [] },
  );
  const events: SessionEvent[] = [];
  const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), { ...PLAN, ...plan }, (event) => events.push(event));
  const error = await session.run().then(
    () => undefined,
    (caught: unknown) => caught,
  );
  return { writes: client.writes.map((write) => write.toString('latin1')), events, error };
}

describe('XCLIENT', () => {
  it('goes after EHLO, its 220 is followed by EHLO again, then the transaction; values are xtext', async () => {
    const run = await withXclient({
      xclient: [
        { name: 'ADDR', value: '192.0.2.7' },
        { name: 'NAME', value: 'client.example' },
        { name: 'HELO', value: 'a b+c=d' },
      ],
    });
    assert.equal(run.error, undefined);
    assert.deepEqual(run.writes.slice(0, 4), [
      'EHLO client.test\r\n',
      'XCLIENT ADDR=192.0.2.7 NAME=client.example HELO=a+20b+2Bc+3Dd\r\n',
      'EHLO client.test\r\n',
      'MAIL From:<a@client.test>\r\n',
    ]);
    const sends = run.events.flatMap((event) => (event.kind === 'send' ? [event.command.verb] : []));
    assert.deepEqual(sends.slice(0, 4), ['EHLO', 'XCLIENT', 'EHLO', 'MAIL']);
  });

  it('not offered: nothing claimed, QUIT, and a CapabilityError', async () => {
    const run = await withXclient({ xclient: [{ name: 'ADDR', value: '192.0.2.7' }] }, { replies: { EHLO: AFTER_XCLIENT } });
    assert.ok(run.error instanceof CapabilityError);
    assert.deepEqual(run.error.fact, { code: 'MAILV_NO_XCLIENT' });
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', 'QUIT\r\n']);
  });

  it('refused: the reply is the failure, and QUIT follows', async () => {
    const run = await withXclient({ xclient: [{ name: 'ADDR', value: 'nonsense' }] }, { replies: { XCLIENT: '501 5.5.4 Bad ADDR syntax: nonsense' } });
    assert.ok(run.error instanceof SmtpReplyError);
    assert.equal(run.error.fact.code, 'MAILV_XCLIENT_REFUSED');
    assert.deepEqual(run.writes, ['EHLO client.test\r\n', 'XCLIENT ADDR=nonsense\r\n', 'QUIT\r\n']);
  });

  it('xtext: printable ASCII as is, +, = and the rest as +HH of each UTF-8 octet', () => {
    assert.equal(xtext('mx.example'), 'mx.example');
    assert.equal(xtext('+= é\t'), '+2B+3D+20+C3+A9+09');
  });
});

/**
 * A server behind a proxy: it says nothing until the header has come (as Postfix with
 * smtpd_upstream_proxy_protocol), then greets, and answers QUIT.
 */
function proxiedServer(server: MemoryEnd, headerLength: number): void {
  let received = Buffer.alloc(0);
  let greeted = false;
  server.on('data', (chunk: Buffer) => {
    received = Buffer.concat([received, chunk]);
    if (!greeted && received.length >= headerLength) {
      greeted = true;
      server.write('220 proxied.test ESMTP\r\n');
    }
    if (received.toString('latin1').endsWith('QUIT\r\n')) server.write('221 2.0.0 Bye\r\n');
  });
}

async function throughProxy(version: 'v1' | 'v2', source: { address: string; port: number }, destination: { address: string; port: number }) {
  const [client, server] = memoryPair();
  Object.defineProperties(client, { remoteAddress: { value: destination.address }, remotePort: { value: destination.port } });
  proxiedServer(server, encodeProxyHeader({ version, source, destination }).length);
  const events: SessionEvent[] = [];
  const session = new SmtpSession(new SmtpConnection(client, 'mx.test'), { ...PLAN, proxy: { version, source }, quitAfter: 'greeting' }, (event) =>
    events.push(event),
  );
  await session.run();
  return { writes: client.writes, events };
}

describe('PROXY header', () => {
  it('v1: one text line before the greeting, naming the claimed client and the address connected to', async () => {
    const run = await throughProxy('v1', { address: '192.0.2.9', port: 40001 }, { address: '127.0.0.1', port: 10026 });
    assert.deepEqual(
      run.writes.map((write) => write.toString('latin1')),
      ['PROXY TCP4 192.0.2.9 127.0.0.1 40001 10026\r\n', 'QUIT\r\n'],
    );
    assert.deepEqual(run.events[0], {
      kind: 'send',
      stage: 'connect',
      command: { verb: 'PROXY', header: { version: 'v1', source: { address: '192.0.2.9', port: 40001 }, destination: { address: '127.0.0.1', port: 10026 } } },
      pipelined: false,
    });
  });

  it('v2 over IPv4: signature, PROXY command, TCP over IPv4, 12 octets of addresses and ports', async () => {
    const run = await throughProxy('v2', { address: '192.0.2.9', port: 40001 }, { address: '127.0.0.1', port: 10026 });
    assert.equal(
      run.writes[0]!.toString('hex'),
      // biome-ignore format: one field a line
      [
        '0d0a0d0a000d0a515549540a', // signature
        '21', // version 2, PROXY
        '11', // TCP over IPv4
        '000c', // 12 octets follow
        'c0000209', // 192.0.2.9
        '7f000001', // 127.0.0.1
        '9c41', // 40001
        '272a', // 10026
      ].join(''),
    );
    assert.equal(run.writes[1]!.toString('latin1'), 'QUIT\r\n');
  });

  it('v2 over IPv6: TCP over IPv6, 36 octets, :: expanded', () => {
    const header = encodeProxyHeader({ version: 'v2', source: { address: '2001:db8::9', port: 40001 }, destination: { address: '::1', port: 10026 } });
    assert.equal(
      header.toString('hex'),
      `0d0a0d0a000d0a515549540a2121${'0024'}${'20010db8000000000000000000000009'}${'00000000000000000000000000000001'}9c41272a`,
    );
  });

  it('v1 over IPv6: TCP6', () => {
    const header = encodeProxyHeader({ version: 'v1', source: { address: '2001:db8::9', port: 40001 }, destination: { address: '::1', port: 10026 } });
    assert.equal(header.toString('latin1'), 'PROXY TCP6 2001:db8::9 ::1 40001 10026\r\n');
  });
});
