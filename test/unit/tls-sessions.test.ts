// The TLS sessions kept across runs: used only for the very server name, address, port and trust
// they were verified under, until they expire; kept private; a damaged or foreign file ignored.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { cacheDirectory } from '../../dist/cache/cache-directory.js';
import { TlsSessionCache, type TlsSessionKey, trustOf } from '../../dist/cache/tls-sessions.js';
import { MAX_TICKET_LIFETIME_SECONDS, ticketLifetimeSeconds } from '../../dist/cache/ticket-lifetime.js';

const certificate = { subject: 'CN=mx', issuer: 'CN=test CA', validFrom: 'Jan  1 00:00:00 2020 GMT', validTo: 'Jan  1 00:00:00 2100 GMT' };
const key: TlsSessionKey = { server: 'mx.example.org', address: '127.0.0.1', port: 587, trust: trustOf(undefined, {}) };

/** DER of an SSL_SESSION reduced to the fields read: [2] timeout and [9] ticket lifetime hint. */
function session(timeout: number, hint?: number): Buffer {
  const integer = (value: number) => {
    const octets: number[] = [];
    for (let rest = value; rest > 0 || octets.length === 0; rest = Math.floor(rest / 256)) octets.unshift(rest % 256);
    if (octets[0]! & 0x80) octets.unshift(0);
    return [0x02, octets.length, ...octets];
  };
  const tagged = (tag: number, value: number) => [0xa0 + tag, integer(value).length, ...integer(value)];
  const body = [...integer(1), 0x04, 2, 0xab, 0xcd, ...tagged(2, timeout), ...(hint === undefined ? [] : tagged(9, hint))];
  return Buffer.from([0x30, body.length, ...body]);
}

function freshCache(now = () => Date.parse('2030-01-01T00:00:00Z')) {
  const directory = join(mkdtempSync(join(tmpdir(), 'mailv-tls-cache-')), 'mailv');
  return { directory, file: join(directory, 'tls-sessions'), cache: new TlsSessionCache(directory, now) };
}

describe('TLS session lifetime', () => {
  it('is the ticket lifetime hint, else the session timeout, at most seven days', () => {
    assert.equal(ticketLifetimeSeconds(session(300, 7200)), 7200);
    assert.equal(ticketLifetimeSeconds(session(300)), 300);
    assert.equal(ticketLifetimeSeconds(session(300, 30 * 24 * 3600)), MAX_TICKET_LIFETIME_SECONDS);
  });

  it('is unknown for bytes that are not a session', () => {
    assert.equal(ticketLifetimeSeconds(Buffer.from('not DER at all')), undefined);
    assert.equal(ticketLifetimeSeconds(session(300, 7200).subarray(0, 12)), undefined);
  });
});

describe('TLS session cache', () => {
  it('gives back the session kept for the same server name, address, port and trust', () => {
    const { cache } = freshCache();
    const kept = session(300, 7200);
    cache.keep(key, { session: kept, certificate });
    const found = cache.lookup(key);
    assert.deepEqual(found?.session, kept);
    assert.deepEqual(found?.certificate, certificate);
  });

  it('never gives it for another name, address, port or CA', () => {
    const { directory, cache } = freshCache();
    cache.keep(key, { session: session(300, 7200), certificate });
    const other = new TlsSessionCache(directory, () => Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(other.lookup({ ...key, server: 'other.example.org' }), undefined);
    assert.equal(other.lookup({ ...key, address: '127.0.0.2' }), undefined);
    assert.equal(other.lookup({ ...key, port: 465 }), undefined);
    assert.equal(other.lookup({ ...key, trust: trustOf([Buffer.from('-----BEGIN CERTIFICATE-----\nA\n')], {}) }), undefined);
    assert.equal(other.lookup({ ...key, trust: trustOf(undefined, { NODE_EXTRA_CA_CERTS: '/tmp/ca.pem' }) }), undefined);
    assert.ok(other.lookup(key), 'the same key still finds it');
  });

  it("keys sessions by the rule that matched their certificate's names: those a laxer rule verified are not found", () => {
    // The key of 2026-12-07's d8707d1, whose sessions Node's own check (a CN alone took) had verified.
    const sha256 = (data: string) => createHash('sha256').update(data).digest('base64');
    const laxer = sha256([process.version, process.versions.openssl, `${process.execArgv.join(' ')} `, ''].join('\0'));
    assert.notEqual(trustOf(undefined, {}), laxer);
  });

  it('tells apart a CA file NODE_EXTRA_CA_CERTS names once it was changed in place, not before', async () => {
    const file = join(mkdtempSync(join(tmpdir(), 'mailv-trust-')), 'extra.pem');
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nA\n');
    const env = { NODE_EXTRA_CA_CERTS: file };
    const before = trustOf(undefined, env);
    assert.equal(trustOf(undefined, env), before, 'the same file, untouched: the same trust');
    // File times tick in steps of a few ms: a change a moment later is what a CA update is.
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(file, '-----BEGIN CERTIFICATE-----\nB\n'); // same path, same size
    assert.notEqual(trustOf(undefined, env), before);
    const openSsl = { NODE_OPTIONS: '--use-openssl-ca' };
    assert.notEqual(trustOf(undefined, { ...openSsl, SSL_CERT_FILE: file }), trustOf(undefined, openSsl));
    // Without OpenSSL's store, Node never reads it: it is no part of the trust.
    assert.equal(trustOf(undefined, { SSL_CERT_FILE: file }), trustOf(undefined, {}));
  });

  it('tells apart a CA file inside an SSL_CERT_DIR of the list once it was changed in place', async () => {
    const [first, second] = [mkdtempSync(join(tmpdir(), 'mailv-cadir-')), mkdtempSync(join(tmpdir(), 'mailv-cadir-'))];
    writeFileSync(join(second, 'abcd1234.0'), '-----BEGIN CERTIFICATE-----\nA\n');
    const env = { NODE_OPTIONS: '--use-openssl-ca', SSL_CERT_DIR: `${first}:${second}` };
    const before = trustOf(undefined, env);
    assert.equal(trustOf(undefined, env), before);
    await new Promise((resolve) => setTimeout(resolve, 20));
    writeFileSync(join(second, 'abcd1234.0'), '-----BEGIN CERTIFICATE-----\nB\n');
    assert.notEqual(trustOf(undefined, env), before);
  });

  it('tells CA files apart by content', () => {
    const a = Buffer.from('-----BEGIN CERTIFICATE-----\nA\n');
    assert.equal(trustOf([a], {}), trustOf([Buffer.from(a)], {}));
    assert.notEqual(trustOf([a], {}), trustOf([Buffer.from('-----BEGIN CERTIFICATE-----\nB\n')], {}));
    assert.notEqual(trustOf([a], {}), trustOf(undefined, {}));
  });

  it('forgets a session when its ticket expires, or its certificate does first', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { directory, cache } = freshCache(() => now);
    cache.keep(key, { session: session(300, 600), certificate });
    now += 599_000;
    assert.ok(new TlsSessionCache(directory, () => now).lookup(key));
    now += 2_000;
    assert.equal(new TlsSessionCache(directory, () => now).lookup(key), undefined);
    const ending = { ...certificate, validTo: 'Jan  1 00:01:00 2030 GMT' };
    const second = freshCache(() => Date.parse('2030-01-01T00:00:00Z'));
    second.cache.keep(key, { session: session(300, 7200), certificate: ending });
    assert.ok(second.cache.lookup(key));
    assert.equal(new TlsSessionCache(second.directory, () => Date.parse('2030-01-01T00:02:00Z')).lookup(key), undefined);
  });

  it('after a resumed handshake failed, offers and keeps no session for that server for a day, by this run or another', () => {
    let now = Date.parse('2030-01-01T00:00:00Z');
    const { directory, file, cache } = freshCache(() => now);
    const other = { ...key, server: 'other.example.org' };
    cache.keep(key, { session: session(300, 7200), certificate });
    cache.keep(other, { session: session(300, 7200), certificate });
    const resumption = cache.resumption(key);
    assert.ok(resumption.stored, 'a session was offered');
    resumption.refused(true);
    assert.equal(cache.lookup(key), undefined, 'forgotten by this run');
    cache.keep(key, { session: session(300, 7200), certificate });
    assert.equal(cache.lookup(key), undefined, 'and not kept again by it');
    const entries = JSON.parse(readFileSync(file, 'utf8')).entries as Record<string, unknown>[];
    const refusal = entries.find((entry) => entry['server'] === key.server);
    assert.equal(refusal?.['refused'], true);
    assert.equal(refusal?.['session'], undefined, 'the session itself is gone from the file');
    assert.ok(new TlsSessionCache(directory, () => now).lookup(other), "another server's session stays");
    // Another run, within the day: none offered, none kept.
    const later = new TlsSessionCache(directory, () => now);
    assert.equal(later.lookup(key), undefined);
    later.keep(key, { session: session(300, 7200), certificate });
    assert.equal(new TlsSessionCache(directory, () => now).lookup(key), undefined);
    // A day later, sessions are kept and offered again.
    now += 24 * 3600 * 1000 + 1000;
    const nextDay = new TlsSessionCache(directory, () => now);
    nextDay.keep(key, { session: session(300, 7200), certificate });
    assert.ok(new TlsSessionCache(directory, () => now).lookup(key));
  });

  it('after a handshake that only timed out, forgets the session and keeps the next one', () => {
    const { directory, cache } = freshCache();
    cache.keep(key, { session: session(300, 7200), certificate });
    cache.resumption(key).refused(false);
    assert.equal(cache.lookup(key), undefined);
    const later = new TlsSessionCache(directory, () => Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(later.lookup(key), undefined, 'gone from the file');
    later.keep(key, { session: session(300, 7200), certificate });
    assert.ok(new TlsSessionCache(directory, () => Date.parse('2030-01-01T00:00:00Z')).lookup(key), 'a new one is kept');
  });

  it('takes no refusal that carries a session: such an entry is damage, and ignored', () => {
    const { directory, file } = freshCache();
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const expires = Date.parse('2030-01-02T00:00:00Z');
    writeFileSync(
      file,
      JSON.stringify({ version: 1, entries: [{ ...key, expires, refused: true, session: session(300, 7200).toString('base64'), certificate }] }),
      { mode: 0o600 },
    );
    const reader = new TlsSessionCache(directory, () => Date.parse('2030-01-01T00:00:00Z'));
    assert.equal(reader.lookup(key), undefined);
    reader.keep(key, { session: session(300, 7200), certificate });
    assert.ok(reader.lookup(key), 'not a refusal: a session is kept in its place');
  });

  it('lets a refusal win over a session kept beside it, and takes no expiry further off than mailv writes', () => {
    const { directory, file } = freshCache();
    mkdirSync(directory, { recursive: true, mode: 0o700 });
    const now = Date.parse('2030-01-01T00:00:00Z');
    const stored = { ...key, expires: now + 3600_000, session: session(300, 7200).toString('base64'), certificate };
    const write = (entries: object[]) => writeFileSync(file, JSON.stringify({ version: 1, entries }), { mode: 0o600 });
    write([stored, { ...key, expires: now + 3600_000, refused: true }]);
    const reader = new TlsSessionCache(directory, () => now);
    assert.equal(reader.lookup(key), undefined, 'the refusal wins, whatever the order');
    // A refusal or a session that would outlive what mailv writes (a day, seven days) is damage, and ignored.
    write([stored, { ...key, expires: 1e308, refused: true }]);
    assert.ok(new TlsSessionCache(directory, () => now).lookup(key), 'a refusal for ever is no refusal');
    write([{ ...stored, expires: now + 8 * 24 * 3600_000 }]);
    assert.equal(new TlsSessionCache(directory, () => now).lookup(key), undefined);
  });

  it('keeps the file 0600 in a 0700 directory', () => {
    const { directory, file, cache } = freshCache();
    cache.keep(key, { session: session(300, 7200), certificate });
    assert.equal(statSync(directory).mode & 0o777, 0o700);
    assert.equal(statSync(file).mode & 0o777, 0o600);
  });

  it('ignores a file others may write, and a damaged one, without failing; then writes a good one', () => {
    const { directory, file, cache } = freshCache();
    cache.keep(key, { session: session(300, 7200), certificate });
    chmodSync(file, 0o644);
    assert.equal(new TlsSessionCache(directory, () => Date.parse('2030-01-01T00:00:00Z')).lookup(key), undefined);
    for (const damaged of ['{"version":1,"entries":[{"server":', '\u0000\u0001garbage', '{"version":1,"entries":[{"server":"mx.example.org"}]}', '[]']) {
      writeFileSync(file, damaged, { mode: 0o600 });
      chmodSync(file, 0o600);
      const reader = new TlsSessionCache(directory, () => Date.parse('2030-01-01T00:00:00Z'));
      assert.equal(reader.lookup(key), undefined, damaged);
      reader.keep(key, { session: session(300, 7200), certificate });
      assert.equal(JSON.parse(readFileSync(file, 'utf8')).version, 1);
      assert.ok(new TlsSessionCache(directory, () => Date.parse('2030-01-01T00:00:00Z')).lookup(key));
    }
  });

  it('lives under $XDG_CACHE_HOME/mailv when that is absolute, else ~/.cache/mailv', () => {
    assert.equal(cacheDirectory({ XDG_CACHE_HOME: '/var/cache/u', HOME: '/home/u' }), '/var/cache/u/mailv');
    assert.equal(cacheDirectory({ XDG_CACHE_HOME: 'relative', HOME: '/home/u' }), '/home/u/.cache/mailv');
    assert.equal(cacheDirectory({ HOME: '/home/u' }), '/home/u/.cache/mailv');
  });

  it('writes nothing, and fails nothing, where it cannot write', () => {
    const parent = mkdtempSync(join(tmpdir(), 'mailv-tls-cache-'));
    mkdirSync(join(parent, 'blocked'));
    writeFileSync(join(parent, 'blocked', 'mailv'), 'a file where the directory should be');
    const cache = new TlsSessionCache(join(parent, 'blocked', 'mailv'));
    cache.keep(key, { session: session(300, 7200), certificate });
    assert.equal(cache.lookup(key), undefined);
  });
});
