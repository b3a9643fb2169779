// English words of the load summary.
import type { LoadWords } from '../load-words.js';

export const loadWords: LoadWords = {
  totals: (count, accepted, failed, connections, seconds) =>
    `${count} messages in ${seconds} s over ${connections} connection${connections === 1 ? '' : 's'}: ${accepted} accepted, ${failed} failed`,
  rate: (perSecond) => `${perSecond} messages per second`,
  latency: 'latency (ms)',
  phase: { connect: 'connect', greeting: 'greeting', transaction: 'transaction' },
  replies: 'replies',
  failure: (count, what) => `${count} × ${what}`,
  recipient: (recipient, outcome, reply) => `${recipient} ${outcome === 'refused' ? 'refused' : 'deferred'}: ${reply}`,
};
