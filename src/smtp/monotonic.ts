// A monotonic clock for the session's own timings.

/** Milliseconds on a monotonic clock; the global `performance` would load node:perf_hooks, a few ms of a send. */
export function monotonicMs(): number {
  const [seconds, nanoseconds] = process.hrtime();
  return seconds * 1000 + nanoseconds / 1e6;
}
