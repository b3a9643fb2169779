// mailv-sendmail -bs's replies: ASCII text (RFC 5321 §4.2), what the words write beyond it said
// in ASCII where it can be, a question mark where it cannot.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatServerReply } from '../../dist/render/server-reply.js';

describe('formatServerReply', () => {
  it('writes a section sign and typographic quotes in ASCII, anything else beyond ASCII as a question mark', () => {
    assert.equal(
      formatServerReply(501, ['invalid address “b@127.0.0.1”: an IP address is written as an address literal (RFC 5321 §4.1.3), j\u00f6rg’s…']),
      '501 invalid address "b@127.0.0.1": an IP address is written as an address literal (RFC 5321 section 4.1.3), j?rg\'s...\r\n',
    );
    assert.equal(formatServerReply(250, ['host', 'PIPELINING']), '250-host\r\n250 PIPELINING\r\n');
  });
});
