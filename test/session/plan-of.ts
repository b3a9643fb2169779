// The plan of a session test: client.test sending `text` from a@client.test to b@mx.test, in
// clear, with short timeouts; each test adds what it is about.
import type { SessionPlan } from '../../dist/smtp/session.js';
import { Timeouts } from '../../dist/smtp/timeouts.js';
import { messageOf } from './message-of.js';

export function planOf(text: string, more: Partial<SessionPlan> = {}): SessionPlan {
  return {
    helo: 'client.test',
    envelope: { from: 'a@client.test', recipients: ['b@mx.test'] },
    prepare: async () => messageOf(text),
    timeouts: new Timeouts(2000),
    echoBody: false,
    tls: 'off',
    ...more,
  };
}
