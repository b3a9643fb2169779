import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseCommandLine } from '../../dist/cli/program.js';
import { skipUnlessRunning } from '../helpers/service.js';

const GROFF_FOUND = spawnSync('groff', ['-v'], { stdio: 'ignore' }).status === 0;

describe('man page', () => {
  // man in the C locale renders through groff -Tascii: a glyph that device lacks is a warning, and
  // a gap or a question mark in the page; a line that cannot break overflows the terminal.
  it('renders without a warning for an ASCII terminal and a UTF-8 one', { skip: skipUnlessRunning(GROFF_FOUND, 'groff', 'apt-get install groff-base') }, () => {
    for (const page of ['mailv.1', 'mailv-sendmail.1']) {
      for (const device of ['ascii', 'utf8']) {
        const path = fileURLToPath(new URL(`../../man/${page}`, import.meta.url));
        const rendered = spawnSync('groff', ['-k', '-man', '-ww', '-z', `-T${device}`, path], { encoding: 'utf8' });
        assert.equal(rendered.status, 0);
        assert.equal(rendered.stderr, '', `${page} for ${device}`);
      }
    }
  });

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
