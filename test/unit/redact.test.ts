// Masking what a server echoes of the secrets AUTH sent: whole, or a piece cut from its base64.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { REDACTED, Redactor, secretForms } from '../../dist/smtp/redact.js';

describe('Redactor', () => {
  const password = 'S3cret-pw!x';
  const plain = Buffer.from(`\0alice\0${password}`).toString('base64');
  const redactor = new Redactor();
  redactor.hide(password, 'typed');
  for (const form of secretForms(password)) redactor.hide(form);
  redactor.hide(plain, 'sent');

  it('masks the secret, its base64, and any piece of what AUTH sent quoted from its middle', () => {
    assert.equal(redactor.text(`535 5.7.8 bad: ${password}`), `535 5.7.8 bad: ${REDACTED}`);
    assert.equal(redactor.text(`535 5.7.8 bad: ${plain}`), `535 5.7.8 bad: ${REDACTED}`);
    for (let cut = 1; cut < 8; cut++) {
      const masked = redactor.text(`535 5.7.8 bad: ${plain.slice(cut)}`);
      assert.match(masked, /^535 5\.7\.8 bad: (\*{8})+$/, `cut at ${cut}`);
      // No group of the base64 that carries an octet of the password is left.
      assert.ok(!masked.includes(plain.slice(8, 12)), masked);
    }
  });

  it('masks a large piece of the secret as typed (half of it or more), quoted by a server', () => {
    const typed = new Redactor();
    typed.hide('Tr0ub4dorAndHorse', 'typed');
    assert.equal(typed.text('550-5.7.1 pw piece r0ub4dorAndHors decoded'), `550-5.7.1 pw piece ${REDACTED} decoded`);
    assert.equal(typed.text('550 5.7.1 And Horse'), '550 5.7.1 And Horse', 'short pieces are ordinary words');
  });

  it('leaves words that are no piece of a secret alone, however base64 they look', () => {
    assert.equal(redactor.text('535 5.7.8 Authentication credentials invalid'), '535 5.7.8 Authentication credentials invalid');
    assert.equal(new Redactor().text(plain), plain);
    // A password that looks like base64 is masked whole, never by its pieces: words in it stay.
    const words = new Redactor();
    for (const form of secretForms('examplemailbox')) words.hide(form);
    words.hide(Buffer.from('\0bob\0examplemailbox').toString('base64'), 'sent');
    assert.equal(words.text('550 5.1.1 <bob@example.org>: mailbox full'), '550 5.1.1 <bob@example.org>: mailbox full');
    assert.equal(words.text('535 bad: examplemailbox'), `535 bad: ${REDACTED}`);
  });
});
