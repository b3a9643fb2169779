// The steps --quit-after can stop after, in the order a session reaches them. Apart from the
// session so that parsing flags does not load it.
export const QUIT_POINTS = ['connect', 'greeting', 'ehlo', 'starttls', 'auth', 'mail', 'rcpt', 'data'] as const;
export type QuitPoint = (typeof QUIT_POINTS)[number];

/** A probe that stops at or before AUTH needs neither recipients nor a message. */
export function probeNeedsNoMessage(point: QuitPoint | undefined): boolean {
  return point !== undefined && QUIT_POINTS.indexOf(point) <= QUIT_POINTS.indexOf('auth');
}

/** A probe that stops before AUTH: no secret is needed, nor asked for. */
export function quitsBeforeAuth(point: QuitPoint | undefined): boolean {
  return point !== undefined && QUIT_POINTS.indexOf(point) < QUIT_POINTS.indexOf('auth');
}
