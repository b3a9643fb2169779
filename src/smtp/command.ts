// SMTP commands as data (RFC 5321 §4.1.1 and the extensions): what the session sends, carried by
// `send` events so that renderers never parse a line back. formatCommand gives the wire form.
import { type ProxyHeader, proxyFamily, proxyLine } from './proxy-header.js';
import { REDACTED } from './redact.js';
import { type XclientAttribute, xclientLine } from './xclient.js';

/**
 * A SASL response (RFC 4954 §4): base64, `=` for an empty initial response, `*` to cancel. In an
 * event a secret response has no `text` unless --show-secrets asked for it.
 */
export interface SaslResponse {
  readonly text: string | undefined;
  readonly secret: boolean;
}

export type Command =
  | { readonly verb: 'EHLO' | 'HELO' | 'LHLO'; readonly domain: string }
  | { readonly verb: 'STARTTLS' | 'DATA' | 'RSET' | 'QUIT' }
  | { readonly verb: 'MAIL'; readonly from: string; readonly params: readonly string[] }
  | { readonly verb: 'RCPT'; readonly to: string; readonly params: readonly string[] }
  | { readonly verb: 'BDAT'; readonly size: number; readonly last: boolean }
  /** The lone dot that ends DATA's content (RFC 5321 §4.1.1.4). */
  | { readonly verb: '.' }
  | { readonly verb: 'AUTH'; readonly mechanism: string; readonly initial: SaslResponse | undefined }
  /** A line of an AUTH exchange after the command: the answer to a 334 challenge. */
  | { readonly verb: 'SASL'; readonly response: SaslResponse }
  /** Postfix's XCLIENT: the client this session claims to come from. */
  | { readonly verb: 'XCLIENT'; readonly attributes: readonly XclientAttribute[] }
  /** HAProxy's PROXY header, before the greeting; version 2 is binary, shown by its fields. */
  | { readonly verb: 'PROXY'; readonly header: ProxyHeader };

export type Verb = Command['verb'];

/**
 * One write the session is about to make, as --step is shown it before it happens: `content`
 * octets of message after DATA's 354 (before dot-stuffing), when the write carries the message,
 * then `commands` (secrets withheld), all in one go.
 */
export interface PendingWrite {
  readonly content: number | undefined;
  readonly commands: readonly Command[];
}

/** The command as a line (without CRLF); a withheld secret is shown as `********`. */
export function formatCommand(command: Command): string {
  switch (command.verb) {
    case 'EHLO':
    case 'HELO':
    case 'LHLO':
      return `${command.verb} ${command.domain}`;
    case 'MAIL':
      return [`MAIL From:<${command.from}>`, ...command.params].join(' ');
    case 'RCPT':
      return [`RCPT To:<${command.to}>`, ...command.params].join(' ');
    case 'BDAT':
      return `BDAT ${command.size}${command.last ? ' LAST' : ''}`;
    case 'AUTH':
      return command.initial === undefined ? `AUTH ${command.mechanism}` : `AUTH ${command.mechanism} ${responseText(command.initial)}`;
    case 'SASL':
      return responseText(command.response);
    case 'XCLIENT':
      return xclientLine(command.attributes);
    case 'PROXY': {
      const line = proxyLine(command.header, proxyFamily(command.header) ?? 4);
      return command.header.version === 'v1' ? line : line.replace(/^PROXY/, 'PROXY v2');
    }
    default:
      return command.verb;
  }
}

/** The same command as an event may carry it: secret responses withheld unless `showSecrets`. */
export function withheld(command: Command, showSecrets: boolean): Command {
  if (showSecrets) return command;
  if (command.verb === 'AUTH' && command.initial?.secret) return { ...command, initial: { text: undefined, secret: true } };
  if (command.verb === 'SASL' && command.response.secret) return { ...command, response: { text: undefined, secret: true } };
  return command;
}

/** The text of a secret response the command carries (shown with --show-secrets), if any: what a server could echo back. */
export function secretText(command: Command): string | undefined {
  const response = command.verb === 'AUTH' ? command.initial : command.verb === 'SASL' ? command.response : undefined;
  return response?.secret ? response.text : undefined;
}

function responseText(response: SaslResponse): string {
  return response.text ?? REDACTED;
}
