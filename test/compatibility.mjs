// Runs the scenario matrix (test/integration/server-matrix.test.ts) against every mail server of
// test/helpers/servers/ and prints the compatibility table it writes, test-artifacts/compatibility.md.
// `npm run compatibility` builds first; the test runner's own report goes to standard error.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const matrix = fileURLToPath(new URL('../dist-test/integration/server-matrix.test.js', import.meta.url));
const table = fileURLToPath(new URL('../test-artifacts/compatibility.md', import.meta.url));

const run = spawnSync(process.execPath, ['--test', '--test-reporter=dot', matrix], { stdio: ['ignore', process.stderr, 'inherit'] });
process.stdout.write(readFileSync(table, 'utf8'));
process.exitCode = run.status ?? 1;
