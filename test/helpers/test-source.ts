// Reads TypeScript source, to check habits that keep the code and the suite honest
// (test/unit/test-sources, test/unit/coded-failures). A small tokenizer, enough for the TypeScript
// mailv is written in: strings, templates, comments and regular expressions are read whole, so that
// code is never mistaken for text nor text for code.

export interface Token {
  readonly kind: 'name' | 'number' | 'string' | 'regex' | 'punct';
  readonly text: string;
  readonly line: number;
  /** A line break comes between this token and the one before it. */
  readonly newlineBefore: boolean;
  /**
   * A piece of a template literal, as written: `whole` (no substitution), `head` (up to the first
   * `${`, on the `${` token), `middle` (between a `}` and the next `${`, on that `${` token) or `tail`
   * (from the last `}`, on the closing token).
   */
  readonly template?: { readonly part: 'whole' | 'head' | 'middle' | 'tail'; readonly text: string };
}

// After these words a `/` starts a regular expression, as after an operator.
const KEYWORDS_BEFORE_EXPRESSION = new Set([
  'return',
  'typeof',
  'instanceof',
  'in',
  'of',
  'new',
  'delete',
  'void',
  'throw',
  'case',
  'do',
  'else',
  'await',
  'yield',
]);
const CONTROL = new Set(['if', 'for', 'while', 'switch', 'catch', 'with']);
const PUNCTUATORS = ['...', '=>', '?.', '??', '&&', '||', '===', '!==', '==', '!=', '<=', '>=', '++', '--'];

export function tokenize(source: string): Token[] {
  const tokens: Token[] = [];
  // One entry per open template literal: the brace depth at which its `${` was opened.
  const templates: number[] = [];
  let depth = 0;
  let line = 1;
  let newlineBefore = false;
  let at = 0;
  const push = (kind: Token['kind'], text: string, startLine: number, template?: Token['template']) => {
    tokens.push({ kind, text, line: startLine, newlineBefore, ...(template && { template }) });
    newlineBefore = false;
  };
  const advance = (to: number) => {
    for (let i = at; i < to; i++) if (source[i] === '\n') line++;
    at = to;
  };
  /** Reads a template's text from `at` up to its end or its next `${`; `opening`: right after the backquote. */
  const templateText = (opening: boolean) => {
    let i = at;
    while (i < source.length && source[i] !== '`' && !(source[i] === '$' && source[i + 1] === '{')) i += source[i] === '\\' ? 2 : 1;
    const startLine = line;
    const text = source.slice(at, i);
    if (source[i] === '`') {
      advance(i + 1);
      push('string', '`…`', startLine, { part: opening ? 'whole' : 'tail', text });
    } else {
      advance(i + 2);
      templates.push(depth);
      depth++;
      push('punct', '${', startLine, { part: opening ? 'head' : 'middle', text });
    }
  };
  while (at < source.length) {
    const char = source[at]!;
    const next = source[at + 1];
    if (char === '\n') {
      newlineBefore = true;
      advance(at + 1);
    } else if (/\s/.test(char)) {
      advance(at + 1);
    } else if (char === '/' && next === '/') {
      const end = source.indexOf('\n', at);
      advance(end === -1 ? source.length : end);
    } else if (char === '/' && next === '*') {
      const end = source.indexOf('*/', at + 2);
      advance(end === -1 ? source.length : end + 2);
    } else if (char === "'" || char === '"') {
      let i = at + 1;
      while (i < source.length && source[i] !== char) i += source[i] === '\\' ? 2 : 1;
      const startLine = line;
      const text = source.slice(at + 1, i);
      advance(i + 1);
      push('string', text, startLine);
    } else if (char === '`') {
      advance(at + 1);
      templateText(true);
    } else if (char === '}' && templates.at(-1) === depth - 1) {
      templates.pop();
      depth--;
      push('punct', '}', line);
      advance(at + 1);
      templateText(false);
    } else if (char === '/' && startsExpression(tokens.at(-1))) {
      let i = at + 1;
      let inClass = false;
      while (i < source.length && (inClass || source[i] !== '/')) {
        if (source[i] === '\\') i++;
        else if (source[i] === '[') inClass = true;
        else if (source[i] === ']') inClass = false;
        i++;
      }
      i++;
      while (i < source.length && /[a-z]/.test(source[i]!)) i++;
      const startLine = line;
      advance(i);
      push('regex', '/…/', startLine);
    } else if (/[A-Za-z_$]/.test(char)) {
      const name = /^[A-Za-z0-9_$]+/.exec(source.slice(at, at + 200))![0];
      const startLine = line;
      advance(at + name.length);
      push('name', name, startLine);
    } else if (/[0-9]/.test(char)) {
      const number = /^[0-9A-Za-z_.]+/.exec(source.slice(at, at + 100))![0];
      const startLine = line;
      advance(at + number.length);
      push('number', number, startLine);
    } else {
      const text = PUNCTUATORS.find((p) => source.startsWith(p, at)) ?? char;
      if (text === '{') depth++;
      if (text === '}') depth--;
      const startLine = line;
      advance(at + text.length);
      push('punct', text, startLine);
    }
  }
  return tokens;
}

export interface Literal {
  /** As written between the quotes, escapes untouched; each substitution of a template (`${x}`) becomes `{…}`. */
  readonly text: string;
  readonly line: number;
}

/** Every string and template literal of `source`, in order of their ends (outside comments and regular expressions). */
export function literals(source: string): Literal[] {
  const found: Literal[] = [];
  // Templates still open, innermost last: a template may hold another in a substitution.
  const open: { text: string; line: number }[] = [];
  for (const token of tokenize(source)) {
    const { template } = token;
    if (token.kind === 'string' && template === undefined) found.push({ text: token.text, line: token.line });
    else if (template?.part === 'whole') found.push({ text: template.text, line: token.line });
    else if (template?.part === 'head') open.push({ text: `${template.text}{…}`, line: token.line });
    else if (template?.part === 'middle' && open.length > 0) open.at(-1)!.text += `${template.text}{…}`;
    else if (template?.part === 'tail' && open.length > 0) {
      const { text, line } = open.pop()!;
      found.push({ text: text + template.text, line });
    }
  }
  return found;
}

/** Whether a `/` after this token starts a regular expression rather than a division. */
function startsExpression(previous: Token | undefined): boolean {
  if (previous === undefined) return true;
  if (previous.kind === 'name') return KEYWORDS_BEFORE_EXPRESSION.has(previous.text);
  if (previous.kind !== 'punct') return false;
  return ![')', ']', '}'].includes(previous.text);
}

/** The index of the bracket that closes the one at `open`. */
export function closing(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { '(': ')', '[': ']', '{': '}', '${': '}' };
  const stack: string[] = [];
  for (let i = open; i < tokens.length; i++) {
    const text = tokens[i]!.text;
    if (tokens[i]!.kind !== 'punct') continue;
    if (text in pairs) stack.push(pairs[text]!);
    else if (text === stack.at(-1)) {
      stack.pop();
      if (stack.length === 0) return i;
    }
  }
  return tokens.length - 1;
}

/** The index of the bracket that opens the one at `close`. */
function opening(tokens: readonly Token[], close: number): number {
  const pairs: Record<string, string> = { ')': '(', ']': '[', '}': '{' };
  let level = 0;
  for (let i = close; i >= 0; i--) {
    const text = tokens[i]!.kind === 'punct' ? tokens[i]!.text : '';
    if (text in pairs) level++;
    else if (text === '(' || text === '[' || text === '{' || text === '${') {
      level--;
      if (level === 0) return i;
    }
  }
  return 0;
}

/** Whether the `{` at `open` begins the body of a function (arrow, declaration, expression or method). */
export function opensFunction(tokens: readonly Token[], open: number): boolean {
  let before = open - 1;
  if (tokens[before]?.text === '=>') return true;
  // A return type between the parameters and the body: `(…): Promise<void> {`.
  for (let i = before; i > 0 && tokens[i]!.text !== ')'; i--) {
    const t = tokens[i]!;
    if (t.text === ':' && tokens[i - 1]!.text === ')') {
      before = i - 1;
      break;
    }
    if (!(t.kind === 'name' || t.kind === 'string' || ['.', '<', '>', '[', ']', '|', '&'].includes(t.text))) return false;
  }
  if (tokens[before]?.text !== ')') return false;
  const head = tokens[opening(tokens, before) - 1];
  if (head === undefined) return false;
  if (head.text === 'function') return true;
  return head.kind === 'name' && !CONTROL.has(head.text);
}

export interface SilentReturn {
  /** The test's title, as written. */
  readonly test: string;
  readonly line: number;
}

/**
 * The ways out of a test (`it` or `test`) that check nothing on the way: a `return` without a value
 * in the test's own body (not in a function nested in it) with no assertion before it in its own
 * block, as `if (missing) return;` or `if (missing) { return; }`. An assertion is a call of
 * `assert…` or of a function of the same file that asserts.
 */
export function silentReturns(source: string): SilentReturn[] {
  const tokens = tokenize(source);
  const asserting = assertingFunctions(tokens);
  const isAssertion = (token: Token) => token.kind === 'name' && (token.text.startsWith('assert') || asserting.has(token.text));
  const found: SilentReturn[] = [];
  for (let i = 0; i < tokens.length - 1; i++) {
    const token = tokens[i]!;
    if (token.kind !== 'name' || (token.text !== 'it' && token.text !== 'test') || tokens[i + 1]!.text !== '(' || tokens[i - 1]?.text === '.') continue;
    const end = closing(tokens, i + 1);
    const body = tokens.findIndex((t, at) => at > i + 1 && at < end && t.text === '{' && opensFunction(tokens, at));
    if (body === -1) continue;
    const title = tokens[i + 2]?.kind === 'string' ? tokens[i + 2]!.text : `the test of line ${token.line}`;
    // The blocks open around the token being read, innermost last.
    const blocks: { open: number; close: number; fn: boolean }[] = [{ open: body, close: closing(tokens, body), fn: false }];
    for (let at = body + 1; at < blocks[0]!.close; at++) {
      while (blocks.length > 1 && blocks.at(-1)!.close <= at) blocks.pop();
      const t = tokens[at]!;
      if (t.text === '{') blocks.push({ open: at, close: closing(tokens, at), fn: opensFunction(tokens, at) });
      const following = tokens[at + 1]!;
      const bare = following.text === ';' || following.text === '}' || following.newlineBefore;
      if (t.kind !== 'name' || t.text !== 'return' || !bare || blocks.some((block) => block.fn)) continue;
      const previous = tokens[at - 1]!;
      const braceless = previous.text === 'else' || (previous.text === ')' && CONTROL.has(tokens[opening(tokens, at - 1) - 1]?.text ?? ''));
      if (braceless || !tokens.slice(blocks.at(-1)!.open, at).some(isAssertion)) found.push({ test: title, line: t.line });
    }
  }
  return found;
}

/** Names of the functions declared in the file whose body asserts (directly or through another). */
function assertingFunctions(tokens: readonly Token[]): Set<string> {
  const bodies = new Map<string, [number, number]>();
  for (let i = 0; i < tokens.length - 2; i++) {
    const [a, b, c] = [tokens[i]!, tokens[i + 1]!, tokens[i + 2]!];
    let start = -1;
    let name = '';
    if (a.text === 'function' && b.kind === 'name') {
      name = b.text;
      start = tokens.findIndex((t, at) => at > i && t.text === '{' && opensFunction(tokens, at));
    } else if ((a.text === 'const' || a.text === 'let') && b.kind === 'name' && c.text === '=') {
      name = b.text;
      start = i + 3;
    }
    if (start === -1) continue;
    let end = start;
    if (tokens[start]!.text === '{') end = closing(tokens, start);
    else {
      // A `const` runs to its `;` at its own level.
      for (let level = 0; end < tokens.length; end++) {
        const text = tokens[end]!.text;
        if (['(', '[', '{', '${'].includes(text)) level++;
        else if ([')', ']', '}'].includes(text)) level--;
        if (level < 0 || (level === 0 && text === ';')) break;
      }
    }
    bodies.set(name, [start, end]);
  }
  const asserting = new Set<string>();
  for (let changed = true; changed; ) {
    changed = false;
    for (const [name, [start, end]] of bodies) {
      if (asserting.has(name)) continue;
      if (tokens.slice(start, end).some((t) => t.kind === 'name' && (t.text.startsWith('assert') || asserting.has(t.text)))) {
        asserting.add(name);
        changed = true;
      }
    }
  }
  return asserting;
}
