// parseCommandLine registers only the options a command line names (and those that set a value by
// being registered). Whatever the command line, it must mean what it means to the whole program:
// the same options and recipients, or the same refusal, help and version.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Command, type Option } from 'commander';
import { mailvProgram, parseCommandLine } from '../../dist/cli/program.js';

/** What a parse ended with, comparable: its result, or the class and fact of what it threw. */
function outcome(argv: readonly string[], registered: 'named' | 'all'): unknown {
  try {
    return parseCommandLine(argv, '1.2.3', undefined, registered);
  } catch (error) {
    const { name, fact } = error as { name: string; fact?: unknown };
    return { threw: name, fact: fact ?? String(error) };
  }
}

/** mulberry32: the same command lines on every run. */
function randomFrom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const OPTIONS: readonly Option[] = mailvProgram('1.2.3').options as Option[];
/** Values that are values, values that look like options, and choices right and wrong. */
const VALUES = ['x', 'bob@example.org', '127.0.0.1:2525', '3', '-q', '--dry-run', '-', '', 'Subject: hi', 'auto', 'bdat', 'fr', 'wrong'];
const LOOSE = ['bob@example.org', 'alice', '-', '--', '-qv', '-tE', '-46', '-x', '--sbject', '--no-such', '-h', '--help', '-V', '--version', '-vvv'];
/** Negative numbers: operands to commander unless a digit names an option (-4, -6), as in mailv. */
const NUMBERS = ['-1', '-5', '-1.5', '-.5', '-1e3', '-01', '-q5'];

function commandLine(random: () => number): string[] {
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const argv: string[] = [];
  const length = Math.floor(random() * 7);
  for (let index = 0; index < length; index++) {
    if (random() < 0.3) {
      argv.push(pick(random() < 0.25 ? NUMBERS : LOOSE));
      continue;
    }
    const option = pick(OPTIONS);
    const takesValue = option.required || option.optional;
    const value = option.argChoices && random() < 0.7 ? pick(option.argChoices) : pick(VALUES);
    const short = option.short !== undefined && random() < 0.5;
    const flag = short ? option.short! : option.long!;
    if (!takesValue) argv.push(flag);
    else if (random() < 0.6) argv.push(flag, value);
    else if (short) argv.push(`${flag}${value}`);
    else argv.push(`${flag}=${value}`);
  }
  return argv;
}

describe('the command line, parsed with the options it names', () => {
  it('means what it means to the whole program: 3,000 command lines, options, values and mistakes mixed', () => {
    const random = randomFrom(20261205);
    const lines = [[], ...Array.from({ length: 3000 }, () => commandLine(random))];
    let refused = 0;
    for (const argv of lines) {
      const whole = outcome(argv, 'all');
      if (typeof whole === 'object' && whole !== null && 'threw' in whole) refused++;
      assert.deepEqual(outcome(argv, 'named'), whole, JSON.stringify(argv));
    }
    // Both kinds are met in numbers: what parses, and what is refused.
    assert.ok(refused > 300 && refused < lines.length - 300, `${refused} refused of ${lines.length}`);
  });

  it('means the same with no option at all: every default set by registering an option is there', () => {
    assert.deepEqual(parseCommandLine(['bob@example.org'], '1.2.3'), parseCommandLine(['bob@example.org'], '1.2.3', undefined, 'all'));
  });

  it('is what parseCommandLine does: a plain command line registers a handful of options, not all of them', () => {
    const added: string[] = [];
    const addOption = Object.getOwnPropertyDescriptor(Command.prototype, 'addOption')!;
    Command.prototype.addOption = function (this: Command, option: Option) {
      added.push(option.flags);
      return (addOption.value as (option: Option) => Command).call(this, option);
    };
    try {
      assert.equal(parseCommandLine(['-s', 'Hi', 'bob@example.org'], '1.2.3').kind, 'run');
    } finally {
      Object.defineProperty(Command.prototype, 'addOption', addOption);
    }
    assert.ok(added.includes('-s, --subject <text>'), added.join(', '));
    assert.ok(added.length < 15 && added.length < OPTIONS.length / 4, `${added.length} options registered: ${added.join(', ')}`);
  });

  it('registers the options named, those that change a parse by being registered, and the version', () => {
    const program = mailvProgram('1.2.3', undefined, ['-qs', 'Hi', '--server=127.0.0.1', 'bob@example.org', '--', '--dry-run']);
    assert.deepEqual(
      program.options.map((option) => option.flags),
      [
        '-s, --subject <text>',
        '--server <url>',
        '--no-tls-resume',
        '--no-pipeconnect',
        '-4, --ipv4',
        '-6, --ipv6',
        '-v, --verbose',
        '-q, --quiet',
        '--color',
        '--no-color',
        '-V, --version',
      ],
    );
  });
});
