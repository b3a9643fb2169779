// The accounts file: a small INI form of [default] and [account NAME] sections of `key = value`
// lines. Parsing and selection only; reading the file and checking its mode is load-config.ts.
// No error quotes a value back: a line may hold a password, or run into one.
import { isAbsolute, join } from 'node:path';
import { KNOWN_MECHANISMS } from '../auth/known-mechanisms.js';
import { ConfigError, MailvError } from '../errors.js';
import { parseMailbox } from '../message/address.js';
import { editDistance } from '../text/edit-distance.js';
import type { ConfigLineFact, LoginWithoutUser } from './facts.js';
import { checkHeloName, parseSeconds, parseServerAddress, parseTlsName } from './values.js';

export interface AccountSettings {
  server?: string;
  tls?: 'auto' | 'required' | 'off';
  pipelining?: 'on' | 'off';
  ca?: string;
  tlsCert?: string;
  tlsKey?: string;
  /** The name the server's certificate is checked against (see parseTlsName). */
  tlsName?: string;
  insecure?: boolean;
  user?: string;
  auth?: string;
  password?: string;
  passwordFile?: string;
  passwordCmd?: string;
  from?: string;
  helo?: string;
  /** The longest wait for any step, in ms: --timeout for the file, and mailv-sendmail's only way to one. */
  timeoutMs?: number;
  /**
   * A way to log in (auth, a password's source) with no user to log in as, in these settings: the
   * file's mistake when no --user supplies one (known only with the command line), named by the
   * section that holds the key.
   */
  loginWithoutUser?: LoginWithoutUser;
}

export interface ConfigFile {
  readonly path: string;
  readonly defaults: AccountSettings;
  readonly accounts: ReadonlyMap<string, AccountSettings>;
  /** Some section holds a `password` key: the file must then be readable by its owner only. */
  readonly holdsPassword: boolean;
}

const TLS_MODES = ['auto', 'required', 'off'] as const;
const PIPELINING_MODES = ['on', 'off'] as const;
const TRUE_WORDS = ['yes', 'true', 'on', '1'];
const FALSE_WORDS = ['no', 'false', 'off', '0'];

type Key =
  | 'server'
  | 'tls'
  | 'pipelining'
  | 'ca'
  | 'tls-cert'
  | 'tls-key'
  | 'tls-name'
  | 'insecure'
  | 'user'
  | 'auth'
  | 'password'
  | 'password-file'
  | 'password-cmd'
  | 'from'
  | 'helo'
  | 'timeout';

const SETTING_OF_KEY: Readonly<Record<Key, keyof AccountSettings>> = {
  server: 'server',
  tls: 'tls',
  pipelining: 'pipelining',
  ca: 'ca',
  'tls-cert': 'tlsCert',
  'tls-key': 'tlsKey',
  'tls-name': 'tlsName',
  insecure: 'insecure',
  user: 'user',
  auth: 'auth',
  password: 'password',
  'password-file': 'passwordFile',
  'password-cmd': 'passwordCmd',
  from: 'from',
  helo: 'helo',
  timeout: 'timeoutMs',
};

/** Keys that each say where the password comes from: one of them per section. */
const PASSWORD_SOURCES: readonly Key[] = ['password', 'password-file', 'password-cmd'];

/**
 * What a key looks like, as every key of the file is written: a short name of lower-case letters
 * and hyphens. Anything else (capitals, digits: `S3cr3tT0ken==`, a wrapped token's line) may be a
 * password's part, and is not quoted back.
 */
const KEY_LIKE = /^[a-z][a-z-]{0,23}$/;

/** One word of lower-case letters: a key of another tool's file (`port`, `host`), no passphrase. */
const ONE_WORD = /^[a-z]{1,12}$/;

const ACCOUNT_NAME = /^[A-Za-z0-9._-]+$/;

/**
 * An unknown key's name as it may be quoted back: one word of lower-case letters, a key's form near
 * a known key (`pasword-file`), or a known key in other capitals (`Server`, `passwordFile`);
 * undefined for anything else, which may be a password's part: a passphrase's hyphenated words
 * (`correct-horse-battery=staple` wrapped onto a line of its own) are of a key's form too.
 */
function shownKey(name: string): string | undefined {
  const kebab = name.replace(/([a-z])([A-Z])/g, '$1-$2').toLowerCase();
  if (Object.hasOwn(SETTING_OF_KEY, kebab) || ONE_WORD.test(name)) return name;
  const nearKey = Object.keys(SETTING_OF_KEY).some((key) => editDistance(name, key, 2) <= 2);
  return KEY_LIKE.test(name) && nearKey ? name : undefined;
}

/** $XDG_CONFIG_HOME/mailv/config when that is an absolute path (as the XDG spec asks), else ~/.config/mailv/config. */
export function defaultConfigPath(env: NodeJS.ProcessEnv, home: string): string {
  const xdg = env['XDG_CONFIG_HOME'];
  return join(xdg && isAbsolute(xdg) ? xdg : join(home, '.config'), 'mailv', 'config');
}

/** A fact about a line, without the line: what `fail` is given. */
type LineProblem = ConfigLineFact extends infer F ? (F extends unknown ? Omit<F, 'path' | 'line'> : never) : never;
type FailLine = (problem: LineProblem) => never;

interface Section {
  /** undefined: [default]. */
  readonly account: string | undefined;
  readonly settings: AccountSettings;
  /** Line where each key was given, to name the first one when a key comes twice. */
  readonly lines: Map<Key, number>;
}

/** Parses the text of the file at `path`; `~/` in paths stands for `home`. Pure. Throws ConfigError. */
export function parseConfig(text: string, path: string, home: string): ConfigFile {
  function fail(line: number, problem: LineProblem): never {
    throw new ConfigError({ ...problem, path, line } as ConfigLineFact);
  }
  const defaults: Section = { account: undefined, settings: {}, lines: new Map() };
  const accounts = new Map<string, Section>();
  /** The line of each section header, by account name; [default] under undefined. */
  const headerLines = new Map<string | undefined, number>();
  let current = defaults;
  let holdsPassword = false;

  const lines = splitLines(text.replace(/^\uFEFF/, ''));
  for (const [index, rawLine] of lines.entries()) {
    const number = index + 1;
    const line = rawLine.trim();
    if (line === '' || line.startsWith('#')) continue;

    if (line.startsWith('[')) {
      if (!line.endsWith(']')) fail(number, { code: 'MAILV_CONFIG_SECTION_UNCLOSED' });
      const inner = line.slice(1, -1).trim();
      const account = /^account(?:\s+(.*))?$/.exec(inner);
      if (inner === 'default') {
        // Keys above any header already formed [default]: a header for it now would open it twice.
        if (!headerLines.has(undefined) && defaults.lines.size > 0) {
          fail(number, { code: 'MAILV_CONFIG_DEFAULT_LATE', firstLine: Math.min(...defaults.lines.values()) });
        }
        current = defaults;
      } else if (account) {
        const name = account[1] ?? '';
        if (name === '') fail(number, { code: 'MAILV_CONFIG_ACCOUNT_EMPTY' });
        if (!ACCOUNT_NAME.test(name)) fail(number, { code: 'MAILV_CONFIG_ACCOUNT_NAME', name });
        current = { account: name, settings: {}, lines: new Map() };
        if (!accounts.has(name)) accounts.set(name, current);
      } else {
        fail(number, { code: 'MAILV_CONFIG_SECTION_UNKNOWN', section: inner });
      }
      const first = headerLines.get(current.account);
      if (first !== undefined) fail(number, { code: 'MAILV_CONFIG_SECTION_TWICE', account: current.account, firstLine: first });
      headerLines.set(current.account, number);
      continue;
    }

    const equals = line.indexOf('=');
    // The line itself is not quoted back: it may be a mistyped password.
    if (equals <= 0) fail(number, { code: 'MAILV_CONFIG_LINE_FORM' });
    const name = line.slice(0, equals).trim();
    // A name that cannot be a key may be a mistyped `password: value`: it is not quoted back.
    if (!Object.hasOwn(SETTING_OF_KEY, name)) fail(number, { code: 'MAILV_CONFIG_KEY_UNKNOWN', key: shownKey(name) });
    const key = name as Key;
    const first = current.lines.get(key);
    if (first !== undefined) fail(number, { code: 'MAILV_CONFIG_KEY_TWICE', key, account: current.account, firstLine: first });
    if (PASSWORD_SOURCES.includes(key)) {
      const other = PASSWORD_SOURCES.find((source) => current.lines.has(source));
      if (other !== undefined) {
        fail(number, { code: 'MAILV_CONFIG_PASSWORD_SOURCES', key, other, otherLine: current.lines.get(other)! });
      }
    }
    current.lines.set(key, number);
    const value = unquote(line.slice(equals + 1).trim(), (problem) => fail(number, problem));
    if (value === '') fail(number, { code: 'MAILV_CONFIG_VALUE_EMPTY', key });
    if (key === 'password') holdsPassword = true;
    setValue(current.settings, key, value, home, (problem) => fail(number, problem));
  }

  return {
    path,
    defaults: defaults.settings,
    accounts: new Map([...accounts].map(([name, section]) => [name, section.settings])),
    holdsPassword,
  };
}

/**
 * The settings of `account` with those of [default] under them; [default] alone without an account.
 * An account that says where its password comes from drops every password source of [default], so
 * that its own is the one used. Throws ConfigError for an account the file does not define.
 */
export function selectAccount(config: ConfigFile, account: string | undefined): AccountSettings {
  if (account === undefined) return withLoginUser(config, undefined, withKeyOfCertificate(config, undefined, { ...config.defaults }));
  const settings = config.accounts.get(account);
  if (settings === undefined) {
    throw new ConfigError({ code: 'MAILV_CONFIG_NO_ACCOUNT', path: config.path, account, defined: [...config.accounts.keys()] });
  }
  const inherited = { ...config.defaults };
  if (settings.password !== undefined || settings.passwordFile !== undefined || settings.passwordCmd !== undefined) {
    delete inherited.password;
    delete inherited.passwordFile;
    delete inherited.passwordCmd;
  }
  // A name is its server's: [default]'s goes with [default]'s server, not with the account's own.
  if (settings.server !== undefined) delete inherited.tlsName;
  return withLoginUser(config, account, withKeyOfCertificate(config, account, { ...inherited, ...settings }));
}

/** The settings, with loginWithoutUser when they hold a way to log in and no user. */
function withLoginUser(config: ConfigFile, account: string | undefined, settings: AccountSettings): AccountSettings {
  if (settings.user !== undefined) return settings;
  const own = account === undefined ? undefined : config.accounts.get(account);
  const sources = [
    ['auth', 'auth'],
    ['password', 'password'],
    ['password-file', 'passwordFile'],
    ['password-cmd', 'passwordCmd'],
  ] as const;
  const found = sources.find(([, setting]) => settings[setting] !== undefined);
  if (found === undefined) return settings;
  const [key, setting] = found;
  // The account's own value, or one [default] gave it.
  const holder = own?.[setting] !== undefined ? account : undefined;
  return { ...settings, loginWithoutUser: { path: config.path, account: holder, key } };
}

/** A `tls-key` without a `tls-cert` (in the section or under it) is the key of no certificate: 78, as --tls-key alone is 64. */
function withKeyOfCertificate(config: ConfigFile, account: string | undefined, settings: AccountSettings): AccountSettings {
  if (settings.tlsKey !== undefined && settings.tlsCert === undefined)
    throw new ConfigError({ code: 'MAILV_CONFIG_TLS_KEY_ALONE', path: config.path, account });
  // An smtps:// server is TLS from the first byte: `tls = off` beside it is the file's mistake (78).
  if (settings.tls === 'off' && settings.server !== undefined && /^smtps:\/\//i.test(settings.server.trim()))
    throw new ConfigError({ code: 'MAILV_CONFIG_SMTPS_TLS_OFF', path: config.path, account });
  return settings;
}

/**
 * The lines of `text`, ended by CRLF, a lone LF or a lone CR (an old Mac editor's): a line end
 * read as part of a line would run the next line, password and all, into a value.
 */
export function splitLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

/** A value wrapped in double quotes keeps its spaces; inside, \" and \\ are the only escapes. */
function unquote(value: string, fail: FailLine): string {
  if (!value.startsWith('"')) return value;
  let result = '';
  for (let i = 1; i < value.length; i++) {
    const char = value[i]!;
    if (char === '"') {
      if (i !== value.length - 1) fail({ code: 'MAILV_CONFIG_QUOTE_TRAILING' });
      return result;
    }
    if (char === '\\') {
      const next = value[i + 1];
      if (next !== '"' && next !== '\\') fail({ code: 'MAILV_CONFIG_QUOTE_ESCAPE' });
      result += next;
      i++;
    } else {
      result += char;
    }
  }
  return fail({ code: 'MAILV_CONFIG_QUOTE_UNCLOSED' });
}

function setValue(settings: AccountSettings, key: Key, value: string, home: string, fail: FailLine): void {
  switch (key) {
    case 'tls': {
      const mode = TLS_MODES.find((candidate) => candidate === value.toLowerCase());
      if (mode === undefined) fail({ code: 'MAILV_CONFIG_TLS', allowed: TLS_MODES });
      settings.tls = mode;
      return;
    }
    case 'pipelining': {
      const mode = PIPELINING_MODES.find((candidate) => candidate === value.toLowerCase());
      if (mode === undefined) fail({ code: 'MAILV_CONFIG_PIPELINING', allowed: PIPELINING_MODES });
      settings.pipelining = mode;
      return;
    }
    case 'insecure': {
      const word = value.toLowerCase();
      if (TRUE_WORDS.includes(word)) settings.insecure = true;
      else if (FALSE_WORDS.includes(word)) settings.insecure = false;
      else fail({ code: 'MAILV_CONFIG_INSECURE', yes: TRUE_WORDS, no: FALSE_WORDS });
      return;
    }
    case 'auth': {
      const mechanism = value.toUpperCase();
      if (!KNOWN_MECHANISMS.includes(mechanism)) {
        fail({ code: 'MAILV_CONFIG_AUTH', known: KNOWN_MECHANISMS });
      }
      settings.auth = mechanism;
      return;
    }
    // Checked here with the checks of the flags, so that a mistake is the file's (78, file:line).
    case 'server':
      parseServerAddress(value, (problem) => fail({ code: 'MAILV_CONFIG_SERVER', problem }));
      settings.server = value;
      return;
    case 'helo':
      settings.helo = checkHeloName(value, () => fail({ code: 'MAILV_CONFIG_HELO' }));
      return;
    case 'tls-name':
      settings.tlsName = parseTlsName(value, () => fail({ code: 'MAILV_CONFIG_TLS_NAME' }));
      return;
    case 'timeout': {
      // Seconds, as --timeout takes them (decimals allowed).
      settings.timeoutMs = parseSeconds(value, () => fail({ code: 'MAILV_CONFIG_TIMEOUT' }));
      return;
    }
    case 'from':
      assertMailbox(value, fail);
      settings.from = value;
      return;
    case 'user':
      if (/[\x00-\x1f\x7f]/.test(value)) fail({ code: 'MAILV_CONFIG_USER_CONTROL' });
      settings.user = value;
      return;
    case 'ca':
      settings.ca = expandHome(value, home);
      return;
    case 'tls-cert':
      settings.tlsCert = expandHome(value, home);
      return;
    case 'tls-key':
      settings.tlsKey = expandHome(value, home);
      return;
    case 'password-file':
      settings.passwordFile = expandHome(value, home);
      return;
    default:
      settings[SETTING_OF_KEY[key] as 'password' | 'passwordCmd'] = value;
  }
}

/** The sender's address, as -r takes it; a local part alone gets this host's name later. */
function assertMailbox(value: string, fail: FailLine): void {
  try {
    parseMailbox(value, 'invalid');
  } catch (error) {
    if (!(error instanceof MailvError)) throw error;
    // The value is never quoted back; a character that does not pass for what it looks like is named.
    const fact = error.fact;
    const unseen = fact.code === 'MAILV_ADDRESS_INVISIBLE' || fact.code === 'MAILV_ADDRESS_AT_LOOKALIKE' ? fact : undefined;
    fail({
      code: 'MAILV_CONFIG_FROM',
      ...(unseen === undefined
        ? {}
        : { character: { kind: unseen.code === 'MAILV_ADDRESS_INVISIBLE' ? 'invisible' : 'at-lookalike', codePoint: unseen.codePoint } }),
    });
  }
}

function expandHome(path: string, home: string): string {
  return path.startsWith('~/') ? join(home, path.slice(2)) : path;
}
