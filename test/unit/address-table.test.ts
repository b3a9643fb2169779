// The table of envelope and header addresses that -v and --explain show before the dialogue, and
// a replay shows again from its record: columns as wide as their widest cell, whatever the rows.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AddressOrigin } from '../../dist/message/address-origin.js';
import { sameMailbox } from '../../dist/message/address-origin.js';
import { formatAddressTable } from '../../dist/render/address-table.js';
import { tableLabelsFor } from '../../dist/render/table-labels.js';

const ROWS: AddressOrigin[] = [
  { address: 'bounces@example.org', envelope: 'MAIL From', header: undefined, blind: false, source: undefined },
  { address: 'bob@example.org', envelope: 'RCPT To', header: 'Resent-To', blind: false, source: 'Resent-To' },
  { address: 'carol@example.org', envelope: 'RCPT To', header: undefined, blind: true, source: 'Bcc' },
  { address: 'alice@example.org', envelope: undefined, header: 'Resent-From', blind: false, source: 'Resent-From' },
];

describe('the address table', () => {
  it('lines up its columns on the widest cell of each', () => {
    const lines = formatAddressTable(ROWS, tableLabelsFor('en'));
    assert.deepEqual(lines, [
      'Envelope and header (the envelope decides who gets the message):',
      '  address              envelope             header                            given by',
      '  bounces@example.org  MAIL From:<…>        (none: the header names another)  command line',
      "  bob@example.org      RCPT To:<…>          Resent-To:                        the message's Resent-To:",
      "  carol@example.org    RCPT To:<…>          (none: Bcc, envelope only)        the message's Bcc:",
      "  alice@example.org    (none: header only)  Resent-From:                      the message's Resent-From:",
    ]);
  });

  it("lines up its columns in the terminal's columns: a CJK character takes two, a combining accent none", () => {
    const rows: AddressOrigin[] = [
      { address: '用户@xn--fsqu00a.xn--4rr70v', envelope: 'RCPT To', header: 'To', blind: false, source: undefined },
      { address: 'jose\u0301@example.org', envelope: 'RCPT To', header: 'To', blind: false, source: undefined },
      { address: 'bob@example.org', envelope: 'RCPT To', header: 'To', blind: false, source: undefined },
    ];
    const lines = formatAddressTable(rows, tableLabelsFor('en'));
    // Before: the first row's next column three columns right of the others', the second's one left.
    // The first address takes 27 columns (two CJK characters, 23 others), the second 16, the third 15.
    const rest = '  RCPT To:<…>  To:     command line';
    assert.deepEqual(lines.slice(2), [
      `  用户@xn--fsqu00a.xn--4rr70v${rest}`,
      `  jose\u0301@example.org${' '.repeat(11)}${rest}`,
      `  bob@example.org${' '.repeat(12)}${rest}`,
    ]);
  });

  it('takes more rows than a call takes arguments (a replayed record may hold any number)', () => {
    const many = Array.from({ length: 200_000 }, (_, index) => ({ ...ROWS[1]!, address: `r${index}@example.org` }));
    const lines = formatAddressTable(many, tableLabelsFor('fr'));
    assert.equal(lines.length, 200_002);
    assert.match(lines.at(-1)!, /^ {2}r199999@example\.org {2}RCPT To:<…> /);
  });

  it('takes an address the same in any case, and its domain in A-labels the same as in Unicode', () => {
    assert.ok(sameMailbox('Bob@Café.example', 'bob@xn--caf-dma.example'));
    assert.ok(sameMailbox('bob@EXAMPLE.org', 'BOB@example.org'));
    assert.ok(!sameMailbox('bob@example.org', 'bob@example.net'));
    assert.ok(sameMailbox('postmaster', 'POSTMASTER'));
  });
});
