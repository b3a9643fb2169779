import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { refusedFirst } from '../../dist/delivery/refused-first.js';
import { InterruptedError, RefusedThenFailedError, SmtpReplyError, StepStop, TransportError } from '../../dist/errors.js';
import { makeReply } from '../../dist/smtp/reply.js';
import { describeFact } from '../../dist/words/describe.js';
import { en } from '../../dist/words/en/index.js';
import { fr } from '../../dist/words/fr/index.js';

const refusal = (recipient: string) => ({ recipient, outcome: 'refused' as const, reply: makeReply(['550 5.1.1 No such user']) });
const lost = new TransportError({ code: 'MAILV_CONNECTION_LOST', stage: 'body', reason: 'closed', errno: undefined, midReply: false }, 'body', 'closed');

describe('a delivery that failed for now after a refusal for good', () => {
  it('is 67, said as the failure alone would be, naming the refused apart', () => {
    const failure = refusedFirst(lost, [refusal('bob@example.org')]);
    assert.ok(failure instanceof RefusedThenFailedError);
    assert.equal(failure.exitCode, 67);
    assert.deepEqual(failure.refused, ['bob@example.org']);
    assert.equal(failure.failure, lost);
    assert.equal(failure.stage, 'body');
    for (const words of [en, fr]) assert.equal(describeFact(failure.fact, words), describeFact(lost.fact, words));
  });

  it('gathers the refusals of every host of a domain into one failure', () => {
    const first = refusedFirst(lost, [refusal('bob@example.org')]);
    const both = refusedFirst(first, [refusal('alice@example.org')]);
    assert.ok(both instanceof RefusedThenFailedError);
    assert.deepEqual(both.refused, ['alice@example.org', 'bob@example.org']);
    assert.equal(both.failure, lost);
  });

  it('leaves alone a failure with no refusal before it, one that says more than 67 (a 554: 69), a signal and --step’s q', () => {
    assert.equal(refusedFirst(lost, []), lost);
    const refused = new SmtpReplyError({ code: 'MAILV_MESSAGE_REFUSED', reply: makeReply(['554 5.6.0 No']) }, 'body', makeReply(['554 5.6.0 No']));
    const signal = new InterruptedError('SIGTERM', 'body');
    const quit = new StepStop();
    for (const error of [refused, signal, quit]) assert.equal(refusedFirst(error, [refusal('bob@example.org')]), error);
  });
});
