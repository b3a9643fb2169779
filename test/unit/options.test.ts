import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPlan, parseServer } from '../../dist/cli/options.js';
import { CommandLineError, parseCommandLine, parseCompletionCommandLine, parseReplayCommandLine, type RawOptions } from '../../dist/cli/program.js';
import { localFqdn, localMailDomain } from '../../dist/cli/local-host.js';
import { ConfigError, UsageError } from '../../dist/errors.js';
import { selectAccount } from '../../dist/config/config-file.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';
import { runCli } from '../helpers/cli.js';

const LOCAL = { fqdn: 'mailv-client.example', user: 'alice', env: {} };

function plan(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseCommandLine(argv, '1.2.3');
  assert.equal(parsed.kind, 'run');
  const { options, recipients } = parsed as { options: RawOptions; recipients: string[] };
  return buildPlan(options, recipients, { ...LOCAL, env });
}

/** `argv` is refused with a UsageError whose code is `code`, worded `english` and `french`. */
function refused(argv: string[], code: string, english: string, french: string) {
  assert.throws(
    () => plan(argv),
    (error: unknown) => {
      assert.ok(error instanceof UsageError, String(error));
      assert.equal(error.code, code, argv.join(' '));
      assert.equal(error.message, code, 'the message of a coded failure is its code');
      assert.equal(describeError(error, wordsFor('en')), english);
      assert.equal(describeError(error, wordsFor('fr')), french);
      return true;
    },
    argv.join(' '),
  );
}

describe('server addresses', () => {
  it('accepts the forms of --server', () => {
    assert.deepEqual(parseServer('smtp://mail.example.org'), { host: 'mail.example.org', port: 25, implicitTls: false });
    assert.deepEqual(parseServer('mail.example.org:2525'), { host: 'mail.example.org', port: 2525, implicitTls: false });
    assert.deepEqual(parseServer('smtp://[::1]:587'), { host: '::1', port: 587, implicitTls: false });
    assert.deepEqual(parseServer('127.0.0.1'), { host: '127.0.0.1', port: 25, implicitTls: false });
    assert.deepEqual(parseServer('smtps://smtp.example.org'), { host: 'smtp.example.org', port: 465, implicitTls: true });
    assert.deepEqual(parseServer('SMTPS://[::1]:2465'), { host: '::1', port: 2465, implicitTls: true });
  });

  it('refuses the rest, naming it', () => {
    const refused = (text: string, english: string, french: string) =>
      assert.throws(
        () => parseServer(text),
        (error: unknown) => {
          assert.ok(error instanceof UsageError);
          assert.equal(describeError(error, wordsFor('en')), english);
          assert.equal(describeError(error, wordsFor('fr')), french);
          return true;
        },
      );
    refused(
      'http://example.org',
      'invalid server "http://example.org": the scheme must be smtp://, smtps:// or lmtp:// (or unix: and lmtp: before a path)',
      'serveur invalide « http://example.org » : le schéma doit être smtp://, smtps:// ou lmtp:// (ou unix: et lmtp: devant un chemin)',
    );
    // From the environment, it says so: someone who typed no --server must see where it came from.
    assert.throws(
      () => plan(['bob'], { MAILV_SERVER: '::1' }),
      (error: unknown) => describeError(error, wordsFor('en')).startsWith('invalid server "::1" (MAILV_SERVER): expected'),
    );
    refused(
      'host:99999',
      'invalid server "host:99999": the port is out of range (1 to 65535)',
      'serveur invalide « host:99999 » : le port est hors limites (de 1 à 65535)',
    );
    assert.throws(() => parseServer('host name'), UsageError);
    // What comes before the @ is not repeated: it may be a password, and the line may reach a log.
    refused(
      'smtps://alice:Hunter2pw@mail.example.org:587',
      'invalid server "smtps://…@mail.example.org:587": a user name goes with --user (or user = in the accounts file), a password with --password-file or --password-cmd, not in the server',
      'serveur invalide « smtps://…@mail.example.org:587 » : un nom d’utilisateur se donne avec --user (ou user = dans le fichier des comptes), un mot de passe avec --password-file ou --password-cmd, pas dans le serveur',
    );
    // Nothing that is no character of a host name reaches the resolver as one.
    // Nor does what brackets hold that is no IP address, nor getaddrinfo's old numeric forms there.
    for (const text of [
      'bad\x01host',
      'host?x',
      'host#x',
      'smtp://a b',
      'mail\u00a0relay.example',
      'relay\u202eelpmaxe.org',
      'alice\uff20relay.example',
      '[1:2]',
      '[:::]',
      '[127.1]',
      '[2130706433]:25',
    ]) {
      assert.throws(() => parseServer(text), UsageError, JSON.stringify(text));
    }
    // A name of letters IDNA encodes, an underscore some internal names hold, a final dot: taken.
    // Combining marks too, which Indic scripts need (mail.भारत).
    for (const text of [
      'smtp://mail.bücher.example',
      'smtp://mail.भारत',
      'mail_1.example.org:2525',
      'mail.example.org.',
      '[127.0.0.1]:2525',
      '[::ffff:127.0.0.1]',
    ])
      assert.doesNotThrow(() => parseServer(text), text);
  });
});

describe('plan', () => {
  it('defaults as mail does: $USER@fqdn, localhost:25, the dialogue shown', () => {
    const result = plan(['bob']);
    assert.equal(result.from.address, 'alice@mailv-client.example');
    assert.deepEqual(
      result.to.map((m) => m.address),
      ['bob@mailv-client.example'],
    );
    assert.deepEqual(result.server, { host: 'localhost', port: 25, implicitTls: false });
    assert.equal(result.helo, 'mailv-client.example');
    assert.equal(result.verbosity, 1);
  });

  it('takes --helo as typed, a name or an address literal, its IPv6 tag in any case, or a bad one on purpose, as swaks sends it', () => {
    for (const name of ['mx.example.org', '[127.0.0.1]', '[IPv6:::1]', '[ipv6:::1]']) assert.equal(plan(['--helo', name, 'bob']).helo, name);
    // To test a server's checks (Postfix's reject_invalid_helo_hostname): sent as typed.
    for (const name of ['under_score.example', '[300.1.1.1]', 'localhost']) assert.equal(plan(['--helo', name, 'bob']).helo, name);
  });

  it('takes MAILV_SERVER, and --server over it', () => {
    assert.deepEqual(plan(['bob'], { MAILV_SERVER: 'relay.example.org:587' }).server, { host: 'relay.example.org', port: 587, implicitTls: false });
    assert.deepEqual(plan(['--server', 'other:26', 'bob'], { MAILV_SERVER: 'relay.example.org:587' }).server, { host: 'other', port: 26, implicitTls: false });
  });

  it('counts -v and collects repeatable, comma-separated lists', () => {
    const result = plan(['-vv', '-c', 'a@x.org,b@x.org', '-c', 'c@x.org', '-b', 'd@x.org', 'bob@x.org']);
    assert.equal(result.verbosity, 3);
    assert.deepEqual(
      result.cc.map((m) => m.address),
      ['a@x.org', 'b@x.org', 'c@x.org'],
    );
    assert.deepEqual(
      result.bcc.map((m) => m.address),
      ['d@x.org'],
    );
    assert.equal(plan(['-q', 'bob']).verbosity, 0);
  });

  it('refuses contradictions and bad values, with a code and words in English and French', () => {
    refused(['-q', '-v', 'bob'], 'MAILV_QUIET_VERBOSE', '-q and -v contradict each other', '-q et -v se contredisent');
    refused(
      ['--helo', 'bad name', 'bob'],
      'MAILV_HELO_INVALID',
      'invalid --helo "bad name": printable ASCII without a space, sent as typed (a domain name or an address literal, to pass a server\'s checks)',
      '--helo invalide « bad name » : il faut de l’ASCII imprimable sans espace, envoyé tel quel (un nom de domaine ou une adresse littérale, pour passer les contrôles d’un serveur)',
    );
    refused(
      ['--timeout', '0', 'bob'],
      'MAILV_TIMEOUT_INVALID',
      'invalid --timeout "0": a number of seconds above 0',
      '--timeout invalide « 0 » : il faut un nombre de secondes supérieur à 0',
    );
    // As the accounts file's `timeout` is read: seconds as written, not any number JavaScript reads.
    for (const text of ['0x10', '1e3', '-1', 'Infinity', ' ']) {
      refused(
        ['--timeout', text, 'bob'],
        'MAILV_TIMEOUT_INVALID',
        `invalid --timeout "${text}": a number of seconds above 0`,
        `--timeout invalide « ${text} » : il faut un nombre de secondes supérieur à 0`,
      );
    }
    assert.equal(plan(['--timeout', '2.5', 'bob']).timeoutMs, 2500);
    // Past what a timer holds, the longest one: Node fires a longer timer at once.
    assert.equal(plan(['--timeout', '99999999', 'bob']).timeoutMs, 2 ** 31 - 1);
    refused(
      ['-H', 'Content-Type: text/html', 'bob'],
      'MAILV_HEADER_STRUCTURAL',
      "header Content-Type is written by mailv from the message structure: give the text's type with --content-type (text/html…)",
      'l’en-tête Content-Type est écrit par mailv d’après la structure du message : donnez le type du texte avec --content-type (text/html…)',
    );
    refused(
      ['-H', 'MIME-Version: 1.0', 'bob'],
      'MAILV_HEADER_STRUCTURAL',
      'header MIME-Version is written by mailv from the message structure',
      'l’en-tête MIME-Version est écrit par mailv d’après la structure du message',
    );
    refused(
      ['-t', '-a', 'file'],
      'MAILV_HEADER_FLAG_WITH_T',
      '-a cannot be used with -t: the message brings its own headers',
      '-a ne va pas avec -t : le message apporte ses propres en-têtes',
    );
    refused(
      ['-t', '-s', 'x'],
      'MAILV_HEADER_FLAG_WITH_T',
      '-s cannot be used with -t: the message brings its own headers',
      '-s ne va pas avec -t : le message apporte ses propres en-têtes',
    );
    refused(
      ['--json', '--timing', 'bob'],
      'MAILV_JSON_CLASH',
      '--json and --timing contradict each other: JSON lines carry every event and its time',
      '--json et --timing se contredisent : les lignes JSON portent déjà chaque événement et son instant',
    );
    refused(
      ['--json', '--step', 'bob'],
      'MAILV_JSON_CLASH',
      '--json and --step contradict each other: JSON lines are for programs, --step waits for a person at a terminal',
      '--json et --step se contredisent : les lignes JSON sont pour les programmes, --step attend une personne au terminal',
    );
    refused(
      ['--quit-after', 'ehlo', '--mx', 'example.org'],
      'MAILV_QUIT_AFTER_CLASH',
      '--quit-after and --mx contradict each other: one connects, the other does not',
      '--quit-after et --mx se contredisent : l’une se connecte, l’autre non',
    );
    // --mx passed over the dry run and sent its queries.
    refused(
      ['--dry-run', '--mx', 'example.org'],
      'MAILV_DRY_RUN_MX',
      '--dry-run and --mx contradict each other: a dry run asks nothing of the network, --mx asks the DNS',
      '--dry-run et --mx se contredisent : un essai à blanc ne demande rien au réseau, --mx interroge le DNS',
    );
    refused(
      ['--demo', '--server', 'x', 'bob'],
      'MAILV_ROUTE_CLASH',
      '--demo and --server contradict each other: one route at a time',
      '--demo et --server se contredisent : une seule route à la fois',
    );
    refused(
      ['--port', '26', 'bob'],
      'MAILV_PORT_WITHOUT_MX',
      '--port goes with --direct or --mx (for a submission server, use --server host:port)',
      '--port va avec --direct ou --mx (pour un serveur de soumission, utilisez --server hôte:port)',
    );
    refused(['--direct', '--port', '0', 'bob@x.test'], 'MAILV_PORT_INVALID', 'invalid --port "0": 1 to 65535', '--port invalide « 0 » : de 1 à 65535');
    refused(['--mx', 'a..b'], 'MAILV_MX_INVALID', 'invalid --mx "a..b": a domain name', '--mx invalide « a..b » : il faut un nom de domaine');
    refused(
      ['--mx', 'discard.test/.bank.example'],
      'MAILV_MX_INVALID',
      'invalid --mx "discard.test/.bank.example": a domain name',
      '--mx invalide « discard.test/.bank.example » : il faut un nom de domaine',
    );
    // A name of 253 octets (RFC 1035 §2.3.4), where an address would leave room for a local part.
    const longest = ['a'.repeat(63), 'b'.repeat(63), 'c'.repeat(63), 'd'.repeat(61)].join('.');
    assert.equal(plan(['--mx', `${longest.toUpperCase()}.`]).mxLookup, longest);
    refused(
      ['--mx', `${longest}e`],
      'MAILV_MX_INVALID',
      `invalid --mx "${longest}e": a domain name`,
      `--mx invalide « ${longest}e » : il faut un nom de domaine`,
    );
    refused(
      ['--server', 'smtps://x', '--tls', 'off', 'bob'],
      'MAILV_SMTPS_TLS_OFF',
      'smtps:// and --tls off contradict each other: smtps is TLS from the first byte',
      'smtps:// et --tls off se contredisent : smtps, c’est TLS dès le premier octet',
    );
  });

  it("the account's password goes to its server however that server is written again: smtp://, the host's case; never to another port", () => {
    const account = { server: 'localhost:587', user: 'mailtest', password: 'pw-Secret-9' };
    const secretFor = (server: string) => {
      const parsed = parseCommandLine(['--server', server, 'bob'], '1.2.3') as { options: RawOptions; recipients: string[] };
      return buildPlan(parsed.options, parsed.recipients, { ...LOCAL, account, accountChosen: true }).auth?.secret;
    };
    for (const same of ['localhost:587', 'smtp://localhost:587', 'LOCALHOST:587']) assert.equal(secretFor(same)?.kind, 'value', same);
    for (const other of ['localhost:25', 'smtps://localhost:587', 'otherhost:587']) assert.equal(secretFor(other)?.kind, 'prompt', other);
  });

  it("the accounts file's tls = off: a mistake of the file's beside its own smtps:// server (78), overridden by one given on the command line", () => {
    const withAccount = (argv: string[], account: { server?: string; tls?: 'off' }) => {
      const parsed = parseCommandLine(argv, '1.2.3') as { options: RawOptions; recipients: string[] };
      return () => buildPlan(parsed.options, parsed.recipients, { ...LOCAL, account });
    };
    const config = {
      path: '/home/alice/.config/mailv/config',
      defaults: { server: 'smtps://mail.example.org', tls: 'off' as const },
      accounts: new Map(),
      holdsPassword: false,
    };
    assert.throws(
      () => selectAccount(config, undefined),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.exitCode === 78 &&
        describeError(error, wordsFor('en')) ===
          '/home/alice/.config/mailv/config: [default] has an smtps:// server and tls = off, which contradict each other: smtps is TLS from the first byte',
    );
    const given = withAccount(['--server', 'smtps://mail.example.org', 'bob'], { tls: 'off' })();
    assert.deepEqual([given.server.implicitTls, given.tls], [true, 'auto']);
  });

  it('more -a files than the open-file limit leaves room for are refused at once (64): the message would be lost, dead.letter unopenable', () => {
    const files = Array.from({ length: 9 }, (_, index) => ['-a', `f${index}.txt`]).flat();
    const parsed = parseCommandLine([...files, 'bob'], '1.2.3') as { options: RawOptions; recipients: string[] };
    assert.throws(
      () => buildPlan(parsed.options, parsed.recipients, { ...LOCAL, openFilesLimit: () => 40 }),
      (error: unknown) =>
        error instanceof UsageError &&
        describeError(error, wordsFor('en')) ===
          '9 attachments (-a), each open until the message is sent, need more open files than this process may have (40, ulimit -n): at most 8, or raise the limit',
    );
    assert.equal(buildPlan(parsed.options, parsed.recipients, { ...LOCAL, openFilesLimit: () => 41 }).attachments.length, 9);
  });

  it('refuses a login that cannot be, with a code and words in English and French', () => {
    refused(
      ['--direct', '--user', 'alice', 'bob@x.test'],
      'MAILV_USER_WITH_DIRECT',
      '--user goes with a submission server (--server), not with --direct: MX hosts take mail without a login',
      '--user va avec un serveur de soumission (--server), pas avec --direct : les hôtes MX acceptent le courrier sans qu’on s’y connecte',
    );
    refused(
      ['--password-file', 'pw', 'bob'],
      'MAILV_SECRET_WITHOUT_USER',
      '--password-file needs --user: the name to log in as',
      '--password-file demande --user : le nom sous lequel se connecter',
    );
    refused(
      ['--auth', 'PLAIN', 'bob'],
      'MAILV_SECRET_WITHOUT_USER',
      '--auth needs --user: the name to log in as',
      '--auth demande --user : le nom sous lequel se connecter',
    );
    refused(['--user', 'a\tb', 'bob'], 'MAILV_USER_INVALID', 'invalid --user "a\\tb"', '--user invalide « a\\tb »');
    refused(
      ['--user', 'alice', '--password-cmd', 'x', '--password-file', 'y', 'bob'],
      'MAILV_SECRET_SOURCES',
      '--password-file and --password-cmd contradict each other: one source for the secret',
      '--password-file et --password-cmd se contredisent : une seule source pour le secret',
    );
    refused(
      ['--user', 'alice', '--auth', 'kerberos', 'bob'],
      'MAILV_AUTH_UNKNOWN',
      'invalid --auth "kerberos": one of SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN, XOAUTH2',
      '--auth invalide « kerberos » : il faut l’un de SCRAM-SHA-256, CRAM-MD5, PLAIN, LOGIN, XOAUTH2',
    );
    refused(
      ['--user', 'alice', '--auth', 'plain', '--oauth2-token-file', 't', 'bob'],
      'MAILV_AUTH_NOT_FOR_TOKEN',
      '--auth PLAIN takes a password, not an OAuth 2.0 token',
      '--auth PLAIN prend un mot de passe, pas un jeton OAuth 2.0',
    );
  });

  it('says where the secret comes from as a fact, and asks in the language of the run', () => {
    assert.deepEqual(plan(['--user', 'alice', '--password-cmd', 'pass mail', 'bob']).auth?.secret, {
      kind: 'command',
      command: 'pass mail',
      origin: 'password-cmd-option',
    });
    assert.deepEqual(plan(['--user', 'alice', 'bob'], { MAILV_PASSWORD: 's' }).auth?.secret, { kind: 'value', value: 's', origin: 'password-variable' });
    assert.deepEqual(plan(['--user', 'alice', '--server', 'mail.example.org', 'bob']).auth?.secret, {
      kind: 'prompt',
      user: 'alice',
      host: 'mail.example.org',
      language: 'en',
    });
    assert.deepEqual(plan(['--user', 'alice', 'bob'], { LANG: 'fr_FR.UTF-8' }).auth?.secret, {
      kind: 'prompt',
      user: 'alice',
      host: 'localhost',
      language: 'fr',
    });
    assert.equal(wordsFor('en').cli.passwordPrompt('alice', 'mail.example.org'), 'Password for alice at mail.example.org: ');
    assert.equal(wordsFor('fr').cli.passwordPrompt('alice', 'mail.example.org'), 'Mot de passe de alice sur mail.example.org : ');
  });

  it('chooses the language of the run: --lang, else the locale', () => {
    assert.equal(plan(['bob']).language, 'en');
    assert.equal(plan(['bob'], { LC_ALL: 'fr_FR.UTF-8' }).language, 'fr');
    assert.equal(plan(['-e', '--lang', 'en', 'bob'], { LC_ALL: 'fr_FR.UTF-8' }).language, 'en');
    assert.equal(plan(['-e', '--lang', 'fr', 'bob']).output.explain, 'fr');
  });

  it('takes --dns only where mailv looks names up itself: --direct and --mx', () => {
    const english = '--dns goes with --direct or --mx (the name of a submission server is looked up as the system does)';
    const french = '--dns va avec --direct ou --mx (le nom d’un serveur de soumission est résolu comme le fait le système)';
    refused(['--dns', '127.0.0.1', 'bob'], 'MAILV_DNS_WITHOUT_MX', english, french);
    refused(['--dns', '127.0.0.1', '--server', 'mail.example.org', 'bob'], 'MAILV_DNS_WITHOUT_MX', english, french);
    refused(['--dns', '127.0.0.1', '--demo'], 'MAILV_DNS_WITHOUT_MX', english, french);
    assert.deepEqual(plan(['--dns', '127.0.0.1:5354', '--direct', 'bob@x.test']).dnsServers, [{ address: '127.0.0.1', port: 5354 }]);
    assert.equal(plan(['--dns', '127.0.0.1', '--mx', 'x.test']).mxLookup, 'x.test');
  });

  it("keeps commander's suggestion on a line of its own, never a line break that was typed", () => {
    const suggested = catchUsage(['--subjet', 'hi', 'bob']);
    assert.ok(suggested instanceof CommandLineError);
    assert.deepEqual(suggested.fact, { code: 'MAILV_OPTION_UNKNOWN', option: '--subjet', suggestions: ['--subject'] });
    assert.deepEqual(suggested.lines, ["unknown option '--subjet'", '(Did you mean --subject?)']);
    assert.deepEqual(suggested.linesIn(wordsFor('fr')), ['option inconnue « --subjet »', '(Vouliez-vous dire --subject ?)']);
    assert.equal(describeError(suggested, wordsFor('en')), "unknown option '--subjet'\n(Did you mean --subject?)");
    const several = catchUsage(['--cx', 'bob']);
    assert.deepEqual(several.lines, ["unknown option '--cx'", '(Did you mean one of --ca, --cc, --mx?)']);
    assert.deepEqual(several.linesIn(wordsFor('fr')), ['option inconnue « --cx »', '(Vouliez-vous dire l’une des options --ca, --cc, --mx ?)']);
    assert.deepEqual(catchUsage(['--sub\n(Did you mean --x?)', 'bob']).lines, ["unknown option '--sub\n(Did you mean --x?)'"]);
    assert.deepEqual(catchUsage(['--sub\n(Did you mean --x?)', 'bob']).fact, {
      code: 'MAILV_OPTION_UNKNOWN',
      option: '--sub\n(Did you mean --x?)',
      suggestions: [],
    });
    assert.deepEqual(catchUsage(['--frobnicate', 'bob']).lines, ["unknown option '--frobnicate'"]);
  });

  it("words commander's refusals from its facts, as commander does in English", () => {
    const invalid = catchUsage(['--tls', 'a\nb', 'bob']);
    assert.deepEqual(invalid.fact, { code: 'MAILV_OPTION_VALUE_INVALID', option: '--tls <mode>', value: 'a\nb', choices: ['auto', 'required', 'off'] });
    assert.deepEqual(invalid.lines, ["option '--tls <mode>' argument 'a\nb' is invalid. Allowed choices are auto, required, off."]);
    assert.deepEqual(invalid.linesIn(wordsFor('fr')), [
      'valeur « a\nb » invalide pour l’option « --tls <mode> » : les choix possibles sont auto, required, off.',
    ]);
    const step = catchUsage(['--quit-after', 'body', 'bob']);
    assert.deepEqual(step.lines, [
      "option '--quit-after <step>' argument 'body' is invalid. Allowed choices are connect, greeting, ehlo, starttls, auth, mail, rcpt, data.",
    ]);
    const missing = catchUsage(['bob', '-s']);
    assert.deepEqual(missing.fact, { code: 'MAILV_OPTION_VALUE_MISSING', option: '-s, --subject <text>' });
    assert.deepEqual(missing.lines, ["option '-s, --subject <text>' argument missing"]);
    assert.deepEqual(missing.linesIn(wordsFor('fr')), ['il manque la valeur de l’option « -s, --subject <texte> »']);
    assert.equal(missing.exitCode, 64);
  });

  it("words the refusals of mailv replay's and mailv completion's operands from their facts, in English and French", () => {
    const refusal = (parse: () => unknown) => {
      try {
        parse();
      } catch (error) {
        if (error instanceof CommandLineError) return error;
        throw error;
      }
      throw new Error('not refused');
    };
    const missing = refusal(() => parseReplayCommandLine([]));
    assert.deepEqual(missing.fact, { code: 'MAILV_ARGUMENT_MISSING', argument: 'file', choices: [] });
    assert.deepEqual([missing.lines, missing.linesIn(wordsFor('fr'))], [["missing required argument 'file'"], ['il manque l’argument « fichier »']]);
    // An operand of a few choices names them, as a wrong one does.
    const noShell = refusal(() => parseCompletionCommandLine([]));
    assert.deepEqual(noShell.fact, { code: 'MAILV_ARGUMENT_MISSING', argument: 'target', choices: ['bash', 'zsh', 'fish', 'accounts'] });
    assert.deepEqual(
      [noShell.lines, noShell.linesIn(wordsFor('fr'))],
      [["missing required argument 'target': one of bash, zsh, fish, accounts"], ['il manque l’argument « cible » : l’un de bash, zsh, fish, accounts']],
    );
    const excess = refusal(() => parseReplayCommandLine(['a.jsonl', 'b.jsonl']));
    assert.deepEqual(excess.fact, { code: 'MAILV_ARGUMENTS_EXCESS', expected: 1, given: 2 });
    assert.deepEqual(excess.linesIn(wordsFor('fr')), ['trop d’arguments : 2 donnés, 1 attendu']);
    const invalid = refusal(() => parseCompletionCommandLine(['tcsh']));
    assert.deepEqual(invalid.fact, { code: 'MAILV_ARGUMENT_INVALID', argument: 'target', value: 'tcsh', choices: ['bash', 'zsh', 'fish', 'accounts'] });
    assert.deepEqual(invalid.linesIn(wordsFor('fr')), [
      'valeur « tcsh » invalide pour l’argument « cible » : les choix possibles sont bash, zsh, fish, accounts.',
    ]);
    assert.equal(invalid.exitCode, 64);
  });

  it('needs a recipient except with -t or --demo', () => {
    refused([], 'MAILV_NO_RECIPIENT', 'no recipient given', 'aucun destinataire donné');
    assert.equal(plan(['-t']).readRecipients, true);
    assert.deepEqual(
      plan(['--demo']).to.map((m) => m.address),
      ['bob@example.org'],
    );
  });

  it('gives help and version without running', () => {
    assert.deepEqual(parseCommandLine(['--version'], '1.2.3'), { kind: 'exit', output: '1.2.3\n' });
    const help = parseCommandLine(['--help'], '1.2.3');
    assert.equal(help.kind, 'exit');
    assert.match((help as { output: string }).output, /Examples:\n {2}echo "Hello" \| mailv -s "Greetings" bob@example\.org/);
  });
});

function catchUsage(argv: string[]): CommandLineError {
  try {
    parseCommandLine(argv, '1.2.3');
  } catch (error) {
    assert.ok(error instanceof CommandLineError, String(error));
    return error;
  }
  assert.fail(`${argv.join(' ')} was accepted`);
}

describe('control characters bound for a header', () => {
  const refused = (argv: string[], message: string, local: Partial<typeof LOCAL> & { account?: { from?: string } } = {}) => {
    const parsed = parseCommandLine(argv, '1.2.3') as { options: RawOptions; recipients: string[] };
    assert.throws(
      () => buildPlan(parsed.options, parsed.recipients, { ...LOCAL, ...local }),
      (error: Error) => error instanceof UsageError && describeError(error, wordsFor('en')) === message,
      argv.join(' '),
    );
  };

  it('refuses each one, naming the field, the character and where it came from', () => {
    refused(['-s', 'Hi \x1b[31mred', 'bob'], 'header Subject contains a control character (U+001B), given with -s');
    refused(['-s', 'a\0b', 'bob'], 'header Subject contains a control character (U+0000), given with -s');
    refused(['-s', 'a\x7f', 'bob'], 'header Subject contains a control character (U+007F), given with -s');
    refused(['-s', 'a\u009bb', 'bob'], 'header Subject contains a control character (U+009B), given with -s');
    refused(['-s', 'a\nBcc: x@example.org', 'bob'], 'header Subject contains a line break (U+000A), given with -s');
    refused(['-H', 'X-Note: a\x07b', 'bob'], 'header X-Note contains a control character (U+0007), given with -H');
    refused(['-H', 'Reply-To: Eve\x1b[2J <eve@x.org>', 'bob'], 'header Reply-To contains a control character (U+001B), given with -H');
    refused(['-c', 'Eve\x1b[2J <eve@x.org>', 'bob'], 'header Cc contains a control character (U+001B), given with -c');
    refused(['-b', 'Eve\x1b[2J <eve@x.org>', 'bob'], 'address contains a control character (U+001B), given with -b');
    refused(['-r', 'Eve\x1b[2J <eve@x.org>', 'bob'], 'header From contains a control character (U+001B), given with -r');
    refused(['Eve\x1b[2J <eve@x.org>'], 'header To contains a control character (U+001B), given as a recipient');
    refused(['bob'], 'header From contains a control character (U+001B), in the configuration file', { account: { from: 'Eve\x1b <eve@x.org>' } });
    refused(['bob'], 'header From contains a control character (U+001B), in $USER', { user: 'Eve\x1b <eve@x.org>' });
  });

  it('allows TAB, white space a header may hold', () => {
    assert.equal(plan(['-s', 'a\tb', 'bob']).subject, 'a\tb');
    assert.deepEqual(plan(['-H', 'X-Note: a\tb', 'bob']).headers, [['X-Note', 'a\tb']]);
  });

  it('exits 64 on the command line with one line, before reading or sending anything', async () => {
    const cases: [string[], string][] = [
      [['-s', 'Hi \x1b]0;owned\x07', 'bob@example.org'], 'header Subject contains a control character (U+001B), given with -s'],
      [['-H', 'X-Note: \x1b[2J', 'bob@example.org'], 'header X-Note contains a control character (U+001B), given with -H'],
      [['-c', 'Eve\x1b[2J <eve@x.org>', 'bob@example.org'], 'header Cc contains a control character (U+001B), given with -c'],
      [['-b', 'Eve\x1b[2J <eve@x.org>', 'bob@example.org'], 'address contains a control character (U+001B), given with -b'],
      [['-r', 'Eve\x1b[2J <eve@x.org>', 'bob@example.org'], 'header From contains a control character (U+001B), given with -r'],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(['--server', '127.0.0.1:9', ...args], { input: 'body\n' });
      assert.equal(run.code, 64, `${args.join(' ')}: ${run.stderr}`);
      assert.equal(run.stderr, `mailv: ${message}\n`);
      assert.equal(run.stdout, '');
    }
  });
});

describe('local host name', () => {
  it('appends .localdomain to a name without a dot, as Postfix does', () => {
    assert.equal(localFqdn('mailv-client'), 'mailv-client.localdomain');
    assert.equal(localFqdn('Mail.Example.ORG'), 'mail.example.org');
    // A host named by its address: that address as a literal, no domain name (RFC 5321 §4.1.3).
    assert.equal(localFqdn('10.0.0.5'), '[10.0.0.5]');
    assert.equal(localFqdn('fd00::5'), '[IPv6:fd00::5]');
    // A root's dot left out; a name no domain name can be is no name to send in EHLO nor to end
    // an address with: the local host's own.
    assert.equal(localFqdn('host.example.'), 'host.example');
    assert.equal(localFqdn('my_host'), 'localhost.localdomain');
    assert.equal(localFqdn('a..b'), 'localhost.localdomain');
  });

  it('gives bare local names the domain of /etc/mailname when it holds one, else the host name', () => {
    assert.equal(localMailDomain(' Example.NET \r', 'web1'), 'example.net');
    assert.equal(localMailDomain(undefined, 'web1'), 'web1.localdomain');
    assert.equal(localMailDomain('example.org.', 'web1'), 'example.org', 'the root dot left out');
    assert.equal(localMailDomain('192.0.2.1', 'web1.example.com'), 'web1.example.com', 'an address is no domain');
    for (const unusable of ['', 'not a domain', 'a..b', '-x.org', 'x'.repeat(64) + '.org', 'root@example.org']) {
      assert.equal(localMailDomain(unusable, 'web1.example.com'), 'web1.example.com', unusable);
    }
    // The plan: recipients, the sender and its From get it; EHLO keeps the host's name.
    const built = buildPlan({ cc: [], bcc: [], attach: [], header: [], dns: [], verbose: 0 } as unknown as RawOptions, ['root'], {
      ...LOCAL,
      mailDomain: 'example.net',
    });
    assert.deepEqual([built.to.map((m) => m.address), built.from.address, built.helo], [['root@example.net'], 'alice@example.net', 'mailv-client.example']);
  });
});
