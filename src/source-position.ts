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

interface SourceMapV3 {
  readonly version: number;
  readonly sources: readonly string[];
  readonly mappings: string;
}

const BASE64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

/**
 * The source position of a 1-based line and column of the generated file: that of the last mapped
 * segment at or before the column on that line. Undefined where the map says nothing of it, or is
 * no map this reads.
 */
export function sourcePositionOf(map: unknown, line: number, column: number): SourcePosition | undefined {
  if (!isSourceMap(map)) return undefined;
  // Every field but the generated column runs on across lines, so the lines before are decoded too.
  const state = [0, 0, 0, 0];
  const lines = map.mappings.split(';');
  let found: SourcePosition | undefined;
  for (let index = 0; index < lines.length && index < line; index++) {
    state[0] = 0;
    for (const segment of lines[index]!.split(',')) {
      if (segment === '') continue;
      const fields = decodeVlq(segment);
      if (fields === undefined) return undefined;
      state[0]! += fields[0] ?? 0;
      if (fields.length < 4) continue;
      for (let field = 1; field < 4; field++) state[field]! += fields[field]!;
      if (index === line - 1 && state[0]! <= column - 1) {
        const source = map.sources[state[1]!];
        found = source === undefined ? undefined : { source, line: state[2]! + 1, column: state[3]! + 1 };
      }
    }
  }
  return found;
}

function isSourceMap(map: unknown): map is SourceMapV3 {
  const candidate = map as Partial<SourceMapV3> | null;
  return (
    typeof candidate === 'object' && candidate !== null && candidate.version === 3 && Array.isArray(candidate.sources) && typeof candidate.mappings === 'string'
  );
}

/** A segment's fields: base64 digits of 5 bits, a continuation bit, the sign in the lowest bit. */
function decodeVlq(segment: string): number[] | undefined {
  const fields: number[] = [];
  let value = 0;
  let shift = 0;
  for (const character of segment) {
    const digit = BASE64.indexOf(character);
    if (digit === -1) return undefined;
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
