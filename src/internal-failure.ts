// A failure of mailv's own (a bug), as the fact its words and --json show: the stack trace, with
// each frame in the bundle put back in the terms of the source. The bundle's identifiers are
// minified (bin/build.mjs), so its frames alone would read `at Ve (…/mailv.cjs:155:14600)`; the
// source map bin/build.mjs writes beside each bundle turns that into `at src/smtp/connection.ts:120:5`.
// Read only here, on a path a working run never takes.
import { readFileSync } from 'node:fs';
import { sourcePositionOf } from './source-position.js';

export interface InternalFailureFact {
  readonly code: 'MAILV_INTERNAL';
  readonly detail: string;
}

export function internalFailure(error: unknown): InternalFailureFact {
  const stack = (error as Error | undefined)?.stack;
  return { code: 'MAILV_INTERNAL', detail: typeof stack === 'string' ? inSourceTerms(stack) : String(error) };
}

/** A V8 stack frame in a bundle: `    at name (/…/x.cjs:line:column)` or `    at /…/x.cjs:line:column`. */
const BUNDLE_FRAME = /^(\s+at )(?:.*? \()?(\/[^()]*\.cjs):(\d+):(\d+)\)?$/;

/** The stack, each frame in a bundle whose map is beside it and places it given as its source position. */
export function inSourceTerms(stack: string): string {
  const maps = new Map<string, unknown>();
  return stack
    .split('\n')
    .map((line) => {
      const frame = BUNDLE_FRAME.exec(line);
      if (frame === null) return line;
      const [, at, file, lineNumber, columnNumber] = frame as unknown as [string, string, string, string, string];
      if (!maps.has(file)) maps.set(file, sourceMapOf(file));
      const origin = sourcePositionOf(maps.get(file), Number(lineNumber), Number(columnNumber));
      return origin === undefined ? line : `${at}${sourcePath(origin.source)}:${origin.line}:${origin.column}`;
    })
    .join('\n');
}

function sourceMapOf(bundle: string): unknown {
  try {
    return JSON.parse(readFileSync(`${bundle}.map`, 'utf8'));
  } catch {
    // No map beside it (a bundle built otherwise), or none readable: the frame stays as V8 wrote it.
    return undefined;
  }
}

/** A map's source as the project names it: `../../src/smtp/session.ts` is `src/smtp/session.ts`. */
function sourcePath(source: string): string {
  return source.replace(/^(\.\.\/)+/, '');
}
