// A certificate's names as the transcript shows them: RFC 4514's escapes keep a value from passing
// for another attribute, whatever the certificate's maker put in it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { certificateNames } from '../../dist/smtp/certificate-names.js';
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

/** A DER element: `tag`, its length, `contents`. */
function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  const length = body.length < 0x80 ? Buffer.from([body.length]) : Buffer.from([0x82, body.length >> 8, body.length & 0xff]);
  return Buffer.concat([Buffer.from([tag]), length, body]);
}

function oid(dotted: string): Buffer {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const bytes = [first! * 40 + second!];
  for (const arc of rest) {
    const groups = [arc & 0x7f];
    for (let value = arc >> 7; value > 0; value >>= 7) groups.unshift((value & 0x7f) | 0x80);
    bytes.push(...groups);
  }
  return tlv(0x06, Buffer.from(bytes));
}

const CN = '2.5.4.3';
const O = '2.5.4.10';
const OU = '2.5.4.11';

/** An RDN of one or more (type, value) pairs, the value already encoded. */
const rdn = (...pairs: [string, Buffer][]) => tlv(0x31, ...pairs.map(([type, value]) => tlv(0x30, oid(type), value)));
const utf8 = (text: string) => tlv(0x0c, Buffer.from(text, 'utf8'));

/** What certificateNames reads of a certificate: the TBS's fields up to the subject. */
function certificate(issuer: Buffer[], subject: Buffer[]): Buffer {
  const tbs = tlv(0x30, tlv(0xa0, tlv(0x02, Buffer.from([2]))), tlv(0x02, Buffer.from([1])), tlv(0x30), tlv(0x30, ...issuer), tlv(0x30), tlv(0x30, ...subject));
  return tlv(0x30, tbs, tlv(0x30), tlv(0x03, Buffer.from([0])));
}

describe("a certificate's names read from its encoding", () => {
  it("keeps the certificate's order and its multi-valued RDNs, which Node's object of names loses", () => {
    const names = certificateNames(
      certificate([rdn([CN, utf8('Test CA')])], [rdn([CN, utf8('first')]), rdn([O, utf8('Org')], [OU, utf8('Unit')]), rdn([CN, utf8('sec,ond')])]),
    );
    assert.deepEqual(names, { subject: 'CN=first, O=Org+OU=Unit, CN=sec\\,ond', issuer: 'CN=Test CA' });
  });

  it('reads the string types, names an attribute it has no name for by its number, and a value of no string type in hex', () => {
    const bmp = tlv(0x1e, Buffer.from('é', 'utf16le').swap16());
    const printable = tlv(0x13, Buffer.from('FR', 'latin1'));
    const other = tlv(0x02, Buffer.from([5]));
    const names = certificateNames(certificate([], [rdn(['2.5.4.6', printable]), rdn([CN, bmp]), rdn(['1.2.3.4', utf8('x')]), rdn([O, other])]));
    assert.equal(names?.subject, 'C=FR, CN=é, 1.2.3.4=x, O=#020105');
  });

  it('is undefined for bytes that are no certificate, cut short or overrunning', () => {
    const whole = certificate([], [rdn([CN, utf8('mx')])]);
    assert.equal(certificateNames(Buffer.from('not a certificate')), undefined);
    assert.equal(certificateNames(whole.subarray(0, whole.length - 10)), undefined);
    assert.equal(certificateNames(Buffer.alloc(0)), undefined);
  });
});
