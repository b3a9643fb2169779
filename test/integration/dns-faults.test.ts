// The DNS client against a scripted name server: every fault gives its documented result, never
// a crash or a hang.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { MAILV, freshHome, lines, runCli } from '../helpers/cli.js';
import type dnsPacket from 'dns-packet';
import { RCODE, a, cname, mx, reply, startDns, type DnsOptions, type Handler } from '../helpers/dns-server.js';
import { closedPort } from '../helpers/loopback-port.js';
import { startScriptedServer } from '../helpers/scripted-server.js';

const good: Handler = (query) => {
  const name = query.questions![0]!.name;
  const type = query.questions![0]!.type;
  if (type === 'MX') return [reply(query, { answers: [mx(name, 10, 'mx.example.test')] })];
  if (type === 'A' && name === 'mx.example.test') return [reply(query, { answers: [a(name, '127.0.0.2')] })];
  return [reply(query)];
};

async function lookUp(handler: Handler, extra: string[] = []) {
  const server = await startDns(handler);
  try {
    const started = Date.now();
    const run = await runCli(['--mx', 'example.test', '--dns', `127.0.0.1:${server.port}`, '--timeout', '0.5', ...extra]);
    return { ...run, port: server.port, queries: server.queries, ms: Date.now() - started };
  } finally {
    await server.close();
  }
}

/** `--direct` to bob@example.test through `handler`; port 9 of the MX hosts refuses connections. */
async function sendDirect(handler: Handler, extra: string[] = [], options: DnsOptions = {}) {
  const server = await startDns(handler, options);
  try {
    const started = Date.now();
    const run = await runCli(['--direct', '--port', '9', '--dns', `127.0.0.1:${server.port}`, '--timeout', '1', '-s', 'x', ...extra, 'bob@example.test'], {
      input: 'keep me\n',
    });
    return { ...run, port: server.port, queries: server.queries, ms: Date.now() - started };
  } finally {
    await server.close();
  }
}

/** MX records of example.test naming `targets`, each answered for A and AAAA by `answer`. */
function mxTo(targets: string[], answer: (query: Parameters<Handler>[0], name: string, type: string) => Buffer[]): Handler {
  return (query) => {
    const { name, type } = query.questions![0]!;
    if (type === 'MX') return [reply(query, { answers: targets.map((target, i) => mx(name, 10 * (i + 1), target)) })];
    return answer(query, name, type);
  };
}

describe('DNS faults', () => {
  it('a good answer gives the plan', async () => {
    const run = await lookUp(good);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^ {2}1\. mx\.example\.test\. +preference +10 +127\.0\.0\.2$/m);
  });

  it('a truncated UDP answer is asked again over TCP', async () => {
    const run = await lookUp((query, transport) =>
      transport === 'udp' && query.questions![0]!.type === 'MX' ? [reply(query, { truncated: true })] : good(query, transport),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(
      run.queries.filter((q) => q.type === 'MX').map((q) => q.transport),
      ['udp', 'tcp'],
    );
    assert.match(
      run.stdout,
      /^;; answer to MX example\.test\. from 127\.0\.0\.1#\d+: NOERROR, truncated, 0 records, \d+ ms\n;; MX example\.test\.\? asking 127\.0\.0\.1#\d+ over TCP$/m,
    );
  });

  it('answers with a wrong ID or a wrong question are ignored', async () => {
    const run = await lookUp((query, transport) => [
      reply(query, { id: ((query.id ?? 0) + 1) & 0xffff, answers: [mx('example.test', 1, 'evil.test')] }),
      reply(query, { questionName: 'other.test', answers: [mx('other.test', 1, 'evil.test')] }),
      Buffer.from('not a DNS message at all'),
      ...good(query, transport),
    ]);
    assert.equal(run.code, 0, run.stderr);
    assert.doesNotMatch(run.stdout, /evil/);
    assert.match(run.stdout, /1\. mx\.example\.test\./);
  });

  it('silence: every try times out, then 75, within the bounded time', async () => {
    const run = await lookUp(() => []);
    assert.equal(run.code, 75);
    assert.match(run.stderr, /^mailv: cannot look up MX example\.test\. for now \(127\.0\.0\.1#\d+: no answer within 0\.5 s\)$/m);
    assert.equal(run.queries.length, 2, 'two attempts');
    assert.ok(run.ms < 5000, `took ${run.ms} ms`);
  });

  it('--json: a server that gives no answer is an event with a reason code and its details, not a sentence', async () => {
    const run = await lookUp(() => [], ['--json']);
    assert.equal(run.code, 75);
    const events = lines(run.stdout).map((line) => JSON.parse(line) as Record<string, unknown>);
    const silent = events.filter((event) => event['event'] === 'dns-no-answer');
    assert.equal(silent.length, 2);
    for (const event of silent) {
      const { ms: _ms, server, ...rest } = event;
      assert.match(String(server), /^127\.0\.0\.1#\d+$/);
      assert.deepEqual(rest, { event: 'dns-no-answer', name: 'example.test', type: 'MX', reason: 'timeout', transport: 'udp', timeoutMs: 500 });
    }
  });

  it('SERVFAIL and REFUSED are temporary: 75', async () => {
    for (const rcode of [RCODE.SERVFAIL, RCODE.REFUSED]) {
      const run = await lookUp((query) => [reply(query, { rcode })]);
      assert.equal(run.code, 75);
      assert.match(run.stderr, /(SERVFAIL|REFUSED)/);
    }
  });

  it('NXDOMAIN: the domain does not exist, 68', async () => {
    const run = await lookUp((query) => [reply(query, { rcode: RCODE.NXDOMAIN })]);
    assert.equal(run.code, 68);
    assert.match(run.stderr, /^mailv: example\.test\. does not exist \(NXDOMAIN\)$/m);
  });

  it('a silent first server: the next one is asked', async () => {
    const silent = await startDns(() => []);
    const answering = await startDns(good);
    try {
      const run = await runCli(['--mx', 'example.test', '--dns', `127.0.0.1:${silent.port}`, '--dns', `127.0.0.1:${answering.port}`, '--timeout', '0.3']);
      assert.equal(run.code, 0, run.stderr);
      assert.match(run.stdout, /^;; no answer to MX example\.test\. from 127\.0\.0\.1#\d+: no answer within 0\.3 s$/m);
    } finally {
      await silent.close();
      await answering.close();
    }
  });

  it('records owned by another name are not taken for the answer', async () => {
    const run = await lookUp((query) => [reply(query, { answers: query.questions![0]!.type === 'MX' ? [mx('elsewhere.test', 10, 'evil.test')] : [] })]);
    assert.equal(run.code, 68, 'no MX of its own and no address');
    assert.doesNotMatch(run.stdout, /^ +1\. evil/m);
    assert.match(run.stderr, /example\.test\. has neither an MX nor an address record/);
  });

  it('MX records that all point to the root take no mail, like a null MX, not an implicit one; not called the null MX "0 .": 68', async () => {
    const run = await lookUp((query) =>
      query.questions![0]!.type === 'MX'
        ? [reply(query, { answers: [mx('example.test', 0, '.'), mx('example.test', 10, '.')] })]
        : [reply(query, { answers: [a('example.test', '127.0.0.2')] })],
    );
    assert.equal(run.code, 68);
    assert.match(run.stderr, /accepts no mail: its MX records name no host \("\.", though not as the null MX "0 \." of RFC 7505\)/);
  });

  it('no MX, an empty A answer and a silent AAAA: temporary (75), not "no address" (68)', async () => {
    const run = await lookUp((query) => (query.questions![0]!.type === 'AAAA' ? [] : [reply(query)]));
    assert.equal(run.code, 75);
    assert.match(run.stderr, /cannot look up AAAA example\.test\. for now/);
  });

  it('Ctrl-C during a lookup ends the run at once, keeping the message: 130', async () => {
    const server = await startDns(() => []);
    try {
      const home = freshHome();
      const child = spawn(process.execPath, [MAILV, '--direct', '-v', '--dns', `127.0.0.1:${server.port}`, '-s', 'x', 'bob@example.test'], {
        env: { PATH: process.env['PATH'] ?? '', HOME: home, USER: 'tester' },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
      child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
      const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
      child.stdin.end('keep me\n');
      for (let i = 0; i < 250 && !stdout.includes('asking'); i++) await sleep(20);
      // The signal must come while the lookup is under way: without this, a run that never asked passed.
      assert.match(stdout, /asking/, 'the lookup under way');
      const started = Date.now();
      child.kill('SIGINT');
      assert.equal(await exited, 130);
      assert.ok(Date.now() - started < 2000, 'not after the DNS timeouts');
      assert.match(stderr, /^mailv: interrupted by SIGINT\nmailv: the message was saved in /);
      assert.ok(existsSync(join(home, 'dead.letter')));
    } finally {
      await server.close();
    }
  });

  it('--mx: each stop signal ends the lookup in one line, 128 + its number', async () => {
    const server = await startDns(() => []);
    try {
      for (const [signal, status] of [
        ['SIGHUP', 129],
        ['SIGQUIT', 131],
        ['SIGINT', 130],
        ['SIGTERM', 143],
      ] as const) {
        const child = spawn(process.execPath, [MAILV, '--mx', 'example.test', '-v', '--dns', `127.0.0.1:${server.port}`], {
          env: { PATH: process.env['PATH'] ?? '', HOME: freshHome(), USER: 'tester', LC_ALL: 'C' },
        });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (chunk: Buffer) => (stdout += chunk));
        child.stderr.on('data', (chunk: Buffer) => (stderr += chunk));
        const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
          child.on('close', (code, by) => resolve({ code, signal: by })),
        );
        for (let i = 0; i < 250 && !stdout.includes('asking'); i++) await sleep(20);
        assert.match(stdout, /asking/, `${signal}: the lookup under way`);
        child.kill(signal);
        assert.deepEqual(await exited, { code: status, signal: null }, signal);
        assert.equal(stderr, `mailv: interrupted by ${signal}\n`);
      }
    } finally {
      await server.close();
    }
  });

  it('a CNAME loop is cut short: 75', async () => {
    const run = await lookUp((query) => [
      reply(query, { answers: [{ type: 'CNAME', name: query.questions![0]!.name, ttl: 60, class: 'IN', data: `x${query.questions![0]!.name}` }] }),
    ]);
    assert.equal(run.code, 75);
    assert.match(run.stderr, /CNAME chain for example\.test\. longer than 8/);
  });

  it('CNAME links count over the whole chain, not per answer: twenty links, five an answer, are past the limit of 8', async () => {
    const run = await lookUp((query) => {
      const { name, type } = query.questions![0]!;
      const at = Number(/^c(\d+)\./.exec(name)?.[1] ?? 0);
      const links = Array.from({ length: Math.min(5, 20 - at) }, (_, i) =>
        cname(i + at === 0 ? name : `c${i + at}.example.test`, `c${i + at + 1}.example.test`),
      );
      const end = at + links.length === 20 && type === 'MX' ? [mx('c20.example.test', 10, 'mx.example.test')] : [];
      return [reply(query, { answers: [...links, ...end] })];
    });
    assert.equal(run.code, 75, run.stdout);
    assert.match(run.stderr, /^mailv: CNAME chain for example\.test\. longer than 8$/m);
  });

  it('a referral is the server failing, not NODATA: 75, said so, and explained so (RFC 2308 §2.2.1)', async () => {
    const ns = (name: string): dnsPacket.Answer => ({ type: 'NS', name, ttl: 60, class: 'IN', data: 'ns.example.test' });
    const run = await lookUp((query) => [reply(query, { authorities: [ns('example.test')], additionals: [a('ns.example.test', '127.0.0.9')] })]);
    assert.equal(run.code, 75, run.stdout);
    assert.match(run.stderr, /^mailv: cannot look up MX example\.test\. for now \(127\.0\.0\.1#\d+: a referral to other name servers, not an answer\)$/m);
    const explained = await lookUp((query) => [reply(query, { authorities: [ns('example.test')] })], ['--explain']);
    assert.match(explained.stdout, /a referral, which says nothing of the name \(RFC 2308 §2\.2\.1\)/);
    assert.doesNotMatch(explained.stdout, /implicit MX|NODATA/);
    // The zone's own server saying so (AA) is no referral: NODATA, the domain's own address then used.
    const authoritative = await lookUp((query) =>
      query.questions![0]!.type === 'A'
        ? [reply(query, { answers: [a('example.test', '127.0.0.3')], authoritative: true })]
        : [reply(query, { authorities: [ns('example.test')], authoritative: true })],
    );
    assert.equal(authoritative.code, 0, authoritative.stderr);
    assert.match(authoritative.stdout, /^ {2}1\. example\.test\. .*127\.0\.0\.3$/m);
    // With an SOA beside the NS records, it is NODATA: the domain's own address, as an implicit MX.
    const soa: dnsPacket.Answer = {
      type: 'SOA',
      name: 'example.test',
      ttl: 60,
      class: 'IN',
      data: { mname: 'ns.example.test', rname: 'root.example.test', serial: 1, refresh: 60, retry: 60, expire: 60, minimum: 60 },
    };
    const nodata = await lookUp((query) =>
      query.questions![0]!.type === 'A'
        ? [reply(query, { answers: [a('example.test', '127.0.0.3')] })]
        : [reply(query, { authorities: [ns('example.test'), soa] })],
    );
    assert.equal(nodata.code, 0, nodata.stderr);
    assert.match(nodata.stdout, /^ {2}1\. example\.test\. .*127\.0\.0\.3$/m);
  });

  it("an extended response code (RFC 6891 §6.1.3) is the server's failure: BADVERS is no NOERROR", async () => {
    const opt = { type: 'OPT', name: '.', udpPayloadSize: 4096, extendedRcode: 1, ednsVersion: 0, flags: 0, options: [] } as unknown as dnsPacket.Answer;
    const run = await lookUp((query) => [reply(query, { additionals: [opt] })]);
    assert.equal(run.code, 75, run.stdout);
    assert.match(run.stderr, /^mailv: cannot look up MX example\.test\. for now \(127\.0\.0\.1#\d+: BADVERS\)$/m);
  });

  it('FORMERR to a query with EDNS: asked once again without it, as an older server needs (RFC 6891 §7)', async () => {
    const run = await lookUp((query, transport) =>
      (query.additionals ?? []).some((record) => record.type === 'OPT') ? [reply(query, { rcode: 1 })] : good(query, transport),
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^;; MX example\.test\.\? asking 127\.0\.0\.1#\d+ over UDP, without EDNS$/m);
    assert.match(run.stdout, /^ {2}1\. mx\.example\.test\./m);
    // A FORMERR without EDNS too is the server's failure: 75, as any error code.
    const always = await lookUp((query) => [reply(query, { rcode: 1 })]);
    assert.equal(always.code, 75);
    assert.match(always.stderr, /FORMERR/);
  });

  it('malformed answers are ignored while waiting, and said, so that the server is not said to have been silent', async () => {
    const run = await lookUp(() => [Buffer.from('not a DNS message at all')]);
    assert.equal(run.code, 75);
    assert.match(
      run.stderr,
      /^mailv: cannot look up MX example\.test\. for now \(127\.0\.0\.1#\d+: no answer within 0\.5 s \(1 malformed answer ignored\)\)$/m,
    );
  });

  it('an answer to a question of another class than IN is not the answer', async () => {
    const run = await lookUp((query) => [reply(query, { questionClass: 'CH', answers: [mx('example.test', 1, 'evil.test')] })]);
    assert.equal(run.code, 75);
    assert.doesNotMatch(run.stdout, /evil/);
    // Records of another class in the answer to the right question are left out: no MX, NODATA.
    const chaos = await lookUp((query) =>
      query.questions![0]!.type === 'A'
        ? [reply(query, { answers: [a('example.test', '127.0.0.3')] })]
        : [reply(query, { answers: [{ ...mx('example.test', 1, 'evil.test'), class: 'CH' } as dnsPacket.Answer] })],
    );
    assert.equal(chaos.code, 0, chaos.stderr);
    assert.doesNotMatch(chaos.stdout, /evil/);
    assert.match(chaos.stdout, /^ {2}1\. example\.test\. .*127\.0\.0\.3$/m);
  });

  it('--direct: an MX whose only host does not exist is permanent (68), said once, nothing contacted', async () => {
    const run = await sendDirect(mxTo(['missing.example.test'], (query) => [reply(query, { rcode: RCODE.NXDOMAIN })]));
    assert.equal(run.code, 68);
    assert.equal(run.stdout, '', 'no connection, no deferral');
    assert.equal(
      run.stderr,
      'mailv: not delivered to bob@example.test: no MX host of example.test has an address: missing.example.test. does not exist (NXDOMAIN)\n' +
        `mailv: the message was saved in ${join(run.home, 'dead.letter')}\n`,
    );
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });

  it('--mx says the same of such a domain: 68', async () => {
    const run = await lookUp(mxTo(['missing.example.test'], (query) => [reply(query, { rcode: RCODE.NXDOMAIN })]));
    assert.equal(run.code, 68);
    assert.equal(run.stderr, 'mailv: no MX host of example.test has an address: missing.example.test. does not exist (NXDOMAIN)\n');
  });

  it('--direct: MX hosts that do not exist or have no address record, all of them: 68, each named', async () => {
    const run = await sendDirect(
      mxTo(['missing.example.test', 'bare.example.test'], (query, name) => [
        reply(query, { rcode: name === 'bare.example.test' ? RCODE.NOERROR : RCODE.NXDOMAIN }),
      ]),
    );
    assert.equal(run.code, 68);
    assert.match(
      run.stderr,
      /^mailv: not delivered to bob@example\.test: no MX host of example\.test has an address: missing\.example\.test\. does not exist \(NXDOMAIN\); bare\.example\.test\. has no A or AAAA record$/m,
    );
  });

  it('--direct: one MX host does not exist, the other refuses the connection: 75, only the contacted one counted', async () => {
    const run = await sendDirect(
      mxTo(['missing.example.test', 'refusing.example.test'], (query, name, type) =>
        name === 'missing.example.test' ? [reply(query, { rcode: RCODE.NXDOMAIN })] : [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.9')] : [] })],
      ),
    );
    assert.equal(run.code, 75);
    assert.deepEqual(lines(run.stdout), [
      'bob@example.test... missing.example.test. does not exist (NXDOMAIN): skipped',
      'bob@example.test... Connecting to refusing.example.test. port 9 via esmtp...',
      'bob@example.test... Deferred: Connection refused by refusing.example.test.',
    ]);
    assert.match(run.stderr, /^mailv: not delivered to bob@example\.test: no MX host of example\.test took the message \(1 tried, 1 without an address\)$/m);
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });

  it('--direct: an MX host whose lookup fails (SERVFAIL) is temporary: 75', async () => {
    const run = await sendDirect(mxTo(['broken.example.test'], (query) => [reply(query, { rcode: RCODE.SERVFAIL })]));
    assert.equal(run.code, 75);
    assert.equal(run.stdout, '');
    assert.equal(
      run.stderr,
      `mailv: not delivered to bob@example.test: no MX host of example.test has an address: broken.example.test. could not be looked up for now (127.0.0.1#${run.port}: SERVFAIL)\n` +
        `mailv: the message was saved in ${join(run.home, 'dead.letter')}\n`,
    );
  });

  it('--direct: one MX host does not exist, the other cannot be looked up for now: 75', async () => {
    const run = await sendDirect(
      mxTo(['missing.example.test', 'broken.example.test'], (query, name) => [
        reply(query, { rcode: name === 'missing.example.test' ? RCODE.NXDOMAIN : RCODE.SERVFAIL }),
      ]),
    );
    assert.equal(run.code, 75);
    assert.match(run.stderr, /has an address: missing\.example\.test\. does not exist \(NXDOMAIN\); broken\.example\.test\. could not be looked up for now \(/);
  });

  it('--direct to an address literal: no DNS question, straight to that address', async () => {
    const dns = await startDns(good);
    const smtp = await startScriptedServer({ host: '127.0.0.4' });
    try {
      const run = await runCli(['--direct', '-v', '--dns', `127.0.0.1:${dns.port}`, '--port', String(smtp.port), '-s', 'x', 'bob@[127.0.0.4]'], {
        input: 'hi\n',
      });
      assert.equal(run.code, 0, run.stderr);
      assert.deepEqual(dns.queries, [], 'nothing asked of the DNS');
      assert.ok(smtp.commands.includes('RCPT To:<bob@[127.0.0.4]>'), smtp.commands.join('\n'));
      assert.match(run.stdout, /^\[127\.0\.0\.4\] is an address literal, not a domain: no DNS is asked, mail goes to that address \(RFC 5321 §4\.1\.3\)\.$/m);
    } finally {
      await smtp.close();
      await dns.close();
    }
  });

  it('MX records naming one host many times: each host once, so the others are still tried', async () => {
    // Ten copies of a host that does not exist, then the one that does: the ten used to fill the list.
    const handler: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX')
        return [reply(query, { answers: [...Array.from({ length: 10 }, () => mx(name, 10, 'dead.example.test')), mx(name, 20, 'live.example.test')] })];
      if (name === 'dead.example.test') return [reply(query, { rcode: RCODE.NXDOMAIN })];
      return [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.9')] : [] })];
    };
    const run = await lookUp(handler, ['-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout).slice(1, 4), [
      '  1. dead.example.test.  preference  10  (does not exist (NXDOMAIN): skipped)',
      '  2. live.example.test.  preference  20  127.0.0.9',
      'The lowest preference is tried first. When a host refuses the connection, does not answer, refuses at its greeting,',
    ]);
  });

  it('an MX naming an IP address, or octets no host name holds, is no host: never looked up, 68 when it is all there is', async () => {
    const handler: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') return [reply(query, { answers: [mx(name, 10, '127.0.0.9'), mx(name, 20, 'bad name.example.test')] })];
      return [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.10')] : [] })];
    };
    const run = await sendDirect(handler);
    assert.equal(run.code, 68, run.stderr);
    assert.equal(run.queries.filter((query) => query.type !== 'MX').length, 0, 'no address asked for');
    assert.match(
      run.stderr,
      /^mailv: not delivered to bob@example\.test: no MX host of example\.test has an address: 127\.0\.0\.9\. is not a host name; bad name\.example\.test\. is not a host name$/m,
    );
    assert.ok(existsSync(join(run.home, 'dead.letter')));
  });

  it('MX records naming IP addresses take no place among the ten hosts tried: the real host after them is still planned', async () => {
    const handler: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX')
        return [
          reply(query, { answers: [...Array.from({ length: 10 }, (_, index) => mx(name, 10, `192.0.2.${index + 1}`)), mx(name, 20, 'real.example.test')] }),
        ];
      return [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.9')] : [] })];
    };
    const run = await lookUp(handler, ['-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(lines(run.stdout).includes('  11. real.example.test.  preference  20  127.0.0.9'), run.stdout);
    assert.doesNotMatch(run.stdout, /more MX hosts are ignored/);
  });

  it("NXDOMAIN after a CNAME: the alias exists, the name at the chain's end does not, as the line and -e say (RFC 6604 §3)", async () => {
    const handler: Handler = (query) => {
      const { name } = query.questions![0]!;
      return [reply(query, { rcode: RCODE.NXDOMAIN, answers: [cname(name, 'gone.example.test')] })];
    };
    for (const [lang, said, explained] of [
      ['en', 'mailv: example.test. is an alias of gone.example.test., which does not exist (NXDOMAIN)', '↳ NXDOMAIN: gone.example.test does not exist'],
      ['fr', 'mailv: example.test. est un alias de gone.example.test., qui n’existe pas (NXDOMAIN)', '↳ NXDOMAIN : gone.example.test n’existe pas'],
    ] as const) {
      const run = await lookUp(handler, ['-e', '--lang', lang]);
      assert.equal(run.code, 68, run.stderr);
      assert.equal(run.stderr.trim(), said);
      assert.ok(run.stdout.includes(explained), run.stdout);
    }
  });

  it('an address literal is neither a domain nor an MX host, in the explanation and in the line that says it failed', async () => {
    const port = await closedPort();
    const run = await runCli(['--direct', '--port', String(port), '-e', '-s', 'x', 'bob@[127.0.0.30]'], { input: 'x\n' });
    assert.equal(run.code, 75, run.stderr);
    assert.ok(run.stdout.includes('↳ Direct delivery: to [127.0.0.30], the address the recipient names itself, with no MX (RFC 5321 §4.1.3)'), run.stdout);
    assert.doesNotMatch(run.stdout, /a mail server \(MX\) of the recipient domain/);
    assert.equal(
      run.stderr.split('\n')[0],
      'mailv: not delivered to bob@[127.0.0.30]: [127.0.0.30] did not take the message (an address literal: no MX, no other host to try)',
    );
  });

  it('an answer still truncated over TCP is said to be the server failing, not asked again (RFC 7766 §5)', async () => {
    const run = await lookUp((query) => [reply(query, { truncated: true })], ['-e']);
    assert.equal(run.code, 75, run.stderr);
    const shown = lines(run.stdout);
    const overTcp = shown.findIndex((line) => / over TCP$/.test(line) && line.startsWith(';; MX'));
    assert.ok(overTcp > 0, run.stdout);
    const nextQuery = shown.findIndex((line, index) => index > overTcp && line.startsWith(';; MX'));
    const after = shown.slice(overTcp, nextQuery === -1 ? undefined : nextQuery);
    assert.ok(
      after.some((line) => line.includes('Truncated (TC) over TCP, where any answer fits: that server is failing')),
      run.stdout,
    );
    assert.ok(!after.some((line) => line.includes('it is asked again over TCP')), run.stdout);
    // Over UDP it was asked again over TCP, as said.
    assert.ok(
      shown.slice(0, overTcp).some((line) => line.includes('it is asked again over TCP')),
      run.stdout,
    );
  });

  it('fifteen MX hosts that do not exist before one that does: the lookups go past the tenth until a host has an address, as Postfix resolves them all', async () => {
    const handler: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') {
        const missing = Array.from({ length: 15 }, (_, index) => mx(name, 10 + index, `nope${index}.example.test`));
        return [reply(query, { answers: [...missing, mx(name, 100, 'real.example.test'), mx(name, 110, 'after.example.test')] })];
      }
      if (name.startsWith('nope')) return [reply(query, { rcode: RCODE.NXDOMAIN })];
      return [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.9')] : [] })];
    };
    const run = await lookUp(handler, ['-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.ok(lines(run.stdout).includes('  16. real.example.test.    preference 100  127.0.0.9'), run.stdout);
    // Once a host has an address, no more past the tenth: the last one is left, and said so.
    assert.ok(!run.stdout.includes('after.example.test'), run.stdout);
    assert.ok(lines(run.stdout).includes('  (1 more MX host is ignored: mailv tries the first 16)'), run.stdout);
  });

  it("addresses given with the MX answer count for the domain's own hosts only: another zone's host is asked for", async () => {
    const handler: Handler = (query) => {
      const { name, type } = query.questions![0]!;
      if (type === 'MX') {
        return [
          reply(query, {
            answers: [mx(name, 10, 'mx.example.test'), mx(name, 20, 'mx.other.test')],
            additionals: [a('mx.example.test', '127.0.0.11'), a('mx.other.test', '127.0.0.66')],
          }),
        ];
      }
      return [reply(query, { answers: type === 'A' && name === 'mx.other.test' ? [a(name, '127.0.0.12')] : [] })];
    };
    const run = await lookUp(handler, ['-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout).slice(1, 3), ['  1. mx.example.test.  preference  10  127.0.0.11', '  2. mx.other.test.    preference  20  127.0.0.12']);
    // The domain's own host is asked only for the AAAA the answer did not give.
    assert.deepEqual(
      run.queries
        .filter((query) => query.type !== 'MX')
        .map((query) => `${query.type} ${query.name}`)
        .sort(),
      ['A mx.other.test', 'AAAA mx.example.test', 'AAAA mx.other.test'],
    );
  });

  it('an answer over TCP still marked truncated is that server failing, not a complete answer', async () => {
    const run = await lookUp((query, transport) =>
      query.questions![0]!.type === 'MX'
        ? [reply(query, { truncated: true, answers: transport === 'tcp' ? [mx('example.test', 10, 'mx.example.test')] : [] })]
        : good(query, transport),
    );
    assert.equal(run.code, 75, run.stderr);
    assert.match(run.stderr, /^mailv: cannot look up MX example\.test\. for now \(127\.0\.0\.1#\d+: TCP answer marked truncated\)$/m);
  });

  it('a slow name server and MX hosts behind CNAME chains: the whole lookup ends within its budget, 75, the message kept', async () => {
    // Every answer takes 0.25 s and each host is a chain of CNAMEs: unbounded, this took minutes.
    // --timeout 0.5, two tries, one name server, the MX question and two hosts: no query after 3 s.
    const hosts = ['a', 'b'].map((letter) => `${letter}.example.test`);
    const chained: Handler = mxTo(hosts, (query, name) => [reply(query, { answers: [cname(name, `x${name}`)] })]);
    const run = await sendDirect(chained, ['--timeout', '0.5'], { delayMs: 250 });
    assert.equal(run.code, 75, run.stderr);
    assert.equal(
      run.stderr,
      'mailv: not delivered to bob@example.test: the DNS lookups for example.test. took longer than 3 s (3 questions, each 2 tries of 0.5 s, 1 name server)\n' +
        `mailv: the message was saved in ${join(run.home, 'dead.letter')}\n`,
    );
    assert.ok(existsSync(join(run.home, 'dead.letter')));
    assert.ok(run.ms < 3000 + 500 + 3000, `took ${run.ms} ms`);
  });

  it('--mx: the same budget bounds the lookup', async () => {
    const server = await startDns(
      mxTo(['a.example.test'], (query, name) => [reply(query, { answers: [cname(name, `x${name}`)] })]),
      { delayMs: 250 },
    );
    try {
      const started = Date.now();
      const run = await runCli(['--mx', 'example.test', '--dns', `127.0.0.1:${server.port}`, '--timeout', '0.5']);
      assert.equal(run.code, 75);
      assert.equal(run.stderr, 'mailv: the DNS lookups for example.test. took longer than 2 s (2 questions, each 2 tries of 0.5 s, 1 name server)\n');
      assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`);
    } finally {
      await server.close();
    }
  });

  it('an MX host no server answers for leaves time for the next: the backup is looked up and planned', async () => {
    // a.example.test gets no answer at all; the budget holds a question for each host, so b is asked.
    const handler = mxTo(['a.example.test', 'b.example.test'], (query, name, type) =>
      name === 'a.example.test' ? [] : [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.9')] : [] })],
    );
    const run = await lookUp(handler, ['-q']);
    assert.equal(run.code, 0, run.stderr);
    assert.deepEqual(lines(run.stdout).slice(1, 3), [
      `  1. a.example.test.  preference  10  (could not be looked up for now (127.0.0.1#${run.port}: no answer within 0.5 s): skipped)`,
      '  2. b.example.test.  preference  20  127.0.0.9',
    ]);
  });

  it('time that runs out after a host was found: the plan keeps it, the hosts not looked up are skipped', async () => {
    // --timeout 0.5, answers in 0.3 s: a budget of 3 s (the MX question and two hosts, however many
    // there are). a is found; b's chain of CNAMEs is under way when the time runs out; c and d are never asked.
    const handler = mxTo(['a.example.test', 'b.example.test', 'c.example.test', 'd.example.test'], (query, name, type) =>
      name === 'a.example.test'
        ? [reply(query, { answers: type === 'A' ? [a(name, '127.0.0.9')] : [] })]
        : [reply(query, { answers: [cname(name, `x${name}`)] })],
    );
    const server = await startDns(handler, { delayMs: 300 });
    try {
      const started = Date.now();
      const run = await runCli(['--mx', 'example.test', '-q', '--dns', `127.0.0.1:${server.port}`, '--timeout', '0.5']);
      assert.equal(run.code, 0, run.stderr);
      const plan = lines(run.stdout);
      assert.deepEqual(plan.slice(1, 5), [
        '  1. a.example.test.  preference  10  127.0.0.9',
        '  2. b.example.test.  preference  20  (was not looked up in time: skipped)',
        '  3. c.example.test.  preference  30  (was not looked up in time: skipped)',
        '  4. d.example.test.  preference  40  (was not looked up in time: skipped)',
      ]);
      assert.equal(server.queries.filter((query) => /^[cd]\./.test(query.name)).length, 0, 'nothing asked once the time ran out');
      assert.ok(Date.now() - started < 3000 + 500 + 2500, `took ${Date.now() - started} ms`);
    } finally {
      await server.close();
    }
  });
});
