// The load mode against the real Postfix: port 25 (recipients @discard.test are accepted and thrown
// away), and the submission port 587 with STARTTLS, a certificate verified against the test CA and
// AUTH, whose TLS and AUTH latencies the summary gives: one of each per connection; and Postfix's
// own limits (anvil), met by a load run as they would be in production: a message rate limit,
// said with when it began to bite, and a connection count limit, each refusal counted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { loadSummary } from '../helpers/load-summary.js';
import {
  COUNT_LIMITED,
  POSTFIX,
  RATE_LIMITED,
  freshLoopbackAddress,
  greetedConnection,
  limitedPortsSkipReason,
  postfixSkipReason,
} from '../helpers/postfix.js';
import { SUBMISSION, SUBMISSION_PASSWORD, SUBMISSION_USER, TEST_CA, submissionSkipReason } from '../helpers/submission.js';

const DISCARDED = 'load@discard.test';

describe('load mode against the real Postfix on port 25', { skip: await postfixSkipReason() }, () => {
  it('200 messages, 4 at a time, 10 per connection: all accepted, none failed, no TLS or AUTH row', async () => {
    const run = await runCli(
      [
        '--server',
        `${POSTFIX.host}:${POSTFIX.port}`,
        '--count',
        '200',
        '--concurrency',
        '4',
        '--per-connection',
        '10',
        '--vary',
        '--json',
        '-r',
        'alice@example.org',
        '-s',
        'load',
        DISCARDED,
      ],
      { input: 'Hello from the load test.\n' },
    );
    assert.equal(run.code, 0, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, failed: summary.failed, refused: summary.refused, deferred: summary.deferred, tls: summary.tls, auth: summary.auth },
      { accepted: 200, failed: 0, refused: 0, deferred: 0, tls: null, auth: null },
    );
    // 10 a connection; near the end each of the 4 workers may open one for what is left.
    assert.ok(summary.connections >= 20 && summary.connections <= 24, JSON.stringify(summary));
    assert.equal(summary.replies['220'], summary.connections);
    assert.equal(summary.transaction?.samples, 200);
  });
});

describe('load mode against the real Postfix’s client limits (anvil)', { skip: await limitedPortsSkipReason() }, () => {
  const loadFrom = (server: { host: string; port: number }, extra: readonly string[], sourceAddress = freshLoopbackAddress()) =>
    runCli(['--server', `${server.host}:${server.port}`, '--source-address', sourceAddress, ...extra, '-r', 'alice@example.org', '-s', 'load', DISCARDED], {
      input: 'Hello from the load test.\n',
    });

  it('10 messages a minute: the first 10 accepted, the next refused with 450 4.7.1, said to have begun after 10 accepted, 75', async () => {
    // 12, not more: past 10 errors (each refused MAIL earns its pipelined RCPT and BDAT a 503 too),
    // Postfix slows every reply by a second (smtpd_soft_error_limit).
    const run = await loadFrom(RATE_LIMITED, ['--count', '12', '--per-connection', '12', '--json']);
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual(
      { accepted: summary.accepted, deferred: summary.deferred, refused: summary.refused, said450: summary.replies['450 4.7.1'] },
      { accepted: RATE_LIMITED.messagesAMinute, deferred: 2, refused: 0, said450: 2 },
    );
    assert.equal(summary.failures.length, 1, JSON.stringify(summary.failures));
    const [limit] = summary.failures;
    assert.match(limit!.reply ?? '', /^450 4\.7\.1 Error: too much mail from 127\./);
    assert.deepEqual({ count: limit!.count, acceptedBefore: limit!.acceptedBefore }, { count: 2, acceptedBefore: RATE_LIMITED.messagesAMinute });
    assert.ok(limit!.firstMs <= limit!.lastMs && limit!.lastMs <= summary.ms, JSON.stringify(limit));

    // One connection: nothing else open, nothing under way when the refusal is read.
    assert.deepEqual([limit!.connectionsOpen, limit!.underWay], [0, 0]);

    const said = await loadFrom(RATE_LIMITED, ['--count', '11', '--per-connection', '11']);
    assert.equal(said.code, 75, said.stderr);
    assert.match(
      said.stdout,
      /^1 × the server refused the sender <alice@example\.org>: 450 4\.7\.1 Error: too much mail from 127\.[\d.]+\n {4}at \d+\.\d{3} s, after 10 messages accepted$/m,
    );
  });

  it('4 connections at once: the messages accepted before the first refusal, with those under way whose verdicts were not read yet, make the limit', async () => {
    const run = await loadFrom(RATE_LIMITED, ['--count', '16', '--concurrency', '4', '--per-connection', '4', '--json']);
    assert.equal(run.code, 75, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted, RATE_LIMITED.messagesAMinute, JSON.stringify(summary));
    const limit = summary.failures.find((failure) => (failure.reply ?? '').startsWith('450 4.7.1 '));
    assert.ok(limit !== undefined, JSON.stringify(summary.failures));
    // Verdicts on other connections may be read after the refusal: accepted then, under way when it came.
    // Each of the 3 other connections has at most its transaction and the next one's envelope under way.
    assert.ok(limit.acceptedBefore <= RATE_LIMITED.messagesAMinute, JSON.stringify(limit));
    assert.ok(limit.acceptedBefore + limit.underWay >= RATE_LIMITED.messagesAMinute, JSON.stringify(limit));
    assert.ok(limit.underWay <= 2 * limit.connectionsOpen && limit.connectionsOpen <= 3, JSON.stringify(limit));
  });

  it('one connection at a time: while another from the address is open, each of the run’s is refused with 421 4.7.0 at the greeting, counted as deferred, the run goes on, 75', async () => {
    // The connection that fills the limit is held from outside the run: when the run's own three
    // raced for it, Postfix could serve them one after another (a single smtpd, reused), none refused.
    const address = freshLoopbackAddress();
    const held = await greetedConnection(COUNT_LIMITED, address);
    try {
      const run = await loadFrom(COUNT_LIMITED, ['--count', '12', '--concurrency', '3', '--per-connection', '4', '--json'], address);
      assert.equal(run.code, 75, run.stderr);
      const summary = loadSummary(run.stdout);
      // Each refused connection loses its one message, so the twelve take twelve connections.
      assert.deepEqual(
        { accepted: summary.accepted, deferred: summary.deferred, refused: summary.refused, said421: summary.replies['421 4.7.0'] },
        { accepted: 0, deferred: 12, refused: 0, said421: 12 },
      );
      assert.deepEqual(
        summary.failures.map(({ code, count, reply }) => [code, count, /^421 4\.7\.0 .*Error: too many connections from 127\./.test(reply ?? '')]),
        [['MAILV_GREETING_REFUSED', 12, true]],
      );
      // The run's own other connections, when the first refusal came: never more than the two others.
      assert.ok(summary.failures[0]!.connectionsOpen <= 2, JSON.stringify(summary.failures[0]));
    } finally {
      held.destroy();
    }
  });
});

describe('load mode against the real Postfix submission port', { skip: await submissionSkipReason() }, () => {
  it('STARTTLS, a verified certificate and AUTH once a connection: TLS and AUTH rows with one sample a connection', async () => {
    const run = await runCli(
      [
        '--server',
        `${SUBMISSION.host}:${SUBMISSION.starttlsPort}`,
        '--tls',
        'required',
        '--ca',
        TEST_CA,
        '--user',
        SUBMISSION_USER,
        '--count',
        '20',
        '--concurrency',
        '2',
        '--per-connection',
        '10',
        '--json',
        '-r',
        'alice@example.org',
        '-s',
        'load',
        DISCARDED,
      ],
      { input: 'Hello through the submission port.\n', env: { MAILV_PASSWORD: SUBMISSION_PASSWORD } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout + run.stderr, new RegExp(SUBMISSION_PASSWORD), 'the password never shows');
    const summary = loadSummary(run.stdout);
    assert.equal(summary.accepted, 20);
    assert.ok(summary.connections >= 2 && summary.connections <= 4, JSON.stringify(summary));
    // One STARTTLS handshake and one AUTH exchange a connection, each timed once.
    assert.equal(summary.tls?.samples, summary.connections);
    assert.equal(summary.auth?.samples, summary.connections);
    assert.equal(summary.replies['235 2.7.0'], summary.connections);
    assert.ok(summary.tls.p50 > 0 && summary.tls.p50 <= summary.tls.max);
    assert.ok(summary.auth.p50 > 0 && summary.auth.p50 <= summary.auth.max);
  });

  it('one connection after another: each after the first resumes the TLS session the one before kept, and the summary says how many did', async () => {
    const args = ['--server', `${SUBMISSION.host}:${SUBMISSION.starttlsPort}`, '--tls', 'required', '--ca', TEST_CA, '--user', SUBMISSION_USER];
    const env = { MAILV_PASSWORD: SUBMISSION_PASSWORD };
    const run = await runCli([...args, '--count', '4', '--per-connection', '1', '--json', '-r', 'alice@example.org', '-s', 'load', DISCARDED], {
      input: 'Resumed.\n',
      env,
    });
    assert.equal(run.code, 0, run.stderr);
    const summary = loadSummary(run.stdout);
    assert.deepEqual([summary.connections, summary.tls?.samples, summary.tlsResumed], [4, 4, 3]);
    const told = await runCli([...args, '--count', '4', '--per-connection', '1', '--no-tls-resume', '-r', 'alice@example.org', '-s', 'load', DISCARDED], {
      input: 'Not resumed.\n',
      env,
    });
    assert.equal(told.code, 0, told.stderr);
    // None resumed: no word of what resuming saves, which would say no certificate was sent.
    assert.match(told.stdout, /^TLS: 0 of 4 handshakes resumed a session$/m);
  });

  it('the summary has TLS and AUTH rows in the table, in French too', async () => {
    const run = await runCli(
      [
        '--server',
        `${SUBMISSION.host}:${SUBMISSION.starttlsPort}`,
        '--ca',
        TEST_CA,
        '--user',
        SUBMISSION_USER,
        '--count',
        '4',
        '--lang',
        'fr',
        '-r',
        'alice@example.org',
        '-s',
        'load',
        DISCARDED,
      ],
      { input: 'Bonjour.\n', env: { MAILV_PASSWORD: SUBMISSION_PASSWORD } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ {2}accueil +[\d,]+/m);
    assert.match(run.stdout, /^ {2}TLS +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+ +\d+$/m);
    assert.match(run.stdout, /^ {2}AUTH +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+ +\d+$/m);
  });
});
