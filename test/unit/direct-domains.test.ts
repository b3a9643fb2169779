// --direct's grouping of recipients by domain: one delivery a domain, named as people read it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { groupByDomain } from '../../dist/delivery/direct.js';

describe('groupByDomain', () => {
  it('groups whatever the case of a domain, in the order first named, and writes an IPv6 literal tag as RFC 5321 writes it', () => {
    const groups = groupByDomain(['a@Example.ORG', 'b@[IPv6:::1]', 'c@example.org', 'd@[ipv6:::1]', 'e@[127.0.0.1]']);
    assert.deepEqual(
      [...groups],
      [
        ['example.org', ['a@Example.ORG', 'c@example.org']],
        ['[IPv6:::1]', ['b@[IPv6:::1]', 'd@[ipv6:::1]']],
        ['[127.0.0.1]', ['e@[127.0.0.1]']],
      ],
    );
  });
});
