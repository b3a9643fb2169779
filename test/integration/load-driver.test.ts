// The load driver itself, with a message that takes its time to be prepared: a connection lost
// after the 354 of a transaction whose envelope went ahead, while the next message was being
// prepared, must neither send a message twice nor lose one from the count.
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { describe, it } from 'node:test';
import { Interrupter } from '../../dist/interruption.js';
import { runLoad } from '../../dist/load/driver.js';
import type { ComposedMessage } from '../../dist/message/compose.js';
import { Timeouts } from '../../dist/smtp/timeouts.js';
import type { SessionPlan } from '../../dist/smtp/session.js';
import { startScriptedServer, type Script } from '../helpers/scripted-server.js';

/** Message number `sequence`, held whole, as a load run sends it. */
function message(sequence: number): ComposedMessage {
  const octets = Buffer.from(`Subject: #${sequence}\r\n\r\nbody\r\n`);
  async function* whole() {
    yield octets;
  }
  return { size: octets.length, eightBit: false, chunks: whole, lentChunks: whole, whole: octets } as unknown as ComposedMessage;
}

/** The session of each connection: plain, one recipient, its `prepare` replaced by the driver. */
function sessionPlan(): SessionPlan {
  return {
    helo: 'client.test',
    envelope: { from: 'load@example.org', recipients: ['sink@example.org'] },
    timeouts: new Timeouts(30_000),
    echoBody: false,
    tls: 'off',
    prepare: () => message(0),
  } as unknown as SessionPlan;
}

describe('the load driver', () => {
  it('a connection lost after the 354 of an envelope sent ahead, the next message still being prepared: each message sent once at most, every one counted', async () => {
    const subjects: string[] = [];
    const script: Script = {
      replies: {
        '.': (text) => {
          subjects.push(/^Subject: (.*)$/m.exec(text)?.[1] ?? '');
          return '250 2.0.0 Ok';
        },
      },
      // The second transaction of each connection: its 354, then the server hangs up.
      perConnection: () => {
        let datas = 0;
        return { replies: { DATA: () => (++datas === 2 ? { raw: '354 go on\r\n', close: true } : '354 go on') } };
      },
    };
    const server = await startScriptedServer(script);
    try {
      const session = sessionPlan();
      const report = await runLoad(
        { host: '127.0.0.1', port: server.port, implicitTls: false },
        {
          count: 6,
          concurrency: 1,
          perConnection: 6,
          session,
          // Prepared later than the server's hang-up is seen: the window where the next message is ahead
          // but not yet written. (150 ms: the hang-up is seen in under 1 on loopback, and a busy host's
          // stall must outlast the whole wait to read it after the message is ready.)
          message: async (sequence) => {
            await sleep(150);
            return message(sequence);
          },
        },
      );
      // A write the server read after deciding to hang up may show as a message of its own: only numbered ones count.
      const received = subjects.filter((subject) => /^#\d+$/.test(subject));
      // Each of #2 to #5 was lost once as the ahead transaction and went again first on the next
      // connection; #6, the last, had nothing to prepare after it: written at once, lost, counted.
      assert.deepEqual(received, ['#1', '#2', '#3', '#4', '#5'], `${received.join(', ')} ${JSON.stringify(report.failures)}`);
      assert.deepEqual({ accepted: report.accepted, failed: report.failed }, { accepted: 5, failed: 1 });
      assert.equal(report.accepted + report.failed, 6);
    } finally {
      await server.close();
    }
  });

  it('a run interrupted under --rate counts its rate up to the interruption, not up to its last message accepted', async () => {
    const server = await startScriptedServer();
    const interrupt = new Interrupter();
    try {
      const session = sessionPlan();
      const started = performance.now();
      // Ten a second: messages start at 0, 100 and 200 ms; the interruption comes at 250.
      setTimeout(() => interrupt.abort('SIGINT'), 250);
      const report = await runLoad(
        { host: '127.0.0.1', port: server.port, implicitTls: false },
        { count: 50, concurrency: 1, perConnection: 50, rate: 10, session, message },
        interrupt.signal,
      );
      const interruptedAfter = performance.now() - started;
      assert.equal(report.interrupted?.signal, 'SIGINT');
      assert.ok(report.accepted >= 2 && report.accepted <= 3, `${report.accepted} accepted`);
      // Up to the interruption (at least 250 ms in), not up to the third message's end (about 200).
      assert.ok(report.acceptedWithinMs >= 245 && report.acceptedWithinMs <= interruptedAfter, `${report.acceptedWithinMs} ms`);
    } finally {
      await server.close();
    }
  });
});
