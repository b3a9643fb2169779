// The steps --quit-after can stop after, in the order a session reaches them. Apart from the
// session so that parsing flags does not load it.
export const QUIT_POINTS = ['connect', 'greeting', 'ehlo', 'starttls', 'auth', 'mail', 'rcpt', 'data'];
/** A probe that stops at or before AUTH needs neither recipients nor a message. */
export function probeNeedsNoMessage(point) {
  return point !== undefined && QUIT_POINTS.indexOf(point) <= QUIT_POINTS.indexOf('auth');
}
