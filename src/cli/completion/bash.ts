// The bash completion script, written from the completion spec. It needs bash 4 (compopt,
// mapfile) and nothing of the bash-completion package; `--tls=re` is completed whether or not
// COMP_WORDBREAKS splits words at `=`.
// biome-ignore-all lint/suspicious/noTemplateCurlyInString: the strings are shell code, whose ${…} is the shell's own.
import type { CommandSpec, CompletionSpec, OptionSpec, ValueSpec } from './spec.js';

/** `-s|--subject`: the names an option is typed as. */
function names(option: OptionSpec): string {
  return [option.short, option.long].filter((name) => name !== undefined).join('|');
}

function valueAction(value: ValueSpec, fn: string): string {
  switch (value.kind) {
    case 'words':
      return `${fn}_words "$2" ${value.words.join(' ')}`;
    case 'file':
      return `${fn}_files "$2"`;
    case 'command':
      return `${fn}_commands "$2"`;
    case 'account':
      return `${fn}_words "$2" $(${fn}_accounts)`;
    case 'text':
      return ':';
  }
}

/** `<fn>_values_<command> OPTION WORD`: completes the value of OPTION; fails for an option that takes none. */
function valuesFunction(fn: string, command: CommandSpec): string[] {
  const cases = command.options.flatMap((option) => (option.value === undefined ? [] : [`    ${names(option)}) ${valueAction(option.value, fn)} ;;`]));
  return [`${fn}_values_${command.name ?? 'main'}() {`, '  case $1 in', ...cases, '    *) return 1 ;;', '  esac', '}'];
}

function optionWords(command: CommandSpec): string {
  return command.options.flatMap((option) => [option.short, option.long].filter((name) => name !== undefined)).join(' ');
}

/** What a word that is no option completes to. */
function operandAction(operands: ValueSpec, fn: string, subcommands: string): string {
  if (operands.kind === 'text') return `(( COMP_CWORD == 1 )) && ${fn}_words "$cur" ${subcommands}`;
  return valueAction(operands, fn).replace('"$2"', '"$cur"');
}

export function bashScript(spec: CompletionSpec): string {
  const fn = `_${spec.program.replace(/[^A-Za-z0-9_]/g, '_')}`;
  const commands = [spec.main, ...spec.commands];
  const subcommands = spec.commands.map((command) => command.name).join(' ');
  // mailv's own options last: its case is the catch-all.
  const perCommand = [...spec.commands, spec.main].flatMap((command) => {
    const key = command.name ?? 'main';
    return [
      `    ${command.name ?? '*'})`,
      `      if ${fn}_values_${key} "$option" "$cur"; then :`,
      `      elif [[ $cur == -* ]]; then ${fn}_words "$cur" ${optionWords(command)}`,
      `      else ${operandAction(command.operands, fn, subcommands)}`,
      '      fi',
      '      ;;',
    ];
  });
  return [
    `# bash completion for ${spec.program}, written by \`${spec.program} completion bash\`. Load it with`,
    `#   source <(${spec.program} completion bash)`,
    `# in ~/.bashrc, or save it as ~/.local/share/bash-completion/completions/${spec.program}.`,
    '',
    `${fn}_words() {`,
    '  local cur=$1',
    '  shift',
    `  mapfile -t COMPREPLY < <(compgen -W "$*" -- "$cur")`,
    '}',
    '',
    `${fn}_files() {`,
    '  compopt -o filenames 2>/dev/null',
    `  mapfile -t COMPREPLY < <(compgen -f -- "$1")`,
    '}',
    '',
    `${fn}_commands() {`,
    `  mapfile -t COMPREPLY < <(compgen -c -- "$1")`,
    '}',
    '',
    '# The account names of the configuration file the command line names with --config, else of the',
    '# default one, as mailv itself lists them.',
    `${fn}_accounts() {`,
    '  local i config=',
    '  for ((i = 1; i < COMP_CWORD; i++)); do',
    '    case ${COMP_WORDS[i]} in',
    '      --config) config=${COMP_WORDS[i + 1]}',
    '        [[ $config == = ]] && config=${COMP_WORDS[i + 2]} ;;',
    '      --config=*) config=${COMP_WORDS[i]#--config=} ;;',
    '    esac',
    '  done',
    '  # As typed: quoted in whole or in part, or its spaces escaped, from ~ or $HOME. Never evaluated:',
    '  # the line may hold anything.',
    '  config=${config//[\\"\\\']/}',
    '  config=${config//\\\\/}',
    '  case $config in',
    '    "~/"*) config=$HOME/${config#"~/"} ;;',
    "    '$HOME/'*) config=$HOME/${config#'$HOME/'} ;;",
    "    '${HOME}/'*) config=$HOME/${config#'${HOME}/'} ;;",
    '  esac',
    '  local program=${COMP_WORDS[0]}',
    '  [[ $program == "~/"* ]] && program=$HOME/${program#"~/"}',
    '  "$program" completion accounts ${config:+"--config=$config"} 2>/dev/null',
    '}',
    '',
    ...commands.flatMap((command) => [...valuesFunction(fn, command), '']),
    `${fn}() {`,
    "  local IFS=$'\\n' cur=${COMP_WORDS[COMP_CWORD]} prev= option= prefix=",
    '  (( COMP_CWORD > 0 )) && prev=${COMP_WORDS[COMP_CWORD - 1]}',
    '  COMPREPLY=()',
    '  if [[ $cur == = ]]; then',
    '    # `--tls=`, split at `=` by COMP_WORDBREAKS: the value starts empty after it.',
    '    option=$prev cur=',
    '  elif [[ $prev == = ]] && (( COMP_CWORD > 1 )); then',
    '    option=${COMP_WORDS[COMP_CWORD - 2]}',
    '  elif [[ $cur == --*=* ]]; then',
    '    # `--tls=re` as one word: the completions replace it whole, so they keep the option.',
    '    option=${cur%%=*} prefix=${cur%%=*}= cur=${cur#*=}',
    '  else',
    '    option=$prev',
    '  fi',
    '  local command=',
    '  (( COMP_CWORD > 1 )) && command=${COMP_WORDS[1]}',
    '  case $command in',
    ...perCommand,
    '  esac',
    '  [[ -n $prefix ]] && COMPREPLY=("${COMPREPLY[@]/#/$prefix}")',
    '  return 0',
    '}',
    '',
    `complete -F ${fn} ${spec.program}`,
    '',
  ].join('\n');
}
