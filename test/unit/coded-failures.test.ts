// mailv's words live in src/words/, one catalogue per language; the code that finds failures and
// facts only names them. A failure built from a sentence, a note still in words, or an English
// sentence in the protocol folders would reach a French run in English, and --json without its
// code. These checks read the source itself, outside comments.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { closing, literals, tokenize, type Token } from '../helpers/test-source.js';

/** The folders that speak SMTP, DNS and MIME: they emit facts and never a sentence. */
const PROTOCOL = ['smtp', 'dns', 'delivery', 'auth', 'message', 'load'];

/** The folders that check what the user gives, and the application: their failures are facts, worded in src/words/. */
const CHECKING = ['config', 'cli', 'app'];

/**
 * Files that still build failures from text, and so are not checked yet; none now. The test fails
 * once one of them is clean, so that the list only shrinks.
 */
const PENDING = new Set<string>();

/**
 * Text in the protocol folders that reads as English and is no message of mailv's: it goes on the
 * wire or into the message as it is, in every language.
 */
const ALLOWED: readonly { readonly file: string; readonly text: string; readonly why: string }[] = [
  {
    file: 'message/compose.ts',
    text: String.raw`\r\nThis is a multi-part message in MIME format.\r\n\r\n--{…}\r\n{…}\r\n`,
    why: "the preamble of a multipart message (RFC 2046 §5.1.1), for readers that do not know MIME: part of the message, in every mail client's words",
  },
];

/** The TypeScript files of `folders` (`smtp/session.ts`…), or of every folder of src/. */
function sourcesOf(folders?: readonly string[]): string[] {
  const root = new URL('../../src/', import.meta.url);
  return readdirSync(root, { recursive: true, encoding: 'utf8' })
    .filter((path) => path.endsWith('.ts') && (folders === undefined || folders.includes(path.split('/')[0]!)))
    .sort();
}

const read = (source: string) => readFileSync(new URL(`../../src/${source}`, import.meta.url), 'utf8');

/**
 * The classes src/ declares that extend another (`class NoSuchNameError extends DnsError`), with
 * the first parameter of their constructor (`what`, `signal`…), or undefined for an inherited one.
 */
function declaredClasses(): Map<string, { parent: string; first: string | undefined }> {
  const classes = new Map<string, { parent: string; first: string | undefined }>();
  for (const source of sourcesOf()) {
    const tokens = tokenize(read(source));
    tokens.forEach((token, at) => {
      if (token.text !== 'class' || tokens[at + 2]?.text !== 'extends') return;
      const body = tokens.findIndex((each, index) => index > at && each.text === '{');
      const end = closing(tokens, body);
      const opening = tokens.findIndex((each, index) => index > body && index < end && each.text === 'constructor' && tokens[index + 1]?.text === '(');
      const parameters = opening === -1 ? [] : tokens.slice(opening + 2, closing(tokens, opening + 1));
      const first = parameters.find((each) => each.kind === 'name' && !['readonly', 'private', 'protected', 'public'].includes(each.text));
      classes.set(tokens[at + 1]!.text, { parent: tokens[at + 3]!.text, first: opening === -1 ? undefined : (first?.text ?? '') });
    });
  }
  return classes;
}

const CLASSES = declaredClasses();

/** Whether `name` is MailvError or extends it. */
function isMailvError(name: string | undefined): boolean {
  for (let seen = 0; name !== undefined && seen < 20; seen++, name = CLASSES.get(name)?.parent) if (name === 'MailvError') return true;
  return false;
}

/** The names a MailvError's constructor gives what went wrong: a fact, or (the form refused here) a sentence. */
const WHAT = new Set(['what', 'fact']);

/** The first parameter of the constructor `name` has, its own or inherited. */
function firstParameter(name: string | undefined): string | undefined {
  for (let seen = 0; name !== undefined && seen < 20; seen++, name = CLASSES.get(name)?.parent) {
    const first = CLASSES.get(name)?.first;
    if (first !== undefined) return first;
  }
  return undefined;
}

/**
 * A failure built from text: a MailvError whose first argument is a string or a template (it becomes
 * MAILV_UNWORDED), or another error class of mailv's (`SaslFailure`, a module's own) built from a
 * sentence rather than from a kebab-case code (`new DnsWireError('not-a-response')`). Node's own
 * `Error` is left alone: thrown, it is a bug of mailv's, reported as such (70).
 */
function failuresFromText(tokens: readonly Token[]): Token[] {
  return tokens.flatMap((token, at) => {
    const [name, open, argument] = [tokens[at + 1], tokens[at + 2], tokens[at + 3]];
    if (token.text !== 'new' || name?.kind !== 'name' || !CLASSES.has(name.text) || open?.text !== '(' || argument === undefined) return [];
    if (isMailvError(name.text) && !WHAT.has(firstParameter(name.text) ?? '')) return []; // a signal, say, not what went wrong
    if (argument.template?.part === 'head' || argument.template?.part === 'whole') return [token];
    if (argument.kind !== 'string') return [];
    return isMailvError(name.text) || !/^[a-z0-9]+(?:-[a-z0-9]+)*$/.test(argument.text) ? [token] : [];
  });
}

/** A note or a failure left in words: the code `unworded`, or the fact MAILV_UNWORDED. */
function unworded(tokens: readonly Token[]): Token[] {
  return tokens.filter((token) => (token.kind === 'string' && token.text === 'unworded') || token.text === 'MAILV_UNWORDED');
}

/**
 * Whether a literal reads as a sentence: three words or more in a row, in lower case (the first may
 * be capitalised), between spaces: `connection refused by …`, `Connection timed out`. A
 * substitution counts as a word. Wire syntax (`MAIL From:<…>`, `Client Key`), codes, paths and
 * single words do not read so.
 */
export function readsAsSentence(text: string): boolean {
  const words = text
    .replace(/\\[rnt]/g, ' ')
    .replaceAll('{…}', ' … ')
    .split(/\s+/)
    .filter((word) => word !== '');
  const isWord = (word: string, first: boolean) =>
    word === '…' || (first ? /^\(?[A-Za-zÀ-ÿ]?[a-zà-ÿ'’-]+[,.:;!?)]?$/ : /^\(?[a-zà-ÿ][a-zà-ÿ'’-]*[,.:;!?)]?$/).test(word);
  let run = 0;
  let lettered = 0;
  for (const word of words) {
    if (isWord(word, run === 0)) {
      run++;
      if (word !== '…') lettered++;
      if (run >= 3 && lettered >= 2) return true;
    } else {
      run = 0;
      lettered = 0;
    }
  }
  return false;
}

/** The literals of a protocol file that read as sentences, outside the allowed ones. */
function sentences(source: string): string[] {
  return literals(read(source))
    .filter((literal) => readsAsSentence(literal.text))
    .filter((literal) => !ALLOWED.some((allowed) => allowed.file === source && allowed.text === literal.text))
    .map((literal) => `${source}:${literal.line}: ${literal.text}`);
}

const located = (source: string, tokens: readonly Token[]) => tokens.map((token) => `${source}:${token.line}`);

describe('failures and notes, from what the user gives to what the server says', () => {
  const sources = sourcesOf([...PROTOCOL, ...CHECKING]);

  it('are built from facts, never from text, in every folder that finds them', () => {
    assert.ok(sources.length > 60, `found only ${sources.join(', ')}`);
    const classes = [...CLASSES.keys()].join(' ');
    for (const name of ['UsageError', 'InputError', 'TransportError', 'CommandLineError'])
      assert.ok(isMailvError(name) && WHAT.has(firstParameter(name)!), `${name}: ${classes}`);
    assert.ok(isMailvError('NoSuchNameError'), classes);
    assert.equal(firstParameter('NoSuchNameError'), 'name', classes);
    assert.equal(firstParameter('InterruptedError'), 'signal', classes);
    assert.ok(CLASSES.has('SaslFailure') && CLASSES.has('DnsWireError') && !isMailvError('DnsWireError'), classes);
    for (const source of sources.filter((source) => !PENDING.has(source))) {
      const tokens = tokenize(read(source));
      assert.deepEqual(located(source, failuresFromText(tokens)), [], `${source} raises a failure from text`);
      assert.deepEqual(located(source, unworded(tokens)), [], `${source} leaves a note or a failure in words`);
    }
  });

  it('leave no English sentence in the protocol folders', () => {
    for (const source of sourcesOf(PROTOCOL).filter((source) => !PENDING.has(source))) {
      assert.deepEqual(sentences(source), [], `${source} holds words for the user`);
    }
  });

  it('lists as pending only files that still hold text, and every allowed text is still there', () => {
    for (const source of PENDING) {
      const tokens = tokenize(read(source));
      const found = failuresFromText(tokens).length + unworded(tokens).length + (PROTOCOL.includes(source.split('/')[0]!) ? sentences(source).length : 0);
      assert.ok(found > 0, `${source} is clean now: take it out of PENDING`);
    }
    for (const allowed of ALLOWED) {
      assert.ok(
        literals(read(allowed.file)).some((literal) => literal.text === allowed.text),
        `${allowed.file} no longer holds ${JSON.stringify(allowed.text)}: take it out of ALLOWED`,
      );
    }
  });

  it('would catch a failure from text and a note in words, not a fact', () => {
    const sample = [
      // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to scan, a template on purpose
      'throw new UsageError(`invalid ${what}`);',
      "throw new AuthError('no', 'auth');",
      "throw new SaslFailure('bad challenge');",
      "emit({ kind: 'note', note: { code: 'unworded', text } });",
      "new InputError({ code: 'MAILV_UNWORDED', text }, 65);",
      "throw new UsageError({ code: 'MAILV_X' });",
      "throw new TransportError(fact, 'connect', 'refused');",
      '// throw new UsageError("in a comment");',
      "const pattern = /new UsageError\\('x'\\)/;",
      "throw new DnsWireError('not-a-response');",
      "throw new UsageError('nope');",
      "throw new DnsWireError('no answer');",
      "throw new Error('a bug of mailv');",
      "throw new InterruptedError('SIGINT', 'auth');",
    ].join('\n');
    const tokens = tokenize(sample);
    assert.deepEqual(
      failuresFromText(tokens).map((token) => token.line),
      [1, 2, 3, 11, 12],
    );
    assert.deepEqual(
      unworded(tokens).map((token) => token.line),
      [4, 5],
    );
  });

  it('tells a sentence from wire syntax', () => {
    for (const text of [
      'connection refused by {…}',
      'Connection timed out',
      'timed out after {…} s connecting to {…} port {…}',
      'cannot connect to {…}: {…}',
      'the server refused the sender <{…}>',
      'no MX host of {…} took the message ({…})',
      'self-signed CA in the chain',
      "l'hôte ne répond pas",
    ]) {
      assert.ok(readsAsSentence(text), text);
    }
    for (const text of [
      'MAIL From:<{…}>',
      'RCPT To:<{…}>{…}',
      'Client Key',
      'AUTH PLAIN {…}',
      'unknown CA',
      '{…} {…} {…}',
      'no-such-domain',
      '../errors.js',
      'EHLO {…}',
      '250 2.0.0 Ok',
    ]) {
      assert.ok(!readsAsSentence(text), text);
    }
  });

  it('finds every literal of a file, templates whole, outside comments and regular expressions', () => {
    // biome-ignore lint/suspicious/noTemplateCurlyInString: source text to scan, a template on purpose
    const found = literals("const a = 'one two';\n// 'not this'\nconst b = `x ${y + `in ${z}`} end`;\nconst c = /'no'/.test(a) ? \"three\" : '';").map(
      (literal) => literal.text,
    );
    assert.deepEqual(found, ['one two', 'in {…}', 'x {…} end', 'three', '']);
  });
});
