// --xclient, --proxy/--proxy-source, -4/-6 and --source-address as the plan gets them, and the
// usage errors (64) of what cannot be sent.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../dist/errors.js';
import { parseOrigin } from '../../dist/cli/origin-options.js';
import { encodeProxyHeader } from '../../dist/smtp/proxy-header.js';

const refused = (options: Parameters<typeof parseOrigin>[0]) => {
  try {
    parseOrigin(options);
  } catch (error) {
    assert.ok(error instanceof UsageError);
    return error.fact;
  }
  assert.fail('accepted');
};

describe('origin options', () => {
  it('XCLIENT attributes in capitals, values as given; the family from the PROXY source', () => {
    assert.deepEqual(parseOrigin({ xclient: ['addr=192.0.2.7', 'HELO=a b'], proxy: 'v2', proxySource: '[2001:db8::9]:40002' }), {
      family: 6,
      sourceAddress: undefined,
      proxy: { version: 'v2', source: { address: '2001:db8::9', port: 40002 } },
      xclient: [
        { name: 'ADDR', value: '192.0.2.7' },
        { name: 'HELO', value: 'a b' },
      ],
    });
    assert.equal(parseOrigin({ ipv4: true }).family, 4);
    assert.equal(parseOrigin({ sourceAddress: '127.0.0.2' }).family, 4);
  });

  it('reads an IPv4-mapped source address as its IPv4 address, however written', () => {
    // Bound as IPv6 it reached no IPv6 server (EAFNOSUPPORT, deferred for ever) and clashed with IPv4 ones.
    for (const written of ['::ffff:127.0.0.2', '::FFFF:7f00:2', '0:0:0:0:0:ffff:127.0.0.2']) {
      assert.deepEqual([parseOrigin({ sourceAddress: written }).sourceAddress, parseOrigin({ sourceAddress: written }).family], ['127.0.0.2', 4], written);
    }
    assert.deepEqual(refused({ ipv6: true, sourceAddress: '::ffff:127.0.0.2' }), { code: 'MAILV_FAMILY_CLASH', first: '-6', second: '--source-address' });
    // Not mapped: kept as typed.
    assert.equal(parseOrigin({ sourceAddress: '::1' }).sourceAddress, '::1');
    assert.equal(parseOrigin({ sourceAddress: '64:ff9b::7f00:2' }).family, 6);
  });

  it('refuses what cannot be sent, naming the flags', () => {
    assert.deepEqual(refused({ ipv4: true, ipv6: true }), { code: 'MAILV_FAMILY_CLASH', first: '-4', second: '-6' });
    assert.deepEqual(refused({ ipv6: true, sourceAddress: '127.0.0.2' }), { code: 'MAILV_FAMILY_CLASH', first: '-6', second: '--source-address' });
    assert.deepEqual(refused({ sourceAddress: '::1', proxy: 'v1', proxySource: '192.0.2.9:1' }), {
      code: 'MAILV_FAMILY_CLASH',
      first: '--source-address',
      second: '--proxy-source',
    });
    assert.deepEqual(refused({ proxy: 'v1' }), { code: 'MAILV_PROXY_INCOMPLETE', missing: '--proxy-source' });
    assert.deepEqual(refused({ proxySource: '192.0.2.9:1' }), { code: 'MAILV_PROXY_INCOMPLETE', missing: '--proxy' });
    assert.deepEqual(refused({ proxy: 'v1', proxySource: '192.0.2.9' }), { code: 'MAILV_PROXY_SOURCE_INVALID', text: '192.0.2.9' });
    assert.deepEqual(refused({ proxy: 'v1', proxySource: '192.0.2.9:70000' }), { code: 'MAILV_PROXY_SOURCE_INVALID', text: '192.0.2.9:70000' });
    assert.deepEqual(refused({ xclient: ['ADDR'] }), { code: 'MAILV_XCLIENT_INVALID', text: 'ADDR' });
    assert.deepEqual(refused({ xclient: ['NAME=a\r\nMAIL'] }), { code: 'MAILV_XCLIENT_INVALID', text: 'NAME=a\r\nMAIL' });
    assert.deepEqual(refused({ sourceAddress: 'localhost' }), { code: 'MAILV_SOURCE_ADDRESS_INVALID', text: 'localhost' });
  });

  it('a PROXY header whose ends are of two families is a usage error, not a header', () => {
    assert.throws(
      () => encodeProxyHeader({ version: 'v1', source: { address: '192.0.2.9', port: 1 }, destination: { address: '::1', port: 10026 } }),
      (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_PROXY_FAMILY',
    );
  });
});
