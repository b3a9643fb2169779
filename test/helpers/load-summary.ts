// The `load` line of a load run's --json output, checked to be followed by the `result` line that
// ends every --json run, with the same status (and, between them, the dead-letter event of a
// message that reached nobody).
import assert from 'node:assert/strict';
import { lines } from './cli.js';

export interface Latency {
  samples: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface LoadSummary {
  event: 'load';
  count: number;
  accepted: number;
  failed: number;
  refused: number;
  deferred: number;
  connections: number;
  resent: number;
  resentBehindClosing: number;
  quitUnanswered: { connections: number; timedOut: number };
  resumptionsFailed: number;
  tlsResumed: number;
  tlsUnverified: number;
  certificatesUnchecked: boolean;
  connectionFaults: { count: number; first: { count: number; code: string; stage?: string; reply: string | null }[] };
  ms: number;
  connect: Latency | null;
  greeting: Latency | null;
  tls: Latency | null;
  auth: Latency | null;
  transaction: Latency | null;
  replies: Record<string, number>;
  failures: {
    count: number;
    code: string;
    reply: string | null;
    firstMs: number;
    lastMs: number;
    acceptedBefore: number;
    underWay: number;
    connectionsOpen: number;
  }[];
  stopped: { unsent: number; by: 'stop-on-error' | 'login-refused'; code: string; recipient?: string; reply: string | null } | null;
  interrupted: { signal: string; unconfirmed: number; unsent: number } | null;
  cutShort: { by: 'fault' | 'output'; unconfirmed: number; unsent: number } | null;
  target: { host: string; address: string; port: number } | null;
  status: number;
}

export interface LoadResult {
  event: 'result';
  ms: number;
  status: number;
  error: string | null;
  code: string | null;
  stage: string | null;
}

/** The `load` line, after checking it is followed by the result line (and, when the message reached nobody, the dead-letter event). */
export function loadSummary(stdout: string): LoadSummary {
  return loadLines(stdout).summary;
}

/** The `load` line and the `result` line of a load run's --json output; `deadLetter`: the message was kept. */
export function loadLines(stdout: string): { summary: LoadSummary; result: LoadResult; deadLetter: boolean } {
  const events = lines(stdout).map((line) => JSON.parse(line) as { event: string; status?: number });
  const names = events.map((event) => event.event);
  const deadLetter = names.length === 3 && names[1] === 'dead-letter';
  assert.deepEqual(names, deadLetter ? ['load', 'dead-letter', 'result'] : ['load', 'result'], stdout);
  const summary = events[0] as unknown as LoadSummary;
  const result = events.at(-1) as unknown as LoadResult;
  assert.equal(result.status, summary.status, stdout);
  // A message kept in dead.letter reached nobody.
  if (deadLetter) assert.equal(summary.accepted, 0, stdout);
  return { summary, result, deadLetter };
}
