// Where a position of a bundle came from, read from its source map (version 3, as esbuild writes
// it). Decoded here rather than by node:module's SourceMap: that module is no part of a run's
// start-up, and importing it would make it one (the one caller, src/internal-failure.ts, is synchronous).

export interface SourcePosition {
  /** As the map names it, relative to the map: `../../src/smtp/session.ts`. */
  readonly source: string;
  /** 1-based, as a stack trace counts. */
  readonly line: number;
  readonly column: number;
}

/** A map's mappings, decoded once: each generated line's segments, in the order of their columns. */
export type DecodedMap = readonly (readonly Segment[])[];

/** From its 0-based generated column on: a source position, or none (an unmapped stretch). */
interface Segment {
  readonly column: number;
  readonly position: SourcePosition | undefined;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/** The map's mappings decoded, or undefined for what is no version 3 map or holds a malformed segment. */
export function decodeSourceMap(map: unknown): DecodedMap | undefined {
  const candidate = map as { version?: unknown; sources?: unknown; mappings?: unknown } | null;
  if (typeof candidate !== 'object' || candidate === null || candidate.version !== 3) return undefined;
  const { sources, mappings } = candidate;
  if (!Array.isArray(sources) || typeof mappings !== 'string') return undefined;
  // Every field but the generated column runs on across lines.
  let source = 0;
  let line = 0;
  let column = 0;
  const decoded: Segment[][] = [];
  for (const text of mappings.split(';')) {
    const segments: Segment[] = [];
    let generated = 0;
    for (const segment of text.split(',')) {
      if (segment === '') continue;
      const fields = decodeVlq(segment);
      if (fields === undefined || (fields.length !== 1 && fields.length !== 4 && fields.length !== 5)) return undefined;
      generated += fields[0]!;
      if (fields.length === 1) {
        segments.push({ column: generated, position: undefined });
        continue;
      }
      source += fields[1]!;
      line += fields[2]!;
      column += fields[3]!;
      const name = sources[source] as unknown;
      const known = typeof name === 'string' && line >= 0 && column >= 0;
      segments.push({ column: generated, position: known ? { source: name, line: line + 1, column: column + 1 } : undefined });
    }
    decoded.push(segments);
  }
  return decoded;
}

/**
 * The source position of a 1-based line and column of the generated file: that of the last segment
 * at or before the column on that line. Undefined where the map says nothing of it.
 */
export function sourcePositionOf(map: DecodedMap, line: number, column: number): SourcePosition | undefined {
  let found: SourcePosition | undefined;
  for (const segment of map[line - 1] ?? []) {
    if (segment.column > column - 1) break;
    found = segment.position;
  }
  return found;
}

/** A segment's fields: base64 digits of 5 bits, a continuation bit, the sign in the lowest bit. */
function decodeVlq(segment: string): number[] | undefined {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of segment) {
    const digit = BASE64.indexOf(character);
    // Past 2^53 the arithmetic below is no longer exact; no real map comes near.
    if (digit === -1 || shift > 45) return undefined;
    value += (digit & 31) * 2 ** shift;
    if (digit & 32) {
      shift += 5;
      continue;
    }
    fields.push(value % 2 === 1 ? -(value - 1) / 2 : value / 2);
    value = 0;
    shift = 0;
  }
  return shift === 0 ? fields : undefined;
}
