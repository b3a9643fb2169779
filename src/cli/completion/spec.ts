// What the shell completions offer, read from mailv's one command-line definition (program.ts):
// each command's options, what each option's value is, and what the operands are. The scripts of
// bash.ts, zsh.ts and fish.ts are written from this alone.
import { type Command, Help, type Option } from 'commander';
import { COMPLETED_VALUES, completionProgram, mailvProgram, replayProgram } from '../program.js';
import type { HelpWords } from '../../words/help-words.js';

/** What a value is completed with. */
export type ValueSpec =
  | { readonly kind: 'words'; readonly words: readonly string[] }
  | { readonly kind: 'file' }
  | { readonly kind: 'account' }
  | { readonly kind: 'command' }
  /** Free text (a subject, an address, a host): nothing is offered. */
  | { readonly kind: 'text'; readonly placeholder: string };

export interface OptionSpec {
  /** `-s`, or undefined. */
  readonly short: string | undefined;
  /** `--subject`, or undefined. */
  readonly long: string | undefined;
  readonly description: string;
  /** undefined: a flag, taking no value. */
  readonly value: ValueSpec | undefined;
}

export interface CommandSpec {
  /** undefined for mailv itself; `replay`, `completion` for its commands. */
  readonly name: string | undefined;
  readonly description: string;
  readonly options: readonly OptionSpec[];
  /** What the operands are: recipients are typed, a record is a file, a completion target is a word. */
  readonly operands: ValueSpec;
}

export interface CompletionSpec {
  readonly program: string;
  readonly main: CommandSpec;
  readonly commands: readonly CommandSpec[];
}

/** Everything a word of a script may be: no quoting is then needed in any of the three shells. */
const PLAIN_WORD = /^[A-Za-z0-9@%+=:,./_-]+$/;

function plain(word: string): string {
  // A definition holding anything else would be a mistake of mailv's own, caught by its tests.
  if (!PLAIN_WORD.test(word)) throw new Error(`not a plain word for a completion script: ${JSON.stringify(word)}`);
  return word;
}

function valueSpecOf(option: Option): ValueSpec | undefined {
  if (!option.required && !option.optional) return undefined;
  const completed = option.long === undefined ? undefined : COMPLETED_VALUES[option.long];
  if (completed === 'account') return { kind: 'account' };
  if (completed !== undefined) return { kind: 'words', words: completed.map(plain) };
  if (option.argChoices !== undefined) return { kind: 'words', words: option.argChoices.map(plain) };
  const placeholder = /[<[]([^>\]]+)[>\]]/.exec(option.flags)?.[1] ?? 'value';
  if (placeholder === 'file') return { kind: 'file' };
  if (placeholder === 'command') return { kind: 'command' };
  return { kind: 'text', placeholder };
}

function optionsOf(command: Command): OptionSpec[] {
  return new Help().visibleOptions(command).map((option) => ({
    short: option.short === undefined ? undefined : plain(option.short),
    long: option.long === undefined ? undefined : plain(option.long),
    description: option.description,
    value: valueSpecOf(option),
  }));
}

function commandSpec(name: string | undefined, command: Command, operands: ValueSpec): CommandSpec {
  return { name, description: command.description(), options: optionsOf(command), operands };
}

/**
 * The completion of `program` (the command's name as typed: mailv), read from program.ts; the
 * descriptions the shell shows beside each option are in the words of `help`.
 */
export function completionSpec(program: string, help?: HelpWords): CompletionSpec {
  const completion = completionProgram(help);
  const targets = completion.registeredArguments[0]?.argChoices ?? [];
  return {
    program: plain(program),
    main: commandSpec(undefined, mailvProgram('', help), { kind: 'text', placeholder: 'recipient' }),
    commands: [
      commandSpec('replay', replayProgram(help), { kind: 'file' }),
      commandSpec('completion', completion, { kind: 'words', words: targets.map(plain) }),
    ],
  };
}
