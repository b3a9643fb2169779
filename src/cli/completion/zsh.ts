// The zsh completion script, written from the completion spec for _arguments: each option with
// its description and what its value is completed with; replay and completion as commands.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code, whose ${…} is the shell's own.
import type { CommandSpec, CompletionSpec, OptionSpec, ValueSpec } from './spec.js';

/** A zsh single-quoted string. */
function quoted(text: string): string {
  return `'${text.replace(/'/g, "'\\''")}'`;
}

/** Text inside an _arguments [description]: brackets and backslashes escaped. */
function described(text: string): string {
  return text.replace(/[\\[\]]/g, '\\$&');
}

/** Text of an _arguments message, between colons. */
function message(text: string): string {
  return text.replace(/[\\:]/g, '\\$&');
}

function action(value: ValueSpec, fn: string): string {
  switch (value.kind) {
    case 'words':
      return `(${value.words.join(' ')})`;
    case 'file':
      return '_files';
    case 'command':
      return '_command_names -e';
    case 'account':
      return `${fn}_accounts`;
    case 'text':
      return ' ';
  }
}

function messageOf(value: ValueSpec): string {
  return value.kind === 'text' ? value.placeholder : value.kind === 'words' ? 'value' : value.kind;
}

/** `'*'{-s+,--subject=}'[subject of the message]:text: '`: every option may come again, as -a and -c do. */
function optionSpec(option: OptionSpec, fn: string): string {
  const takes = option.value !== undefined;
  const names = [option.short && `${option.short}${takes ? '+' : ''}`, option.long && `${option.long}${takes ? '=' : ''}`].filter(Boolean);
  const spelled = names.length === 1 ? quoted(names[0]!) : `{${names.join(',')}}`;
  const value = option.value === undefined ? '' : `:${message(messageOf(option.value))}:${action(option.value, fn)}`;
  return `"*"${spelled}${quoted(`[${described(option.description)}]${value}`)}`;
}

function argumentsCall(command: CommandSpec, fn: string, operands: string[]): string[] {
  return [
    '_arguments -s -S \\',
    ...[...command.options.map((option) => optionSpec(option, fn)), ...operands].map((spec) => `    ${spec} \\`),
    '    && return 0',
  ];
}

export function zshScript(spec: CompletionSpec): string {
  const { program } = spec;
  const fn = `_${program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const subcommands = spec.commands.map((command) => command.name).join(' ');
  const commandCases = spec.commands.flatMap((command) => [
    `      ${command.name})`,
    ...argumentsCall(command, fn, [quoted(`1:${messageOf(command.operands)}:${action(command.operands, fn)}`)]).map((line) => `        ${line}`),
    '        ;;',
  ]);
  return [
    `#compdef ${program}`,
    `# zsh completion for ${program}, written by \`${program} completion zsh\`. Save it as _${program} in a`,
    `# directory of $fpath before compinit runs, or load it with: source <(${program} completion zsh)`,
    '',
    '# The account names of the configuration file the command line names with --config, else of the',
    '# default one, as mailv itself lists them.',
    `${fn}_accounts() {`,
    '  local i config',
    '  for (( i = 2; i < CURRENT; i++ )); do',
    '    case $words[i] in',
    '      --config) config=$words[i+1] ;;',
    '      --config=*) config=${words[i]#--config=} ;;',
    '    esac',
    '  done',
    // The words are as typed, quotes and all: (Q) takes the quotes off and (q) quotes them again for
    // _call_program's eval, so that Tab never runs a $(…) or `…` typed on the line.
    '  config=${(Q)config}',
    '  config=${config/#\\~/$HOME}',
    '  local program=${(Q)words[1]}',
    '  program=${program/#\\~/$HOME}',
    '  local -a accounts',
    `  accounts=(\${(f)"$(_call_program accounts \${(q)program} completion accounts \${config:+--config=\${(q)config}} 2>/dev/null)"})`,
    "  _wanted accounts expl 'account' compadd -a accounts",
    '}',
    '',
    `${fn}() {`,
    `  if (( CURRENT > 2 )) && [[ $words[2] == (${subcommands.replace(/ /g, '|')}) ]]; then`,
    '    local command=$words[2]',
    '    shift words',
    '    (( CURRENT-- ))',
    '    case $command in',
    ...commandCases,
    '    esac',
    '    return 1',
    '  fi',
    ...argumentsCall(spec.main, fn, [quoted(`1:recipient or command:(${subcommands})`), quoted('*:recipient: ')]).map((line) => `  ${line}`),
    '}',
    '',
    '# Autoloaded from $fpath, this file is the body of the first call: complete now. Sourced, register.',
    'if [[ $zsh_eval_context[-1] == loadautofunc ]]; then',
    `  ${fn} "$@"`,
    'else',
    `  compdef ${fn} ${program}`,
    'fi',
    '',
  ].join('\n');
}
