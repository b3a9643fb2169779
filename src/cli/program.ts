// The command line as commander sees it: flags, help text with examples, version. Parsing only;
// meaning is given in options.ts.
import { Argument, Command, CommanderError, type Help, Option } from 'commander';
import { KNOWN_MECHANISMS } from '../auth/known-mechanisms.js';
import { UsageError } from '../errors.js';
import { QUIT_POINTS, type QuitPoint } from '../smtp/quit-points.js';
import type { Words } from '../words/catalogue.js';
import type { HelpTitle, HelpWords } from '../words/help-words.js';
import { placeholdersIn } from '../words/placeholders.js';
import { describeFact } from '../words/describe.js';
import { en } from '../words/en/index.js';
import type { CommandLineFact } from './facts.js';

export interface RawOptions {
  subject?: string;
  cc: string[];
  bcc: string[];
  from?: string;
  attach: string[];
  header: string[];
  readRecipients?: boolean;
  skipEmpty?: boolean;
  contentType?: string;
  server?: string;
  helo?: string;
  timeout?: string;
  verbose: number;
  quiet?: boolean;
  dryRun?: boolean;
  demo?: boolean;
  color?: boolean;
  direct?: boolean;
  mx?: string;
  dns: string[];
  port?: string;
  tls?: 'auto' | 'required' | 'off';
  body?: 'auto' | 'data' | 'bdat';
  pipelining?: 'on' | 'off';
  pipeconnect?: boolean;
  ca?: string;
  tlsCert?: string;
  tlsName?: string;
  tlsKey?: string;
  insecure?: boolean;
  tlsResume?: boolean;
  user?: string;
  auth?: string;
  passwordFile?: string;
  passwordCmd?: string;
  oauth2TokenFile?: string;
  oauth2TokenCmd?: string;
  allowPlaintextAuth?: boolean;
  showSecrets?: boolean;
  account?: string;
  config?: string;
  quitAfter?: QuitPoint;
  json?: boolean;
  timing?: boolean;
  explain?: boolean;
  lang?: 'fr' | 'en';
  step?: boolean;
  diagram?: string;
  record?: string;
  count?: string;
  concurrency?: string;
  perConnection?: string;
  vary?: boolean;
  varyRecipients?: boolean;
  rate?: string;
  stopOnError?: boolean;
  notify?: string;
  ret?: 'full' | 'hdrs';
  envid?: string;
  xclient?: string[];
  proxy?: 'v1' | 'v2';
  proxySource?: string;
  ipv4?: boolean;
  ipv6?: boolean;
  sourceAddress?: string;
}

export type ParsedCommandLine = { kind: 'run'; options: RawOptions; recipients: string[] } | { kind: 'exit'; output: string };

/** Repeatable options gather their values; unset, they are filled in as [] after parsing. */
function collect(value: string, previous: string[] | undefined): string[] {
  return [...(previous ?? []), value];
}

function increase(_value: string, previous: number): number {
  return previous + 1;
}

/**
 * What commander refused, as a fact: one line, and for an unknown option its suggestion (`(Did you
 * mean --subject?)`) on a line of its own. Each line is escaped when printed, as it may quote what
 * was typed; the line break is mailv's, never part of an argument.
 */
export class CommandLineError extends UsageError {
  declare readonly fact: CommandLineFact;
  constructor(fact: CommandLineFact) {
    super(fact);
  }

  /** The lines to print, in `words`. */
  linesIn(words: Words): readonly string[] {
    const { fact } = this;
    if (fact.code !== 'MAILV_OPTION_UNKNOWN' || fact.suggestions.length === 0) return [describeFact(fact, words)];
    return [describeFact({ ...fact, suggestions: [] }, words), words.cli.suggestion(fact.suggestions)];
  }

  /** The lines in English. */
  get lines(): readonly string[] {
    return this.linesIn(en);
  }
}

/** commander's methods that refuse a command line, not in its typings. */
interface Refusals {
  unknownOption(flag: string): never;
}

/**
 * commander, with its refusals turned into facts where it has the refused option at hand: an
 * unknown option (its suggestion taken from commander, which computes it), a missing value.
 */
class MailvCommand extends Command {
  /** Which options to register, by their flags; all when unset. */
  registers: ((flags: string) => boolean) | undefined;

  override option(flags: string, ...rest: unknown[]): this {
    if (this.registers !== undefined && !this.registers(flags)) return this;
    return (super.option as (flags: string, ...rest: unknown[]) => this)(flags, ...rest);
  }

  override addOption(option: Option): this {
    if (this.registers !== undefined && !this.registers(option.flags)) return this;
    return super.addOption(option);
  }

  unknownOption(flag: string): never {
    let suggestions: string[] = [];
    try {
      (Command.prototype as unknown as Refusals).unknownOption.call(this, flag);
    } catch (error) {
      if (!(error instanceof CommanderError)) throw error;
      // `error: unknown option '<flag>'`, then `\n(Did you mean --a?)` or `\n(Did you mean one of --a, --b?)`:
      // past the flag, everything is commander's own text, whatever the flag holds.
      const suggestion = /^\n\(Did you mean (?:one of )?(.+)\?\)$/.exec(error.message.slice(`error: unknown option '${flag}'`.length));
      if (suggestion) suggestions = suggestion[1]!.split(', ');
    }
    throw new CommandLineError({ code: 'MAILV_OPTION_UNKNOWN', option: flag, suggestions });
  }

  optionMissingArgument(option: Option): never {
    throw new CommandLineError({ code: 'MAILV_OPTION_VALUE_MISSING', option: option.flags });
  }

  missingArgument(name: string): never {
    // An operand of a few choices (mailv completion's shell) names them: what to type is the point.
    const choices = this.registeredArguments.find((argument) => argument.name() === name)?.argChoices ?? [];
    throw new CommandLineError({ code: 'MAILV_ARGUMENT_MISSING', argument: name, choices });
  }

  _excessArguments(received: readonly string[]): never {
    throw new CommandLineError({ code: 'MAILV_ARGUMENTS_EXCESS', expected: this.registeredArguments.length, given: received.length });
  }
}

/** An option taking one of `choices`; any other value is refused as a fact. */
function choiceOption(flags: string, description: string, choices: readonly string[]): Option {
  const refuse = (value: string) => new CommandLineError({ code: 'MAILV_OPTION_VALUE_INVALID', option: flags, value, choices });
  return new Option(flags, description).choices(choices).argParser(oneOf(choices, refuse));
}

/** An operand taking one of `choices`; any other value is refused as a fact. */
function choiceArgument(name: string, description: string, choices: readonly string[]): Argument {
  const argument = name.replace(/^[<[]|[>\]]$/g, '');
  const refuse = (value: string) => new CommandLineError({ code: 'MAILV_ARGUMENT_INVALID', argument, value, choices });
  return new Argument(name, description).choices(choices).argParser(oneOf(choices, refuse));
}

/** commander's parser of a value: `value` when among `choices`; else `refuse`'s error, thrown (it goes through commander untouched). */
function oneOf(choices: readonly string[], refuse: (value: string) => CommandLineError): (value: string) => string {
  return (value) => {
    if (!choices.includes(value)) throw refuse(value);
    return value;
  };
}

/**
 * commander's own words in those of `help`: its headings (`Usage:`, `Options:`…) and the list of
 * choices it adds to a description (mailv sets no default or preset that commander would show).
 */
function helpIn(help: HelpWords): Partial<Help> {
  const withChoices = (description: string, choices: readonly string[] | undefined) =>
    choices === undefined ? description : `${description} (${help.choices(choices)})`;
  return {
    styleTitle: (title) => help.titles[title as HelpTitle] ?? title,
    // The names in brackets are words (`<text>`, `[recipients...]`); the flags stay as typed.
    styleUsage: (usage) => placeholdersIn(usage, help),
    styleOptionTerm: (term) => placeholdersIn(term, help),
    styleSubcommandTerm: (term) => placeholdersIn(term, help),
    styleArgumentTerm: (term) => help.placeholder(term),
    optionDescription: (option) => withChoices(option.description, option.argChoices),
    argumentDescription: (argument) => withChoices(argument.description, argument.argChoices),
  };
}

/**
 * Parses `argv` with `program`, commander's own output kept rather than printed: `exit` with it for
 * --help and --version, a CommandLineError for what commander refused, undefined to go on.
 */
function parseArguments(program: Command, argv: readonly string[]): { kind: 'exit'; output: string } | undefined {
  let output = '';
  program.exitOverride().configureOutput({
    writeOut: (text) => (output += text),
    writeErr: (text) => (output += text),
    outputError: () => {},
  });
  try {
    program.parse(argv, { from: 'user' });
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return { kind: 'exit', output };
      throw new CommandLineError({ code: 'MAILV_COMMAND_LINE', commanderCode: error.code, detail: error.message.replace(/^error: /, '') });
    }
    throw error;
  }
  return undefined;
}

/**
 * Whether a command line that could not be used asked for --json, read as `program` reads it: an
 * option's value (`-s --json`, a subject) and what follows `--` (a recipient) ask for nothing.
 */
export function asksForJson(argv: readonly string[], program: Command): boolean {
  // A required value is the next argument whatever it is; an optional one, unless it is an option.
  const names = (option: Option) => [option.long, option.short];
  const required = new Set(program.options.filter((option) => option.required).flatMap(names));
  const optional = new Set(program.options.filter((option) => option.optional).flatMap(names));
  const takesNext = (name: string, next: string | undefined) => required.has(name) || (optional.has(name) && next !== undefined && !next.startsWith('-'));
  for (let index = 0; index < argv.length; index++) {
    const arg = argv[index]!;
    if (arg === '--') return false;
    if (arg === '--json') return true;
    if (arg.startsWith('--')) {
      if (!arg.includes('=') && takesNext(arg, argv[index + 1])) index++;
    } else if (/^-[^-]/.test(arg)) {
      // A cluster of short options: the first that takes a value takes the rest, or the next argument.
      const letters = [...arg.slice(1)];
      const valued = letters.findIndex((letter) => required.has(`-${letter}`) || optional.has(`-${letter}`));
      if (valued === letters.length - 1 && takesNext(`-${letters[valued]!}`, argv[index + 1])) index++;
    }
  }
  return false;
}

/**
 * Registered whatever the command line names: each sets a value by being registered (a `--no-`
 * option's true, -v's 0), or pairs with one that does (--color, without which --no-color would make
 * colour the default), so that leaving it out would change what the command line means.
 */
const ALWAYS_REGISTERED: ReadonlySet<string> = new Set(['--color', '--no-color', '--no-tls-resume', '--no-pipeconnect', '-v, --verbose']);

/**
 * A short option named by a digit (-4, -6). commander reads `-1` or `-1.5` as an operand unless the
 * program has one, and as an unknown option when it does: each is registered whatever the command
 * line, or a mistyped negative number would become a recipient.
 */
const DIGIT_OPTION = /(?:^|[ ,|])-\d(?=[ ,|]|$)/;

/**
 * The options `argv` can reach: each long option it names (`--server`, `--server=…`), each letter
 * of its short ones (`-qv`, `-sSubject`: a letter that is part of a value costs an option, never a
 * different parse), up to `--`; and those that change a parse by being registered. Registering
 * all 65 took 2 of a dry run's 25 ms and 90 KB, where a command line names a handful.
 */
function namedBy(argv: readonly string[]): (flags: string) => boolean {
  const named = new Set<string>();
  for (const arg of argv) {
    if (arg === '--') break;
    if (arg.startsWith('--')) named.add(arg.split('=', 1)[0]!);
    else if (arg.startsWith('-')) for (const letter of arg.slice(1)) named.add(`-${letter}`);
  }
  return (flags) => ALWAYS_REGISTERED.has(flags) || DIGIT_OPTION.test(flags) || flags.split(/[ ,|]+/).some((flag) => named.has(flag));
}

/**
 * mailv's command line as commander defines it: what parseCommandLine parses and the shell
 * completions offer. Given `argv`, only the options it can reach are registered.
 */
export function mailvProgram(version: string, help: HelpWords = en.help, argv?: readonly string[]): Command {
  const program = new MailvCommand('mailv');
  if (argv !== undefined) program.registers = namedBy(argv);
  return program
    .configureHelp(helpIn(help))
    .usage('[options] <recipient...>')
    .description(help.mailv.description)
    .argument('[recipients...]', help.mailv.recipients)
    .option('-s, --subject <text>', help.mailv.options.subject)
    .option('-c, --cc <addresses>', help.mailv.options.cc, collect)
    .option('-b, --bcc <addresses>', help.mailv.options.bcc, collect)
    .option('-r, --from <address>', help.mailv.options.from)
    .option('-a, --attach <file>', help.mailv.options.attach, collect)
    .option('-H, --header <"Name: value">', help.mailv.options.header, collect)
    .option('--content-type <type>', help.mailv.options.contentType)
    .option('-t, --read-recipients', help.mailv.options.readRecipients)
    .option('-E, --skip-empty', help.mailv.options.skipEmpty)
    .option('--server <url>', help.mailv.options.server)
    .option('--direct', help.mailv.options.direct)
    .option('--mx <domain>', help.mailv.options.mx)
    .option('--dns <server>', help.mailv.options.dns, collect)
    .option('--port <n>', help.mailv.options.port)
    .addOption(choiceOption('--tls <mode>', help.mailv.options.tls, ['auto', 'required', 'off']))
    .option('--ca <file>', help.mailv.options.ca)
    .option('--tls-cert <file>', help.mailv.options.tlsCert)
    .option('--tls-key <file>', help.mailv.options.tlsKey)
    .option('--tls-name <name>', help.mailv.options.tlsName)
    .option('--insecure', help.mailv.options.insecure)
    .option('--no-tls-resume', help.mailv.options.noTlsResume)
    .option('--user <name>', help.mailv.options.user)
    .option('--auth <mechanism>', help.mailv.options.auth(KNOWN_MECHANISMS.join(', ')))
    .option('--password-file <file>', help.mailv.options.passwordFile)
    .option('--password-cmd <command>', help.mailv.options.passwordCmd)
    .option('--oauth2-token-file <file>', help.mailv.options.oauth2TokenFile)
    .option('--oauth2-token-cmd <command>', help.mailv.options.oauth2TokenCmd)
    .option('--allow-plaintext-auth', help.mailv.options.allowPlaintextAuth)
    .option('--show-secrets', help.mailv.options.showSecrets)
    .option('--account <name>', help.mailv.options.account)
    .option('--config <file>', help.mailv.options.config)
    .addOption(choiceOption('--body <mode>', help.mailv.options.body, ['auto', 'data', 'bdat']))
    .addOption(choiceOption('--pipelining <mode>', help.mailv.options.pipelining, ['on', 'off']))
    .option('--no-pipeconnect', help.mailv.options.noPipeconnect)
    .addOption(choiceOption('--quit-after <step>', help.mailv.options.quitAfter, QUIT_POINTS))
    .option('-e, --explain', help.mailv.options.explain)
    .addOption(choiceOption('--lang <language>', help.mailv.options.lang, ['fr', 'en']))
    .option('--timing', help.mailv.options.timing)
    .option('--json', help.mailv.options.json)
    .option('--step', help.mailv.options.step)
    .option('--notify <when>', help.mailv.options.notify)
    .addOption(choiceOption('--ret <what>', help.mailv.options.ret, ['full', 'hdrs']))
    .option('--envid <id>', help.mailv.options.envid)
    .option('--diagram <file>', help.mailv.options.diagram)
    .option('--record <file>', help.mailv.options.record)
    .option('--count <n>', help.mailv.options.count)
    .option('--concurrency <n>', help.mailv.options.concurrency)
    .option('--per-connection <n>', help.mailv.options.perConnection)
    .option('--vary', help.mailv.options.vary)
    .option('--vary-recipients', help.mailv.options.varyRecipients)
    .option('--rate <r>', help.mailv.options.rate)
    .option('--stop-on-error', help.mailv.options.stopOnError)
    .option('--helo <name>', help.mailv.options.helo)
    .option('--xclient <NAME=value>', help.mailv.options.xclient, collect)
    .addOption(choiceOption('--proxy <version>', help.mailv.options.proxy, ['v1', 'v2']))
    .option('--proxy-source <address:port>', help.mailv.options.proxySource)
    .option('-4, --ipv4', help.mailv.options.ipv4)
    .option('-6, --ipv6', help.mailv.options.ipv6)
    .option('--source-address <ip>', help.mailv.options.sourceAddress)
    .option('--timeout <seconds>', help.mailv.options.timeout)
    .option('-v, --verbose', help.mailv.options.verbose, increase, 0)
    .option('-q, --quiet', help.mailv.options.quiet)
    .option('--dry-run', help.mailv.options.dryRun)
    .option('--demo', help.mailv.options.demo)
    .addOption(new Option('--color', help.mailv.options.color))
    .addOption(new Option('--no-color', help.mailv.options.noColor))
    .version(version, '-V, --version', help.mailv.version)
    .helpOption('-h, --help', help.help)
    .addHelpText('after', help.mailv.examples)
    .addHelpText('after', help.mailv.exitStatus);
}

/**
 * Values the shell completions offer where commander's choices cannot list them: --auth takes a
 * mechanism in any case, and account names are read from the configuration file at completion time.
 */
export const COMPLETED_VALUES: Readonly<Record<string, readonly string[] | 'account'>> = { '--auth': KNOWN_MECHANISMS, '--account': 'account' };

/**
 * Parses mailv's command line with the options it names (see namedBy). Help, the version and every
 * refusal come from the whole program: its list of options, its suggestions for a mistyped one.
 * `registered: 'all'` parses with the whole program from the start.
 */
export function parseCommandLine(argv: readonly string[], version: string, help?: HelpWords, registered: 'named' | 'all' = 'named'): ParsedCommandLine {
  if (registered === 'named') {
    try {
      const parsed = parsedBy(mailvProgram(version, help, argv), argv);
      if (parsed.kind === 'run') return parsed;
    } catch {
      // Said by the whole program, below.
    }
  }
  return parsedBy(mailvProgram(version, help), argv);
}

function parsedBy(program: Command, argv: readonly string[]): ParsedCommandLine {
  const exit = parseArguments(program, argv);
  if (exit !== undefined) return exit;
  const first = program.args[0];
  const afterDoubleDash = argv.includes('--') ? argv.length - argv.indexOf('--') - 1 : 0;
  // argv[0] names a command (app/main.ts); the same word after an option would be a recipient.
  if ((first === 'replay' || first === 'completion') && program.args.length > afterDoubleDash) {
    throw new CommandLineError({ code: 'MAILV_COMMAND_NOT_FIRST', command: first });
  }
  const options = program.opts<Partial<RawOptions>>();
  const lists = { cc: options.cc ?? [], bcc: options.bcc ?? [], attach: options.attach ?? [], header: options.header ?? [], dns: options.dns ?? [] };
  return { kind: 'run', options: { ...options, ...lists } as RawOptions, recipients: program.args };
}

/** The options of `mailv replay`: how the record is shown, as for a live run. */
export interface ReplayOptions {
  verbose: number;
  quiet?: boolean;
  json?: boolean;
  timing?: boolean;
  explain?: boolean;
  lang?: 'fr' | 'en';
  step?: boolean;
  color?: boolean;
  diagram?: string;
}

export type ParsedReplayLine = { kind: 'run'; options: ReplayOptions; file: string } | { kind: 'exit'; output: string };

/**
 * Parses the arguments after `replay` (argv[0] of `mailv replay FILE`). Throws CommandLineError
 * (a UsageError) for bad flags, a missing or second file.
 */
export function parseReplayCommandLine(argv: readonly string[], help?: HelpWords): ParsedReplayLine {
  const program = replayProgram(help);
  const exit = parseArguments(program, argv);
  if (exit !== undefined) return exit;
  const options = program.opts<Partial<ReplayOptions>>();
  return { kind: 'run', options: { ...options, verbose: options.verbose ?? 0 }, file: program.args[0]! };
}

/** The command line of `mailv replay`. */
export function replayProgram(help: HelpWords = en.help): Command {
  return new MailvCommand('replay')
    .configureHelp(helpIn(help))
    .name('mailv replay')
    .usage('[options] <file>')
    .description(help.replay.description)
    .argument('<file>', help.replay.file)
    .option('-e, --explain', help.replay.options.explain)
    .addOption(choiceOption('--lang <language>', help.replay.options.lang, ['fr', 'en']))
    .option('--timing', help.replay.options.timing)
    .option('--json', help.replay.options.json)
    .option('--step', help.replay.options.step)
    .option('--diagram <file>', help.replay.options.diagram)
    .option('-v, --verbose', help.replay.options.verbose, increase, 0)
    .option('-q, --quiet', help.replay.options.quiet)
    .addOption(new Option('--color', help.replay.options.color))
    .addOption(new Option('--no-color', help.replay.options.noColor))
    .helpOption('-h, --help', help.help)
    .addHelpText('after', help.replay.examples);
}

/** What `mailv completion` prints: a shell's completion script, or the account names those scripts ask for. */
export const COMPLETION_TARGETS = ['bash', 'zsh', 'fish', 'accounts'] as const;
export type CompletionTarget = (typeof COMPLETION_TARGETS)[number];

export type ParsedCompletionLine = { kind: 'run'; target: CompletionTarget; config?: string } | { kind: 'exit'; output: string };

/** The command line of `mailv completion`. */
export function completionProgram(help: HelpWords = en.help): Command {
  return new MailvCommand('completion')
    .configureHelp(helpIn(help))
    .name('mailv completion')
    .usage('[options] <bash|zsh|fish|accounts>')
    .description(help.completion.description)
    .addArgument(choiceArgument('<target>', help.completion.target, COMPLETION_TARGETS))
    .option('--config <file>', help.completion.config)
    .addOption(choiceOption('--lang <language>', help.completion.lang, ['fr', 'en']))
    .helpOption('-h, --help', help.help)
    .addHelpText('after', help.completion.examples);
}

/** Parses the arguments after `completion`. Throws CommandLineError (a UsageError). */
export function parseCompletionCommandLine(argv: readonly string[], help?: HelpWords): ParsedCompletionLine {
  const program = completionProgram(help);
  const exit = parseArguments(program, argv);
  if (exit !== undefined) return exit;
  const { config } = program.opts<{ config?: string }>();
  return { kind: 'run', target: program.args[0] as CompletionTarget, ...(config === undefined ? {} : { config }) };
}
