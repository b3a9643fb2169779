// The qmail double held against real qmail: the recorded sessions (test/fixtures/qmail/
// qmail-smtpd-bytes.txt, from reference/qmail/) replayed to it byte for byte, and mailv sending to
// it as it sent to real qmail (test/fixtures/qmail/mailv-to-qmail.txt). Only what changes on every run is set aside: the
// numbers of `250 ok <n> qp <pid>`, the port, the machine's name, dates and Message-IDs.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { LOCAL_HOST, runCli } from '../helpers/cli.js';
import { qmail } from '../helpers/servers/qmail.js';

const REFERENCE = fileURLToPath(new URL('../../test/fixtures/qmail/', import.meta.url));
const CLOSED = '<connection closed by the server>';

interface Exchange {
  readonly title: string;
  /** In order: what the client wrote (`C`), each line the server answered (`S`), or CLOSED. */
  readonly steps: readonly { readonly side: 'C' | 'S'; readonly bytes: string }[];
}

/** The sessions of qmail-smtpd-bytes.txt, `\r` and `\n` read as the octets they stand for. */
function recordedExchanges(): Exchange[] {
  const text = readFileSync(`${REFERENCE}qmail-smtpd-bytes.txt`, 'latin1');
  return text
    .split(/^=== /m)
    .slice(1)
    .map((block) => {
      const [title, ...lines] = block.split('\n');
      const steps = lines
        .filter((line) => /^[CS]: /.test(line))
        .map((line) => ({ side: line[0] as 'C' | 'S', bytes: line.slice(3).replace(/\\r/g, '\r').replace(/\\n/g, '\n') }));
      return { title: title!, steps };
    });
}

/** The numbers qmail gives each message, the same on both sides. */
const withoutQueueIds = (text: string) => text.replace(/ok \d+ qp \d+/g, 'ok N qp P');

/**
 * Plays the client's side of `exchange` to the double, each write after the replies recorded
 * before it have come; returns the server's side as the recording spells it.
 */
async function replay(exchange: Exchange): Promise<string[]> {
  const socket = connect(qmail.port, qmail.host);
  socket.on('error', () => {}); // a write after qmail hung up
  let received = '';
  let closed = false;
  const changed = new Set<() => void>();
  const wake = () => {
    for (const resolve of changed) resolve();
  };
  socket.on('data', (chunk: Buffer) => {
    received += chunk.toString('latin1');
    wake();
  });
  socket.on('close', () => {
    closed = true;
    wake();
  });
  const until = async (ready: () => boolean) => {
    const deadline = Date.now() + 5000;
    while (!ready() && Date.now() < deadline) {
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 100);
        changed.add(() => {
          clearTimeout(timer);
          resolve();
        });
      });
      changed.clear();
    }
  };
  let expectedLines = 0;
  for (const step of exchange.steps) {
    if (step.side === 'C') {
      await until(() => closed || received.split('\r\n').length - 1 >= expectedLines);
      socket.write(step.bytes);
    } else if (step.bytes !== CLOSED) expectedLines++;
  }
  await until(() => closed);
  socket.destroy();
  const lines = received.split('\r\n');
  const rest = lines.pop();
  assert.equal(rest, '', `${exchange.title}: a reply not ended by CRLF`);
  // qmail hangs up after its 221 too, which the recording leaves unsaid: only a hang-up before QUIT is shown.
  const quitLast = exchange.steps
    .filter((step) => step.side === 'C')
    .at(-1)!
    .bytes.endsWith('QUIT\r\n');
  assert.ok(closed, `${exchange.title}: the connection left open`);
  return [...lines.map((line) => `${withoutQueueIds(line)}\r\n`), ...(quitLast ? [] : [CLOSED])];
}

describe('the qmail double', () => {
  before(() => qmail.start!());
  after(() => qmail.stop!());

  const exchanges = recordedExchanges();
  it('has every recorded session to play', () => {
    assert.deepEqual(
      exchanges.map((exchange) => exchange.title),
      [
        'EHLO, a message accepted, QUIT',
        'relaying refused at RCPT',
        'a bare LF in the message',
        'HELO, SIZE parameter, unknown command',
        'pipelined MAIL, two RCPT (one refused), DATA in one write, then the message and QUIT',
      ],
    );
  });

  for (const exchange of exchanges) {
    it(`answers as qmail-smtpd did: ${exchange.title}`, async () => {
      const expected = exchange.steps.filter((step) => step.side === 'S').map((step) => withoutQueueIds(step.bytes));
      assert.deepEqual(await replay(exchange), expected);
    });
  }

  it('keeps what it accepted, as sent, for each recipient in its rcpthosts', async () => {
    const [exchange] = exchanges;
    await replay(exchange!);
    const message = exchange!.steps[exchange!.steps.findIndex((step) => step.bytes === 'DATA\r\n') + 2]!.bytes;
    const stored = await qmail.delivered('qmailuser@qmail.test', 'Subject: reference');
    assert.equal(qmail.asSent(stored, 'From:').toString('latin1'), message.slice(0, -'.\r\n'.length));
  });

  it('is what mailv saw of real qmail: the same replies, commands and notes, the message delivered as sent', async () => {
    const reference = readFileSync(`${REFERENCE}mailv-to-qmail.txt`, 'utf8');
    const command = /^\$ printf '([^']*)' \| mailv (.*)$/m.exec(reference)!;
    const sender = /-r (\S+)/.exec(command[2]!)![1]!;
    const referenceHost = sender.slice(sender.indexOf('@') + 1);
    const referencePort = /:(\d+) /.exec(command[2]!)![1]!;
    const referenceOutput = reference.slice(reference.indexOf('\n', command.index) + 1);
    const ours = (line: string) => withoutQueueIds(line.split(referenceHost).join(LOCAL_HOST).split(`port ${referencePort}`).join(`port ${qmail.port}`));
    const expected = referenceOutput
      .split('\n')
      .filter((line) => line !== '')
      .map(ours);

    const run = await runCli(
      ['--server', `smtp://127.0.0.1:${qmail.port}`, '-r', sender.replace(referenceHost, LOCAL_HOST), '-s', 'reference', 'qmailuser@qmail.test'],
      {
        input: command[1]!.replace(/\\+n/g, '\n'),
      },
    );
    assert.equal(run.code, 0, run.stderr);
    const shown = run.stdout
      .split('\n')
      .filter((line) => line !== '')
      .map(withoutQueueIds);
    // mailv's own lines may move between its versions (where `Closing connection` comes); what the
    // server said, what mailv wrote, and sendmail's notes must be those seen with real qmail.
    const kinds: [string, RegExp][] = [
      ['replies', /^\d{3}[ -]/],
      ['commands', /^>>> /],
      ['connecting', /\.\.\. Connecting to /],
      ['sent', /\.\.\. Sent \(/],
      ['closing', /^Closing connection to /],
    ];
    for (const [kind, pattern] of kinds) {
      assert.deepEqual(
        shown.filter((line) => pattern.test(line)),
        expected.filter((line) => pattern.test(line)),
        kind,
      );
    }
    const [sent] = qmail.sessions().slice(-1);
    const written = sent!.toString('latin1');
    const marker = /^Message-ID: (.*)\r$/m.exec(written)![1]!;
    const message = written.slice(written.indexOf('Date: '), written.indexOf('\r\n.\r\n') + 2);
    assert.equal(qmail.asSent(await qmail.delivered('qmailuser@qmail.test', marker), 'Date:').toString('latin1'), message);
  });
});
