// A certificate's names as the transcript shows them: RFC 4514's escapes keep a value from passing
// for another attribute, whatever the certificate's maker put in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { distinguishedName } from '../../dist/smtp/distinguished-name.js';

describe('a certificate subject or issuer on one line', () => {
  it('joins the attributes as Node gives them', () => {
    assert.equal(distinguishedName({ O: 'mailv tests', CN: 'localhost' }), 'O=mailv tests, CN=localhost');
    assert.equal(distinguishedName(undefined), '');
  });

  it('escapes what would pass for another attribute: a comma, a plus, the other specials', () => {
    assert.equal(distinguishedName({ O: 'x, CN=bank.example', CN: 'attacker.example' }), 'O=x\\, CN=bank.example, CN=attacker.example');
    assert.equal(distinguishedName({ CN: 'a+b"c\\d<e>f;g' }), 'CN=a\\+b\\"c\\\\d\\<e\\>f\\;g');
    assert.equal(distinguishedName({ CN: ' #lead', O: 'trail ' }), 'CN=\\ #lead, O=trail\\ ');
    assert.equal(distinguishedName({ CN: '#hash' }), 'CN=\\#hash');
    assert.equal(distinguishedName({ CN: ' ' }), 'CN=\\ ', 'one space: escaped once');
    assert.equal(distinguishedName({ CN: 'a\u0000b' }), 'CN=a\\00b');
  });

  it('repeats an attribute given several times', () => {
    assert.equal(distinguishedName({ OU: ['mail', 'relay'], CN: 'mx' }), 'OU=mail, OU=relay, CN=mx');
  });
});
