// The encodings of DSN parameters (RFC 3461 §4, RFC 6533 §3) and the checks of --notify and --envid.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { checkEnvid, dsnRequest, parseNotify } from '../../dist/cli/dsn-options.js';
import { UsageError } from '../../dist/errors.js';
import { Explainer, catalogueFor } from '../../dist/explain/explainer.js';
import { mailDsnParams, rcptDsnParams, utf8AddrXtext, xtext } from '../../dist/smtp/dsn.js';

describe('xtext (RFC 3461 §4)', () => {
  it('keeps printable ASCII but + and =, which become +2B and +3D', () => {
    assert.equal(xtext('a-b.c_d@e!~'), 'a-b.c_d@e!~');
    assert.equal(xtext('x+y=z'), 'x+2By+3Dz');
  });
  it('encodes space, controls and DEL as + and two upper-case hex digits', () => {
    assert.equal(xtext(' \t\x7f'), '+20+09+7F');
  });
  it('encodes non-ASCII text octet by octet in UTF-8', () => {
    assert.equal(xtext('é'), '+C3+A9');
  });
});

describe('utf-8-addr-xtext (RFC 6533 §3)', () => {
  it('writes each character outside printable ASCII, and + = \\, as \\x{HEX} of its code point', () => {
    assert.equal(utf8AddrXtext('josé+1@exemple.fr'), 'jos\\x{E9}\\x{2B}1@exemple.fr');
    assert.equal(utf8AddrXtext('a\\b=c'), 'a\\x{5C}b\\x{3D}c');
  });
});

describe('DSN parameters', () => {
  it('MAIL gets RET and ENVID only when asked', () => {
    assert.deepEqual(mailDsnParams({ notify: ['success'], ret: undefined, envid: undefined }), []);
    assert.deepEqual(mailDsnParams({ notify: undefined, ret: 'full', envid: 'a b' }), ['RET=FULL', 'ENVID=a+20b']);
  });
  it('each RCPT gets NOTIFY when asked and always ORCPT, rfc822 for ASCII, utf-8 otherwise', () => {
    assert.deepEqual(rcptDsnParams({ notify: ['failure', 'delay'], ret: undefined, envid: undefined }, 'b@mx.test'), [
      'NOTIFY=FAILURE,DELAY',
      'ORCPT=rfc822;b@mx.test',
    ]);
    assert.deepEqual(rcptDsnParams({ notify: undefined, ret: 'hdrs', envid: undefined }, 'pré@mx.test'), ['ORCPT=utf-8;pr\\x{E9}@mx.test']);
  });
});

describe('--notify and --envid', () => {
  it('never alone, or a list of success, failure, delay in any case', () => {
    assert.deepEqual(parseNotify('never'), ['never']);
    assert.deepEqual(parseNotify('Success,DELAY'), ['success', 'delay']);
  });
  it('refuses never with others, repeats, unknown words and an empty list (64)', () => {
    for (const text of ['never,success', 'success,success', 'sucess', '', 'success,']) {
      assert.throws(
        () => parseNotify(text),
        (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_NOTIFY_INVALID',
        text,
      );
    }
  });
  it('an envid is 1 to 100 printable ASCII characters', () => {
    assert.equal(checkEnvid('x'.repeat(100)), 'x'.repeat(100));
    for (const text of ['', 'x'.repeat(101), 'a\tb', 'é']) {
      assert.throws(
        () => checkEnvid(text),
        (error: unknown) => error instanceof UsageError && error.fact.code === 'MAILV_ENVID_INVALID',
        text,
      );
    }
  });
  it('no flag, no request: nothing of DSN is sent', () => {
    assert.equal(dsnRequest(undefined, undefined, undefined), undefined);
    assert.deepEqual(dsnRequest(undefined, 'hdrs', undefined), { notify: undefined, ret: 'hdrs', envid: undefined });
  });
});

describe('--explain of the DSN parameters', () => {
  for (const lang of ['en', 'fr'] as const) {
    it(`${lang}: one line for each of RET, ENVID, NOTIFY and ORCPT, none left as an unknown parameter`, () => {
      const c = catalogueFor(lang);
      const explainer = new Explainer(c);
      const mail = explainer.annotate({
        kind: 'send',
        stage: 'mail',
        command: { verb: 'MAIL', from: 'a@b.test', params: ['RET=HDRS', 'ENVID=x+20y'] },
        pipelined: false,
      });
      const rcpt = explainer.annotate({
        kind: 'send',
        stage: 'rcpt',
        command: { verb: 'RCPT', to: 'c@d.test', params: ['NOTIFY=SUCCESS,DELAY', 'ORCPT=rfc822;c@d.test'] },
        pipelined: false,
      });
      const all = [...mail.before, ...mail.after, ...rcpt.before, ...rcpt.after];
      for (const expected of [c.paramRet({ value: 'HDRS' }), c.paramEnvid, c.paramNotify({ value: 'SUCCESS,DELAY' }), c.paramOrcpt]) {
        assert.ok(all.includes(expected), `${expected} missing from ${all.join(' | ')}`);
      }
      assert.ok(!all.some((line) => line.includes('RFC 5321 §4.1.1.2') && /RET|ENVID/.test(line)), all.join(' | '));
    });
  }
});
