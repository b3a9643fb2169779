#!/usr/bin/env node
// Launcher. `--version` is answered without loading the program; everything else runs the
// bundled CLI (one file to parse instead of dozens to resolve: start-up is most of a run).
import { readFileSync } from 'node:fs';

const args = process.argv.slice(2);
if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
  const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8'));
  process.stdout.write(`${version}\n`);
} else {
  const { main } = await import('../dist/bundle/run.js');
  process.exitCode = await main(args);
}
