// A wait on the other end of a pipe (mailv-sendmail -bs's client), bounded: a peer that neither
// writes nor reads must not keep mailv waiting for ever.

export type Bounded<T> = { readonly done: true; readonly value: T } | { readonly done: false };

/**
 * `work`'s value when it settles within `ms`, else `{ done: false }`; its rejection comes through
 * when it comes first, and is nobody's after (the caller gives the work up). The limit is checked a
 * turn of the event loop after its timer fires: timers run before input and output in a turn, and
 * a process that was stopped (SIGSTOP, a suspended machine) finds its limit past with the peer's
 * octets waiting, which count first.
 */
export async function withinLimit<T>(work: Promise<T>, ms: number): Promise<Bounded<T>> {
  let settled = false;
  const finished = work.then((value): Bounded<T> => {
    settled = true;
    return { done: true, value };
  });
  finished.catch(() => {});
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<Bounded<T>>((resolve) => {
    timer = setTimeout(() => setImmediate(() => !settled && resolve({ done: false })), ms);
  });
  try {
    return await Promise.race([finished, late]);
  } finally {
    clearTimeout(timer);
  }
}
