// MX routing against real dnsmasq on loopback and SMTP servers on 127.0.0.x: the plan, the
// fallback from a dead first MX, null MX, NXDOMAIN, implicit MX, CNAME and IPv6 targets.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { testPki } from '../helpers/certificates.js';
import { spawn } from 'node:child_process';
import { freshHome, lines, runCli, LOCAL_HOST, MAILV, type CliResult } from '../helpers/cli.js';
import { RCODE, a, mx, reply, startDns, type Handler } from '../helpers/dns-server.js';
import { DNSMASQ, dnsmasqSkipReason } from '../helpers/dnsmasq.js';
import { startScriptedServer, type Script, type ScriptedServer } from '../helpers/scripted-server.js';
import type { SmtpSink } from '../helpers/smtp-sink.js';
import { closedPort, scriptedOnOnePort, sinksOnOnePort } from '../helpers/loopback-port.js';

const DNS = ['--dns', DNSMASQ];

/** `script` played by mx1.mx.test (127.0.0.2), a sink as mx2.mx.test (127.0.0.3) on the same port: both closed after `use`. */
async function firstAndNext(script: Script, use: (first: ScriptedServer, next: SmtpSink) => Promise<void>): Promise<void> {
  const [first] = await scriptedOnOnePort(['127.0.0.2'], script);
  try {
    const [next] = await sinksOnOnePort(['127.0.0.3'], { port: first!.port });
    try {
      await use(first!, next!);
    } finally {
      await next!.close();
    }
  } finally {
    await first!.close();
  }
}

/**
 * A server with CHUNKING whose first transaction takes bob and turns the others away (452), and
 * whose later ones put everyone off at RCPT (450), then hang up after BDAT LAST.
 */
function putsOffLaterRoundThenHangsUp(): Script['replies'] {
  let transactions = 0;
  const later = () => transactions > 1;
  return {
    EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING',
    MAIL: () => {
      transactions++;
      return '250 2.1.0 Ok';
    },
    RCPT: (line) => (line.includes('bob') ? '250 2.1.5 Ok' : later() ? '450 4.2.0 Greylisted' : '452 4.5.3 Too many recipients'),
    'BDAT LAST': () => (later() ? { close: true } : '250 2.0.0 Ok'),
  };
}

/**
 * mailv run with `args` in `home` (input `x`), sent SIGINT once its standard output matches
 * `shown`: its status, its output, once it has ended.
 */
async function interruptedWhen(
  args: readonly string[],
  shown: RegExp,
  home = freshHome(),
): Promise<{ code: number | null; stdout: string; stderr: string; home: string }> {
  const env = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: home, USER: 'tester', TZ: 'UTC', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  const child = spawn(process.execPath, [MAILV, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  child.stdin.end('x\n');
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const ended = new Promise<number | null>((resolve) => child.on('close', resolve));
  await new Promise<void>((resolve) =>
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      if (shown.test(stdout)) resolve();
    }),
  );
  child.kill('SIGINT');
  const code = await ended;
  return { code, stdout, stderr, home };
}

/** A --direct send to `recipients` through the MX of port `port`, with the test PKI's good pair as client certificate. */
function directWithClientCertificate(port: number, recipients: readonly string[]) {
  const home = freshHome();
  const pki = testPki();
  writeFileSync(join(home, 'client.pem'), pki.good.cert, { mode: 0o600 });
  writeFileSync(join(home, 'client.key'), pki.good.key, { mode: 0o600 });
  const certificate = ['--tls-cert', join(home, 'client.pem'), '--tls-key', join(home, 'client.key')];
  return runCli(['--direct', '--port', String(port), ...DNS, ...certificate, '-s', 'x', ...recipients], { input: 'secret\n', home });
}

describe('MX routing with real dnsmasq', { skip: await dnsmasqSkipReason() }, () => {
  it('--mx shows the query, the answers and the plan, lowest preference first', async () => {
    const run = await runCli(['--mx', 'deadfirst.test', ...DNS]);
    assert.equal(run.code, 0, run.stderr);
    const shown = lines(run.stdout);
    assert.equal(shown[0], ';; MX deadfirst.test.? asking 127.0.0.1#5354 over UDP');
    assert.match(shown[1]!, /^;; answer to MX deadfirst\.test\. from 127\.0\.0\.1#5354: NOERROR, 2 records, \d+ ms$/);
    assert.ok(shown.includes(';;   deadfirst.test.\t5\tIN\tMX\t10 dead.deadfirst.test.'));
    assert.ok(shown.includes(';;   dead.deadfirst.test.\t5\tIN\tA\t127.0.0.9   (additional)'));
    const plan = shown.slice(shown.indexOf('Mail for deadfirst.test goes to, in this order:'));
    assert.deepEqual(plan.slice(0, 3), [
      'Mail for deadfirst.test goes to, in this order:',
      '  1. dead.deadfirst.test.  preference  10  127.0.0.9',
      '  2. live.deadfirst.test.  preference  20  127.0.0.3',
    ]);
  });

  it('a record of --mx replays as the live run showed it: the exchange at the default verbosity, and the advice it ended on', async () => {
    const record = join(freshHome(), 'mx.jsonl');
    for (const extra of [[], ['-q'], ['-e', '--lang', 'fr']]) {
      const live = await runCli(['--mx', 'mx.test', ...DNS, '--record', record, ...extra]);
      assert.equal(live.code, 0, live.stderr);
      assert.match(live.stdout, /port 25|port 25 de/);
      const replayed = await runCli(['replay', ...extra, record]);
      assert.deepEqual([replayed.code, replayed.stdout, replayed.stderr], [0, live.stdout, ''], extra.join(' '));
    }
    // The port the advice names comes from the record, not from the replay's options.
    await runCli(['--mx', 'mx.test', '--port', '2526', ...DNS, '--record', record]);
    assert.match((await runCli(['replay', record])).stdout, /^mailv --direct connects to port 2526 of these addresses\.$/m);
  });

  it('replay --json of a --direct run is its live --json byte for byte, the MX plan included', async () => {
    const record = join(freshHome(), 'direct.jsonl');
    const port = await closedPort();
    const live = await runCli(['--direct', ...DNS, '--port', String(port), '--json', '--record', record, '-s', 'x', 'bob@deadfirst.test'], { input: 'x\n' });
    assert.equal(live.code, 75, live.stderr);
    assert.match(live.stdout, /"event":"mx-plan"/);
    const replayed = await runCli(['replay', '--json', record]);
    assert.equal(replayed.stdout, live.stdout);
  });

  it('--mx --diagram draws the DNS exchange, query by query, as the replay of its record draws it', async () => {
    const home = freshHome();
    const [live, replayed, record] = [join(home, 'live.svg'), join(home, 'replayed.svg'), join(home, 'mx.jsonl')];
    const run = await runCli(['--mx', 'mx.test', ...DNS, '--diagram', live, '--record', record]);
    assert.equal(run.code, 0, run.stderr);
    assert.equal((await runCli(['replay', '--diagram', replayed, record])).code, 0);
    const texts = (path: string) => [...readFileSync(path, 'utf8').matchAll(/<text[^>]*>([^<]*)<\/text>/g)].map((match) => match[1]!.replace(/\d+ ms/, 'N ms'));
    const drawn = texts(live);
    assert.deepEqual(
      drawn.filter((text) => text.endsWith('(UDP)')),
      ['MX mx.test.? @127.0.0.1#5354 (UDP)', 'AAAA mx1.mx.test.? @127.0.0.1#5354 (UDP)', 'AAAA mx2.mx.test.? @127.0.0.1#5354 (UDP)'],
    );
    assert.ok(drawn.includes('mx.test. 5 IN MX 10 mx1.mx.test.'), drawn.join('\n'));
    assert.deepEqual(drawn, texts(replayed));
  });

  it('two domains that fail, one for now and one for good: the permanent status, whatever the order of the recipients', async () => {
    const port = await closedPort();
    for (const recipients of [
      ['a@deadfirst.test', 'b@nonexistent.test'],
      ['b@nonexistent.test', 'a@deadfirst.test'],
    ]) {
      const run = await runCli(['--direct', ...DNS, '--port', String(port), '-q', '-s', 'x', ...recipients], { input: 'x\n' });
      assert.equal(run.code, 68, `${recipients.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, /no MX host of deadfirst\.test took the message/);
      assert.match(run.stderr, /nonexistent\.test\. does not exist \(NXDOMAIN\)/);
    }
  });

  it('a domain without MX is its own MX, of preference 0', async () => {
    const run = await runCli(['--mx', 'aonly.test', ...DNS]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /aonly\.test has no MX record: its own address takes the mail/);
    assert.match(run.stdout, /^ {2}1\. aonly\.test\. +preference +0 +127\.0\.0\.7$/m);
  });

  it('follows a CNAME target and finds an IPv6-only one', async () => {
    const cname = await runCli(['--mx', 'cname.test', ...DNS]);
    assert.equal(cname.code, 0, cname.stderr);
    assert.match(cname.stdout, /^ {2}1\. alias\.cname\.test\. +preference +10 +127\.0\.0\.8$/m);
    const v6 = await runCli(['--mx', 'v6.test', ...DNS]);
    assert.equal(v6.code, 0, v6.stderr);
    assert.match(v6.stdout, /^ {2}1\. mx6\.v6\.test\. +preference +10 +::1$/m);
  });

  it('asks in A-labels for an international domain', async () => {
    const run = await runCli(['--mx', 'bücher.test', ...DNS]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^;; MX xn--bcher-kva\.test\.\? asking/m);
  });

  it('null MX and NXDOMAIN: no mail possible, 68', async () => {
    const nullMx = await runCli(['--mx', 'nullmx.test', ...DNS]);
    assert.equal(nullMx.code, 68);
    assert.equal(nullMx.stderr, 'mailv: nullmx.test. accepts no mail: its MX is the null MX "0 ." (RFC 7505)\n');
    const missing = await runCli(['--mx', 'nonexistent.test', ...DNS]);
    assert.equal(missing.code, 68);
    assert.equal(missing.stderr, 'mailv: nonexistent.test. does not exist (NXDOMAIN)\n');
  });

  it('shuffles hosts of equal preference, repeatably with MAILV_SEED', async () => {
    const order = async (seed: string) => {
      const run = await runCli(['--mx', 'equal.test', '-q', ...DNS], { env: { MAILV_SEED: seed } });
      return [...run.stdout.matchAll(/\d\. (\w)\.equal\.test\./g)].map((match) => match[1]).join('');
    };
    const first = await order('class-1');
    assert.equal(await order('class-1'), first);
    assert.match(first, /^[abc]{3}d$/);
    const orders = new Set(await Promise.all(['s1', 's2', 's3', 's4', 's5', 's6'].map(order)));
    assert.ok(orders.size > 1, 'different seeds give different orders');
  });

  it('--direct: a dead first MX is reported, and the second takes the message', async () => {
    const [live] = await sinksOnOnePort(['127.0.0.3']);
    try {
      const run = await runCli(['--direct', '--port', String(live!.port), ...DNS, '-s', 'MX', 'bob@deadfirst.test'], { input: 'via MX\n' });
      assert.equal(run.code, 0, run.stderr);
      const shown = lines(run.stdout);
      const port = live!.port;
      assert.deepEqual(shown.slice(0, 3), [
        `bob@deadfirst.test... Connecting to dead.deadfirst.test. port ${port} via esmtp...`,
        'bob@deadfirst.test... Deferred: Connection refused by dead.deadfirst.test.',
        `bob@deadfirst.test... Connecting to live.deadfirst.test. port ${port} via esmtp...`,
      ]);
      assert.match(run.stdout, /^bob@deadfirst\.test\.\.\. Sent \(/m);
      assert.deepEqual(live!.messages[0]!.recipients, ['bob@deadfirst.test']);
    } finally {
      await live!.close();
    }
  });

  it('--direct: a recipient refused while another got the message keeps it in dead.letter (no queue will bounce it)', async () => {
    const [live] = await sinksOnOnePort(['127.0.0.3'], { refuse: ['nosuch'] });
    try {
      const run = await runCli(['--direct', '-q', '--port', String(live!.port), ...DNS, '-s', 'partly', 'bob@deadfirst.test', 'nosuch@deadfirst.test'], {
        input: 'for bob, not for nosuch\n',
      });
      assert.equal(run.code, 67, run.stderr);
      assert.deepEqual(live!.messages[0]!.recipients, ['bob@deadfirst.test']);
      assert.match(run.stderr, /^mailv: the message was saved in .*dead\.letter$/m);
      const dead = readFileSync(join(run.home, 'dead.letter'), 'utf8');
      assert.match(dead, /^for bob, not for nosuch$/m);
      assert.equal(dead.match(/^From /gm)?.length, 1, 'kept once');
    } finally {
      await live!.close();
    }
  });

  it('--direct: one session per domain, each to its own MX; -v shows the DNS exchange', async () => {
    const [mx1, mx2, own] = await sinksOnOnePort(['127.0.0.2', '127.0.0.3', '127.0.0.7']);
    try {
      const run = await runCli(['--direct', '-v', '--port', String(mx1!.port), ...DNS, '-s', 'two domains', 'a@mx.test', 'b@aonly.test', 'c@mx.test'], {
        input: 'x\n',
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        mx1!.messages.map((message) => message.recipients),
        [['a@mx.test', 'c@mx.test']],
      );
      assert.equal(mx2!.messages.length, 0, 'the preference 20 host is not needed');
      assert.deepEqual(
        own!.messages.map((message) => message.recipients),
        [['b@aonly.test']],
      );
      assert.match(run.stdout, /^;; MX mx\.test\.\? asking 127\.0\.0\.1#5354 over UDP$/m);
      assert.match(run.stdout, /^a@mx\.test,c@mx\.test\.\.\. Connecting to mx1\.mx\.test\. port \d+ via esmtp\.\.\.$/m);
      assert.match(run.stdout, /^b@aonly\.test\.\.\. Connecting to aonly\.test\. port \d+ via esmtp\.\.\.$/m);
    } finally {
      await Promise.all([mx1, mx2, own].map((sink) => sink!.close()));
    }
  });

  it('--direct: STARTTLS when offered, the certificate reported, EHLO again', async () => {
    const [tlsHost] = await sinksOnOnePort(['127.0.0.2'], { disabledCommands: ['AUTH'] });
    try {
      const run = await runCli(['--direct', '--port', String(tlsHost!.port), ...DNS, '-s', 'TLS', 'bob@mx.test'], { input: 'secret\n' });
      assert.equal(run.code, 0, run.stderr);
      const shown = lines(run.stdout);
      const starttls = shown.indexOf('>>> STARTTLS');
      assert.ok(starttls > 0, run.stdout);
      assert.match(shown[starttls + 1]!, /^220 /);
      assert.match(shown[starttls + 2]!, /^TLS: TLSv1\.[23], \S+; certificate NOT verified: (self-signed|expired|name mismatch|unknown CA)/);
      assert.match(shown[starttls + 3]!, /^TLS: subject .*; issuer .*; valid .+ to .+$/);
      assert.equal(shown[starttls + 4], `>>> EHLO ${LOCAL_HOST}`);
      assert.equal(shown.filter((line) => line === '>>> STARTTLS').length, 1, 'not offered again after the upgrade');
      assert.match(tlsHost!.messages[0]!.data.toString(), /\r\n\r\nsecret\r\n$/);
    } finally {
      await tlsHost!.close();
    }
  });

  it('--direct with a client certificate: an MX whose certificate does not verify gets TLS without it, never the message in clear', async () => {
    // One recipient a transaction (452 past it), and a certificate asked for: every round after the
    // first goes without the certificate at once, and says why none went.
    const taken = new Map<string, number>();
    const [tlsHost] = await sinksOnOnePort(['127.0.0.2'], {
      disabledCommands: ['AUTH'],
      // smtp-server would give its 452 4.2.2 (mailbox full), which is no limit of recipients.
      hideENHANCEDSTATUSCODES: true,
      requestCert: true,
      rejectUnauthorized: false,
      onRcptTo(_address, session, callback) {
        const count = (taken.get(session.id) ?? 0) + 1;
        taken.set(session.id, count);
        callback(count > 1 ? Object.assign(new Error('Too many recipients'), { responseCode: 452 }) : undefined);
      },
      onMailFrom(_address, session, callback) {
        taken.set(session.id, 0);
        callback();
      },
    });
    try {
      const run = await directWithClientCertificate(tlsHost!.port, ['bob@mx.test', 'carol@mx.test']);
      assert.equal(run.code, 0, run.stdout + run.stderr);
      // Once, for the first round: the second goes without the certificate at once.
      const warnings = lines(run.stdout).filter((line) => line.startsWith('Warning: '));
      assert.equal(warnings.length, 1, run.stdout);
      assert.match(
        warnings[0]!,
        /^Warning: bob@mx\.test,carol@mx\.test\.\.\. .*does not verify.*: trying mx1\.mx\.test\. again with TLS, without the client certificate$/,
      );
      // Before, the host was tried again without TLS: the message went in clear.
      assert.deepEqual(
        tlsHost!.messages.map((message) => [message.recipients, message.secure]),
        [
          [['bob@mx.test'], true],
          [['carol@mx.test'], true],
        ],
      );
      assert.doesNotMatch(run.stdout, /again without TLS/);
      const withheld = lines(run.stdout).filter((line) => line.includes('none sent, the one given being for a verified server only'));
      assert.equal(withheld.length, 2, run.stdout);
    } finally {
      await tlsHost!.close();
    }
  });

  it('--direct: an unverified MX that demands a client certificate, withheld from it, gets no message at all: never in clear for want of it, 75', async () => {
    const [tlsHost] = await sinksOnOnePort(['127.0.0.2'], { disabledCommands: ['AUTH'], requestCert: true, rejectUnauthorized: true });
    try {
      const run = await directWithClientCertificate(tlsHost!.port, ['bob@mx.test']);
      assert.equal(run.code, 75, run.stdout + run.stderr);
      // Before, the handshake without the certificate failed and the host was tried again in clear.
      assert.doesNotMatch(run.stdout, /again without TLS/);
      assert.equal(tlsHost!.messages.length, 0);
      assert.ok(existsSync(join(run.home, 'dead.letter')), 'kept');
    } finally {
      await tlsHost!.close();
    }
  });

  it('--direct --tls required: an unverified MX certificate stops instead, 75', async () => {
    const [tlsHost] = await sinksOnOnePort(['127.0.0.2'], { disabledCommands: ['AUTH'] });
    try {
      const run = await runCli(['--direct', '--tls', 'required', '--port', String(tlsHost!.port), ...DNS, '-s', 'x', 'bob@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 75);
      assert.match(run.stderr, /the certificate of mx1\.mx\.test is NOT verified: .+ \(--tls required; (--ca <file> trusts its CA, )?--insecure accepts any\)/);
      assert.equal(lines(run.stdout).filter((line) => line.includes('Connecting to')).length, 1, 'no plaintext retry');
      assert.equal(tlsHost!.messages.length, 0);
    } finally {
      await tlsHost!.close();
    }
  });

  it('--direct: a failed handshake is noted and the host tried again without TLS', async () => {
    const [host] = await scriptedOnOnePort(['127.0.0.2'], {
      replies: {
        EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 STARTTLS',
        STARTTLS: { raw: '220 2.0.0 Ready to start TLS\r\n', close: false },
      },
      afterStartTls: 'garbage',
    });
    try {
      const run = await runCli(['--direct', '--port', String(host!.port), ...DNS, '-s', 'x', 'bob@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^Warning: bob@mx\.test\.\.\. TLS handshake with mx1\.mx\.test failed: .+: trying mx1\.mx\.test\. again without TLS$/m);
      assert.equal(lines(run.stdout).filter((line) => line.startsWith('bob@mx.test... Connecting to mx1.mx.test.')).length, 2);
      assert.match(run.stdout, /^bob@mx\.test\.\.\. Sent \(/m);
    } finally {
      await host!.close();
    }
  });

  it('--direct: bytes injected after the 220 to STARTTLS end the session, 76', async () => {
    const [host] = await scriptedOnOnePort(['127.0.0.2'], {
      replies: {
        EHLO: '250-scripted.test\r\n250 STARTTLS',
        STARTTLS: '220 2.0.0 Ready to start TLS\r\n250 2.0.0 injected',
      },
    });
    try {
      const run = await runCli(['--direct', '--port', String(host!.port), ...DNS, '-s', 'x', 'bob@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 76);
      assert.match(run.stderr, /: the server sent more after its 220 to STARTTLS: a response injection \(CVE-2011-0411\)$/m);
      assert.ok(existsSync(join(run.home, 'dead.letter')));
    } finally {
      await host!.close();
    }
  });

  it('--direct: part of a line injected after the 220 to STARTTLS is refused too, 76', async () => {
    const [host] = await scriptedOnOnePort(['127.0.0.2'], {
      replies: { EHLO: '250-scripted.test\r\n250 STARTTLS', STARTTLS: { raw: '220 2.0.0 Ready to start TLS\r\n250 inj' } },
    });
    try {
      const run = await runCli(['--direct', '--port', String(host!.port), ...DNS, '-s', 'x', 'bob@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 76);
      assert.match(
        run.stderr,
        /^mailv: not delivered to bob@mx\.test: the server sent more after its 220 to STARTTLS: a response injection \(CVE-2011-0411\)$/m,
      );
    } finally {
      await host!.close();
    }
  });

  it('--direct: a host that drops the connection or says 421 before the message is left for the next', async () => {
    for (const fault of [{ EHLO: { close: true as const } }, { MAIL: '421 4.3.2 Shutting down' }]) {
      await firstAndNext({ replies: fault }, async (broken, next) => {
        const run = await runCli(['--direct', '--port', String(broken.port), ...DNS, '-s', 'x', 'bob@mx.test'], { input: 'x\n' });
        assert.equal(run.code, 0, run.stderr);
        // A failure without a reply names the host it came from; a reply is said alone, as sendmail says it.
        assert.match(run.stdout, /^bob@mx\.test\.\.\. Deferred: (connection closed by the server during ehlo by mx1\.mx\.test\.|421 4\.3\.2 Shutting down)$/m);
        assert.deepEqual(next.messages[0]!.recipients, ['bob@mx.test']);
      });
    }
  });

  it('--direct: a recipient one host refused for good is not offered to the next host the message goes to after its 421', async () => {
    await firstAndNext(
      {
        replies: { RCPT: (line) => (line.includes('carol') ? '550 5.1.1 User unknown' : '250 2.1.5 Ok'), DATA: '421 4.3.2 Shutting down' },
      },
      async (broken, next) => {
        const run = await runCli(['--direct', '--port', String(broken.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'], { input: 'x\n' });
        // bob delivered by the next host, carol refused for good: 67.
        assert.equal(run.code, 67, run.stderr);
        assert.deepEqual(next.messages[0]!.recipients, ['bob@mx.test']);
        assert.match(run.stdout, /^bob@mx\.test\.\.\. Deferred: 421 4\.3\.2 Shutting down$/m);
        assert.match(run.stderr, /^mailv: not delivered to carol@mx\.test: 550 5\.1\.1 User unknown$/m);
      },
    );
  });

  it('--direct: a 421 to RCPT is the host closing, not a verdict: the next host takes the message, nothing said of a refusal', async () => {
    // With PIPELINING and CHUNKING (as Postfix), BDAT LAST and the message leave with the envelope:
    // the 421 still says they were not taken.
    for (const [how, ehlo] of [
      ['pipelined', '250-scripted.test\r\n250-PIPELINING\r\n250 8BITMIME'],
      ['pipelined, with BDAT', '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING'],
      ['one command at a time', '250-scripted.test\r\n250 8BITMIME'],
    ] as const) {
      const rcpt = (line: string) => (line.includes('carol') ? '421 4.7.0 Too many connections' : '250 2.1.5 Ok');
      await firstAndNext({ replies: { EHLO: ehlo, RCPT: rcpt } }, async (closing, sink) => {
        const run = await runCli(['--direct', '--port', String(closing.port), ...DNS, '-s', 'next', 'bob@mx.test', 'carol@mx.test'], { input: 'to both\n' });
        assert.equal(run.code, 0, `${how}: ${run.stderr}`);
        assert.deepEqual(
          sink.messages.map((message) => message.recipients),
          [['bob@mx.test', 'carol@mx.test']],
          how,
        );
        // Pipelined, DATA left with the envelope; one command at a time, nothing followed the 421.
        assert.equal(closing.commands.includes('DATA'), how === 'pipelined', how);
        assert.equal(run.stderr, '', how);
        assert.match(
          run.stdout,
          /^bob@mx\.test,carol@mx\.test\.\.\. Deferred: 421 4\.7\.0 Too many connections\n[\s\S]*^bob@mx\.test,carol@mx\.test\.\.\. Connecting to mx2\.mx\.test\. port \d+ via esmtp\.\.\.$/m,
          how,
        );
      });
    }
  });

  it('--direct: a 4xx to MAIL, to DATA or to the final dot puts the message off at that host only: the next host takes it', async () => {
    for (const [verb, reply] of [
      ['MAIL', '451 4.7.1 Greylisted, try again later'],
      ['DATA', '451 4.3.0 Try again later'],
      ['.', '452 4.3.1 Insufficient system storage'],
    ] as const) {
      await firstAndNext({ replies: { [verb]: reply } }, async (putting, next) => {
        const run = await runCli(['--direct', '--port', String(putting.port), ...DNS, '-s', 'x', 'bob@mx.test'], { input: 'x\n' });
        assert.equal(run.code, 0, `${verb}: ${run.stderr}`);
        assert.equal(run.stderr, '', verb);
        const shown = lines(run.stdout);
        const deferred = shown.indexOf(`bob@mx.test... Deferred: ${reply}`);
        assert.notEqual(deferred, -1, `${verb}: ${run.stdout}`);
        assert.match(shown.slice(deferred + 1).join('\n'), /^bob@mx\.test\.\.\. Connecting to mx2\.mx\.test\. port \d+ via esmtp\.\.\.$/m, verb);
        assert.deepEqual(
          next.messages.map((message) => message.recipients),
          [['bob@mx.test']],
          verb,
        );
      });
    }
  });

  it('--direct: a recipient put off at RCPT while the other got the message goes to the next host on its own', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 carol@mx.test: Recipient address rejected: Greylisted' : '250 2.1.5 Ok');
    await firstAndNext({ replies: { RCPT: rcpt } }, async (first, next) => {
      const run = await runCli(['--direct', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'], { input: 'to both\n' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.ok(first.commands.includes('DATA'), 'bob got it from the first host');
      assert.deepEqual(
        next.messages.map((message) => message.recipients),
        [['carol@mx.test']],
      );
      assert.match(
        run.stdout,
        /^carol@mx\.test\.\.\. Deferred \(450 4\.2\.0 carol@mx\.test: Recipient address rejected: Greylisted\)\n[\s\S]*^bob@mx\.test\.\.\. Sent \([\s\S]*^carol@mx\.test\.\.\. Connecting to mx2\.mx\.test\. port \d+ via esmtp\.\.\.\n[\s\S]*^carol@mx\.test\.\.\. Sent \(/m,
      );
      assert.equal(existsSync(join(run.home, 'dead.letter')), false, 'each got it: nothing kept');
      // The deferral is no last word: --json says it went on (`next`), --explain says where.
      const args = ['--direct', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'];
      const json = await runCli([...args, '--json'], { input: 'to both\n' });
      const verdicts = lines(json.stdout)
        .map((line) => JSON.parse(line) as { event: string; recipient?: string; outcome?: string; next?: boolean })
        .filter((event) => event.event === 'recipient' && event.recipient === 'carol@mx.test')
        .map(({ outcome, next }) => ({ outcome, next }));
      assert.deepEqual(verdicts, [
        { outcome: 'deferred', next: true },
        { outcome: 'sent', next: undefined },
      ]);
      const explained = await runCli([...args, '--explain'], { input: 'to both\n' });
      assert.match(
        explained.stdout,
        /^carol@mx\.test\.\.\. Deferred \(450 [^\n]*\)\n\s+↳ carol@mx\.test: refused for now \(4xx\) by this host, offered to the next once this session ends \(Postfix, RFC 5321 §5\.1\)$/m,
      );
    });
  });

  it('--direct: a recipient put off by a host that then loses the message goes on to the next host alone; the one the host may have is unsettled', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok');
    await firstAndNext({ replies: { RCPT: rcpt, '.': { close: true } } }, async (first, next) => {
      const run = await runCli(['--direct', '--json', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.deepEqual(
        next.messages.map((message) => message.recipients),
        [['carol@mx.test']],
        'carol was never in the message lost: one copy, hers; bob may have it from the first host',
      );
      const events = lines(run.stdout).map(
        (line) => JSON.parse(line) as { event: string; recipients?: string[]; recipient?: string; outcome?: string; next?: true; restated?: true },
      );
      assert.deepEqual(events.find((event) => event.event === 'unsettled')?.recipients, ['bob@mx.test']);
      assert.deepEqual(
        events
          .filter((event) => event.event === 'recipient')
          .map(({ recipient, outcome, next: goesOn, restated }) => ({ recipient, outcome, goesOn, restated })),
        [
          { recipient: 'carol@mx.test', outcome: 'deferred', goesOn: true, restated: undefined },
          { recipient: 'carol@mx.test', outcome: 'sent', goesOn: undefined, restated: undefined },
        ],
      );
      assert.doesNotMatch(run.stderr, /carol/, run.stderr);
      assert.ok(existsSync(join(run.home, 'dead.letter')), 'bob may not have it: the message is kept');
    });
  });

  it('--direct: a recipient put off at RCPT goes on when the host then loses the message, with BDAT as with DATA, and past the host’s limit of recipients', async () => {
    const chunking = '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING';
    for (const [how, replies, recipients] of [
      [
        'BDAT',
        { EHLO: chunking, RCPT: (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok'), 'BDAT LAST': { close: true } },
        ['bob', 'carol'],
      ],
      [
        'past the limit',
        {
          RCPT: (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : line.includes('dave') ? '452 4.5.3 Too many recipients' : '250 2.1.5 Ok'),
          '.': { close: true },
        },
        ['bob', 'carol', 'dave'],
      ],
    ] as const) {
      await firstAndNext({ replies }, async (first, next) => {
        const run = await runCli(['--direct', '--port', String(first.port), ...DNS, '-s', 'x', ...recipients.map((name) => `${name}@mx.test`)], {
          input: 'x\n',
        });
        assert.equal(run.code, 75, `${how}: ${run.stderr}`);
        assert.deepEqual(
          next.messages.map((message) => message.recipients),
          [['carol@mx.test']],
          how,
        );
        assert.match(run.stdout, /^carol@mx\.test\.\.\. Sent \(/m, how);
        assert.match(
          run.stderr,
          /^mailv: (?:not delivered to )?bob@mx\.test: connection closed by the server during body after the whole message was sent: mx1\.mx\.test\. \[127\.0\.0\.2\] may have it/m,
          how,
        );
        assert.doesNotMatch(run.stderr, /carol/, how);
        if (how === 'past the limit') assert.match(run.stderr, /^mailv: not delivered to dave@mx\.test: 452 4\.5\.3 Too many recipients$/m, how);
      });
    }
  });

  it('--direct: a signal while the recipient put off goes on to the next host still says the others, whom the first host may have, past its limit too', async () => {
    for (const [how, recipients] of [
      ['alone', ['bob', 'carol']],
      ['past the limit', ['bob', 'carol', 'dave']],
    ] as const) {
      const rcpt = (line: string) =>
        line.includes('carol') ? '450 4.2.0 Greylisted' : line.includes('dave') ? '452 4.5.3 Too many recipients' : '250 2.1.5 Ok';
      const [first] = await scriptedOnOnePort(['127.0.0.2'], { replies: { RCPT: rcpt, '.': { close: true } } });
      const [silent] = await scriptedOnOnePort(['127.0.0.3'], { port: first!.port, greetingDelayMs: 30_000 });
      try {
        const home = freshHome();
        const args = ['--direct', '--port', String(first!.port), ...DNS, '-s', 'x', ...recipients.map((name) => `${name}@mx.test`)];
        const { code, stderr } = await interruptedWhen(args, /^carol@mx\.test\.\.\. Connecting to mx2/m, home);
        assert.equal(code, 130, `${how}: ${stderr}`);
        assert.equal(
          stderr.match(/(?:not delivered to )?bob@mx\.test: connection closed by the server during body after the whole message was sent: [^\n]*may have it/g)
            ?.length,
          1,
          `${how}: ${stderr}`,
        );
        assert.equal(stderr.match(/not delivered to carol@mx\.test: 450 4\.2\.0 Greylisted/g)?.length, 1, `${how}: ${stderr}`);
        assert.ok(existsSync(join(home, 'dead.letter')), how);
      } finally {
        await first!.close();
        await silent!.close();
      }
    }
  });

  it("--direct: with BDAT, a later transaction past the limit whose recipients were all put off before a hang-up has nobody's message: they go on", async () => {
    await firstAndNext({ replies: putsOffLaterRoundThenHangsUp() }, async (first, next) => {
      const run = await runCli(['--direct', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'dave@mx.test', 'erin@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(
        next.messages.map((message) => message.recipients),
        [['dave@mx.test', 'erin@mx.test']],
      );
      assert.equal(existsSync(join(run.home, 'dead.letter')), false);
    });
  });

  it('--direct: at the last host, a later transaction past the limit that put everyone off before a hang-up leaves each with its own 4xx, said once', async () => {
    // mx1 (127.0.0.2) listens nowhere: mx2 is the last host, and runs the rounds.
    const [last] = await scriptedOnOnePort(['127.0.0.3'], { replies: putsOffLaterRoundThenHangsUp() });
    try {
      const run = await runCli(['--direct', '--port', String(last!.port), ...DNS, '-s', 'x', 'bob@mx.test', 'dave@mx.test', 'erin@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      for (const name of ['dave', 'erin']) assert.equal(run.stderr.match(new RegExp(`${name}@mx\\.test`, 'g'))?.length, 1, run.stderr);
      assert.match(run.stderr, /^mailv: not delivered to dave@mx\.test: 450 4\.2\.0 Greylisted$/m);
      assert.doesNotMatch(run.stderr, /connection closed/);
    } finally {
      await last!.close();
    }
  });

  it('--direct: a signal during a later transaction past the limit at the same host says the 4xx of one the first put off', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : line.includes('dave') ? '452 4.5.3 Too many recipients' : '250 2.1.5 Ok');
    const [first] = await scriptedOnOnePort(['127.0.0.2'], {
      replies: { RCPT: rcpt },
      perConnection: (index) => (index > 1 ? { greetingDelayMs: 30_000 } : {}),
    });
    try {
      const args = ['--direct', '--port', String(first!.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test', 'dave@mx.test'];
      const { code, stderr } = await interruptedWhen(args, /^dave@mx\.test\.\.\. Connecting to mx1/m);
      assert.equal(code, 130, stderr);
      assert.equal(stderr.match(/not delivered to carol@mx\.test: 450 4\.2\.0 Greylisted/g)?.length, 1, stderr);
    } finally {
      await first!.close();
    }
  });

  it('--direct: a signal while the next host may have the message for the one that went on says that, and no 4xx of the host before', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok');
    const [first] = await scriptedOnOnePort(['127.0.0.2'], { replies: { RCPT: rcpt, DATA: '554 5.7.1 No' } });
    const [silent] = await scriptedOnOnePort(['127.0.0.3'], { port: first!.port, replies: { '.': { silent: true }, QUIT: { silent: true } } });
    try {
      const args = ['--direct', '--port', String(first!.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'];
      // The first host refused DATA: the first final dot is the next host's.
      const { code, stderr } = await interruptedWhen(args, /^>>> \.$/m);
      assert.equal(code, 130, stderr);
      assert.match(stderr, /mx2\.mx\.test\. \[127\.0\.0\.3\] may have it/);
      assert.doesNotMatch(stderr, /not delivered to carol/);
      assert.equal(stderr.match(/not delivered to bob@mx\.test: the server refused DATA: 554 5\.7\.1 No/g)?.length, 1, stderr);
    } finally {
      await first!.close();
      await silent!.close();
    }
  });

  it("--direct: with BDAT, a host that put every recipient off and then hung up has nobody's message: they go on, and the run ends 0", async () => {
    const chunking = '250-scripted.test\r\n250-PIPELINING\r\n250-8BITMIME\r\n250 CHUNKING';
    await firstAndNext({ replies: { EHLO: chunking, RCPT: '450 4.2.0 Greylisted', 'BDAT LAST': { close: true } } }, async (first, next) => {
      const run = await runCli(['--direct', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'], { input: 'x\n' });
      assert.equal(run.code, 0, run.stderr);
      assert.equal(run.stderr, '');
      assert.deepEqual(
        next.messages.map((message) => message.recipients),
        [['bob@mx.test', 'carol@mx.test']],
      );
      assert.equal(existsSync(join(run.home, 'dead.letter')), false);
    });
  });

  it('--direct: one put off at RCPT in a later transaction past the limit goes on when that transaction fails for the others', async () => {
    for (const how of ['554 to DATA', 'lost after the dot'] as const) {
      // The first transaction takes bob and turns dave and erin away (452); the second takes dave, puts erin off, and fails.
      let transactions = 0;
      const later = () => transactions > 1;
      const replies: Script['replies'] = {
        MAIL: () => {
          transactions++;
          return '250 2.1.0 Ok';
        },
        RCPT: (line) =>
          line.includes('bob') ? '250 2.1.5 Ok' : !later() ? '452 4.5.3 Too many recipients' : line.includes('erin') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok',
        ...(how === '554 to DATA'
          ? { DATA: () => (later() ? '554 5.7.1 No' : '354 Go ahead') }
          : { '.': () => (later() ? { close: true as const } : '250 2.0.0 Ok') }),
      };
      await firstAndNext({ replies }, async (first, next) => {
        const run = await runCli(['--direct', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'dave@mx.test', 'erin@mx.test'], {
          input: 'x\n',
        });
        assert.deepEqual(
          next.messages.map((message) => message.recipients),
          [['erin@mx.test']],
          `${how}: ${run.stdout}`,
        );
        assert.doesNotMatch(run.stderr, /erin/, how);
        assert.match(run.stderr, /dave@mx\.test/, how);
        // A transaction refused as a whole decides as it would alone: no recipient was unknown.
        assert.equal(run.code, how === '554 to DATA' ? 69 : 75, `${how}: ${run.stderr}`);
      });
    }
  });

  it('--direct: a signal while a second domain is tried still says the failure of the first', async () => {
    const [refusing] = await scriptedOnOnePort(['127.0.0.2'], { replies: { '.': '554 5.6.0 Message refused' } });
    const [silent] = await scriptedOnOnePort(['127.0.0.7'], { port: refusing!.port, greetingDelayMs: 30_000 });
    try {
      const home = freshHome();
      const args = ['--direct', '--port', String(refusing!.port), ...DNS, '-s', 'x', 'bob@mx.test', 'dave@aonly.test'];
      const { code, stderr } = await interruptedWhen(args, /^dave@aonly\.test\.\.\. Connecting to /m, home);
      assert.equal(code, 130, stderr);
      assert.equal(stderr.match(/not delivered to bob@mx\.test: the server did not accept the message: 554 5\.6\.0 Message refused/g)?.length, 1, stderr);
      assert.match(stderr, /^mailv: interrupted by SIGINT$/m);
    } finally {
      await refusing!.close();
      await silent!.close();
    }
  });

  it('--direct: a host that refuses the message for good (554 to the dot) after putting one recipient off fails the others as it would alone (69); the one put off goes on', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok');
    await firstAndNext({ replies: { RCPT: rcpt, '.': '554 5.6.0 Message refused' } }, async (first, next) => {
      const args = ['--direct', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test', 'dave@mx.test'];
      const run = await runCli(args, { input: 'x\n' });
      assert.equal(run.code, 69, run.stderr);
      assert.deepEqual(
        next.messages.map((message) => message.recipients),
        [['carol@mx.test']],
      );
      assert.match(
        run.stdout,
        /^carol@mx\.test\.\.\. Deferred \(450 4\.2\.0 Greylisted\)\n[\s\S]*^carol@mx\.test\.\.\. Connecting to mx2\.mx\.test\. port \d+ via esmtp\.\.\.\n[\s\S]*^carol@mx\.test\.\.\. Sent \(/m,
      );
      assert.match(run.stderr, /^mailv: not delivered to bob@mx\.test, dave@mx\.test: the server did not accept the message: 554 5\.6\.0 Message refused$/m);
      assert.doesNotMatch(run.stderr, /carol/);
      assert.ok(existsSync(join(run.home, 'dead.letter')), 'bob and dave did not get it: the message is kept');
      const json = await runCli([...args, '--json'], { input: 'x\n' });
      const verdicts = lines(json.stdout)
        .map((line) => JSON.parse(line) as { event: string; recipient?: string; outcome?: string; next?: true })
        .filter((event) => event.event === 'recipient')
        .map(({ recipient, outcome, next: goesOn }) => ({ recipient, outcome, goesOn }));
      assert.deepEqual(verdicts, [
        { recipient: 'carol@mx.test', outcome: 'deferred', goesOn: true },
        { recipient: 'carol@mx.test', outcome: 'sent', goesOn: undefined },
      ]);
      const result = JSON.parse(lines(json.stdout).at(-1)!) as { event: string; status: number; code?: string; stage?: string };
      assert.deepEqual([result.event, result.status, result.code, result.stage], ['result', 69, 'MAILV_MESSAGE_REFUSED', 'body']);
    });
  });

  it('--direct: a recipient that went on to the next host is said once when a signal stops the run there, and a replay of the run says what the run said', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok');
    const [first] = await scriptedOnOnePort(['127.0.0.2'], { replies: { RCPT: rcpt } });
    // The next host never greets: the run is stopped while carol waits for it.
    const [silent] = await scriptedOnOnePort(['127.0.0.3'], { port: first!.port, greetingDelayMs: 30_000 });
    try {
      const home = freshHome();
      const record = join(home, 'run.record');
      const args = ['--direct', '--record', record, '--port', String(first!.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'];
      const { code, stderr } = await interruptedWhen(args, /^carol@mx\.test\.\.\. Connecting to mx2/m, home);
      assert.equal(code, 130, stderr);
      assert.equal(stderr.match(/not delivered to carol@mx\.test: 450 4\.2\.0 Greylisted/g)?.length, 1, stderr);
      assert.doesNotMatch(stderr, /not delivered to bob/);
      const replayed = await runCli(['replay', record], { home });
      assert.equal(replayed.stderr.match(/not delivered to carol@mx\.test: 450 4\.2\.0 Greylisted/g)?.length, 1, replayed.stderr);
      assert.equal(lines(replayed.stdout).filter((line) => line === 'carol@mx.test... Deferred (450 4.2.0 Greylisted)').length, 1, replayed.stdout);
      const json = await runCli(['replay', '--json', record], { home });
      const carol = lines(json.stdout)
        .map((line) => JSON.parse(line) as { event: string; recipient?: string; next?: true; restated?: true })
        .filter((event) => event.event === 'recipient' && event.recipient === 'carol@mx.test')
        .map(({ next, restated }) => ({ next, restated }));
      assert.deepEqual(carol, [
        { next: true, restated: undefined },
        { next: undefined, restated: true },
      ]);
    } finally {
      await first!.close();
      await silent!.close();
    }
  });

  it('--direct: the last server put one recipient off, then the message with a 4xx: each said once, the failure naming the other', async () => {
    const [lone] = await scriptedOnOnePort(['127.0.0.2'], {
      replies: { RCPT: (line) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok'), DATA: '451 4.3.0 Try again later' },
    });
    try {
      const run = await runCli(['--direct', '--port', String(lone!.port), '-s', 'x', 'bob@[127.0.0.2]', 'carol@[127.0.0.2]'], { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.equal(run.stderr.match(/carol/g)?.length, 1, run.stderr);
      assert.match(run.stderr, /^mailv: not delivered to carol@\[127\.0\.0\.2\]: 450 4\.2\.0 Greylisted$/m);
      assert.match(run.stderr, /^mailv: not delivered to bob@\[127\.0\.0\.2\]: the server refused DATA: 451 4\.3\.0 Try again later$/m);
    } finally {
      await lone!.close();
    }
  });

  it('--direct --quit-after rcpt: a recipient put off is probed at its first host only, said once', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok');
    await firstAndNext({ replies: { RCPT: rcpt } }, async (first) => {
      const run = await runCli(['--direct', '--quit-after', 'rcpt', '--port', String(first.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'], {
        input: 'x\n',
      });
      assert.equal(run.code, 75, run.stderr);
      assert.doesNotMatch(run.stdout, /Connecting to mx2/);
      assert.equal(run.stderr.match(/not delivered to carol@mx\.test: 450 4\.2\.0 Greylisted/g)?.length, 1, run.stderr);
    });
  });

  it('--direct: recipients put off at RCPT that no other host takes keep their own 4xx: 75, the message kept', async () => {
    const [first] = await scriptedOnOnePort(['127.0.0.2'], { replies: { RCPT: '450 4.2.0 Greylisted' } });
    try {
      const run = await runCli(['--direct', '--port', String(first!.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'], { input: 'for later\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.doesNotMatch(first!.received().toString('latin1'), /for later/, 'no recipient: no message');
      const shown = lines(run.stdout);
      // Each said once in the transcript, where the host put it off; the next host refused the connection.
      for (const recipient of ['bob', 'carol'])
        assert.equal(shown.filter((line) => line === `${recipient}@mx.test... Deferred (450 4.2.0 Greylisted)`).length, 1, run.stdout);
      assert.ok(shown.includes('bob@mx.test,carol@mx.test... Deferred: Connection refused by mx2.mx.test.'), run.stdout);
      // Their last word, on standard error once no other host took them.
      for (const recipient of ['bob', 'carol'])
        assert.match(run.stderr, new RegExp(`^mailv: not delivered to ${recipient}@mx\\.test: 450 4\\.2\\.0 Greylisted$`, 'm'));
      assert.match(readFileSync(join(run.home, 'dead.letter'), 'utf8'), /^for later$/m);
    } finally {
      await first!.close();
    }
  });

  it('--direct: a recipient put off at RCPT, then refused by the next host as a whole (550 to MAIL), is refused by that reply: 69, as that refusal alone', async () => {
    const rcpt = (line: string) => (line.includes('carol') ? '450 4.2.0 Greylisted' : '250 2.1.5 Ok');
    const [first] = await scriptedOnOnePort(['127.0.0.2'], { replies: { RCPT: rcpt } });
    const [refusing] = await scriptedOnOnePort(['127.0.0.3'], { port: first!.port, replies: { MAIL: '550 5.7.1 Sender rejected' } });
    try {
      const run = await runCli(['--direct', '--port', String(first!.port), ...DNS, '-s', 'x', 'bob@mx.test', 'carol@mx.test'], { input: 'the body\n' });
      // The sender refused, no recipient unknown: 69, not 67.
      assert.equal(run.code, 69, run.stderr);
      assert.match(first!.received().toString('latin1'), /^the body\r$/m, 'bob got it from the first host');
      assert.deepEqual(
        refusing!.commands.filter((command) => /^RCPT/i.test(command)).map((command) => command.toUpperCase()),
        ['RCPT TO:<CAROL@MX.TEST>'],
        'carol alone offered to the next host',
      );
      assert.doesNotMatch(refusing!.received().toString('latin1'), /the body/, 'MAIL refused: no message');
      assert.match(run.stdout, /^bob@mx\.test\.\.\. Sent \(/m);
      assert.match(run.stderr, /^mailv: not delivered to carol@mx\.test: 550 5\.7\.1 Sender rejected$/m);
      assert.doesNotMatch(run.stderr, /bob@mx\.test/);
    } finally {
      await first!.close();
      await refusing!.close();
    }
  });

  // After the whole message is written, a drop leaves the host with the message or not, nobody can
  // tell: it is never offered to another host (one copy at most), and it is kept in dead.letter.
  const DROPS_AFTER_COMMIT: readonly { readonly name: string; readonly script: Script }[] = [
    { name: 'DATA, pipelined', script: { replies: { '.': { close: true } } } },
    {
      // The whole flight taken, no reply given: the first reply awaited is MAIL's.
      name: 'BDAT, pipelined',
      script: {
        replies: { EHLO: '250-scripted.test\r\n250-PIPELINING\r\n250 CHUNKING', MAIL: { silent: true }, RCPT: { silent: true }, 'BDAT LAST': { close: true } },
      },
    },
    { name: 'BDAT, one command at a time', script: { replies: { EHLO: '250-scripted.test\r\n250 CHUNKING', 'BDAT LAST': { close: true } } } },
  ];

  for (const { name, script } of DROPS_AFTER_COMMIT) {
    it(`--direct: a drop after the whole message was sent (${name}) is final: one copy, 75, the message kept`, async () => {
      const [first] = await scriptedOnOnePort(['127.0.0.2'], script);
      try {
        const second = await startScriptedServer({ host: '127.0.0.3', port: first!.port });
        try {
          const run = await runCli(['--direct', '--port', String(first!.port), ...DNS, '-s', 'once', 'bob@mx.test'], { input: 'only once\n' });
          assert.equal(run.code, 75, run.stderr);
          assert.ok(first!.received().toString('latin1').includes('only once'), 'the first host took the whole message');
          assert.equal(second.received().length, 0, 'the second host receives nothing');
          assert.doesNotMatch(run.stdout, /Connecting to mx2|Deferred/);
          assert.match(
            run.stderr,
            /^mailv: not delivered to bob@mx\.test: connection closed by the server during \w+ after the whole message was sent: mx1\.mx\.test\. \[127\.0\.0\.2\] may have it, so it is not sent again$/m,
          );
          assert.match(run.stderr, /^mailv: the message was saved in .*dead\.letter$/m);
          assert.ok(existsSync(join(run.home, 'dead.letter')));
          // --json names the recipient the host may have it for.
          const json = await runCli(['--json', '--direct', '--port', String(first!.port), ...DNS, '-s', 'once', 'bob@mx.test'], { input: 'only once\n' });
          const unsettled = lines(json.stdout)
            .map((line) => JSON.parse(line) as { event: string; recipients?: string[]; error?: { code: string } })
            .filter((event) => event.event === 'unsettled');
          assert.deepEqual(
            unsettled.map((event) => [event.recipients, event.error?.code]),
            [[['bob@mx.test'], 'MAILV_UNCONFIRMED']],
          );
        } finally {
          await second.close();
        }
      } finally {
        await first!.close();
      }
    });
  }

  it('--direct to two domains, one delivered and one whose host may have it: kept in dead.letter all the same, 75', async () => {
    const [first] = await scriptedOnOnePort(['127.0.0.2'], DROPS_AFTER_COMMIT[0]!.script);
    try {
      // deadfirst.test: its preferred host refuses, the next (127.0.0.3) takes carol's copy.
      const [sink] = await sinksOnOnePort(['127.0.0.3'], { port: first!.port });
      try {
        const run = await runCli(['--direct', '--port', String(first!.port), ...DNS, '-s', 'two', 'bob@mx.test', 'carol@deadfirst.test'], {
          input: 'two domains\n',
        });
        assert.equal(run.code, 75, run.stderr);
        assert.deepEqual(
          sink!.messages.map((message) => message.recipients),
          [['carol@deadfirst.test']],
          'carol got it once, bob no second copy',
        );
        assert.match(run.stderr, /^mailv: the message was saved in .*dead\.letter$/m);
        assert.match(readFileSync(join(run.home, 'dead.letter'), 'utf8'), /\n\ntwo domains\n\n$/);
      } finally {
        await sink!.close();
      }
    } finally {
      await first!.close();
    }
  });

  it('takes an IPv6 name server written any valid way', async () => {
    const run = await runCli(['--mx', 'mx.test', '--dns', '[0:0::1]:5354']);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /1\. mx1\.mx\.test\./);
  });

  it('--direct: every MX down is temporary (75), the message kept', async () => {
    const run = await runCli(['--direct', '--port', '9', ...DNS, '-s', 'x', 'bob@deadfirst.test'], { input: 'keep me\n' });
    assert.equal(run.code, 75);
    assert.equal(lines(run.stdout).filter((line) => line.includes('Deferred: Connection refused')).length, 2);
    assert.match(run.stderr, /^mailv: not delivered to bob@deadfirst\.test: no MX host of deadfirst\.test took the message \(2 tried\)$/m);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });

  it('--direct to a domain that does not exist: 68, the message kept', async () => {
    const run = await runCli(['--direct', ...DNS, '-s', 'x', 'bob@nonexistent.test'], { input: 'keep me\n' });
    assert.equal(run.code, 68);
    assert.match(run.stderr, /nonexistent\.test\. does not exist \(NXDOMAIN\)/);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });
});

describe('--direct through an in-process name server', () => {
  // mx1 refuses alice for good and closes at bob; the host without an address is skipped; mx3
  // refuses the connection, or answers as mx1 does (bob alone is offered to it).
  const hosts: Record<string, string> = { 'mx1.example.test': '127.0.0.2', 'mx3.example.test': '127.0.0.3' };
  const zone: Handler = (query) => {
    const { name, type } = query.questions![0]!;
    if (type === 'MX') return [reply(query, { answers: ['mx1', 'missing', 'mx3'].map((host, i) => mx(name, 10 * (i + 1), `${host}.example.test`)) })];
    if (name === 'missing.example.test') return [reply(query, { rcode: RCODE.NXDOMAIN })];
    return [reply(query, { answers: type === 'A' && hosts[name] ? [a(name, hosts[name])] : [] })];
  };
  /** A --direct send to `recipients` (with `extra` options), mx1 and mx3 both playing `script` on one port. */
  async function sendDirect(script: Script, recipients: readonly string[], extra: readonly string[] = []): Promise<CliResult> {
    const dns = await startDns(zone);
    const servers = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3'], script);
    try {
      const args = ['--direct', ...extra, '--port', String(servers[0]!.port), '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', ...recipients];
      return await runCli(args, { input: 'x\n' });
    } finally {
      for (const server of servers) await server.close();
      await dns.close();
    }
  }

  it('no MX host took the message after one refused a recipient for good: that one said once, with its own reply, and 67', async () => {
    for (const last of ['refuses the connection', 'closes at bob'] as const) {
      const dns = await startDns(zone);
      const servers = await scriptedOnOnePort(last === 'refuses the connection' ? ['127.0.0.2'] : ['127.0.0.2', '127.0.0.3'], {
        replies: { RCPT: (line) => (line.includes('alice') ? '550 5.1.1 <alice@example.test>: User unknown' : '421 4.3.2 Shutting down') },
      });
      try {
        const port = String(servers[0]!.port);
        const args = ['--direct', '--port', port, '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', 'alice@example.test', 'bob@example.test'];
        const run = await runCli(args, { input: 'x\n' });
        assert.equal(run.code, 67, `${last}: ${run.stderr}`);
        assert.deepEqual(
          lines(run.stdout).filter((line) => /^\S+@example\.test\.\.\. /.test(line)),
          [
            `alice@example.test,bob@example.test... Connecting to mx1.example.test. port ${port} via esmtp...`,
            'alice@example.test... User unknown (550 5.1.1 <alice@example.test>: User unknown)',
            'bob@example.test... Deferred: 421 4.3.2 Shutting down',
            'bob@example.test... missing.example.test. does not exist (NXDOMAIN): skipped',
            `bob@example.test... Connecting to mx3.example.test. port ${port} via esmtp...`,
            last === 'refuses the connection'
              ? 'bob@example.test... Deferred: Connection refused by mx3.example.test.'
              : 'bob@example.test... Deferred: 421 4.3.2 Shutting down',
          ],
          last,
        );
        assert.equal(
          run.stderr,
          'mailv: not delivered to alice@example.test: 550 5.1.1 <alice@example.test>: User unknown\n' +
            'mailv: not delivered to bob@example.test: no MX host of example.test took the message (2 tried, 1 without an address)\n' +
            `mailv: the message was saved in ${join(run.home, 'dead.letter')}\n`,
          last,
        );
        const json = await runCli([...args, '--json'], { input: 'x\n' });
        const result = JSON.parse(lines(json.stdout).at(-1)!) as Record<string, unknown>;
        // The domain's failure stays the result's words; its code says a refusal for good came first.
        assert.deepEqual(
          [json.code, result.status, result.code, result.error],
          [67, 67, 'MAILV_REFUSED_THEN_FAILED', 'no MX host of example.test took the message (2 tried, 1 without an address)'],
          last,
        );
      } finally {
        await Promise.all(servers.map((server) => server.close()));
        await dns.close();
      }
    }
  });

  it("one refused and the others put off at mx1, then the message over mx3's SIZE: that refusal for good decides, 69, as in one transaction", async () => {
    let connections = 0;
    const script: Script = {
      perConnection: () =>
        ++connections === 1
          ? { replies: { RCPT: (line) => (line.includes('bob') ? '550 5.1.1 No such user' : '450 4.2.0 Greylisted') } }
          : { replies: { EHLO: '250-mx3.test\r\n250-PIPELINING\r\n250 SIZE 100' } },
    };
    const run = await sendDirect(script, ['alice@example.test', 'bob@example.test', 'carol@example.test'], ['--json']);
    assert.equal(run.code, 69, run.stderr);
    const result = JSON.parse(lines(run.stdout).at(-1)!) as { event: string; code?: string };
    assert.deepEqual([result.event, result.code], ['result', 'MAILV_TOO_BIG'], run.stdout);
    assert.match(run.stderr, /^mailv: not delivered to bob@example\.test: 550 5\.1\.1 No such user$/m);
  });

  it("every host puts every recipient off and hangs up where DATA's reply was due: their 450s are the verdict (75, at rcpt), not a domain no host took", async () => {
    const run = await sendDirect({ replies: { RCPT: '450 4.2.0 Greylisted', DATA: { close: true } } }, ['alice@example.test', 'bob@example.test'], ['--json']);
    assert.equal(run.code, 75, run.stderr);
    const events = lines(run.stdout).map((line) => JSON.parse(line) as { event: string; code?: string; stage?: string; note?: { code: string } });
    assert.equal(events.filter((event) => event.note?.code === 'hung-up-for-no-one').length, 2, 'one warning a host');
    const result = events.at(-1)!;
    assert.deepEqual([result.event, result.code, result.stage], ['result', 'MAILV_RECIPIENTS_DEFERRED', 'rcpt'], run.stdout);
  });

  it("a recipient put off by mx1, which took the other, then put off again by mx3 before it hung up (at DATA, or on BDAT LAST): said once, by mx3's 450", async () => {
    for (const hangsUp of ['DATA', 'BDAT LAST'] as const) {
      let connections = 0;
      const run = await sendDirect(
        {
          perConnection: () =>
            ++connections === 1
              ? { replies: { RCPT: (line) => (line.includes('alice') ? '250 2.1.5 Ok' : '450 4.2.0 mx1 greylisted') } }
              : {
                  replies: {
                    ...(hangsUp === 'BDAT LAST' ? { EHLO: '250-mx3.test\r\n250-PIPELINING\r\n250 CHUNKING' } : {}),
                    RCPT: '450 4.2.0 mx3 greylisted',
                    [hangsUp]: { close: true },
                  },
                },
        },
        ['alice@example.test', 'bob@example.test'],
      );
      assert.equal(run.code, 75, `${hangsUp}: ${run.stderr}`);
      // The hang-up, which cost no one anything, said as a send says it.
      assert.match(
        run.stdout,
        /^bob@example\.test\.\.\. Deferred \(450 4\.2\.0 mx3 greylisted\)\nClosing connection to mx3\.example\.test\.\nWarning: connection closed by the server during (data|body), every recipient refused or put off: the message was no one's$/m,
        hangsUp,
      );
      // mx3's word is the last: mx1's is not said again after it.
      assert.deepEqual(
        run.stderr.split('\n').filter((line) => line.includes('bob@')),
        ['mailv: not delivered to bob@example.test: 450 4.2.0 mx3 greylisted'],
        hangsUp,
      );
      assert.equal(run.stdout.match(/Deferred \(450 4\.2\.0 mx1 greylisted\)/g)?.length, 1, `${hangsUp}: said once, when mx1 put bob off`);
    }
  });
});

describe('--direct to two domains, one refusing a recipient before failing', () => {
  // soft.test refuses alice for good, takes bob, then puts the message off (451); hard.test refuses
  // the message for good (554) after refusing carol.
  const hosts: Record<string, string> = { 'mx.soft.test': '127.0.0.2', 'mx.hard.test': '127.0.0.3' };
  const zone: Handler = (query) => {
    const { name, type } = query.questions![0]!;
    if (type === 'MX') return [reply(query, { answers: [mx(name, 10, `mx.${name}`)] })];
    return [reply(query, { answers: type === 'A' && hosts[name] ? [a(name, hosts[name])] : [] })];
  };
  const script: Script = {
    perConnection: () => {
      let domain = '';
      return {
        replies: {
          RCPT: (line) => {
            domain = /@([^>]+)>/.exec(line)?.[1] ?? '';
            return /alice|carol/.test(line) ? '550 5.1.1 User unknown' : '250 2.1.5 Ok';
          },
          '.': () => (domain === 'hard.test' ? '554 5.6.0 Refused' : '451 4.3.0 Try again later'),
        },
      };
    },
  };

  it('67 whatever the order of the domains, each refused recipient named once, by its own reply', async () => {
    const dns = await startDns(zone);
    const servers = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3'], script);
    try {
      const port = String(servers[0]!.port);
      const soft = ['alice@soft.test', 'bob@soft.test'];
      const hard = ['carol@hard.test', 'dave@hard.test'];
      for (const recipients of [
        [...soft, ...hard],
        [...hard, ...soft],
      ]) {
        const args = ['--direct', '--port', port, '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', ...recipients];
        const run = await runCli(args, { input: 'x\n' });
        assert.equal(run.code, 67, `${recipients.join(' ')}: ${run.stderr}`);
        for (const refused of ['alice@soft.test', 'carol@hard.test']) assert.equal(run.stderr.match(new RegExp(refused, 'g'))?.length, 1, run.stderr);
        assert.match(run.stderr, /^mailv: not delivered to bob@soft\.test: the server did not accept the message: 451 4\.3\.0 Try again later$/m);
        assert.match(run.stderr, /^mailv: not delivered to dave@hard\.test: the server did not accept the message: 554 5\.6\.0 Refused$/m);
        const json = await runCli([...args, '--json'], { input: 'x\n' });
        const result = JSON.parse(lines(json.stdout).at(-1)!) as Record<string, unknown>;
        assert.deepEqual([result.status, result.code], [67, 'MAILV_REFUSED_THEN_FAILED'], recipients.join(' '));
      }
    } finally {
      await Promise.all(servers.map((server) => server.close()));
      await dns.close();
    }
  });
});

describe("--direct past a host's limit of recipients", () => {
  it('a round the host puts off (a 554 greeting, a reason to try another host) defers its recipients, refusing none: 75', async () => {
    const zone: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'mx1.ex.test')] })];
      return [reply(query, { answers: type === 'A' && name === 'mx1.ex.test' ? [a(name, '127.0.0.2')] : [] })];
    };
    let connections = 0;
    const script: Script = {
      perConnection: () => {
        if (++connections > 1) return { greeting: '554 5.7.1 No service' };
        let taken = 0;
        return { replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Too many recipients') } };
      },
    };
    const dns = await startDns(zone);
    const [server] = await scriptedOnOnePort(['127.0.0.2'], script);
    try {
      const args = ['--direct', '--port', String(server!.port), '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', 'carol@ex.test', 'dave@ex.test', 'erin@ex.test'];
      const run = await runCli(args, { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^carol@ex\.test\.\.\. Sent /m);
      assert.doesNotMatch(run.stdout, /^(dave|erin)@ex\.test\.\.\. Refused/m);
      // Said on the host's own line, once, as a send of one transaction says it.
      assert.deepEqual(
        run.stdout.split('\n').filter((line) => line.includes('Deferred')),
        ['dave@ex.test,erin@ex.test... Deferred: 554 5.7.1 No service'],
      );
    } finally {
      await server!.close();
      await dns.close();
    }
  });

  it('--explain: a later round the host ends with a 421 is said deferred with no host left to try, for the host that took the first goes on alone', async () => {
    const zone: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'mx1.ex.test'), mx(name, 20, 'mx2.ex.test')] })];
      const addresses: Record<string, string> = { 'mx1.ex.test': '127.0.0.2', 'mx2.ex.test': '127.0.0.3' };
      return [reply(query, { answers: type === 'A' && addresses[name] !== undefined ? [a(name, addresses[name])] : [] })];
    };
    let connections = 0;
    const script: Script = {
      perConnection: () => {
        if (++connections > 1) return { greeting: '421 4.3.2 busy now' };
        let taken = 0;
        return { replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Too many recipients') } };
      },
    };
    const dns = await startDns(zone);
    const [first, second] = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3'], script);
    try {
      const args = ['--direct', '--explain', '--port', String(first!.port), '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', 'carol@ex.test', 'dave@ex.test'];
      const run = await runCli(args, { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.equal(second!.commands.length, 0);
      const deferredLine = run.stdout.indexOf('dave@ex.test... Deferred: 421 4.3.2 busy now\n');
      assert.ok(deferredLine > 0, run.stdout);
      const annotation = run.stdout.slice(deferredLine).split('\n')[1];
      assert.match(annotation ?? '', /↳ mx1\.ex\.test\. could not take the message, and no host is left to try: deferred/);
    } finally {
      await first!.close();
      await second!.close();
      await dns.close();
    }
  });

  it('a first transaction that turned one away by the limit, then lost its connection after the message: that one deferred by its 452, only the accepted one may have it', async () => {
    const zone: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'mx1.ex.test')] })];
      return [reply(query, { answers: type === 'A' && name === 'mx1.ex.test' ? [a(name, '127.0.0.2')] : [] })];
    };
    let taken = 0;
    const dns = await startDns(zone);
    const [server] = await scriptedOnOnePort(['127.0.0.2'], {
      replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Too many recipients'), '.': { close: true } },
    });
    try {
      const args = ['--direct', '--port', String(server!.port), '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', 'carol@ex.test', 'dave@ex.test'];
      const run = await runCli(args, { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^dave@ex\.test\.\.\. Deferred \(452 4\.5\.3 Too many recipients\)$/m);
      assert.match(
        run.stderr,
        /^mailv: carol@ex\.test: connection closed by the server during body after the whole message was sent: mx1\.ex\.test\. \[127\.0\.0\.2\] may have it/m,
      );
      assert.doesNotMatch(run.stderr, /dave@ex\.test[:,].*may have it/);
    } finally {
      await server!.close();
      await dns.close();
    }
  });

  it('two domains, one whose second round gets a reply out of protocol, the other put off: each said with its recipients, the protocol error decides (76)', async () => {
    const zone: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      const host = { 'one.test': 'mx.one.test', 'two.test': 'mx.two.test' }[name];
      if (type === 'MX' && host !== undefined) return [reply(query, { answers: [mx(name, 10, host)] })];
      const address = { 'mx.one.test': '127.0.0.2', 'mx.two.test': '127.0.0.3' }[name];
      return [reply(query, { answers: type === 'A' && address !== undefined ? [a(name, address)] : [] })];
    };
    let connections = 0;
    let taken = 0;
    const one: Script = {
      perConnection: () =>
        ++connections === 1
          ? { replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Too many recipients') } }
          : { replies: { RCPT: 'hello there' } },
    };
    const dns = await startDns(zone);
    const [first] = await scriptedOnOnePort(['127.0.0.2'], one);
    const second = await startScriptedServer({ greeting: '421 4.3.2 Go away', host: '127.0.0.3', port: first!.port });
    try {
      const args = ['--direct', '--port', String(first!.port), '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', 'a@one.test', 'b@one.test', 'c@two.test'];
      const run = await runCli(args, { input: 'x\n' });
      assert.equal(run.code, 76, run.stderr);
      assert.match(run.stdout, /^a@one\.test\.\.\. Sent /m);
      assert.match(run.stderr, /^mailv: b@one\.test: protocol error during rcpt: malformed reply: "hello there"$/m);
      assert.match(run.stderr, /^mailv: not delivered to c@two\.test: /m);
    } finally {
      await first!.close();
      await second.close();
      await dns.close();
    }
  });

  it('a round that loses its connection after the whole message: the host may have it, said so, 75, no word of the 452 and no other host tried', async () => {
    const zone: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'mx1.ex.test'), mx(name, 20, 'mx2.ex.test')] })];
      const address = { 'mx1.ex.test': '127.0.0.2', 'mx2.ex.test': '127.0.0.3' }[name];
      return [reply(query, { answers: type === 'A' && address !== undefined ? [a(name, address)] : [] })];
    };
    let connections = 0;
    const script: Script = {
      perConnection: () => {
        if (++connections > 1) return { replies: { '.': { close: true } } };
        let taken = 0;
        return { replies: { RCPT: () => (++taken <= 1 ? '250 2.1.5 Ok' : '452 4.5.3 Too many recipients') } };
      },
    };
    const dns = await startDns(zone);
    const servers = await scriptedOnOnePort(['127.0.0.2', '127.0.0.3'], script);
    try {
      const args = ['--direct', '--port', String(servers[0]!.port), '--dns', `127.0.0.1:${dns.port}`, '-s', 'x', 'carol@ex.test', 'dave@ex.test'];
      const run = await runCli(args, { input: 'x\n' });
      assert.equal(run.code, 75, run.stderr);
      assert.match(run.stdout, /^carol@ex\.test\.\.\. Sent /m);
      assert.match(
        run.stderr,
        /^mailv: dave@ex\.test: connection closed by the server during body after the whole message was sent: mx1\.ex\.test\. \[127\.0\.0\.2\] may have it, so it is not sent again$/m,
      );
      assert.doesNotMatch(run.stdout + run.stderr, /Deferred \(452|: 452 /);
      assert.equal(servers[0]!.commands.filter((command) => command.startsWith('MAIL')).length, 2);
      assert.deepEqual(servers[1]!.commands, []);
    } finally {
      for (const server of servers) await server.close();
      await dns.close();
    }
  });
});

describe('names from DNS on the terminal', () => {
  // A label may hold any octet: a terminal title and a screen clear, a right-to-left override
  // with an 8-bit CSI, a left-to-right isolate with a C1 NEL. Such MX names are no host names and
  // are never looked up; a CNAME may still lead through one, and the answers show them all.
  const TITLE = '\x1b]0;PWNED\x07\x1b[2Jmx.evil.test';
  const BIDI = 'mx2\u202e\u009b.evil.test';
  const ALIAS = '\u2066alias\u0085.evil.test';
  const shown = { title: '\\x1b]0;PWNED\\x07\\x1b[2Jmx.evil.test.', bidi: 'mx2\\u202e\\u009b.evil.test.', alias: '\\u2066alias\\u0085.evil.test.' };
  const evil: Handler = (query) => {
    const { name, type } = query.questions![0]!;
    if (type === 'MX' && name === 'evil.test') return [reply(query, { answers: [mx(name, 10, TITLE), mx(name, 20, 'mx.evil.test'), mx(name, 30, BIDI)] })];
    if (type === 'A' && name === 'mx.evil.test') return [reply(query, { answers: [{ type: 'CNAME', name, ttl: 60, class: 'IN', data: ALIAS }] })];
    if (type === 'A' && name === ALIAS) return [reply(query, { answers: [a(name, '127.0.0.1')] })];
    return [reply(query)];
  };
  /** Terminal controls (all but TAB and LF), C1 controls, bidirectional marks and overrides. */
  const RAW = /[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/u;

  it('--mx shows every name escaped, in the exchange and in the plan; MX names that are no host names are not asked for', async () => {
    const dns = await startDns(evil);
    try {
      const run = await runCli(['--mx', 'evil.test', '--dns', `127.0.0.1:${dns.port}`]);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout + run.stderr, RAW);
      const shownLines = lines(run.stdout);
      const server = `127.0.0.1#${dns.port}`;
      assert.ok(shownLines.includes(`;;   evil.test.\t60\tIN\tMX\t10 ${shown.title}`), run.stdout);
      assert.ok(shownLines.includes(`;;   evil.test.\t60\tIN\tMX\t30 ${shown.bidi}`), run.stdout);
      assert.ok(shownLines.includes(`;;   mx.evil.test.\t60\tIN\tCNAME\t${shown.alias}`), run.stdout);
      assert.ok(shownLines.includes(`;; A ${shown.alias}? asking ${server} over UDP`), run.stdout);
      assert.deepEqual(
        dns.queries.filter((query) => query.type !== 'MX').map((query) => query.name),
        ['mx.evil.test', 'mx.evil.test', ALIAS],
        'A and AAAA of the host name, then A of its alias',
      );
      const width = shown.title.length;
      assert.deepEqual(shownLines.slice(shownLines.indexOf('Mail for evil.test goes to, in this order:') + 1).slice(0, 3), [
        `  1. ${shown.title}  preference  10  (is not a host name: skipped)`,
        `  2. ${'mx.evil.test.'.padEnd(width)}  preference  20  127.0.0.1`,
        `  3. ${shown.bidi.padEnd(width)}  preference  30  (is not a host name: skipped)`,
      ]);
    } finally {
      await dns.close();
    }
  });

  it('--mx --json keeps the names as they are, in escapes a terminal does not obey', async () => {
    const dns = await startDns(evil);
    try {
      const run = await runCli(['--mx', 'evil.test', '--dns', `127.0.0.1:${dns.port}`, '--json']);
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout + run.stderr, RAW);
      const events = run.stdout
        .trim()
        .split('\n')
        .map((line) => JSON.parse(line) as { event: string; hosts?: { name: string }[] });
      assert.deepEqual(
        events.find((event) => event.event === 'mx-plan')!.hosts!.map((host) => host.name),
        [`${TITLE}.`, 'mx.evil.test.', `${BIDI}.`],
      );
      assert.ok(run.stdout.includes('mx2\\u202e\\u009b.evil.test'), run.stdout);
    } finally {
      await dns.close();
    }
  });

  it('--direct -v shows every name escaped, through to the end of the session', async () => {
    const dns = await startDns(evil);
    const smtp = await startScriptedServer({ host: '127.0.0.1' });
    try {
      const run = await runCli(['--direct', '-v', '--dns', `127.0.0.1:${dns.port}`, '--port', String(smtp.port), '-s', 'x', 'bob@evil.test'], {
        input: 'hello\n',
      });
      assert.equal(run.code, 0, run.stderr);
      assert.doesNotMatch(run.stdout + run.stderr, RAW);
      const shownLines = lines(run.stdout);
      assert.ok(shownLines.includes(`;; A ${shown.alias}? asking 127.0.0.1#${dns.port} over UDP`), run.stdout);
      assert.ok(shownLines.includes(`bob@evil.test... Connecting to mx.evil.test. port ${smtp.port} via esmtp...`), run.stdout);
    } finally {
      await smtp.close();
      await dns.close();
    }
  });
});
