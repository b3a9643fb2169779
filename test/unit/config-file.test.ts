import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { defaultConfigPath, parseConfig, selectAccount, type ConfigFile } from '../../dist/config/config-file.js';
import { loadConfig, MAX_CONFIG_OCTETS } from '../../dist/config/load-config.js';
import { ConfigError } from '../../dist/errors.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';
import { skipUnlessRunning } from '../helpers/service.js';

const en = wordsFor('en');
const fr = wordsFor('fr');

const PATH = '/home/alice/.config/mailv/config';
const HOME = '/home/alice';

function parse(text: string): ConfigFile {
  return parseConfig(text, PATH, HOME);
}

/** Asserts that parsing fails with exactly this one-line message, and this one in French when given. */
function refuses(text: string, message: string, french?: string): void {
  assert.throws(
    () => parse(text),
    (error: unknown) => {
      assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
      assert.equal(describeError(error, en), message);
      if (french !== undefined) assert.equal(describeError(error, fr), french);
      return true;
    },
  );
}

describe('config keys', () => {
  it('reads every key into its setting', () => {
    const config = parse(
      [
        'server = smtp.example.org:587',
        'tls = required',
        'ca = /etc/ssl/private-ca.pem',
        'insecure = no',
        'user = alice',
        'auth = plain',
        'password = s3cret',
        'from = Alice <alice@example.org>',
        'helo = laptop.example.org',
        'timeout = 2.5',
        'tls-cert = ~/certs/me.pem',
        'tls-key = /etc/mailv/me.key',
        '[account cmd]',
        'password-cmd = pass show mail',
        '[account file]',
        'password-file = /run/secrets/mail',
      ].join('\n'),
    );
    assert.deepEqual(config.defaults, {
      server: 'smtp.example.org:587',
      tls: 'required',
      ca: '/etc/ssl/private-ca.pem',
      insecure: false,
      user: 'alice',
      auth: 'PLAIN',
      password: 's3cret',
      from: 'Alice <alice@example.org>',
      helo: 'laptop.example.org',
      timeoutMs: 2500,
      tlsCert: '/home/alice/certs/me.pem',
      tlsKey: '/etc/mailv/me.key',
    });
    assert.deepEqual(config.accounts.get('cmd'), { passwordCmd: 'pass show mail' });
    assert.deepEqual(config.accounts.get('file'), { passwordFile: '/run/secrets/mail' });
    assert.equal(config.path, PATH);
  });

  it('takes an empty file as no settings at all', () => {
    const config = parse('');
    assert.deepEqual(config.defaults, {});
    assert.equal(config.accounts.size, 0);
    assert.equal(config.holdsPassword, false);
  });

  it('accepts each tls mode, in any case', () => {
    for (const mode of ['auto', 'required', 'off'] as const) {
      assert.equal(parse(`tls = ${mode}`).defaults.tls, mode);
      assert.equal(parse(`tls = ${mode.toUpperCase()}`).defaults.tls, mode);
    }
  });

  it('accepts the words of insecure, in any case', () => {
    for (const word of ['yes', 'true', 'on', '1', 'YES', 'True']) assert.equal(parse(`insecure = ${word}`).defaults.insecure, true, word);
    for (const word of ['no', 'false', 'off', '0', 'No', 'FALSE']) assert.equal(parse(`insecure = ${word}`).defaults.insecure, false, word);
  });

  it('upper-cases each known auth mechanism', () => {
    for (const mechanism of ['SCRAM-SHA-256', 'CRAM-MD5', 'PLAIN', 'LOGIN', 'XOAUTH2']) {
      assert.equal(parse(`auth = ${mechanism.toLowerCase()}`).defaults.auth, mechanism);
      assert.equal(parse(`auth = ${mechanism}`).defaults.auth, mechanism);
    }
    assert.equal(parse('auth = Cram-Md5').defaults.auth, 'CRAM-MD5');
  });

  it('expands ~/ to the home directory in ca and password-file only', () => {
    const config = parse(['ca = ~/certs/ca.pem', 'password-file = ~/.mail-password', 'user = ~/x', '[account cmd]', 'password-cmd = ~/bin/secret'].join('\n'));
    assert.equal(config.defaults.ca, '/home/alice/certs/ca.pem');
    assert.equal(config.defaults.passwordFile, '/home/alice/.mail-password');
    assert.equal(config.accounts.get('cmd')?.passwordCmd, '~/bin/secret');
    assert.equal(config.defaults.user, '~/x');
  });

  it('leaves other paths as written: ~user/, a lone ~, relative paths', () => {
    assert.equal(parse('ca = ~bob/ca.pem').defaults.ca, '~bob/ca.pem');
    assert.equal(parse('ca = ~').defaults.ca, '~');
    assert.equal(parse('password-file = secrets/mail').defaults.passwordFile, 'secrets/mail');
  });
});

describe('config values', () => {
  it('trims values and keys, with or without spaces around =', () => {
    assert.deepEqual(parse('  user=alice  \n\tfrom\t =\t a@example.org\t').defaults, { user: 'alice', from: 'a@example.org' });
  });

  it('keeps # and = inside a value', () => {
    assert.equal(parse('password = a#b = c').defaults.password, 'a#b = c');
    assert.equal(parse('password = #secret').defaults.password, '#secret');
    assert.equal(parse('password==x').defaults.password, '=x');
  });

  it('keeps the spaces of a quoted value, and \\" and \\\\ as escapes', () => {
    assert.equal(parse('password = "  two spaces  "').defaults.password, '  two spaces  ');
    assert.equal(parse('password = "say \\"hi\\""').defaults.password, 'say "hi"');
    assert.equal(parse('password = "back\\\\slash"').defaults.password, 'back\\slash');
    assert.equal(parse('password = "#not a comment"').defaults.password, '#not a comment');
    assert.equal(parse('password = "="').defaults.password, '=');
  });

  it('takes quotes and backslashes literally in a value that does not start with a quote', () => {
    assert.equal(parse('password = a"b\\n"').defaults.password, 'a"b\\n"');
    assert.equal(parse('from = Alice "A" <a@example.org>').defaults.from, 'Alice "A" <a@example.org>');
  });

  it('refuses broken quoted values without showing them', () => {
    refuses('password = "abc', `${PATH}:1: a quoted value lacks its closing quote`, `${PATH}:1 : il manque le guillemet fermant d’une valeur entre guillemets`);
    refuses('password = "abc\\"', `${PATH}:1: a quoted value lacks its closing quote`);
    refuses('\npassword = "abc" def', `${PATH}:2: text after the closing quote`);
    refuses('password = "a""b"', `${PATH}:1: text after the closing quote`);
    refuses(
      'password = "a\\nb"',
      `${PATH}:1: in a quoted value, \\ escapes only " and \\`,
      `${PATH}:1 : dans une valeur entre guillemets, \\ n’échappe que " et \\`,
    );
    refuses('password = "a\\', `${PATH}:1: in a quoted value, \\ escapes only " and \\`);
  });

  it('refuses an empty value, quoted or not', () => {
    refuses('server =', `${PATH}:1: "server" has no value`);
    refuses('user =   ', `${PATH}:1: "user" has no value`);
    refuses('\n\npassword = ""', `${PATH}:3: "password" has no value`);
  });

  it('refuses bad tls, insecure and auth values without quoting them', () => {
    refuses('tls = starttls', `${PATH}:1: invalid tls: auto, required or off`, `${PATH}:1 : tls invalide : auto, required ou off`);
    refuses(
      'insecure = maybe',
      `${PATH}:1: invalid insecure: yes, no, true, false, on, off, 1 or 0`,
      `${PATH}:1 : insecure invalide : yes, no, true, false, on, off, 1 ou 0`,
    );
    refuses('insecure = 2', `${PATH}:1: invalid insecure: yes, no, true, false, on, off, 1 or 0`);
    refuses(
      'auth = digest-md5',
      `${PATH}:1: unknown auth mechanism: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN, XOAUTH2`,
      `${PATH}:1 : mécanisme auth inconnu (mailv connaît SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN, XOAUTH2)`,
    );
    refuses('auth = SCRAM-SHA-1', `${PATH}:1: unknown auth mechanism: SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN, XOAUTH2`);
  });

  it('checks server, helo, from and user as the flags do, as mistakes of the file', () => {
    refuses(
      '\nserver = mail example org',
      `${PATH}:2: invalid server: expected smtp://host[:port], smtps://host[:port], lmtp://host[:port], host[:port], [ipv6-address][:port], unix:/path or lmtp:/path`,
    );
    refuses(
      'server = http://mail.example.org',
      `${PATH}:1: invalid server: the scheme must be smtp://, smtps:// or lmtp:// (or unix: and lmtp: before a path)`,
      `${PATH}:1 : server invalide : le schéma doit être smtp://, smtps:// ou lmtp:// (ou unix: et lmtp: devant un chemin)`,
    );
    refuses('server = mail.example.org:70000', `${PATH}:1: invalid server: the port is out of range (1 to 65535)`);
    refuses(
      '[account a]\nhelo = bad_name!',
      `${PATH}:2: invalid helo: a domain name or an address literal`,
      `${PATH}:2 : helo invalide : il faut un nom de domaine ou une adresse littérale`,
    );
    // An address literal is a valid address (RFC 5321 §4.1.3): no octet past 255.
    refuses('helo = [300.1.1.1]', `${PATH}:1: invalid helo: a domain name or an address literal`);
    refuses('helo = [IPv6:1.2.3.4]', `${PATH}:1: invalid helo: a domain name or an address literal`);
    refuses(
      'timeout = 0',
      `${PATH}:1: invalid timeout: a number of seconds above 0 (30, 2.5)`,
      `${PATH}:1 : timeout invalide : un nombre de secondes supérieur à 0 (30, 2.5)`,
    );
    for (const bad of ['-1', '1e3', '30s', 'Infinity', '.5']) refuses(`timeout = ${bad}`, `${PATH}:1: invalid timeout: a number of seconds above 0 (30, 2.5)`);
    refuses('from = alice@', `${PATH}:1: invalid from: expected an address such as alice@example.org or Alice <alice@example.org>`);
    refuses('from = a@b, c@d', `${PATH}:1: invalid from: expected an address such as alice@example.org or Alice <alice@example.org>`);
    // The value is not quoted back: a character that does not pass for what it seems is named.
    refuses(
      'from = bob\u200b@example.org',
      `${PATH}:1: invalid from: its local part holds U+200B, a character that does not show; quote the local part if it is meant`,
      `${PATH}:1 : from invalide : sa partie locale contient U+200B, un caractère qui ne se voit pas ; mettez-la entre guillemets si c’est voulu`,
    );
    refuses(
      'from = bob\uff20example.org',
      `${PATH}:1: invalid from: U+FF20 is not the @ of an address (type the ASCII @)`,
      `${PATH}:1 : from invalide : U+FF20 n’est pas l’@ d’une adresse (tapez l’@ ASCII)`,
    );
    assert.equal(parse('from = "\\"bob\u200b\\"@example.org"').defaults.from, '"bob\u200b"@example.org', 'quoted, it is meant');
    refuses(
      'user = al\x1bice',
      `${PATH}:1: invalid user: it holds a control character`,
      `${PATH}:1 : user invalide : la valeur contient un caractère de contrôle`,
    );
    assert.deepEqual(parse('server = smtps://[::1]:2465\nhelo = [192.0.2.1]\nfrom = alice\nuser = a b').defaults, {
      server: 'smtps://[::1]:2465',
      helo: '[192.0.2.1]',
      from: 'alice',
      user: 'a b',
    });
  });
});

describe('config lines', () => {
  it('skips comments, indented comments and blank lines', () => {
    const config = parse(
      ['# mailv accounts', '', '   # indented', '\t#tabbed', 'user = alice', '   ', '[account work]', '# user = nobody', 'user = bob'].join('\n'),
    );
    assert.deepEqual(config.defaults, { user: 'alice' });
    assert.deepEqual(config.accounts.get('work'), { user: 'bob' });
  });

  it('ends lines at a lone CR too, so that no line runs into the next', () => {
    const config = parse('user = alice\rpassword = s3cret\r[account work]\r\ruser = bob\r');
    assert.deepEqual(config.defaults, { user: 'alice', password: 's3cret' });
    assert.deepEqual(config.accounts.get('work'), { user: 'bob' });
    refuses('# one\r\rbogus = 3', `${PATH}:3: unknown key "bogus"`);
    refuses('a\rb\r\nc\nd = 1', `${PATH}:1: expected "key = value", a [section] header or a # comment`);
  });

  it('never quotes a value back, whatever the line ends', () => {
    for (const text of [
      'server = bad host\rpassword = hunter2',
      'tls = x\rpassword = hunter2',
      'from = @\rpassword = hunter2',
      'helo = -\rpassword = hunter2',
    ]) {
      assert.throws(
        () => parse(text),
        (error: unknown) => {
          assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
          for (const words of [en, fr]) {
            assert.match(describeError(error, words), /^\/home\/alice\/\.config\/mailv\/config:1 ?: (invalid \w+|\w+ invalide) ?: /);
            assert.doesNotMatch(describeError(error, words), /hunter2|bad host/);
          }
          assert.doesNotMatch(JSON.stringify(error.fact), /hunter2|bad host/, 'nor does the fact, which --json would carry');
          return true;
        },
      );
    }
  });

  it('reads CRLF line ends and a leading byte order mark', () => {
    const config = parse('\uFEFFuser = alice\r\n[account work]\r\nuser = bob\r\n');
    assert.deepEqual(config.defaults, { user: 'alice' });
    assert.deepEqual(config.accounts.get('work'), { user: 'bob' });
  });

  it('counts lines from 1, blank and comment lines included', () => {
    refuses('# one\n\n# three\nbogus = 4', `${PATH}:4: unknown key "bogus"`);
    refuses('a\r\nb', `${PATH}:1: expected "key = value", a [section] header or a # comment`);
  });

  it('refuses a line that is neither a setting, a header nor a comment, without quoting it', () => {
    refuses(
      'user = alice\npassword hunter2',
      `${PATH}:2: expected "key = value", a [section] header or a # comment`,
      `${PATH}:2 : il faut « clé = valeur », un en-tête [section] ou un commentaire #`,
    );
    refuses('= value', `${PATH}:1: expected "key = value", a [section] header or a # comment`);
    refuses('; not a comment here', `${PATH}:1: expected "key = value", a [section] header or a # comment`);
  });

  it('refuses unknown keys, keys being case-sensitive', () => {
    refuses('port = 587', `${PATH}:1: unknown key "port"`, `${PATH}:1 : clé inconnue « port »`);
    refuses('Server = x', `${PATH}:1: unknown key "Server"`);
    refuses('passwordFile = x', `${PATH}:1: unknown key "passwordFile"`);
    refuses('constructor = x', `${PATH}:1: unknown key "constructor"`);
    // `password: my=Secret`: what stands before = is part of the password, never quoted back; nor
    // is a line of a wrapped token (base64 ends in =), nor a name of capitals or digits no key has.
    refuses(
      'password: my=Secret',
      `${PATH}:1: unknown key, not shown: it may be part of a secret`,
      `${PATH}:1 : clé inconnue, non montrée : elle pourrait faire partie d’un secret`,
    );
    for (const line of ['S3cr3tT0kenValue==', 'Sub-mission=7', 'hunter2 = x']) refuses(line, `${PATH}:1: unknown key, not shown: it may be part of a secret`);
  });

  it('quotes a hyphenated unknown key only near a known one: a passphrase has the form of a key', () => {
    refuses('pasword-file = x', `${PATH}:1: unknown key "pasword-file"`);
    refuses('tls-certs = x', `${PATH}:1: unknown key "tls-certs"`);
    // A passphrase wrapped onto its own line at its `=`, and another tool's key far from any of mailv's.
    for (const line of ['correct-horse-battery=staple', 'tls-starttls = on']) refuses(line, `${PATH}:1: unknown key, not shown: it may be part of a secret`);
  });

  it('refuses a key given twice in one section, naming the first', () => {
    refuses('user = a\n\nuser = b', `${PATH}:3: "user" given twice in [default] (first at line 1)`);
    refuses(
      '[account work]\nhelo = a\nhelo = b',
      `${PATH}:3: "helo" given twice in [account work] (first at line 2)`,
      `${PATH}:3 : la clé « helo » apparaît deux fois dans [account work] (déjà ligne 2)`,
    );
  });

  it('lets the same key appear once in each section', () => {
    const config = parse('user = a\n[account one]\nuser = b\n[account two]\nuser = c');
    assert.deepEqual([config.defaults.user, config.accounts.get('one')?.user, config.accounts.get('two')?.user], ['a', 'b', 'c']);
  });

  it('refuses two sources of the password in one section', () => {
    refuses(
      'password = x\npassword-cmd = y',
      `${PATH}:2: "password-cmd" and "password" (line 1) both say where the password comes from: keep one`,
      `${PATH}:2 : « password-cmd » et « password » (ligne 1) disent toutes deux d’où vient le mot de passe : n’en gardez qu’une`,
    );
    refuses(
      '[account a]\npassword-file = x\nuser = u\npassword = y',
      `${PATH}:4: "password" and "password-file" (line 2) both say where the password comes from: keep one`,
    );
  });
});

describe('config sections', () => {
  it('gives lines above any header to [default]', () => {
    const config = parse('user = alice\n[account work]\nuser = bob');
    assert.deepEqual(config.defaults, { user: 'alice' });
  });

  it('reads an explicit [default], before or after accounts', () => {
    const config = parse('# top\n[account work]\nuser = bob\n[default]\nuser = alice\n[ account  home ]\nuser = carol');
    assert.deepEqual(config.defaults, { user: 'alice' });
    assert.deepEqual([...config.accounts.keys()], ['work', 'home']);
    assert.deepEqual(config.accounts.get('home'), { user: 'carol' });
  });

  it('accepts account names of letters, digits, dot, underscore and hyphen', () => {
    const config = parse('[account Work.mail_2-b]\nuser = x\n[account 7]');
    assert.deepEqual(config.accounts.get('Work.mail_2-b'), { user: 'x' });
    assert.deepEqual(config.accounts.get('7'), {});
  });

  it('keeps account names case-sensitive', () => {
    const config = parse('[account work]\n[account Work]');
    assert.deepEqual([...config.accounts.keys()], ['work', 'Work']);
  });

  it('refuses an empty or invalid account name', () => {
    refuses('[account]', `${PATH}:1: empty account name`);
    refuses('\n[account   ]', `${PATH}:2: empty account name`);
    refuses(
      '[account my work]',
      `${PATH}:1: invalid account name "my work": letters, digits, ".", "_" and "-" only`,
      `${PATH}:1 : nom de compte invalide « my work » : lettres, chiffres, « . », « _ » et « - » seulement`,
    );
    refuses('[account a/b]', `${PATH}:1: invalid account name "a/b": letters, digits, ".", "_" and "-" only`);
  });

  it('refuses unknown and unterminated headers', () => {
    refuses(
      '[server]',
      `${PATH}:1: unknown section [server]: expected [default] or [account NAME]`,
      `${PATH}:1 : section inconnue [server] : [default] ou [account NOM] attendu`,
    );
    refuses('[accounts work]', `${PATH}:1: unknown section [accounts work]: expected [default] or [account NAME]`);
    refuses('[Default]', `${PATH}:1: unknown section [Default]: expected [default] or [account NAME]`);
    refuses('[account work', `${PATH}:1: a section header ends with ]`);
    refuses('[default] # main', `${PATH}:1: a section header ends with ]`);
  });

  it('refuses a section given twice, naming the first', () => {
    refuses('[account work]\nuser = a\n[account home]\n[account work]', `${PATH}:4: duplicate section [account work] (first at line 1)`);
    refuses(
      '[default]\n[account a]\n[default]',
      `${PATH}:3: duplicate section [default] (first at line 1)`,
      `${PATH}:3 : section [default] en double (déjà ligne 1)`,
    );
  });

  it('refuses [default] after keys that already went to it', () => {
    refuses(
      '# c\nuser = a\n[default]',
      `${PATH}:3: [default] comes after keys that already belong to it (from line 2)`,
      `${PATH}:3 : [default] vient après des clés qui lui appartiennent déjà (depuis la ligne 2)`,
    );
    refuses('user = a\n[account w]\n[default]', `${PATH}:3: [default] comes after keys that already belong to it (from line 1)`);
  });

  it('accepts [default] after comments only', () => {
    assert.deepEqual(parse('# mailv\n\n[default]\nuser = a').defaults, { user: 'a' });
  });

  it('throws ConfigError with exit status 78', () => {
    try {
      parse('nonsense');
      assert.fail('no error');
    } catch (error) {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.exitCode, 78);
      for (const words of [en, fr]) assert.doesNotMatch(describeError(error, words), /\n/);
    }
  });
});

describe('holdsPassword', () => {
  it('is true for a password key in any section', () => {
    assert.equal(parse('password = x').holdsPassword, true);
    assert.equal(parse('user = a\n[account a]\n[account b]\npassword = x').holdsPassword, true);
  });

  it('is false for password-file, password-cmd, or a commented-out password', () => {
    assert.equal(parse('password-file = ~/p\n[account a]\npassword-cmd = pass mail\n# password = old').holdsPassword, false);
  });
});

describe('account selection', () => {
  const config = parse(
    [
      'server = smtp.example.org:587',
      'tls = required',
      'user = alice',
      'password-cmd = pass show mail',
      'helo = laptop.example.org',
      '[account work]',
      'server = mail.work.example:465',
      'user = alice.w',
      'insecure = yes',
      '[account home]',
      'password-file = ~/home-password',
      '[account bare]',
    ].join('\n'),
  );

  it('gives [default] alone without an account', () => {
    assert.deepEqual(selectAccount(config, undefined), config.defaults);
  });

  it('puts [default] under the account: its values win, the rest come from [default]', () => {
    assert.deepEqual(selectAccount(config, 'work'), {
      server: 'mail.work.example:465',
      tls: 'required',
      user: 'alice.w',
      passwordCmd: 'pass show mail',
      helo: 'laptop.example.org',
      insecure: true,
    });
    assert.deepEqual(selectAccount(config, 'bare'), config.defaults);
  });

  it("uses the account's own password source, not [default]'s as well", () => {
    const home = selectAccount(config, 'home');
    assert.equal(home.passwordFile, '/home/alice/home-password');
    assert.equal(home.passwordCmd, undefined);
    assert.equal('passwordCmd' in home, false);
  });

  it('gives a fresh object each time, leaving the file as parsed', () => {
    const settings = selectAccount(config, 'work');
    settings.user = 'changed';
    delete settings.server;
    assert.equal(config.accounts.get('work')?.user, 'alice.w');
    assert.equal(selectAccount(config, 'work').server, 'mail.work.example:465');
    const defaults = selectAccount(config, undefined);
    defaults.user = 'changed';
    assert.equal(config.defaults.user, 'alice');
  });

  it('marks a way to log in without a user, naming the section that holds it', () => {
    const file = parseConfig(
      ['server = a.example', 'password = x', '[account own]', 'auth = plain', '[account named]', 'user = bob', '[account key]', 'password-cmd = c'].join('\n'),
      '/c',
      '/h',
    );
    // [default]'s password, under an account that gives none of its own, is [default]'s to fix.
    assert.deepEqual(selectAccount(file, undefined).loginWithoutUser, { path: '/c', account: undefined, key: 'password' });
    assert.deepEqual(selectAccount(file, 'own').loginWithoutUser, { path: '/c', account: 'own', key: 'auth' });
    assert.deepEqual(selectAccount(file, 'key').loginWithoutUser, { path: '/c', account: 'key', key: 'password-cmd' });
    assert.equal(selectAccount(file, 'named').loginWithoutUser, undefined);
    assert.equal('loginWithoutUser' in selectAccount(config, 'work'), false);
  });

  it('refuses a tls-key without a tls-cert in the section or under it, naming the section', () => {
    const keyed = parseConfig(['tls-key = /k.pem', '[account paired]', 'tls-cert = /c.pem', '[account plain]', 'user = x'].join('\n'), '/c', '/h');
    assert.deepEqual(selectAccount(keyed, 'paired'), { tlsKey: '/k.pem', tlsCert: '/c.pem' });
    for (const account of [undefined, 'plain']) {
      assert.throws(
        () => selectAccount(keyed, account),
        (error: unknown) =>
          error instanceof ConfigError &&
          error.code === 'MAILV_CONFIG_TLS_KEY_ALONE' &&
          describeError(error, en) ===
            `/c: ${account === undefined ? '[default]' : '[account plain]'} has a tls-key but no tls-cert: the key of which certificate?`,
      );
    }
  });

  it('refuses an unknown account, naming the file and the accounts it has', () => {
    assert.throws(
      () => selectAccount(config, 'school'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(describeError(error, en), `${PATH}: no account "school": it defines work, home, bare`);
        assert.equal(describeError(error, fr), `${PATH} : pas de compte « school » : le fichier définit work, home, bare`);
        return true;
      },
    );
    assert.throws(
      () => selectAccount(config, 'Work'),
      (error: unknown) => error instanceof ConfigError && error.code === 'MAILV_CONFIG_NO_ACCOUNT',
    );
    assert.throws(
      () => selectAccount(parse('user = a'), 'work'),
      (error: unknown) => {
        assert.ok(error instanceof ConfigError);
        assert.equal(describeError(error, en), `${PATH}: no account "work": it defines none`);
        return true;
      },
    );
  });
});

describe('default config path', () => {
  it('is ~/.config/mailv/config without XDG_CONFIG_HOME', () => {
    assert.equal(defaultConfigPath({}, HOME), '/home/alice/.config/mailv/config');
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '' }, HOME), '/home/alice/.config/mailv/config');
  });

  it('follows an absolute XDG_CONFIG_HOME', () => {
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: '/srv/conf' }, HOME), '/srv/conf/mailv/config');
  });

  it('ignores a relative XDG_CONFIG_HOME, as the XDG spec asks', () => {
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: 'conf' }, HOME), '/home/alice/.config/mailv/config');
    assert.equal(defaultConfigPath({ XDG_CONFIG_HOME: './conf' }, HOME), '/home/alice/.config/mailv/config');
  });
});

describe('loading the config file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mailv-config-test-'));
  after(() => rmSync(dir, { recursive: true, force: true }));
  let count = 0;

  function file(text: string | Buffer, mode: number): string {
    const path = join(dir, `config-${++count}`);
    writeFileSync(path, text);
    chmodSync(path, mode); // explicit: the umask must not decide the mode under test
    return path;
  }

  async function loadRefused(path: string, explicit: boolean, message: string, french?: string): Promise<void> {
    await assert.rejects(loadConfig(path, explicit, HOME), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
      assert.equal(describeError(error, en), message);
      if (french !== undefined) assert.equal(describeError(error, fr), french);
      return true;
    });
  }

  it('reads a file holding a password at mode 0600 or 0400', async () => {
    for (const mode of [0o600, 0o400]) {
      const path = file('user = alice\npassword = s3cret\n[account work]\nuser = bob\n', mode);
      const config = await loadConfig(path, true, HOME);
      assert.ok(config);
      assert.equal(config.path, path);
      assert.deepEqual(config.defaults, { user: 'alice', password: 's3cret' });
      assert.deepEqual(selectAccount(config, 'work'), { user: 'bob', password: 's3cret' });
    }
  });

  it('refuses a file holding a password that group or others may read', async () => {
    for (const [mode, octal] of [
      [0o644, '0644'],
      [0o640, '0640'],
      [0o604, '0604'],
    ] as const) {
      const path = file('[account work]\npassword = s3cret\n', mode);
      await loadRefused(
        path,
        false,
        `${path}: holds a password but its mode ${octal} lets group or others read it: chmod 600 ${path}`,
        `${path} : contient un mot de passe, mais son mode ${octal} permet au groupe ou aux autres de le lire : chmod 600 ${path}`,
      );
    }
  });

  it('refuses a file group or others may write, whatever it holds: it can run commands', async () => {
    for (const [mode, octal] of [
      [0o666, '0666'],
      [0o620, '0620'],
      [0o602, '0602'],
    ] as const) {
      const path = file('user = alice\n', mode);
      await loadRefused(path, true, `${path}: its mode ${octal} lets group or others change it, and so run commands as you: chmod go-w ${path}`);
    }
  });

  // Only root can give a file away; the tests run as root in CI.
  it('refuses a file that belongs to another user (not root)', {
    skip: skipUnlessRunning(process.getuid?.() === 0, 'root (only root can give a file to another user)', 'run the tests as root, as .ci/run does'),
  }, async () => {
    const path = file('user = alice\n', 0o600);
    chownSync(path, 65534, 65534);
    await loadRefused(path, true, `${path}: belongs to user 65534, not to you: another user could run commands as you with it`);
  });

  it('shows special mode bits too', async () => {
    const path = file('password = s3cret\n', 0o1644);
    await loadRefused(path, true, `${path}: holds a password but its mode 1644 lets group or others read it: chmod 600 ${path}`);
  });

  it('accepts a readable file that holds no password', async () => {
    const path = file('user = alice\npassword-cmd = pass show mail\n', 0o644);
    const config = await loadConfig(path, true, HOME);
    assert.deepEqual(config?.defaults, { user: 'alice', passwordCmd: 'pass show mail' });
    assert.equal(config?.holdsPassword, false);
  });

  it('reports parse errors with the path and line', async () => {
    const path = file('user = alice\n\nport = 25\n', 0o600);
    await loadRefused(path, true, `${path}:3: unknown key "port"`, `${path}:3 : clé inconnue « port »`);
  });

  it('reports a parse error before the mode', async () => {
    const path = file('password = x\nbogus\n', 0o644);
    await loadRefused(path, true, `${path}:2: expected "key = value", a [section] header or a # comment`);
  });

  it('expands ~/ with the home given', async () => {
    const path = file('ca = ~/ca.pem\n', 0o600);
    assert.equal((await loadConfig(path, true, '/home/bob'))?.defaults.ca, '/home/bob/ca.pem');
  });

  it('refuses bytes that are not UTF-8, naming the line', async () => {
    const path = file(Buffer.concat([Buffer.from('user = alice\npassword = caf'), Buffer.from([0xe9]), Buffer.from('\n')]), 0o600);
    await loadRefused(path, true, `${path}:2: not UTF-8 text`, `${path}:2 : ce n’est pas du texte UTF-8`);
  });

  it('reads UTF-8 values as they are', async () => {
    const path = file('from = Zoë <zoe@example.org>\npassword = pässwörd\n', 0o600);
    const config = await loadConfig(path, true, HOME);
    assert.deepEqual(config?.defaults, { from: 'Zoë <zoe@example.org>', password: 'pässwörd' });
  });

  it('takes a missing default file as no config', async () => {
    assert.equal(await loadConfig(join(dir, 'absent'), false, HOME), undefined);
    assert.equal(await loadConfig(join(dir, 'absent-dir', 'mailv', 'config'), false, HOME), undefined);
  });

  it('takes a default path under a plain file as no config', async () => {
    const notADirectory = file('', 0o600);
    assert.equal(await loadConfig(join(notADirectory, 'mailv', 'config'), false, HOME), undefined);
  });

  it('refuses a missing file given explicitly, naming it', async () => {
    const path = join(dir, 'absent');
    await loadRefused(path, true, `${path}: no such file`, `${path} : fichier inexistant`);
  });

  it('refuses a directory, given or by default', async () => {
    const path = join(dir, 'a-directory');
    mkdirSync(path);
    await loadRefused(path, true, `${path}: is a directory`, `${path} : c’est un répertoire`);
    await loadRefused(path, false, `${path}: is a directory`);
  });

  it('refuses a file it may not read', async () => {
    const path = file('user = alice\n', 0o000);
    if (process.getuid?.() !== 0) {
      await loadRefused(path, true, `${path}: permission denied`, `${path} : permission refusée`);
      await loadRefused(path, false, `${path}: permission denied`);
      return;
    }
    // Root reads every file: the check runs in a child that has dropped to nobody. Nobody may not
    // enter the clone (made in a directory of mode 700, say): the child loads a copy of mailv.
    chmodSync(dir, 0o755);
    const copy = mkdtempSync(join(tmpdir(), 'mailv-config-code-'));
    try {
      cpSync(new URL('../../dist/', import.meta.url), copy, { recursive: true, filter: (source) => !/[/]bundle$/.test(source) });
      writeFileSync(join(copy, 'package.json'), '{"type":"module"}\n');
      execFileSync('chmod', ['-R', 'a+rX', copy]);
      const loader = new URL(`file://${join(copy, 'config', 'load-config.js')}`).href;
      const words = new URL(`file://${join(copy, 'words', 'describe.js')}`).href;
      const script = `Promise.all([import(${JSON.stringify(loader)}), import(${JSON.stringify(words)})]).then(([{ loadConfig }, { describeError, wordsFor }]) => loadConfig(process.argv[1], true, '/').then(() => console.log('read'), (error) => console.log(error.constructor.name + ': ' + describeError(error, wordsFor('en')))))`;
      const output = execFileSync(process.execPath, ['-e', script, path], { uid: 65534, gid: 65534, encoding: 'utf8', cwd: '/' });
      assert.equal(output, `ConfigError: ${path}: permission denied\n`);
    } finally {
      rmSync(copy, { recursive: true, force: true });
    }
  });

  it('reads /dev/null as an empty config', async () => {
    const config = await loadConfig('/dev/null', true, HOME);
    assert.deepEqual(config?.defaults, {});
    assert.equal(config?.accounts.size, 0);
  });

  /** Asserts that loading is refused with this message at once: a FIFO with no writer must not hang it. */
  async function refusedAtOnce(path: string, message: string): Promise<void> {
    const late = new Promise<never>((_, reject) => setTimeout(() => reject(new Error('still waiting after 2 s')), 2000).unref());
    await assert.rejects(Promise.race([loadConfig(path, true, HOME), late]), (error: unknown) => {
      assert.ok(error instanceof ConfigError, `not a ConfigError: ${String(error)}`);
      assert.equal(describeError(error, en), message);
      return true;
    });
  }

  it('refuses a FIFO, without waiting for a writer or taking what one would send', async () => {
    const path = join(dir, 'fifo');
    execFileSync('mkfifo', ['-m', '666', path]);
    await refusedAtOnce(path, `${path}: is a FIFO, not a regular file`);
    await assert.rejects(loadConfig(path, false, HOME), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.deepEqual(error.fact, { code: 'MAILV_CONFIG_NOT_REGULAR', path, kind: 'fifo' });
      return true;
    });
  });

  // A device nothing drives (major 240 is for local use): a copy of /dev/zero would fill memory
  // where the device is read.
  it('refuses a device without opening it', {
    skip: skipUnlessRunning(process.getuid?.() === 0, 'root (only root can make a device node)', 'run the tests as root, as .ci/run does'),
  }, async () => {
    const path = join(dir, 'device');
    execFileSync('mknod', ['-m', '600', path, 'c', '240', '0']);
    await refusedAtOnce(path, `${path}: is a character device, not a regular file`);
    await refusedAtOnce('/dev/zero', '/dev/zero: is a character device, not a regular file');
  });

  it('checks the file a symbolic link leads to, and reads it when it is safe', async () => {
    const target = file('user = alice\n', 0o600);
    const link = join(dir, 'link');
    symlinkSync(target, link);
    assert.deepEqual((await loadConfig(link, true, HOME))?.defaults, { user: 'alice' });
    chmodSync(target, 0o666);
    await refusedAtOnce(link, `${link}: its mode 0666 lets group or others change it, and so run commands as you: chmod go-w ${link}`);
  });

  it('refuses a file in a directory that group or others may write, even behind a link', async () => {
    const open = join(dir, 'shared');
    mkdirSync(open);
    chmodSync(open, 0o775);
    const path = join(open, 'config');
    writeFileSync(path, 'user = alice\n', { mode: 0o600 });
    const message = `the directory ${open} has mode 0775, which lets group or others put another file in its place: chmod go-w ${open}`;
    await refusedAtOnce(path, `${path}: ${message}`);
    const link = join(dir, 'to-shared');
    symlinkSync(path, link);
    await refusedAtOnce(link, `${link}: ${message}`);
    chmodSync(open, 0o755);
    assert.deepEqual((await loadConfig(path, true, HOME))?.defaults, { user: 'alice' });
  });

  it('accepts a sticky directory that others may write (as /tmp)', async () => {
    const sticky = join(dir, 'sticky');
    mkdirSync(sticky);
    chmodSync(sticky, 0o1777);
    const path = join(sticky, 'config');
    writeFileSync(path, 'user = alice\n', { mode: 0o600 });
    assert.deepEqual((await loadConfig(path, true, HOME))?.defaults, { user: 'alice' });
  });

  it('refuses a file in a directory of another user (not root)', {
    skip: skipUnlessRunning(process.getuid?.() === 0, 'root (only root can give a file to another user)', 'run the tests as root, as .ci/run does'),
  }, async () => {
    const theirs = join(dir, 'theirs');
    mkdirSync(theirs, { mode: 0o755 });
    const path = join(theirs, 'config');
    writeFileSync(path, 'user = alice\n', { mode: 0o600 });
    chownSync(theirs, 65534, 65534);
    await refusedAtOnce(path, `${path}: the directory ${theirs} belongs to user 65534, who could put another file in its place`);
  });

  it(`refuses a file larger than ${MAX_CONFIG_OCTETS / 1024} KiB, and reads one of that size`, async () => {
    const line = '# ' + 'x'.repeat(61) + '\n';
    const full = file(line.repeat(MAX_CONFIG_OCTETS / line.length), 0o600);
    assert.deepEqual((await loadConfig(full, true, HOME))?.defaults, {});
    const large = file(line.repeat(MAX_CONFIG_OCTETS / line.length) + 'user = alice\n', 0o600);
    await refusedAtOnce(large, `${large}: larger than 256 KiB, too large for a configuration file`);
    const sparse = file('', 0o600);
    truncateSync(sparse, 12 * 1024 ** 3); // 12 GiB of nothing on disk
    await refusedAtOnce(sparse, `${sparse}: larger than 256 KiB, too large for a configuration file`);
  });

  it('names the line of bytes that are not UTF-8 after lone CRs too', async () => {
    const path = file(Buffer.concat([Buffer.from('user = alice\r# two\r\npassword = caf'), Buffer.from([0xe9]), Buffer.from('\r')]), 0o600);
    await refusedAtOnce(path, `${path}:3: not UTF-8 text`);
  });
});
