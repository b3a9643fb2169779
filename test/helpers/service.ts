// Tests that need a real service or tool (Postfix, dnsmasq, /usr/bin/time) fail in CI when it is
// missing, and are skipped elsewhere, saying why: never a test that returns early and passes having
// checked nothing (test/unit/test-sources.test.ts looks for those).

/** undefined when `available`; else the skip reason (outside CI) or an error (in CI). */
export function skipUnlessRunning(available: boolean, service: string, hint: string): string | undefined {
  if (available) return undefined;
  const reason = `${service} (start it with: ${hint})`;
  if (process.env['CI'] === 'true') throw new Error(`${reason}; CI must run these tests`);
  process.stderr.write(`# skipping: ${reason}\n`);
  return reason;
}
