// How each kind of transcript line looks: one function per kind, coloured only when a colour
// level above 0 was decided for the output (see cli/terminal.ts).
import type { ChalkInstance } from 'chalk';

export interface Style {
  client(text: string): string;
  reply(code: number, text: string): string;
  note(text: string): string;
  warning(text: string): string;
}

export const plainStyle: Style = {
  client: (text) => text,
  reply: (_code, text) => text,
  note: (text) => text,
  warning: (text) => text,
};

export function colourStyle(chalk: ChalkInstance): Style {
  const byClass = [chalk.green, chalk.blue, chalk.yellow, chalk.red];
  return {
    client: (text) => chalk.cyan(text),
    reply: (code, text) => (byClass[Math.floor(code / 100) - 2] ?? chalk.red)(text),
    note: (text) => chalk.dim(text),
    warning: (text) => chalk.yellow(text),
  };
}
