import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shuffleWithinPreference } from '../../dist/dns/mx.js';
import { randomSource } from '../../dist/dns/seeded-random.js';
import { parseNameServer, parseResolvConf } from '../../dist/dns/resolv-conf.js';
import { answersQuery, decodeResponse, encodeQuery } from '../../dist/dns/wire.js';
import { UsageError } from '../../dist/errors.js';

describe('resolv.conf', () => {
  it('reads name servers and options as the C library does', () => {
    const config = parseResolvConf('# comment\nnameserver 192.0.2.53\nnameserver fe80::1%eth0\nsearch example.org\noptions timeout:2 attempts:3 rotate\nnameserver 198.51.100.1\nnameserver 203.0.113.1\n');
    assert.deepEqual(config.servers, [
      { address: '192.0.2.53', port: 53 },
      { address: 'fe80::1', port: 53 },
      { address: '198.51.100.1', port: 53 },
    ]);
    assert.equal(config.timeoutMs, 2000);
    assert.equal(config.attempts, 3);
  });

  it('falls back to the local server and the defaults', () => {
    assert.deepEqual(parseResolvConf(''), { servers: [{ address: '127.0.0.1', port: 53 }], timeoutMs: 5000, attempts: 2 });
  });

  it('takes --dns servers with ports, IPv4 and IPv6', () => {
    assert.deepEqual(parseNameServer('127.0.0.1:5354'), { address: '127.0.0.1', port: 5354 });
    assert.deepEqual(parseNameServer('[::1]:5354'), { address: '::1', port: 5354 });
    assert.deepEqual(parseNameServer('::1'), { address: '::1', port: 53 });
    assert.throws(() => parseNameServer('dns.example.org'), UsageError);
    assert.throws(() => parseNameServer('127.0.0.1:0'), UsageError);
  });
});

describe('DNS wire format', () => {
  it('sends a recursive query with EDNS0 and matches answers by ID and question', () => {
    const query = encodeQuery(0x1234, { name: 'example.org', type: 'MX' });
    assert.equal(query.readUInt16BE(0), 0x1234);
    assert.equal(query.readUInt16BE(2) & 0x0100, 0x0100, 'RD set');
    assert.equal(query.readUInt16BE(10), 1, 'one additional record: OPT');
    const response = Buffer.from(query);
    response.writeUInt16BE(0x8180, 2); // QR, RD, RA
    const decoded = decodeResponse(response);
    assert.equal(answersQuery(decoded, 0x1234, { name: 'EXAMPLE.org.', type: 'MX' }), true);
    assert.equal(answersQuery(decoded, 0x1235, { name: 'example.org', type: 'MX' }), false);
    assert.equal(answersQuery(decoded, 0x1234, { name: 'example.org', type: 'A' }), false);
    assert.throws(() => decodeResponse(query), /a query where a response was due/);
    assert.throws(() => decodeResponse(Buffer.from([1, 2, 3])), /malformed DNS message/);
  });
});

describe('MX order', () => {
  const hosts = [
    { name: 'c', preference: 20 },
    { name: 'a', preference: 10 },
    { name: 'b', preference: 10 },
    { name: 'd', preference: 5 },
    { name: 'e', preference: 10 },
  ];

  it('sorts by preference and keeps every host', () => {
    for (let i = 0; i < 50; i++) {
      const order = shuffleWithinPreference(hosts, Math.random).map((host) => host.name);
      assert.equal(order[0], 'd');
      assert.equal(order[4], 'c');
      assert.deepEqual([...order.slice(1, 4)].sort(), ['a', 'b', 'e']);
    }
  });

  it('is repeatable with a seed and varies without one', () => {
    const seeded = (seed: string) => shuffleWithinPreference(hosts, randomSource(seed)).map((host) => host.name).join('');
    assert.equal(seeded('lesson'), seeded('lesson'));
    const orders = new Set(Array.from({ length: 30 }, (_, i) => seeded(`seed-${i}`)));
    assert.ok(orders.size >= 4, `all six orders of a, b, e should appear in 30 seeds (saw ${orders.size})`);
  });
});
