import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { RepliesOwed } from '../../dist/replies-owed.js';

/** A queue of stages whose key function counts its calls: the work done, without a clock. */
function counted() {
  const calls = { count: 0 };
  const owed = new RepliesOwed<string>((stage) => {
    calls.count++;
    return stage;
  });
  return { owed, calls };
}

describe('replies owed', () => {
  it('answers the oldest command of the reply’s kind, settling every one before it (replies come in order, RFC 2920 §3.1)', () => {
    const { owed } = counted();
    for (const stage of ['mail', 'rcpt', 'rcpt', 'data']) owed.push(stage);
    assert.equal(owed.first, 'mail');
    assert.equal(owed.answer('rcpt'), 'rcpt');
    // MAIL's reply never came: the RCPT's settled it.
    assert.equal(owed.has('mail'), false);
    assert.equal(owed.first, 'rcpt');
    assert.equal(owed.answer('greeting'), undefined, 'a reply to nothing owed');
    assert.equal(owed.first, 'rcpt', 'and it settles nothing');
    assert.equal(owed.answer('data'), 'data');
    assert.equal(owed.first, undefined);
    assert.equal(owed.has('rcpt'), false);
  });

  it('keeps a command answered more than once (an LMTP message’s end), and forgets everything when cleared', () => {
    const { owed } = counted();
    owed.push('body');
    owed.push('quit');
    assert.equal(owed.answer('body', true), 'body');
    assert.equal(owed.first, 'body');
    assert.equal(owed.answer('body'), 'body');
    assert.equal(owed.first, 'quit');
    owed.push('mail');
    owed.clear();
    assert.equal(owed.first, undefined);
    assert.equal(owed.has('quit'), false);
    assert.equal(owed.answer('quit'), undefined);
  });

  it('does work in proportion to the commands, whatever order a record gives them in', () => {
    const n = 20_000;
    // Replies to nothing owed, behind many commands never answered: each told without a search.
    const stuck = counted();
    for (let i = 0; i < n; i++) stuck.owed.push('rcpt');
    for (let i = 0; i < n; i++) assert.equal(stuck.owed.answer('greeting'), undefined);
    assert.ok(stuck.calls.count <= 2 * n, `${stuck.calls.count} key reads`);
    // A command and its reply, again and again, behind them: the first reply settles the rest.
    for (let i = 0; i < n; i++) {
      stuck.owed.push('mail');
      assert.equal(stuck.owed.answer('mail'), 'mail');
    }
    assert.ok(stuck.calls.count <= 6 * n, `${stuck.calls.count} key reads`);
    assert.equal(stuck.owed.first, undefined);
  });
});
