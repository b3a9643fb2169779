// The parameters a client gives MAIL and RCPT (RFC 5321 §4.1.1.11), checked on the server side of
// mailv-sendmail -bs as Postfix's smtpd checks them: a name of no extension offered, or one whose
// value it does not take, is refused (555); a value of a known parameter that does not parse is a
// syntax error (501). Pure: it says what is wrong, the reply's words are elsewhere.

/** The parameters whose values are checked, by the names Postfix's replies give them. */
export type CheckedParameter = 'SIZE' | 'RET' | 'ENVID' | 'NOTIFY' | 'ORCPT';

export type ParameterProblem =
  /** A parameter of no extension offered, or a value it does not take (`BODY=BINARYMIME`): 555. */
  | { readonly kind: 'unsupported'; readonly parameter: string }
  /** A known parameter whose value does not parse, or given twice: 501. */
  | { readonly kind: 'malformed'; readonly name: CheckedParameter }
  /** SIZE past what a file can hold (2^63 - 1 octets): 552, as Postfix answers it. */
  | { readonly kind: 'size-overflow' };

/**
 * RFC 3461 §4: printable ASCII but `+` and `=`, and `+` with two hex digits (upper-case in the RFC,
 * lower-case taken too, as Postfix takes them); at least one character.
 */
const XTEXT = /^(?:[!-*,-<>-~]|\+[0-9A-Fa-f]{2})+$/;
/**
 * ORCPT (RFC 3461 §4.2): an address type (an atom), `;`, and the address in xtext; under SMTPUTF8
 * (RFC 6533 §3) it may be UTF-8 too; a bare `=` taken, as Postfix takes it.
 */
const ORCPT = /^[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+;(?:[!-*,-~\u0080-\u{10FFFF}]|\+[0-9A-Fa-f]{2})*$/u;
/** The largest size a file may have, as Postfix's off_t reads SIZE=. */
const LARGEST_SIZE = 2n ** 63n - 1n;
const NOTIFY_EVENTS = new Set(['SUCCESS', 'FAILURE', 'DELAY']);

/** The first problem of MAIL's parameters, if any: BODY, SIZE, SMTPUTF8, and DSN's RET and ENVID. */
export function mailParameterProblem(params: readonly string[]): ParameterProblem | undefined {
  const seen = new Set<string>();
  for (const param of params) {
    const [name, value] = split(param);
    // A DSN parameter given twice is a syntax error for Postfix; SIZE and BODY twice, the last counts.
    if ((name === 'RET' || name === 'ENVID') && value !== undefined && seen.has(name)) return { kind: 'malformed', name };
    seen.add(name);
    if (name === 'BODY' && value !== undefined && ['7BIT', '8BITMIME'].includes(value.toUpperCase())) continue;
    if (name === 'SMTPUTF8' && value === undefined) continue;
    if (name === 'SIZE' && value !== undefined) {
      if (!/^[0-9]+$/.test(value)) return { kind: 'malformed', name };
      if (BigInt(value) > LARGEST_SIZE) return { kind: 'size-overflow' };
      continue;
    }
    if (name === 'RET' && value !== undefined) {
      if (!['FULL', 'HDRS'].includes(value.toUpperCase())) return { kind: 'malformed', name };
      continue;
    }
    if (name === 'ENVID' && value !== undefined) {
      if (!XTEXT.test(value)) return { kind: 'malformed', name };
      continue;
    }
    return { kind: 'unsupported', parameter: param };
  }
  return undefined;
}

/** The first problem of RCPT's parameters, if any: DSN's NOTIFY and ORCPT. */
export function rcptParameterProblem(params: readonly string[]): ParameterProblem | undefined {
  const seen = new Set<string>();
  for (const param of params) {
    const [name, value] = split(param);
    if ((name === 'NOTIFY' || name === 'ORCPT') && value !== undefined && seen.has(name)) return { kind: 'malformed', name };
    seen.add(name);
    if (name === 'NOTIFY' && value !== undefined) {
      // Empty items are passed over, as Postfix's reading of the list passes them over.
      const events = value
        .toUpperCase()
        .split(',')
        .filter((event) => event !== '');
      // NEVER alone, however often it is said.
      const never = events.length > 0 && events.every((event) => event === 'NEVER');
      if (events.length === 0 || (!never && !events.every((event) => NOTIFY_EVENTS.has(event)))) return { kind: 'malformed', name };
      continue;
    }
    if (name === 'ORCPT' && value !== undefined) {
      if (!ORCPT.test(value)) return { kind: 'malformed', name };
      continue;
    }
    return { kind: 'unsupported', parameter: param };
  }
  return undefined;
}

/** `NAME=value` as its upper-cased name and its value (undefined when there is no `=`). */
function split(param: string): [string, string | undefined] {
  const equals = param.indexOf('=');
  return equals === -1 ? [param.toUpperCase(), undefined] : [param.slice(0, equals).toUpperCase(), param.slice(equals + 1)];
}
