// The `load` line of a load run's --json output, checked to be followed by the `result` line that
// ends every --json run, with the same status.
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
  ms: number;
  connect: Latency | null;
  greeting: Latency | null;
  tls: Latency | null;
  auth: Latency | null;
  transaction: Latency | null;
  replies: Record<string, number>;
  failures: { count: number; code: string; reply: string | null }[];
  stopped: { unsent: number; code: string; reply: string | null } | null;
  interrupted: { signal: string; unsent: number } | null;
  target: { host: string; address: string; port: number } | null;
  status: number;
}

export function loadSummary(stdout: string): LoadSummary {
  const events = lines(stdout).map((line) => JSON.parse(line) as { event: string; status?: number });
  assert.deepEqual(
    events.map((event) => event.event),
    ['load', 'result'],
    stdout,
  );
  const summary = events[0] as unknown as LoadSummary;
  assert.equal(events[1]!.status, summary.status, stdout);
  return summary;
}
