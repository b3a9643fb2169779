// The names in brackets of a usage line or an option's flags (`<text>`, `[recipients...]`), put in
// the words' language: --help shows them so, and so do the errors that quote an option's flags.
import type { HelpWords } from './help-words.js';

/** `<name>` and `[name]` in `text`, each name as `help` says it. */
export function placeholdersIn(text: string, help: Pick<HelpWords, 'placeholder'>): string {
  return text.replace(/([<[])([^<>[\]]+)([>\]])/g, (_, open: string, name: string, close: string) => `${open}${help.placeholder(name)}${close}`);
}
