// mailv-sendmail -bs's checks of MAIL and RCPT parameters, against what Postfix's smtpd takes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mailParameterProblem, rcptParameterProblem } from '../../dist/smtp/server-parameters.js';

describe('mailParameterProblem', () => {
  it('takes the parameters of the extensions offered, SIZE and DSN, whatever their case', () => {
    assert.equal(mailParameterProblem([]), undefined);
    assert.equal(mailParameterProblem(['BODY=8BITMIME', 'body=7bit', 'SMTPUTF8', 'size=0', 'SIZE=123456789012', 'RET=hdrs', 'ENVID=QQ+2B1']), undefined);
    // Lower-case hex after `+`, as Postfix takes it; SIZE as large as a file may be.
    assert.equal(mailParameterProblem(['ENVID=a+2b', 'SIZE=9223372036854775807']), undefined);
  });

  it('answers a value that does not parse as a syntax error, naming the parameter', () => {
    assert.deepEqual(mailParameterProblem(['SIZE=abc']), { kind: 'malformed', name: 'SIZE' });
    assert.deepEqual(mailParameterProblem(['SIZE=']), { kind: 'malformed', name: 'SIZE' });
    assert.deepEqual(mailParameterProblem(['SIZE=-1']), { kind: 'malformed', name: 'SIZE' });
    assert.deepEqual(mailParameterProblem(['RET=XYZ']), { kind: 'malformed', name: 'RET' });
    // xtext: `+` only before two hex digits, no `=` nor space nor 8-bit octet, not empty.
    assert.deepEqual(mailParameterProblem(['ENVID=a+zz']), { kind: 'malformed', name: 'ENVID' });
    assert.deepEqual(mailParameterProblem(['ENVID=']), { kind: 'malformed', name: 'ENVID' });
    // A DSN parameter twice, as Postfix reads it; a size no file can have, 552 there.
    assert.deepEqual(mailParameterProblem(['ENVID=x', 'ENVID=y']), { kind: 'malformed', name: 'ENVID' });
    assert.deepEqual(mailParameterProblem(['RET=FULL', 'RET=HDRS']), { kind: 'malformed', name: 'RET' });
    assert.deepEqual(mailParameterProblem(['SIZE=99999999999999999999999']), { kind: 'size-overflow' });
    assert.deepEqual(mailParameterProblem(['ENVID=a=b']), { kind: 'malformed', name: 'ENVID' });
    assert.deepEqual(mailParameterProblem(['ENVID=caf\u00e9']), { kind: 'malformed', name: 'ENVID' });
  });

  it('refuses a name it does not take, or a value no extension offered takes, as unsupported', () => {
    assert.deepEqual(mailParameterProblem(['BODY=8BITMIME', 'FOO=bar']), { kind: 'unsupported', parameter: 'FOO=bar' });
    assert.deepEqual(mailParameterProblem(['BODY=BINARYMIME']), { kind: 'unsupported', parameter: 'BODY=BINARYMIME' });
    assert.deepEqual(mailParameterProblem(['SMTPUTF8=yes']), { kind: 'unsupported', parameter: 'SMTPUTF8=yes' });
    assert.deepEqual(mailParameterProblem(['SIZE']), { kind: 'unsupported', parameter: 'SIZE' });
    assert.deepEqual(mailParameterProblem(['NOTIFY=NEVER']), { kind: 'unsupported', parameter: 'NOTIFY=NEVER' });
  });
});

describe('rcptParameterProblem', () => {
  it("takes DSN's NOTIFY and ORCPT when they parse", () => {
    assert.equal(rcptParameterProblem(['NOTIFY=never', 'ORCPT=rfc822;bob+40example.org']), undefined);
    assert.equal(rcptParameterProblem(['NOTIFY=SUCCESS,FAILURE,DELAY']), undefined);
    assert.equal(rcptParameterProblem(['ORCPT=utf-8;j\u00f6rg@example.org']), undefined);
    // Empty items of the list passed over, lower-case hex taken, as Postfix does.
    assert.equal(rcptParameterProblem(['NOTIFY=SUCCESS,,FAILURE', 'ORCPT=rfc822;a+2b']), undefined);
    // An empty xtext (RFC 3461 §4: `*`), NEVER said twice: taken by Postfix too.
    assert.equal(rcptParameterProblem(['ORCPT=rfc822;', 'NOTIFY=NEVER,NEVER']), undefined);
    assert.equal(rcptParameterProblem(['ORCPT=rfc822;a=b']), undefined);
  });

  it('answers a NOTIFY or ORCPT that does not parse as a syntax error', () => {
    assert.deepEqual(rcptParameterProblem(['NOTIFY=NEVER,SUCCESS']), { kind: 'malformed', name: 'NOTIFY' });
    assert.deepEqual(rcptParameterProblem(['NOTIFY=sometimes']), { kind: 'malformed', name: 'NOTIFY' });
    assert.deepEqual(rcptParameterProblem(['NOTIFY=']), { kind: 'malformed', name: 'NOTIFY' });
    assert.deepEqual(rcptParameterProblem(['ORCPT=bob@example.org']), { kind: 'malformed', name: 'ORCPT' });
    assert.deepEqual(rcptParameterProblem(['ORCPT=rfc822;a+zz']), { kind: 'malformed', name: 'ORCPT' });
    assert.deepEqual(rcptParameterProblem(['NOTIFY=,']), { kind: 'malformed', name: 'NOTIFY' });
    assert.deepEqual(rcptParameterProblem(['NOTIFY=NEVER', 'NOTIFY=NEVER']), { kind: 'malformed', name: 'NOTIFY' });
    assert.deepEqual(rcptParameterProblem(['ORCPT=rfc822;a', 'ORCPT=rfc822;b']), { kind: 'malformed', name: 'ORCPT' });
  });

  it("refuses MAIL's parameters and unknown ones as unsupported", () => {
    assert.deepEqual(rcptParameterProblem(['SIZE=10']), { kind: 'unsupported', parameter: 'SIZE=10' });
    assert.deepEqual(rcptParameterProblem(['NOTIFY']), { kind: 'unsupported', parameter: 'NOTIFY' });
  });
});
