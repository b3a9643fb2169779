// An exception nothing caught (thrown in an event handler, where no caller waits) is a fault of
// mailv's own: the run ends with 70, says so in one line, and keeps the message as after any
// failure, instead of Node printing it and ending the process with 1, the message lost.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FaultSender, runApp } from '../helpers/app.js';
import { loadLines } from '../helpers/load-summary.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

/**
 * A server that takes EHLO and never answers: the session waits, and `thrown()` is raised as a fault
 * meanwhile.
 */
function faultAtEhlo(faults: FaultSender, thrown: () => unknown) {
  return startScriptedServer({
    replies: {
      EHLO: () => {
        setImmediate(() => faults.raise(thrown()));
        return { silent: true };
      },
    },
  });
}

describe('an exception nothing caught', () => {
  it('during a session: 70, said once, the session ended and the message kept in dead.letter', async () => {
    const faults = new FaultSender();
    const server = await faultAtEhlo(faults, () => new TypeError('planted in a handler'));
    try {
      const run = await runApp(['-q', '--server', `127.0.0.1:${server.port}`, '-s', 'kept', 'bob@example.org'], { input: 'Hello, kept.\n', faults });
      assert.equal(run.status, 70, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.match(lines[0]!, /^mailv: internal error: TypeError: planted in a handler\\x0a {4}at /);
      assert.equal(lines.length, 2, run.stderr);
      assert.equal(lines[1], `mailv: the message was saved in ${join(run.home, 'dead.letter')}`);
      const kept = readFileSync(join(run.home, 'dead.letter'), 'utf8');
      assert.match(kept, /^Subject: kept$/m);
      assert.match(kept, /^Hello, kept\.$/m);
      assert.deepEqual(server.commands, ['EHLO client.example.org'], 'nothing after EHLO: the session ended at the fault');
      assert.equal(faults.watching, 0, 'no longer watched once the run is over');
    } finally {
      await server.close();
    }
  });

  it('after the message was handed over: 70 all the same, in --json too, and nothing kept', async () => {
    const faults = new FaultSender();
    // Without PIPELINING, QUIT goes once the message's 250 was read: the fault comes after the handover.
    const server = await startScriptedServer({
      replies: {
        EHLO: '250-scripted.test\r\n250 8BITMIME',
        QUIT: () => {
          faults.raise(new RangeError('planted after the handover'));
          return '221 2.0.0 Bye';
        },
      },
    });
    try {
      const run = await runApp(['--json', '--server', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.org'], { input: 'Hello.\n', faults });
      assert.equal(run.status, 70, run.stderr);
      assert.match(run.stderr, /^mailv: internal error: RangeError: planted after the handover\\x0a/);
      assert.equal(run.stderr.trimEnd().split('\n').length, 1, run.stderr);
      const result = JSON.parse(run.stdout.trimEnd().split('\n').at(-1)!) as Record<string, unknown>;
      assert.equal(result['event'], 'result');
      assert.equal(result['status'], 70);
      assert.equal(result['code'], 'MAILV_INTERNAL');
      assert.match(run.stdout, /^\{"event":"recipient","ms":[\d.]+,"recipient":"bob@example\.org","outcome":"sent",/m);
      assert.ok(server.commands.includes('QUIT'));
      assert.throws(() => readFileSync(join(run.home, 'dead.letter')), { code: 'ENOENT' }, 'the server took the message: nothing to keep');
    } finally {
      await server.close();
    }
  });

  it('a thrown value that cannot be looked at: what looking at it threw is said instead, 70', async () => {
    const faults = new FaultSender();
    const server = await faultAtEhlo(faults, () => {
      const { proxy, revoke } = Proxy.revocable({}, {});
      revoke();
      return proxy;
    });
    try {
      const run = await runApp(['-q', '--server', `127.0.0.1:${server.port}`, '-s', 'kept', 'bob@example.org'], { input: 'Hello.\n', faults });
      assert.equal(run.status, 70, run.stderr);
      const lines = run.stderr.trimEnd().split('\n');
      assert.match(lines[0]!, /^mailv: internal error: TypeError: Cannot perform '[^']+' on a proxy that has been revoked/);
      assert.equal(lines[1], `mailv: the message was saved in ${join(run.home, 'dead.letter')}`);
    } finally {
      await server.close();
    }
  });

  it('in a load run: the run is cut short, the message under way neither accepted nor failed, 70', async () => {
    for (const [faultAt, accepted, deadLetter] of [
      [3, 2, false],
      [1, 0, true],
    ] as const) {
      const faults = new FaultSender();
      const server = await faultAtConnection(faults, faultAt);
      try {
        const argv = ['--json', '--server', `127.0.0.1:${server.port}`, '--count', '5', '--per-connection', '1', '-s', 'x', 'bob@example.org'];
        const run = await runApp(argv, { input: 'Hello.\n', faults });
        assert.equal(run.status, 70, run.stderr);
        const { summary, result } = loadLines(run.stdout);
        assert.deepEqual(
          { accepted: summary.accepted, failed: summary.failed, cutShort: summary.cutShort, interrupted: summary.interrupted, failures: summary.failures },
          { accepted, failed: 0, cutShort: { by: 'fault', unconfirmed: 1, unsent: 5 - accepted - 1 }, interrupted: null, failures: [] },
        );
        assert.equal(result.code, 'MAILV_INTERNAL');
        const lines = run.stderr.trimEnd().split('\n');
        assert.match(lines[0]!, /^mailv: internal error: TypeError: planted under load\\x0a/);
        // Kept only when no message reached anyone, as after any load run that failed.
        assert.equal(lines.length, deadLetter ? 2 : 1, run.stderr);
        assert.equal(existsSync(join(run.home, 'dead.letter')), deadLetter);
      } finally {
        await server.close();
      }
    }
  });

  it('in a load run with -v: no message failed, so no failed connection is shown', async () => {
    const faults = new FaultSender();
    const server = await faultAtConnection(faults, 3);
    try {
      const run = await runApp(['-v', '--server', `127.0.0.1:${server.port}`, '--count', '5', '--per-connection', '1', '-s', 'x', 'bob@example.org'], {
        input: 'Hello.\n',
        faults,
      });
      assert.equal(run.status, 70, run.stderr);
      assert.match(run.stdout, /^cut short by an internal error: 1 message under way with no verdict, 2 never started$/m);
      assert.doesNotMatch(run.stdout, /first connection on which a message failed/);
    } finally {
      await server.close();
    }
  });
});

/** One message a connection: connection `faultAt` raises the fault at its message's end and never answers it. */
function faultAtConnection(faults: FaultSender, faultAt: number) {
  return startScriptedServer({
    perConnection: (index) =>
      index === faultAt
        ? {
            replies: {
              '.': () => {
                setImmediate(() => faults.raise(new TypeError('planted under load')));
                return { silent: true };
              },
            },
          }
        : {},
  });
}
