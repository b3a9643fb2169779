// The summary of a load run: totals, rate, latency percentiles per phase, replies by code and the
// first distinct failures; or the same as one JSON line (--json). Pure.
import type { LoadFailure, LoadReport } from '../load/facts.js';
import { perSecond, rateFigure, type LatencySummary } from '../load/stats.js';
import type { Words } from '../words/catalogue.js';
import { describeLoadFailure } from '../words/describe.js';
import { sanitize, terminalSafeJson } from '../text/sanitize.js';
import type { ErrorFact } from '../errors.js';
import { en } from '../words/en/index.js';

const PHASES = ['connect', 'greeting', 'tls', 'auth', 'transaction'] as const;

export function loadSummaryLines(report: LoadReport, words: Words): string[] {
  const { load } = words;
  const lines = [
    load.totals(report.count, report.accepted, report.failed, report.connections, load.decimal((report.elapsedMs / 1000).toFixed(3))),
    load.rate(rateFigure(perSecond(report.accepted, report.acceptedWithinMs))),
  ];
  if (report.target !== undefined) lines.unshift(load.target(sanitize(report.target.host), report.target.address, report.target.port));
  if (report.failed > 0) lines.push(load.split(report.refused, report.deferred));
  const envelopeOnly = report.resent - report.resentBehindClosing;
  if (envelopeOnly > 0) lines.push(load.resent(envelopeOnly));
  if (report.resentBehindClosing > 0) lines.push(load.resentBehindClosing(report.resentBehindClosing));
  if (report.quitUnanswered.connections > 0) lines.push(load.quitUnanswered(report.quitUnanswered.connections, report.quitUnanswered.timedOut));
  if (report.resumptionsFailed > 0) lines.push(load.resumptionsFailed(report.resumptionsFailed));
  if (report.connectionFaults.count > 0) {
    lines.push(load.connectionFaults(report.connectionFaults.count));
    // Indented under it: these are no messages' failures, which come last.
    for (const { error, count } of report.connectionFaults.first)
      lines.push(`  ${load.failure(count, sanitize(describeLoadFailure({ kind: 'error', error }, words)))}`);
  }
  if (report.stopped !== undefined)
    lines.push(load.stopped(report.stopped.unsent, sanitize(describeLoadFailure(report.stopped.failure, words)), report.stopped.by));
  if (report.interrupted !== undefined) lines.push(load.interrupted(report.interrupted.signal, report.interrupted.unconfirmed, report.interrupted.unsent));
  if (report.cutShort !== undefined) lines.push(load.cutShort(report.cutShort.by, report.cutShort.unconfirmed, report.cutShort.unsent));
  const rows = PHASES.flatMap((phase) => {
    const summary = report[phase];
    return summary === undefined ? [] : [[load.phase[phase], summary] as const];
  });
  if (rows.length > 0) {
    // The figures start in one column, after the longest of the row names and the table's title.
    const column = Math.max(...rows.map(([name]) => name.length + 3), load.latency.length + 1);
    // How many samples each row is of: a p99 of twenty is its largest but one, no tail.
    const samplesWidth = Math.max(load.samples.length, ...rows.map(([, summary]) => String(summary.samples).length)) + 2;
    lines.push(`${load.latency.padEnd(column)}${['p50', 'p90', 'p99', 'max'].map((h) => h.padStart(9)).join('')}${load.samples.padStart(samplesWidth)}`);
    for (const [name, summary] of rows)
      lines.push(`${`  ${name}`.padEnd(column)}${figures(summary, load.decimal)}${String(summary.samples).padStart(samplesWidth)}`);
  }
  if (report.tls !== undefined) lines.push(load.tlsResumed(report.tlsResumed, report.tls.samples));
  // A single send says it in its dialogue, which a load run does not show.
  if (report.certificatesUnchecked || report.tlsUnverified > 0)
    lines.push(
      load.tlsUnverified(report.tlsUnverified, report.tls?.samples ?? report.tlsUnverified, report.certificatesUnchecked, report.tlsUnverifiedProblem),
    );
  if (report.replies.length > 0) lines.push(`${load.replies} ${report.replies.map(([code, count]) => `${code} × ${count}`).join(', ')}`);
  const seconds = (ms: number) => load.decimal((ms / 1000).toFixed(3));
  for (const { failure, count, firstMs, lastMs, acceptedBefore, underWay, connectionsOpen } of report.failures)
    lines.push(
      load.failure(count, sanitize(describeLoadFailure(failure, words))),
      `    ${load.failureWhen(count, seconds(firstMs), seconds(lastMs), { acceptedBefore, connectionsOpen, underWay })}`,
    );
  const more = report.failuresNotShown;
  if (more !== undefined) lines.push(load.failuresNotShown(more.count, seconds(more.firstMs), seconds(more.lastMs)));
  return lines;
}

function figures(summary: LatencySummary, decimal: (figure: string) => string): string {
  return [summary.p50, summary.p90, summary.p99, summary.max].map((ms) => decimal(ms.toFixed(2)).padStart(9)).join('');
}

/** One line: `{"event":"load",…}` with every figure in milliseconds and each failure's code. */
export function loadSummaryJson(report: LoadReport): string {
  const round = (ms: number) => Math.round(ms * 1000) / 1000;
  const latency = (summary: LatencySummary | undefined) =>
    summary === undefined
      ? null
      : { samples: summary.samples, p50: round(summary.p50), p90: round(summary.p90), p99: round(summary.p99), max: round(summary.max) };
  return terminalSafeJson(
    JSON.stringify({
      event: 'load',
      count: report.count,
      accepted: report.accepted,
      failed: report.failed,
      refused: report.refused,
      deferred: report.deferred,
      connections: report.connections,
      resent: report.resent,
      resentBehindClosing: report.resentBehindClosing,
      quitUnanswered: report.quitUnanswered,
      resumptionsFailed: report.resumptionsFailed,
      tlsResumed: report.tlsResumed,
      tlsUnverified: report.tlsUnverified,
      tlsUnverifiedProblem: report.tlsUnverifiedProblem ?? null,
      certificatesUnchecked: report.certificatesUnchecked,
      connectionFaults: {
        count: report.connectionFaults.count,
        first: report.connectionFaults.first.map(({ error, count }) => ({ count, ...failureJson({ kind: 'error', error }) })),
      },
      ms: round(report.elapsedMs),
      perSecond: Math.round(perSecond(report.accepted, report.acceptedWithinMs) * 10) / 10,
      connect: latency(report.connect),
      greeting: latency(report.greeting),
      tls: latency(report.tls),
      auth: latency(report.auth),
      transaction: latency(report.transaction),
      replies: Object.fromEntries(report.replies),
      failures: report.failures.map(({ failure, count, firstMs, lastMs, acceptedBefore, underWay, connectionsOpen }) => ({
        count,
        ...failureJson(failure),
        firstMs: round(firstMs),
        lastMs: round(lastMs),
        acceptedBefore,
        underWay,
        connectionsOpen,
      })),
      failuresNotShown:
        report.failuresNotShown === undefined
          ? null
          : { count: report.failuresNotShown.count, firstMs: round(report.failuresNotShown.firstMs), lastMs: round(report.failuresNotShown.lastMs) },
      stopped: report.stopped === undefined ? null : { unsent: report.stopped.unsent, by: report.stopped.by, ...failureJson(report.stopped.failure) },
      interrupted: report.interrupted ?? null,
      cutShort: report.cutShort ?? null,
      target: report.target ?? null,
      status: report.status,
    }),
  );
}

/**
 * A failure as --json gives it: its code, where and the reply; `reason`, in English whatever the
 * run's language, as the other events' are, and `error`, the whole fact (a malformed line, how a
 * connection was lost), so that two failures the text tells apart are told apart here too.
 */
function failureJson(failure: LoadFailure): {
  code: string;
  stage?: string;
  recipient?: string;
  numbered?: true;
  reply: string | null;
  reason: string;
  error?: ErrorFact;
} {
  const reason = describeLoadFailure(failure, en);
  return failure.kind === 'error'
    ? {
        code: failure.error.code,
        // Where it failed, when the fact says (a time limit, a lost connection): the line on standard error names it too.
        ...('stage' in failure.error && typeof failure.error.stage === 'string' ? { stage: failure.error.stage } : {}),
        ...(failure.numbered ? { numbered: true } : {}),
        reply: 'reply' in failure.error ? failure.error.reply.raw.join('\n') : null,
        reason,
        error: failure.error,
      }
    : {
        code: failure.outcome === 'refused' ? 'recipient-refused' : 'recipient-deferred',
        recipient: failure.recipient,
        ...(failure.numbered ? { numbered: true } : {}),
        reply: failure.reply.raw.join('\n'),
        reason,
      };
}
