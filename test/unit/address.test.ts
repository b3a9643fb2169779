import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { UsageError } from '../../dist/errors.js';
import { needsSmtpUtf8, parseAddressList, parseMailbox } from '../../dist/message/address.js';

const HOST = 'mailv-client.example';

describe('addresses', () => {
  it('parses the forms people type', () => {
    assert.deepEqual(parseAddressList('bob@example.org, Alice <alice@example.org>', HOST), [
      { name: undefined, address: 'bob@example.org' },
      { name: 'Alice', address: 'alice@example.org' },
    ]);
    assert.deepEqual(parseAddressList('"Doe, John" <john@Example.ORG>', HOST), [{ name: 'Doe, John', address: 'john@example.org' }]);
    assert.deepEqual(parseAddressList('carol@example.org (Carol C.)', HOST), [{ name: undefined, address: 'carol@example.org' }]);
    assert.deepEqual(parseAddressList('undisclosed-recipients:;', HOST), []);
    assert.deepEqual(
      parseAddressList('Team: a@example.org, b@example.org;, c@example.org', HOST).map((m) => m.address),
      ['a@example.org', 'b@example.org', 'c@example.org'],
    );
  });

  it('gives a bare local user this host', () => {
    assert.equal(parseMailbox('root', HOST).address, 'root@mailv-client.example');
  });

  it('accepts RFC 5322 local parts, address literals and international domains', () => {
    assert.equal(parseMailbox('"john smith"@example.org', HOST).address, '"john smith"@example.org');
    assert.equal(parseMailbox("o'brien+tag@example.org", HOST).address, "o'brien+tag@example.org");
    assert.equal(parseMailbox('postmaster@[127.0.0.1]', HOST).address, 'postmaster@[127.0.0.1]');
    assert.equal(parseMailbox('info@bücher.example', HOST).address, 'info@xn--bcher-kva.example');
    assert.equal(needsSmtpUtf8('info@xn--bcher-kva.example'), false);
    assert.equal(needsSmtpUtf8(parseMailbox('josé@example.org', HOST).address), true);
  });

  it('refuses what is not an address, naming the problem', () => {
    assert.throws(() => parseMailbox('bob@', HOST), /no domain after @/);
    assert.throws(() => parseMailbox('bob@exa mple.org', HOST), /malformed domain/);
    assert.throws(() => parseMailbox('bob..smith@example.org', HOST), /malformed local part/);
    assert.throws(() => parseMailbox('<>', HOST), /empty/);
    assert.throws(() => parseMailbox('bob@-example.org', HOST), /malformed domain/);
    assert.throws(() => parseAddressList('"unterminated <a@b.org>', HOST), /unterminated quote/);
  });

  it('refuses CR, LF and NUL anywhere', () => {
    for (const evil of ['bob@example.org\r\nRCPT TO:<x@y.org>', 'bob@example.org\n', 'bob\0@example.org']) {
      assert.throws(() => parseAddressList(evil, HOST), UsageError);
    }
  });
});
