// A failure of mailv's own (a bug), as the fact its words and --json show: the stack trace, with
// each frame in a bundle put back in the terms of the source. The bundles' identifiers are
// minified (bin/build.mjs), so their frames alone would read `at Ve (…/mailv.cjs:155:14600)`; the
// source map bin/build.mjs writes beside each bundle turns that into `at src/smtp/connection.ts:120:5`.
// Read only here, on a path a working run never takes. What a map cannot put back: the names in
// V8's own messages (`t.replace is not a function`), and the frames' function names.
import { closeSync, constants, fstatSync, openSync, readFileSync } from 'node:fs';
import { type DecodedMap, decodeSourceMap, sourcePositionOf } from './source-position.js';

export interface InternalFailureFact {
  readonly code: 'MAILV_INTERNAL';
  readonly detail: string;
}

/** One failure is worded, kept for --json and for dead.letter: its stack is put in source terms once. */
const described = new WeakMap<object, InternalFailureFact>();

export function internalFailure(error: unknown): InternalFailureFact {
  const key = typeof error === 'object' && error !== null ? error : undefined;
  const known = key && described.get(key);
  if (known) return known;
  let stack: unknown;
  let detail: string;
  try {
    stack = (error as Error | undefined)?.stack;
    detail = typeof stack === 'string' ? inSourceTerms(stack) : String(error);
  } catch {
    // Whatever went wrong in the rewriting (or in a thrown object's own getters), the failure
    // itself is what must be told: its stack as V8 wrote it, else what kind of value it was.
    detail = typeof stack === 'string' ? stack : Object.prototype.toString.call(error);
  }
  const fact = { code: 'MAILV_INTERNAL', detail } as const;
  if (key) described.set(key, fact);
  return fact;
}

/**
 * A V8 stack frame in a bundle, its prefix kept: `    at name (/…/x.cjs:line:column)`,
 * `    at async name (…)`, `    at new Name (…)`, `    at /…/x.cjs:line:column`, `    at async /…`.
 */
const BUNDLE_FRAME = /^(\s+at (?:async |new )?)(?:[^(]*? \()?(\/[^()]*\.cjs):(\d+):(\d+)\)?$/;

/** The stack, each frame in a bundle whose map is beside it and places it given as its source position. */
export function inSourceTerms(stack: string): string {
  const maps = new Map<string, DecodedMap | undefined>();
  return stack
    .split('\n')
    .map((line) => {
      const frame = BUNDLE_FRAME.exec(line);
      if (frame === null) return line;
      const [, at, file, lineNumber, columnNumber] = frame as unknown as [string, string, string, string, string];
      if (!maps.has(file)) maps.set(file, sourceMapOf(file));
      const map = maps.get(file);
      const origin = map === undefined ? undefined : sourcePositionOf(map, Number(lineNumber), Number(columnNumber));
      return origin === undefined ? line : `${at}${sourcePath(origin.source)}:${origin.line}:${origin.column}`;
    })
    .join('\n');
}

/** A map is a few hundred KB: one larger than this is none of mailv's. */
const MAX_MAP_OCTETS = 16 * 1024 * 1024;

function sourceMapOf(bundle: string): DecodedMap | undefined {
  let descriptor: number | undefined;
  try {
    // Not blocking, and only a regular file of a plausible size: a FIFO or a device in the map's
    // place must not hang or swell the report of a failure.
    descriptor = openSync(`${bundle}.map`, constants.O_RDONLY | constants.O_NONBLOCK);
    const info = fstatSync(descriptor);
    if (!info.isFile() || info.size > MAX_MAP_OCTETS) return undefined;
    return decodeSourceMap(JSON.parse(readFileSync(descriptor, 'utf8')));
  } catch {
    // No map beside it (a bundle built otherwise), or none readable: the frame stays as V8 wrote it.
    return undefined;
  } finally {
    if (descriptor !== undefined) closeSync(descriptor);
  }
}

/** A map's source as the project names it: `../../src/smtp/session.ts` is `src/smtp/session.ts`. */
function sourcePath(source: string): string {
  return source.replace(/^(\.\.\/)+/, '');
}
