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

/**
 * One parameter's value checked: 'taken', or what is wrong with it; undefined when the parameter
 * takes no such value (or none at all), which is then unsupported.
 */
type ValueCheck = (value: string | undefined) => 'taken' | ParameterProblem | undefined;

const MAIL_PARAMETERS: Readonly<Record<string, ValueCheck>> = {
  BODY: (value) => (value !== undefined && ['7BIT', '8BITMIME'].includes(value.toUpperCase()) ? 'taken' : undefined),
  SMTPUTF8: (value) => (value === undefined ? 'taken' : undefined),
  SIZE: (value) => {
    if (value === undefined) return undefined;
    if (!/^[0-9]+$/.test(value)) return { kind: 'malformed', name: 'SIZE' };
    return BigInt(value) > LARGEST_SIZE ? { kind: 'size-overflow' } : 'taken';
  },
  RET: (value) => (value === undefined ? undefined : ['FULL', 'HDRS'].includes(value.toUpperCase()) ? 'taken' : { kind: 'malformed', name: 'RET' }),
  ENVID: (value) => (value === undefined ? undefined : XTEXT.test(value) ? 'taken' : { kind: 'malformed', name: 'ENVID' }),
};

const RCPT_PARAMETERS: Readonly<Record<string, ValueCheck>> = {
  NOTIFY: (value) => {
    if (value === undefined) return undefined;
    // Empty items are passed over, as Postfix's reading of the list passes them over.
    const events = value
      .toUpperCase()
      .split(',')
      .filter((event) => event !== '');
    // NEVER alone, however often it is said.
    const never = events.length > 0 && events.every((event) => event === 'NEVER');
    return events.length > 0 && (never || events.every((event) => NOTIFY_EVENTS.has(event))) ? 'taken' : { kind: 'malformed', name: 'NOTIFY' };
  },
  ORCPT: (value) => (value === undefined ? undefined : ORCPT.test(value) ? 'taken' : { kind: 'malformed', name: 'ORCPT' }),
};

/** DSN's parameters, which Postfix takes once a command: given again with a value, a syntax error. */
const ONCE_ONLY: ReadonlySet<string> = new Set<CheckedParameter>(['RET', 'ENVID', 'NOTIFY', 'ORCPT']);

/** The first problem of MAIL's parameters, if any: BODY, SIZE, SMTPUTF8, and DSN's RET and ENVID. */
export function mailParameterProblem(params: readonly string[]): ParameterProblem | undefined {
  return firstProblem(params, MAIL_PARAMETERS);
}

/** The first problem of RCPT's parameters, if any: DSN's NOTIFY and ORCPT. */
export function rcptParameterProblem(params: readonly string[]): ParameterProblem | undefined {
  return firstProblem(params, RCPT_PARAMETERS);
}

/** The first problem of `params` by the checks the command takes; SIZE and BODY twice, the last counts. */
function firstProblem(params: readonly string[], checks: Readonly<Record<string, ValueCheck>>): ParameterProblem | undefined {
  const seen = new Set<string>();
  for (const param of params) {
    const [name, value] = split(param);
    if (ONCE_ONLY.has(name) && value !== undefined && seen.has(name)) return { kind: 'malformed', name: name as CheckedParameter };
    seen.add(name);
    const outcome = Object.hasOwn(checks, name) ? checks[name]!(value) : undefined;
    if (outcome === undefined) return { kind: 'unsupported', parameter: param };
    if (outcome !== 'taken') return outcome;
  }
  return undefined;
}

/** `NAME=value` as its upper-cased name and its value (undefined when there is no `=`). */
function split(param: string): [string, string | undefined] {
  const equals = param.indexOf('=');
  return equals === -1 ? [param.toUpperCase(), undefined] : [param.slice(0, equals).toUpperCase(), param.slice(equals + 1)];
}
