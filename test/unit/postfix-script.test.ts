// test/services/postfix.sh rewrites a Postfix's configuration: it must recognise the one it
// configured and refuse any other unless --force is given. Checked on main.cf files of the test's
// own, the script sourced with every command that could change the system replaced by one that
// records its call and stops: no Postfix is touched.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { skipUnlessRunning } from '../helpers/service.js';

const SCRIPT = fileURLToPath(new URL('../../test/services/postfix.sh', import.meta.url));
const MARKER = '# Configured for mailv tests by test/services/postfix.sh: loopback only, nothing leaves the machine.';

/** Debian's main.cf for a "Local only" install, as its postinst writes it. */
const DEBIAN_DEFAULT = `# See /usr/share/postfix/main.cf.dist for a commented, more complete version
smtpd_banner = $myhostname ESMTP $mail_name (Debian/GNU)
biff = no
append_dot_mydomain = no
readme_directory = no
compatibility_level = 3.6
smtpd_tls_cert_file=/etc/ssl/certs/ssl-cert-snakeoil.pem
smtpd_tls_key_file=/etc/ssl/private/ssl-cert-snakeoil.key
smtpd_tls_security_level=may
smtpd_relay_restrictions = permit_mynetworks permit_sasl_authenticated defer_unauth_destination
myhostname = mail.example.org
alias_maps = hash:/etc/aliases
alias_database = hash:/etc/aliases
myorigin = /etc/mailname
mydestination = $myhostname, localhost.example.org, localhost
relayhost =
mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128
mailbox_size_limit = 0
recipient_delimiter = +
inet_interfaces = loopback-only
default_transport = error
relay_transport = error
inet_protocols = all
`;

/** What the script wrote before it marked main.cf: Debian's file and its postconf -e settings. */
const UNMARKED_MAILV = `${DEBIAN_DEFAULT}maillog_file = /var/log/postfix-mailv.log
smtputf8_enable = yes
home_mailbox = Maildir/
transport_maps = hash:/etc/postfix/mailv_transport
message_size_limit = 209715200
`;

const directory = mkdtempSync(join(tmpdir(), 'mailv-postfix-script-'));
after(() => rmSync(directory, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(directory, name);
  writeFileSync(path, content);
  return path;
}

/** Commands that install, configure, start or stop anything: each records its call and exits 99. */
const STUBBED = [
  'postconf',
  'postfix',
  'postmap',
  'newaliases',
  'useradd',
  'install',
  'apt-get',
  'apt_install',
  'debconf-set-selections',
  'dpkg-query',
  'hostname',
  'id',
];

/** Sources the script, points it at `mainCf`, and runs `shell` with the stubs in place. */
function withScript(mainCf: string, shell: string) {
  const calls = join(directory, 'calls');
  rmSync(calls, { force: true });
  const stubs = STUBBED.map((name) => `${name}() { printf '%s\\n' "${name} $*" >>"$CALLS"; exit 99; }`).join('\n');
  const run = spawnSync('bash', ['--norc', '-c', `source "$SCRIPT"\n${stubs}\nMAIN_CF=$TARGET\n${shell}`], {
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', SCRIPT, TARGET: mainCf, CALLS: calls },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr, calls: existsSync(calls) ? readFileSync(calls, 'utf8') : '' };
}

function isOurs(mainCf: string): boolean {
  const run = withScript(mainCf, 'configured_by_this_script "$MAIN_CF"');
  assert.equal(run.calls, '', 'the check runs nothing');
  return run.code === 0;
}

describe('test/services/postfix.sh and a Postfix it did not configure', () => {
  it('recognises its own main.cf: none yet, marked, or written before the marker', () => {
    assert.equal(isOurs(join(directory, 'absent.cf')), true, 'a fresh machine: no main.cf');
    assert.equal(isOurs(file('marked.cf', `${DEBIAN_DEFAULT}\n${MARKER}\n`)), true, 'Debian default marked after the script installed it');
    assert.equal(isOurs(file('unmarked.cf', UNMARKED_MAILV)), true, 'configured by the script before it wrote the marker');
  });

  it('takes no other main.cf for its own', () => {
    assert.equal(isOurs(file('debian.cf', DEBIAN_DEFAULT)), false, "Debian's default, someone else's");
    assert.equal(isOurs(file('half.cf', `${DEBIAN_DEFAULT}transport_maps = hash:/etc/postfix/mailv_transport\n`)), false, 'one of the two settings only');
    assert.equal(isOurs(file('quoted.cf', `${DEBIAN_DEFAULT}# not ${MARKER}\n`)), false, 'the marker inside another comment');
  });

  // Where the script has run (its transport map is there), a re-run, as in CI, must go on.
  const configuredHere = existsSync('/etc/postfix/main.cf') && existsSync('/etc/postfix/mailv_transport');
  it("recognises this machine's Postfix, which it configured", {
    skip: skipUnlessRunning(configuredHere, 'the script has not configured a Postfix here', 'sudo test/services/postfix.sh start'),
  }, () => {
    assert.equal(isOurs(file('copy.cf', readFileSync('/etc/postfix/main.cf', 'utf8'))), true);
  });

  it('start and stop refuse a Postfix it did not configure, in one line, touching nothing', () => {
    const foreign = file('foreign.cf', DEBIAN_DEFAULT);
    for (const [command, action] of [
      ['start', 'configure'],
      ['stop', 'stop'],
    ]) {
      const run = withScript(foreign, `main ${command}`);
      assert.equal(run.code, 1, run.stderr);
      assert.equal(
        run.stderr,
        `postfix.sh: error: ${foreign} was not written by this script: refusing to ${action} a Postfix that may serve real mail (start makes it loopback only, refuses all other mail with default_transport = error, turns the chroot off and adds user mailtest); use a machine kept for tests, or give --force\n`,
      );
      assert.equal(run.calls, '');
      assert.equal(readFileSync(foreign, 'utf8'), DEBIAN_DEFAULT);
    }
  });

  it('--force, its own main.cf or none go on past the check', () => {
    const forced = withScript(file('forced.cf', DEBIAN_DEFAULT), 'main start --force');
    assert.equal(forced.code, 99, forced.stderr);
    assert.match(forced.stdout, /^postfix\.sh: --force: configure a Postfix this script did not configure \(.*forced\.cf\)$/m);
    assert.notEqual(forced.calls, '');
    for (const mainCf of [join(directory, 'none.cf'), file('ours.cf', UNMARKED_MAILV)]) {
      const run = withScript(mainCf, 'main start');
      assert.equal(run.code, 99, run.stderr);
      assert.doesNotMatch(run.stderr, /refusing/);
      assert.notEqual(run.calls, '');
    }
  });

  it('says how it is used when given anything else', () => {
    for (const args of ['start --forced', 'status --force', 'start --force --force', '']) {
      const run = withScript(join(directory, 'none.cf'), `main ${args}`);
      assert.equal(run.code, 2, args);
      assert.match(run.stderr, /^usage: .* start \[--force\] \| stop \[--force\] \| status\n$/);
      assert.equal(run.calls, '');
    }
  });
});
