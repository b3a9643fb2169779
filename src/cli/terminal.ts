// Whether the transcript is coloured, decided here once rather than by chalk's own sniffing
// (which ignores NO_COLOR and reads process.argv): flags, then NO_COLOR, FORCE_COLOR, TERM=dumb,
// then whether stdout is a terminal and how many colours it has.

export type ColourLevel = 0 | 1 | 2 | 3;

export interface TerminalFacts {
  readonly isTTY: boolean;
  /** Colour depth in bits as tty.WriteStream.getColorDepth() reports it. */
  readonly colorDepth: number;
  readonly env: NodeJS.ProcessEnv;
}

export function decideColourLevel(flag: boolean | undefined, facts: TerminalFacts): ColourLevel {
  const depthLevel = (): ColourLevel => (facts.colorDepth >= 24 ? 3 : facts.colorDepth >= 8 ? 2 : 1);
  if (flag === false) return 0;
  if (flag === true) return facts.isTTY ? depthLevel() : 1;
  if (facts.env['NO_COLOR']) return 0;
  const force = facts.env['FORCE_COLOR'];
  if (force !== undefined) {
    if (force === '' || force === 'true') return 1;
    if (force === 'false' || force === '0') return 0;
    const level = Number(force);
    if (level === 1 || level === 2 || level === 3) return level;
  }
  if (facts.env['TERM'] === 'dumb' || !facts.isTTY) return 0;
  return facts.colorDepth > 1 ? depthLevel() : 0;
}
