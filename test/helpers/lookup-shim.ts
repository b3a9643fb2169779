// A module for `node --require` that makes the system's resolver answer for a few names alone, as a
// test asks: an address, or EAI_AGAIN (a lookup that failed for now). No query leaves the machine
// for them; any other name goes to the usual lookup.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshHome } from './cli.js';

/** Writes the module and returns its path; `answers`: a name and the IPv4 address it gives, or 'EAI_AGAIN'. */
export function lookupShim(answers: Readonly<Record<string, string>>): string {
  const path = join(freshHome(), 'lookup-shim.cjs');
  writeFileSync(
    path,
    [
      "const dns = require('node:dns');",
      `const answers = ${JSON.stringify(answers)};`,
      'const lookup = dns.lookup;',
      'dns.lookup = function (host, options, callback) {',
      '  if (!Object.hasOwn(answers, host)) return lookup.apply(this, arguments);',
      "  const done = typeof options === 'function' ? options : callback;",
      "  const all = typeof options === 'object' && options !== null && options.all;",
      '  const answer = answers[host];',
      "  if (answer === 'EAI_AGAIN')",
      "    return process.nextTick(() => done(Object.assign(new Error('getaddrinfo EAI_AGAIN ' + host), { code: 'EAI_AGAIN', hostname: host })));",
      '  process.nextTick(() => (all ? done(null, [{ address: answer, family: 4 }]) : done(null, answer, 4)));',
      '};',
      '',
    ].join('\n'),
  );
  return path;
}
