// The fish completion script, written from the completion spec: one `complete` line per option,
// conditioned on the command (mailv itself, replay, completion) the line is in.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code, whose ${…} is the shell's own.
import type { CommandSpec, CompletionSpec, OptionSpec, ValueSpec } from './spec.js';

/** A fish single-quoted string: only \ and ' are special there. */
function quoted(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}

function valueArguments(value: ValueSpec, fn: string): string {
  switch (value.kind) {
    case 'words':
      return `-x -a ${quoted(value.words.join(' '))}`;
    case 'file':
      return '-r -F';
    case 'command':
      return "-x -a '(__fish_complete_command)'";
    case 'account':
      return `-x -a '(${fn}_accounts)'`;
    case 'text':
      return '-x';
  }
}

function optionLine(program: string, condition: string, option: OptionSpec, fn: string): string {
  const names = [option.short && `-s ${option.short.slice(1)}`, option.long && `-l ${option.long.slice(2)}`].filter(Boolean);
  const value = option.value === undefined ? [] : [valueArguments(option.value, fn)];
  return ['complete -c', program, '-n', quoted(condition), ...names, ...value, '-d', quoted(option.description)].join(' ');
}

function commandLines(program: string, condition: string, command: CommandSpec, fn: string): string[] {
  const lines = command.options.map((option) => optionLine(program, condition, option, fn));
  if (command.operands.kind !== 'text')
    lines.push(`complete -c ${program} -n ${quoted(condition)} ${valueArguments(command.operands, fn).replace(/^-[xr] /, '')}`);
  return lines;
}

export function fishScript(spec: CompletionSpec): string {
  const { program } = spec;
  const fn = `__${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const subcommands = spec.commands.map((command) => command.name).join(' ');
  return [
    `# fish completion for ${program}, written by \`${program} completion fish\`. Save it as`,
    `# ~/.config/fish/completions/${program}.fish, or load it with: ${program} completion fish | source`,
    `complete -c ${program} -e`,
    '# Recipients are addresses, not files.',
    `complete -c ${program} -f`,
    '',
    '# The account names of the configuration file the command line names with --config, else of the',
    '# default one, as mailv itself lists them.',
    `function ${fn}_accounts`,
    '    set -l words (commandline -opc)',
    '    set -l config',
    '    for i in (seq 2 (count $words))',
    '        switch $words[$i]',
    '            case --config',
    '                set config $words[(math $i + 1)]',
    "            case '--config=*'",
    "                set config (string replace -- '--config=' '' $words[$i])",
    '        end',
    '    end',
    '    set config (string replace -r -- \'^~/\' "$HOME/" $config)',
    '    if set -q config[1]',
    '        $words[1] completion accounts --config $config 2>/dev/null',
    '    else',
    '        $words[1] completion accounts 2>/dev/null',
    '    end',
    'end',
    '',
    `complete -c ${program} -n '__fish_use_subcommand' -a ${quoted(subcommands)}`,
    ...commandLines(program, `not __fish_seen_subcommand_from ${subcommands}`, spec.main, fn),
    ...spec.commands.flatMap((command) => ['', ...commandLines(program, `__fish_seen_subcommand_from ${command.name}`, command, fn)]),
    '',
  ].join('\n');
}
