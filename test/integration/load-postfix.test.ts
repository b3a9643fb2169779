// The load mode against the real Postfix: port 25 (recipients @discard.test are accepted and thrown
// away), and the submission port 587 with STARTTLS, a certificate verified against the test CA and
// AUTH, whose TLS and AUTH latencies the summary gives: one of each per connection.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { runCli } from '../helpers/cli.js';
import { loadSummary } from '../helpers/load-summary.js';
import { POSTFIX, postfixSkipReason } from '../helpers/postfix.js';
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
    assert.match(run.stdout, /^ {2}TLS +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+$/m);
    assert.match(run.stdout, /^ {2}AUTH +[\d,]+ +[\d,]+ +[\d,]+ +[\d,]+$/m);
  });
});
