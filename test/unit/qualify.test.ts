import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { qualifyAddresses } from '../../dist/message/qualify.js';

describe('addresses without a domain in a message passed through', () => {
  const cases: readonly (readonly [string, string])[] = [
    // cron, mdadm, logwatch
    [' root (Cron Daemon)\r\n', ' root@host.test (Cron Daemon)\r\n'],
    [' root\r\n', ' root@host.test\r\n'],
    [' mdadm monitoring <root>\r\n', ' mdadm monitoring <root@host.test>\r\n'],
    // already qualified, or nothing to qualify
    [' bob@example.org, Carol <carol@example.org>\r\n', ' bob@example.org, Carol <carol@example.org>\r\n'],
    [' undisclosed-recipients:;\r\n', ' undisclosed-recipients:;\r\n'],
    [' <>\r\n', ' <>\r\n'],
    [' bob@[192.0.2.1]\r\n', ' bob@[192.0.2.1]\r\n'],
    // quotes, comments and groups as RFC 5322 reads them
    [' "Doe, J." <jd>, ops\r\n', ' "Doe, J." <jd@host.test>, ops@host.test\r\n'],
    [' "john smith"\r\n', ' "john smith"@host.test\r\n'],
    [' (the admin) root (on call)\r\n', ' (the admin) root@host.test (on call)\r\n'],
    [' Team: a, b@x.org;\r\n', ' Team: a@host.test, b@x.org;\r\n'],
    [' a,\r\n b\r\n', ' a@host.test,\r\n b@host.test\r\n'],
    // UTF-8 read as latin1: 0xA0 is a byte of à, Р and NBSP, never whitespace
    [Buffer.from(' voilà\r\n').toString('latin1'), Buffer.from(' voilà@host.test\r\n').toString('latin1')],
    [Buffer.from(' root\u00a0\r\n').toString('latin1'), Buffer.from(' root\u00a0@host.test\r\n').toString('latin1')],
    // a look-alike of @ (U+FF20, U+FE6B) meant a domain: left as written, never made a local user's
    [Buffer.from(' bob＠example.org\r\n').toString('latin1'), Buffer.from(' bob＠example.org\r\n').toString('latin1')],
    [Buffer.from(' Bob <bob﹫example.org>, root\r\n').toString('latin1'), Buffer.from(' Bob <bob﹫example.org>, root@host.test\r\n').toString('latin1')],
    // not a mailbox: a display name without <>, an unclosed quote
    [' John Smith\r\n', ' John Smith\r\n'],
    [' "unclosed <x>\r\n', ' "unclosed <x>\r\n'],
  ];
  for (const [value, qualified] of cases) {
    it(JSON.stringify(value.trim()), () => assert.equal(qualifyAddresses(value, 'host.test'), qualified));
  }
});
