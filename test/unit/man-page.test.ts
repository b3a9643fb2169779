import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { parseCommandLine } from '../../dist/cli/program.js';

describe('man page', () => {
  it('documents every long option that --help lists', () => {
    const help = parseCommandLine(['--help'], '0') as { kind: 'exit'; output: string };
    const options = [...new Set(help.output.match(/--[a-z][a-z0-9-]+/g))];
    assert.ok(options.length > 15);
    const page = readFileSync(new URL('../../man/mailv.1', import.meta.url), 'utf8').replace(/\\-/g, '-');
    for (const option of options) assert.ok(page.includes(option), `man/mailv.1 lacks ${option}`);
  });

  // The exit statuses are checked against the one table in exit-statuses.test.ts.
  it('documents every environment variable mailv reads', () => {
    const page = readFileSync(new URL('../../man/mailv.1', import.meta.url), 'utf8');
    const environment = page.slice(page.indexOf('.SH ENVIRONMENT'), page.indexOf('.SH FILES'));
    for (const variable of [
      'MAILV_SERVER',
      'MAILV_PASSWORD',
      'XDG_CONFIG_HOME',
      'USER',
      'LOGNAME',
      'HOME',
      'DEAD',
      'TMPDIR',
      'NO_COLOR',
      'FORCE_COLOR',
      'TERM',
    ]) {
      assert.match(environment, new RegExp(`^\\.TP\\n\\.BR? (?:.*[ "])?${variable}\\b`, 'm'), variable);
    }
  });

  it('has a SECURITY section, and names the configuration file under FILES', () => {
    const page = readFileSync(new URL('../../man/mailv.1', import.meta.url), 'utf8');
    assert.match(page, /^\.SH SECURITY$/m);
    const files = page.slice(page.indexOf('.SH FILES'), page.indexOf('.SH EXIT STATUS'));
    assert.match(files, /^\.TP\n\.BR? .*mailv\/config/m, 'FILES lacks mailv/config');
  });
});
