// The commands a client sends to mailv-sendmail -bs, read from their lines (RFC 5321 §4.1.1):
// the server side of the dialogue, as leniently as Postfix's smtpd reads them (spaces after the
// colon, a path without angle brackets, a source route), and no more. Pure.

/** A command line as understood: its verb, and for MAIL and RCPT the path and parameters. */
export type ServerCommand =
  | { readonly kind: 'hello'; readonly extended: boolean; readonly domain: string }
  /** `path` is '' for the null reverse-path `<>`. */
  | { readonly kind: 'mail'; readonly path: string; readonly params: readonly string[] }
  | { readonly kind: 'rcpt'; readonly path: string; readonly params: readonly string[] }
  /** `argument`: DATA was followed by a word, answered 501 once the transaction could take DATA. */
  | { readonly kind: 'data'; readonly argument?: true }
  | { readonly kind: 'rset' | 'noop' | 'quit' | 'help' | 'vrfy' }
  /** A command of SMTP or one of its extensions that mailv-sendmail does not offer (STARTTLS, AUTH, BDAT…). */
  | { readonly kind: 'not-offered'; readonly verb: string }
  /** A known verb whose arguments do not parse. */
  | { readonly kind: 'syntax'; readonly verb: 'HELO' | 'EHLO' | 'MAIL' | 'RCPT' | 'RSET' }
  | { readonly kind: 'unknown' };

const NOT_OFFERED = new Set(['STARTTLS', 'AUTH', 'BDAT', 'ETRN', 'EXPN', 'TURN', 'ATRN', 'XCLIENT', 'XFORWARD', 'SEND', 'SOML', 'SAML']);

/** Reads one command line (without its line break). */
export function parseServerCommand(line: string): ServerCommand {
  const space = line.indexOf(' ');
  const verb = (space === -1 ? line : line.slice(0, space)).toUpperCase();
  const rest = space === -1 ? '' : line.slice(space + 1).trim();
  switch (verb) {
    case 'HELO':
    case 'EHLO':
      // The client's name is never used: any word will do, as Postfix takes it.
      return rest === '' ? { kind: 'syntax', verb } : { kind: 'hello', extended: verb === 'EHLO', domain: rest.split(/\s+/)[0]! };
    case 'MAIL':
    case 'RCPT': {
      const path = pathArgument(rest, verb === 'MAIL' ? 'FROM:' : 'TO:');
      if (path === undefined) return { kind: 'syntax', verb };
      return { kind: verb === 'MAIL' ? 'mail' : 'rcpt', ...path };
    }
    // They take nothing (RFC 5321 §4.1.1.4, §4.1.1.5): Postfix answers a word after them 501, so a
    // client's mistake is found here before it is found at its server; after DATA, only once the
    // transaction has a recipient (before, its 503 comes first, as Postfix's does).
    case 'DATA':
      return rest === '' ? { kind: 'data' } : { kind: 'data', argument: true };
    case 'RSET':
      return rest === '' ? { kind: 'rset' } : { kind: 'syntax', verb };
    case 'NOOP':
    case 'QUIT':
      // NOOP may carry a string (RFC 5321 §4.1.1.9); QUIT's stray word Postfix passes over too.
      return { kind: verb.toLowerCase() as 'noop' | 'quit' };
    case 'HELP':
      return { kind: 'help' };
    case 'VRFY':
      return { kind: 'vrfy' };
    default:
      return NOT_OFFERED.has(verb) ? { kind: 'not-offered', verb } : { kind: 'unknown' };
  }
}

/**
 * `FROM:<path> params` (or `TO:`): the path without its brackets and source route, and the
 * parameters; undefined when it does not have that form.
 */
function pathArgument(text: string, keyword: 'FROM:' | 'TO:'): { path: string; params: string[] } | undefined {
  if (text.slice(0, keyword.length).toUpperCase() !== keyword) return undefined;
  const argument = text.slice(keyword.length).trimStart();
  let path: string;
  let after: string;
  if (argument.startsWith('<')) {
    const close = closingBracket(argument);
    if (close === -1) return undefined;
    path = argument.slice(1, close);
    after = argument.slice(close + 1);
    if (after !== '' && !after.startsWith(' ')) return undefined;
  } else {
    // Without brackets, as Postfix takes it (strict_rfc821_envelopes = no): up to the first space,
    // a plain address only. `"Bob" <bob@example.org>` is no path: cut at its space, it would be
    // the address "Bob" at this host.
    const space = argument.indexOf(' ');
    path = space === -1 ? argument : argument.slice(0, space);
    after = space === -1 ? '' : argument.slice(space);
    if (path === '' || /[<>"]/.test(argument)) return undefined;
  }
  // A source route (`@relay.example:bob@example.org`, RFC 5321 §4.1.2) is ignored, as §C allows.
  const route = /^@[^:,]+(?:,@[^:,]+)*:/.exec(path);
  if (route) path = path.slice(route[0].length);
  return { path, params: after.split(' ').filter((param) => param !== '') };
}

/** Where the path's `>` is: the first one outside a quoted local part; -1 if none. */
function closingBracket(argument: string): number {
  let quoted = false;
  for (let index = 1; index < argument.length; index++) {
    const char = argument[index];
    if (char === '\\' && quoted) index++;
    else if (char === '"') quoted = !quoted;
    else if (char === '>' && !quoted) return index;
  }
  return -1;
}
