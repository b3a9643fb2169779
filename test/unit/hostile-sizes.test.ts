// What a replayed record can make as large as it likes: each renderer must stay linear in it (no
// search of everything seen for each new thing, no spread of a list into arguments, no pattern
// that backtracks from every position). Sized so that a quadratic path would take minutes, not ms.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SessionEvent } from '../../dist/events.js';
import { en as explainEn } from '../../dist/explain/en.js';
import { Explainer } from '../../dist/explain/explainer.js';
import { decodeRecord, type KnownCodes } from '../../dist/record/decode.js';
import { endLine, eventJson, eventLine, headerLine, RECORD_VERSION } from '../../dist/record/format.js';
import { formatMxHosts } from '../../dist/render/mx-plan.js';
import { plainStyle } from '../../dist/render/style.js';
import { TranscriptRenderer } from '../../dist/render/transcript.js';
import { makeReply } from '../../dist/smtp/reply.js';
import { sanitize } from '../../dist/text/sanitize.js';
import { en } from '../../dist/words/en/index.js';

const KNOWN: KnownCodes = { isError: () => true, isNote: () => true };

describe('what a record can make large', () => {
  it('a run of backslashes is escaped as before: doubled before an x, a u or a control, kept elsewhere', () => {
    const run = '\\'.repeat(200_000);
    assert.equal(sanitize(`${run}a`), `${run}a`);
    assert.equal(sanitize(`a\\\\\\x`), 'a\\\\\\\\\\\\x');
    assert.equal(sanitize(`${run}\x1b`), `${run}${run}\\x1b`);
  });

  it('a message line sent in 50,000 pieces is one line, and a CRLF split across two pieces still ends it', () => {
    const renderer = new TranscriptRenderer(3, plainStyle, en);
    const body = (text: string) => renderer.lines({ kind: 'body', bytes: Buffer.from(text) });
    for (let i = 0; i < 50_000; i++) assert.deepEqual(body('abc'), []);
    const [line, ...rest] = body('\r\n');
    assert.equal(line, `>>> ${'abc'.repeat(50_000)}`);
    assert.deepEqual(rest, []);
    assert.deepEqual(body('one\r'), []);
    assert.deepEqual(body('\ntwo\r\nthr'), ['>>> one', '>>> two']);
    assert.deepEqual(body('ee\r\n'), ['>>> three']);
  });

  it('an NXDOMAIN at the end of 20,000 CNAMEs names the last of them', () => {
    const n = 20_000;
    const answers = Array.from({ length: n }, (_, k) => ({
      type: 'CNAME' as const,
      name: `c${n - 1 - k}.example.org`,
      ttl: 300,
      target: `c${n - k}.example.org`,
    }));
    const event: SessionEvent = {
      kind: 'dns-answer',
      name: 'c0.example.org',
      type: 'A',
      server: '127.0.0.1',
      rcode: 'NXDOMAIN',
      truncated: false,
      transport: 'udp',
      answers,
      additionals: [],
      ms: 1,
    };
    const explained = new Explainer(explainEn).annotate(event);
    assert.ok(explained.after.includes(explainEn.dnsNxdomain({ name: `c${n}.example.org` })), explained.after.join('\n'));
  });

  it('20,000 MX hosts deferred one after the other: each names the next, the last says none is left', () => {
    const n = 20_000;
    const explainer = new Explainer(explainEn);
    const host = (k: number) => ({
      name: `mx${k}.example.org`,
      preference: k,
      addresses: [`192.0.2.${k % 250}`],
      implicit: false,
      noAddress: undefined,
      problem: undefined,
    });
    explainer.annotate({ kind: 'mx-plan', plan: { domain: 'example.org', hosts: Array.from({ length: n }, (_, k) => host(k)), ignored: 0, ties: [] } });
    const refused = { code: 'MAILV_CONNECT_FAILED', host: 'x', port: 25, reason: 'refused', errno: undefined, ms: 1 } as const;
    let said: readonly string[] = [];
    for (let k = 0; k < n; k++) {
      explainer.annotate({ kind: 'connecting', recipients: ['b@example.org'], host: `mx${k}.example.org`, port: 25, via: 'esmtp' });
      said = explainer.annotate({
        kind: 'deferred',
        recipients: ['b@example.org'],
        host: `mx${k}.example.org`,
        address: `192.0.2.${k % 250}`,
        error: refused,
      }).after;
      if (k === 1) assert.deepEqual(said, [explainEn.deferredHost({ host: 'mx1.example.org' })]);
    }
    assert.deepEqual(said, [explainEn.deferredLast({ host: `mx${n - 1}.example.org` })]);
  });

  it('an EHLO reply of 200,000 extensions is explained, one line each', () => {
    const explainer = new Explainer(explainEn);
    explainer.annotate({ kind: 'send', stage: 'ehlo', command: { verb: 'EHLO', domain: 'c.example.org' }, pipelined: false });
    const raw = ['250-mx.example.org', ...Array.from({ length: 200_000 }, (_, k) => `250-X-EXT${k}`), '250 HELP'];
    const lines = raw.map((line) => line.slice(4));
    const extensions = lines.slice(1).map((line) => ({ keyword: line, params: [] }));
    const reply = makeReply(raw);
    assert.equal(reply.lines.length, lines.length);
    const explained = explainer.annotate({ kind: 'reply', stage: 'ehlo', reply, recipient: undefined, ehlo: { domain: 'mx.example.org', extensions } });
    assert.ok(explained.after.length > 200_000, String(explained.after.length));
  });

  it('a body of 6 MB in base64 is read from a record (its pattern does not recurse per group)', () => {
    const bytes = Buffer.alloc(6 * 1024 * 1024, 'a');
    const header = headerLine({ format: 'mailv-record', version: RECORD_VERSION, mailv: '0.1.0', started: '2026-12-06T00:00:00.000Z', language: 'en' });
    const text = `${header}${eventLine(eventJson({ kind: 'body', bytes }), 1)}${endLine(2, 0, undefined)}`;
    const [entry] = decodeRecord(text, 'big.jsonl', KNOWN).entries;
    assert.ok(entry?.kind === 'event' && entry.event.kind === 'body' && entry.event.bytes.equals(bytes));
    assert.throws(() => decodeRecord(text.replace('"bytes":"YWFh', '"bytes":"YWF'), 'big.jsonl', KNOWN), /MAILV_RECORD_DAMAGED|damaged/);
  });

  it('one MX host name of a megabyte does not pad every other host’s line to its length', () => {
    const long = `${'a'.repeat(1024 * 1024)}.example.org`;
    const host = (name: string) => ({ name, preference: 10, addresses: ['192.0.2.1'], implicit: false, noAddress: undefined, problem: undefined });
    const hosts = [host(long), ...Array.from({ length: 100 }, (_, k) => host(`mx${k}.example.org`))];
    const lines = formatMxHosts({ domain: 'example.org', hosts, ignored: 0, ties: [] }, en);
    const total = lines.reduce((sum, line) => sum + line.length, 0);
    assert.ok(total < 2 * long.length, `${total} characters`);
    assert.ok(lines.some((line) => line.includes(long)));
    // A name as long as DNS allows still lines the others up with it.
    const longest = `${'a'.repeat(63)}.${'b'.repeat(63)}.${'c'.repeat(63)}.${'d'.repeat(61)}`;
    const aligned = formatMxHosts({ domain: 'example.org', hosts: [host(longest), host('mx.example.org')], ignored: 0, ties: [] }, en);
    const [first, second] = aligned.filter((line) => line.includes('preference'));
    assert.equal(first!.indexOf('preference'), second!.indexOf('preference'), aligned.join('\n'));
  });
});
