// English words of the load summary.
import type { LoadWords } from '../load-words.js';
import { caMayHelp } from '../certificate-advice.js';
import { certificateProblem } from './smtp.js';

export const loadWords = (): LoadWords => ({
  totals: (count, accepted, failed, connections, seconds) =>
    `${count} message${count === 1 ? '' : 's'} in ${seconds} s over ${connections} connection${connections === 1 ? '' : 's'}: ${accepted} accepted, ${failed} failed`,
  split: (refused, deferred) => `failed: ${refused} refused for good, ${deferred} deferred (temporary failures)`,
  resent: (resent) =>
    resent === 1
      ? '1 message sent again over a new connection: the connection that carried its envelope was lost before its content went out'
      : `${resent} messages sent again over a new connection: each time, the connection that carried the envelope was lost before the content went out`,
  resentBehindClosing: (resent) =>
    resent === 1
      ? '1 message sent again over a new connection: it was written whole behind one the server answered 421, and the server, closing, read none of it'
      : `${resent} messages sent again over a new connection: each was written whole behind one the server answered 421, and the server, closing, read none of it`,
  quitUnanswered: (connections, timedOut) => {
    const on = `no reply to QUIT on ${connections} connection${connections === 1 ? '' : 's'}`;
    if (timedOut === 0) return `${on}: the server closed ${connections === 1 ? 'it' : 'them'} without one`;
    const waited = 'mailv waited for it until the time limit';
    if (timedOut === connections) return `${on}: ${waited}${connections === 1 ? '' : ' on each'}`;
    return `${on}: ${waited} on ${timedOut} of them, the server closed the others without one`;
  },
  tlsResumed: (resumed, handshakes) =>
    `TLS: ${resumed} of ${handshakes} handshake${handshakes === 1 ? '' : 's'} resumed a session${resumed === 0 ? '' : ' (no certificate sent, one round trip less in TLS 1.2)'}`,
  tlsUnverified: (unverified, handshakes, unchecked, problem) =>
    `Warning: ${unchecked ? 'certificates were not checked (--insecure)' : `the server's certificate did NOT verify in ${unverified} of ${handshakes} TLS handshake${handshakes === 1 ? '' : 's'}${problem === undefined ? '' : ` (${certificateProblem(problem)})`}`}: anyone on the path could have posed as the server${unchecked ? '' : ` (${caMayHelp(problem) ? '--ca <file> trusts its CA; ' : ''}--tls required sends nothing to such a server)`}`,
  resumptionsFailed: (connections) =>
    `the TLS session kept from an earlier run failed on ${connections} connection${connections === 1 ? '' : 's'} that offered it (the handshake failed, or the server hung up right after resuming it): the session is forgotten, none is offered to this server for a day, and ${connections === 1 ? 'its message went again over a new connection' : 'their messages went again over new connections'}`,
  connectionFaults: (connections) =>
    connections === 1
      ? '1 connection broken between messages, no message lost with it (the messages it would have carried were left for another connection):'
      : `${connections} connections broken between messages, no message lost with them (the messages they would have carried were left for other connections):`,
  stopped: (unsent, what, by) =>
    `${by === 'stop-on-error' ? 'stopped at the first failure (--stop-on-error)' : 'stopped: the login was refused, as it would be on every connection'}, ${unsent} message${unsent === 1 ? '' : 's'} not sent: ${what}`,
  interrupted: (signal, unconfirmed, unsent) =>
    unconfirmed === 0 && unsent === 0
      ? `interrupted (${signal}) after every message had its verdict, while the connections closed`
      : `interrupted (${signal}): ${unconfirmed > 0 ? `${unconfirmed} message${unconfirmed === 1 ? '' : 's'} under way with no verdict, ${unsent}` : `${unsent} message${unsent === 1 ? '' : 's'}`} never started`,
  cutShort: (by, unconfirmed, unsent) =>
    `cut short by ${by === 'fault' ? 'an internal error' : 'a write that failed'}: ${unconfirmed} message${unconfirmed === 1 ? '' : 's'} under way with no verdict, ${unsent} never started`,
  // An address literal (bob@[192.0.2.1]) has no MX host: the address itself took the connection.
  target: (host, address, port) =>
    host.startsWith('[')
      ? `load sent to ${host} port ${port}, the recipients' address literal`
      : `load sent to ${host} [${address}] port ${port}, the first MX host that accepted a connection`,
  progress: (accepted, refused, deferred, perSecond, seconds) => `accepted ${accepted}, refused ${refused}, deferred ${deferred}, ${perSecond}/s, ${seconds} s`,
  rate: (perSecond) => `${perSecond} message${perSecond === '1' ? '' : 's'} accepted per second`,
  decimal: (figure) => figure,
  latency: 'latency (ms):',
  samples: 'samples',
  phase: { connect: 'connect', greeting: 'greeting', tls: 'TLS', auth: 'AUTH', transaction: 'transaction' },
  replies: 'replies:',
  failure: (count, what) => `${count} × ${what}`,
  failureWhen: (count, first, last, { acceptedBefore, connectionsOpen, underWay }) => {
    const accepted = acceptedBefore === 0 ? 'before any message was accepted' : `after ${acceptedBefore} message${acceptedBefore === 1 ? '' : 's'} accepted`;
    const open = `${connectionsOpen} other connection${connectionsOpen === 1 ? '' : 's'} open`;
    const messages = `${underWay} message${underWay === 1 ? '' : 's'} under way`;
    const after = connectionsOpen === 0 ? accepted : underWay === 0 ? `${accepted}, ${open}` : `${accepted}, ${open} with ${messages}`;
    return count === 1 ? `at ${first} s, ${after}` : `first at ${first} s, ${after}; last at ${last} s`;
  },
  failuresNotShown: (count, first, last) =>
    `${count} × ${count === 1 ? 'another failure' : 'other failures'}, unlike those above, not shown one by one: ${count === 1 ? `at ${first} s` : `first at ${first} s, last at ${last} s`}`,
  witness: 'The first connection on which a message failed (-v), as it went:',
  witnessBroken: 'No message failed; the first connection the server broke between messages (-v), as it went:',
  witnessOmitted: (count) => `(… ${count} event${count === 1 ? '' : 's'} of this connection left out here …)`,
  numbered: (failure) => `${failure} (the recipient under its numbers, --vary-recipients)`,
  recipient: (recipient, outcome, reply, numbered) =>
    `${recipient} ${outcome === 'refused' ? 'refused' : 'deferred'}${numbered ? ' under its numbers (--vary-recipients)' : ''}: ${reply}`,
});
