// --help in French: every option and command of the English help, each described in French, under
// commander's headings in French; the flags and their values as typed, in every language.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCommandLine, parseCompletionCommandLine, parseReplayCommandLine } from '../../dist/cli/program.js';
import { en } from '../../dist/words/en/index.js';
import { fr } from '../../dist/words/fr/index.js';

type Parse = (help: typeof en.help) => { kind: string; output?: string };

const COMMANDS: readonly [name: string, parse: Parse][] = [
  ['mailv', (help) => parseCommandLine(['--help'], '0', help)],
  ['mailv replay', (help) => parseReplayCommandLine(['--help'], help)],
  ['mailv completion', (help) => parseCompletionCommandLine(['--help'], help)],
];

function helpText(parse: Parse, help: typeof en.help): string {
  const parsed = parse(help);
  assert.equal(parsed.kind, 'exit');
  return parsed.output!;
}

/** Each option's line: its flags, then its description joined over the lines it wraps to. */
function optionDescriptions(text: string): Map<string, string> {
  const described = new Map<string, string>();
  let current: string | undefined;
  const start = text.search(/^Options ?:$/m);
  for (const line of text.slice(start).split('\n').slice(1)) {
    if (line === '') break;
    const flags = /^ {2}(-\S.*?) {2,}(.*)$/.exec(line);
    if (flags) {
      current = flags[1]!;
      described.set(current, flags[2]!);
    } else if (current !== undefined) described.set(current, `${described.get(current)} ${line.trim()}`);
  }
  return described;
}

describe('--help in French', () => {
  for (const [name, parse] of COMMANDS) {
    it(`${name}: the same options as in English, in the same order, each described in French`, () => {
      // The flags alike; the names of their values (`<text>`, `<texte>`) are words of each language.
      const flagsOnly = (described: Map<string, string>) => new Map([...described].map(([flags, description]) => [flags.replace(/ [<[].*$/, ''), description]));
      const english = flagsOnly(optionDescriptions(helpText(parse, en.help)));
      const french = flagsOnly(optionDescriptions(helpText(parse, fr.help)));
      assert.ok(english.size >= 2, name);
      assert.deepEqual([...french.keys()], [...english.keys()]);
      for (const [flags, description] of english) assert.notEqual(french.get(flags), description, `${flags}: not translated`);
    });

    it(`${name}: the command's description and its arguments' in French`, () => {
      const paragraphs = (text: string) => {
        const [, description = '', ...rest] = text.split('\n\n');
        const argumentsSection = rest.find((section) => /^Arguments ?:/.test(section)) ?? '';
        return { description, argumentsSection: argumentsSection.replace(/^Arguments ?:/, '') };
      };
      const english = paragraphs(helpText(parse, en.help));
      const french = paragraphs(helpText(parse, fr.help));
      assert.ok(english.description.length > 20 && english.argumentsSection.length > 10, name);
      assert.notEqual(french.description, english.description);
      // The argument's name is a word too (recipients, destinataires); its description is French.
      const descriptionOf = (section: string) => section.replace(/^\s+\S+\s+/, '').replace(/\s+/g, ' ');
      assert.notEqual(descriptionOf(french.argumentsSection), descriptionOf(english.argumentsSection));
    });

    it(`${name}: commander's headings and the list of choices in French`, () => {
      const text = helpText(parse, fr.help);
      assert.match(text, /^Utilisation : mailv/);
      assert.match(text, /^Options :$/m);
      assert.doesNotMatch(text, /^(Usage|Options|Arguments|Commands|Examples):/m);
      assert.doesNotMatch(text, /\(choices:/);
    });
  }

  it('the choices of an option are listed after its description, in the words of the language', () => {
    const english = optionDescriptions(helpText(COMMANDS[0]![1], en.help)).get('--ret <what>');
    const french = optionDescriptions(helpText(COMMANDS[0]![1], fr.help)).get('--ret <quoi>');
    assert.match(english!, /\(choices: "full", "hdrs"\)$/);
    assert.match(french!, /\(au choix : full, hdrs\)$/);
  });
});
