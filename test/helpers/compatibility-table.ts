// The compatibility table the scenario matrix writes after its run: one column per server (name and
// version), one row per scenario, each cell passed, failed or not offered (the server does not
// offer what the scenario needs, and a test saw that it does not).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Outcome = 'passed' | 'failed' | 'not offered';

export interface ServerColumn {
  readonly name: string;
  version: string;
  /** Why the server's scenarios did not run (it is not running), if they did not. */
  notRun: string | undefined;
  readonly outcomes: Map<string, Outcome>;
}

export const COMPATIBILITY_TABLE = fileURLToPath(new URL('../../test-artifacts/compatibility.md', import.meta.url));

export function renderTable(scenarios: readonly string[], columns: readonly ServerColumn[]): string {
  const row = (cells: readonly string[]) => `| ${cells.join(' | ')} |`;
  const heading = columns.map((column) => `${column.name} ${column.version}`.trim());
  const lines = [row(['scenario', ...heading]), row(['---', ...columns.map(() => '---')])];
  for (const scenario of scenarios) {
    lines.push(row([scenario, ...columns.map((column) => column.outcomes.get(scenario) ?? (column.notRun === undefined ? 'not run' : 'not running'))]));
  }
  return `${lines.join('\n')}\n`;
}

export function writeTable(scenarios: readonly string[], columns: readonly ServerColumn[], path = COMPATIBILITY_TABLE): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, renderTable(scenarios, columns));
}
