// mailv in lock-step against the real Postfix, held line by line against sendmail's own `mail -v`
// talking to Postfix (test/fixtures/sendmail-msp-v-to-postfix*.txt, see the README beside them).
//
// What differs from run to run, or from machine to machine, is normalised in both, and only that:
// - host names: the server's in its greeting and in the first line of its EHLO reply, and ours in
//   `>>> EHLO` (the fixtures call sendmail's host sendmail-host.example);
// - the sender and the recipients (sendmail's were root@ and mailtest@ its host; ours are given);
// - the size in `SIZE=` (the messages differ), Postfix's SIZE limit in its EHLO reply (its
//   message_size_limit), and the queue ids.
// Postfix's EHLO option lines are otherwise compared as they are: the same Debian Postfix answers.
//
// Where mailv differs on purpose, the test says so and rewrites the reference, never ours:
// - sendmail pipelines RCPT and DATA (`>>> RCPT`, `>>> DATA`, `250`, `354`); lock-step shows each
//   reply under its command (`>>> RCPT`, `250`, `>>> DATA`, `354`): the pair is put in that order;
// - sendmail's MSP names the port it was configured with (`[127.0.0.1] port 25 via relay`); mailv
//   names a port only when it is not 25, as `mail -v` through the local sendmail does.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { LOCAL_HOST, runCli } from '../helpers/cli.js';
import { LOCAL_RECIPIENT, POSTFIX, postfixSkipReason } from '../helpers/postfix.js';

const server = `${POSTFIX.host}:${POSTFIX.port}`;
const fixture = (name: string) => readFileSync(new URL(`../../test/fixtures/${name}`, import.meta.url), 'utf8');

/** What may differ between two runs of the same dialogue, replaced by a name for it. */
function normalise(transcript: string, addresses: Readonly<Record<string, string>>): string[] {
  let text = transcript;
  for (const [address, name] of Object.entries(addresses)) text = text.split(address).join(name);
  return text
    .replace(/^220 \S+ ESMTP Postfix/m, '220 <server> ESMTP Postfix')
    .replace(/^>>> EHLO \S+\n250-\S+$/m, '>>> EHLO <client>\n250-<server>')
    .replace(/^250-SIZE \d+$/m, '250-SIZE <limit>')
    .replace(/ SIZE=\d+/g, ' SIZE=<octets>')
    .replace(/queued as [0-9A-F]+/g, 'queued as <queue-id>')
    .split('\n')
    .filter((line) => line !== '');
}

/** Lock-step's one departure from sendmail's order: each reply under its own command. */
function inCommandOrder(lines: string[], commands: number): string[] {
  const out = [...lines];
  for (let i = 0; i + 2 * commands <= out.length; i++) {
    if (!out[i]!.startsWith('>>> RCPT') || !out[i + commands - 1]!.startsWith('>>> DATA')) continue;
    const sent = out.slice(i, i + commands);
    const replies = out.slice(i + commands, i + 2 * commands);
    out.splice(i, 2 * commands, ...sent.flatMap((command, index) => [command, replies[index]!]));
    return out;
  }
  throw new Error(`no pipelined group of ${commands} commands starting at RCPT in the reference`);
}

describe('golden transcripts: lock-step against Postfix, as sendmail shows it', { skip: await postfixSkipReason() }, () => {
  it('--pipelining off --body data: sendmail-msp-v-to-postfix.txt, line for line', async () => {
    const sender = `root@${LOCAL_HOST}`;
    const run = await runCli(['--server', server, '--pipelining', 'off', '--body', 'data', '-r', sender, '-s', 'golden', LOCAL_RECIPIENT], {
      input: 'hello\n',
    });
    assert.equal(run.code, 0, run.stderr);
    const ours = normalise(run.stdout, { [sender]: '<sender>', [LOCAL_RECIPIENT]: '<recipient>' });
    const reference = inCommandOrder(
      normalise(fixture('sendmail-msp-v-to-postfix.txt').replace(' port 25 via relay', ' via relay'), {
        'root@sendmail-host.example': '<sender>',
        'mailtest@sendmail-host.example': '<recipient>',
      }),
      2,
    );
    assert.deepEqual(ours, reference);
    // What the test holds: the verdict and Sent before Closing connection, QUIT only after them.
    assert.deepEqual(ours.slice(-6), [
      '>>> .',
      '250 2.0.0 Ok: queued as <queue-id>',
      '<recipient>... Sent (Ok: queued as <queue-id>)',
      'Closing connection to [127.0.0.1]',
      '>>> QUIT',
      '221 2.0.0 Bye',
    ]);
  });

  it('a recipient Postfix refuses: sendmail-msp-v-to-postfix-reject.txt up to its own bounce', async () => {
    const sender = `root@${LOCAL_HOST}`;
    const unknown = 'nosuchuser@localhost';
    const run = await runCli(['--server', server, '--pipelining', 'off', '--body', 'data', '-r', sender, '-s', 'golden', LOCAL_RECIPIENT, unknown], {
      input: 'hello\n',
    });
    assert.equal(run.code, 67, run.stderr);
    const names = { [sender]: '<sender>', [LOCAL_RECIPIENT]: '<recipient>', [unknown]: '<unknown>' };
    const ours = normalise(run.stdout, names);
    const reference = inCommandOrder(
      normalise(fixture('sendmail-msp-v-to-postfix-reject.txt').replace(' port 25 via relay', ' via relay'), {
        'root@sendmail-host.example': '<sender>',
        'mailtest@sendmail-host.example': '<recipient>',
        'nosuch@sendmail-host.example': '<unknown>',
      }),
      3,
    );
    // Two more differences, both stated: sendmail tells the refusal by a bounce to root, sent in
    // a second transaction on the same connection (from its RSET to that bounce's Sent line), which
    // mailv does not send; mailv says it at once, in the line after the replies to its envelope.
    const bounce = reference.indexOf('>>> RSET');
    const bounceSent = reference.findIndex((line) => line.startsWith('root... Sent ('));
    assert.ok(bounce > 0 && bounceSent > bounce, 'the reference holds its bounce transaction');
    reference.splice(bounce, bounceSent - bounce + 1);
    const refusal = ours.findIndex((line) => line.startsWith('<unknown>... User unknown (550 5.1.1 '));
    assert.equal(ours[refusal - 1], '354 End data with <CR><LF>.<CR><LF>', 'said once the envelope is answered');
    ours.splice(refusal, 1);
    // Postfix names the refused address in its reply: ours is not sendmail's, and the local part differs.
    const postfixRefusal = '550 5.1.1 <<unknown>>: Recipient address rejected: User unknown in local recipient table';
    assert.ok(ours.includes(postfixRefusal));
    assert.deepEqual(ours, reference);
  });
});
