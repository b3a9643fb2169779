import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildPlan, parseServer } from '../../dist/cli/options.js';
import { CommandLineError, parseCommandLine, type RawOptions } from '../../dist/cli/program.js';
import { localFqdn } from '../../dist/cli/local-host.js';
import { UsageError } from '../../dist/errors.js';
import { describeError, wordsFor } from '../../dist/words/describe.js';
import { runCli } from '../helpers/cli.js';

const LOCAL = { fqdn: 'mailv-client.example', user: 'alice', env: {} };

function plan(argv: string[], env: NodeJS.ProcessEnv = {}) {
  const parsed = parseCommandLine(argv, '1.2.3');
  assert.equal(parsed.kind, 'run');
  const { options, recipients } = parsed as { options: RawOptions; recipients: string[] };
  return buildPlan(options, recipients, { ...LOCAL, env });
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
      assert.throws(() => parseServer(text), (error: unknown) => {
        assert.ok(error instanceof UsageError);
        assert.equal(describeError(error, wordsFor('en')), english);
        assert.equal(describeError(error, wordsFor('fr')), french);
        return true;
      });
    refused('http://example.org', 'invalid server "http://example.org": the scheme must be smtp:// or smtps://', 'serveur invalide "http://example.org" : le schéma doit être smtp:// ou smtps://');
    refused('host:99999', 'invalid server "host:99999": the port is out of range (1 to 65535)', 'serveur invalide "host:99999" : le port est hors limites (de 1 à 65535)');
    assert.throws(() => parseServer('host name'), UsageError);
  });
});

describe('plan', () => {
  it('defaults as mail does: $USER@fqdn, localhost:25, the dialogue shown', () => {
    const result = plan(['bob']);
    assert.equal(result.from.address, 'alice@mailv-client.example');
    assert.deepEqual(result.to.map((m) => m.address), ['bob@mailv-client.example']);
    assert.deepEqual(result.server, { host: 'localhost', port: 25, implicitTls: false });
    assert.equal(result.helo, 'mailv-client.example');
    assert.equal(result.verbosity, 1);
  });

  it('takes MAILV_SERVER, and --server over it', () => {
    assert.deepEqual(plan(['bob'], { MAILV_SERVER: 'relay.example.org:587' }).server, { host: 'relay.example.org', port: 587, implicitTls: false });
    assert.deepEqual(plan(['--server', 'other:26', 'bob'], { MAILV_SERVER: 'relay.example.org:587' }).server, { host: 'other', port: 26, implicitTls: false });
  });

  it('counts -v and collects repeatable, comma-separated lists', () => {
    const result = plan(['-vv', '-c', 'a@x.org,b@x.org', '-c', 'c@x.org', '-b', 'd@x.org', 'bob@x.org']);
    assert.equal(result.verbosity, 3);
    assert.deepEqual(result.cc.map((m) => m.address), ['a@x.org', 'b@x.org', 'c@x.org']);
    assert.deepEqual(result.bcc.map((m) => m.address), ['d@x.org']);
    assert.equal(plan(['-q', 'bob']).verbosity, 0);
  });

  it('refuses contradictions and bad values', () => {
    assert.throws(() => plan(['-q', '-v', 'bob']), /contradict/);
    assert.throws(() => plan(['--helo', 'bad name', 'bob']), (error: unknown) => describeError(error, wordsFor('en')) === 'invalid --helo "bad name": a domain name or an address literal');
    assert.throws(() => plan(['--timeout', '0', 'bob']), /invalid --timeout/);
    assert.throws(() => plan(['-H', 'Content-Type: text/html', 'bob']), (error: unknown) => describeError(error, wordsFor('en')) === 'header Content-Type is written by mailv from the message structure');
    assert.throws(() => plan(['-t', '-a', 'file']), /-a cannot be used with -t/);
  });

  it('takes --dns only where mailv looks names up itself: --direct and --mx', () => {
    assert.throws(() => plan(['--dns', '127.0.0.1', 'bob']), (error: unknown) => {
      assert.ok(error instanceof UsageError);
      assert.equal(error.message, '--dns goes with --direct or --mx (the name of a submission server is looked up as the system does)');
      return true;
    });
    assert.throws(() => plan(['--dns', '127.0.0.1', '--server', 'mail.example.org', 'bob']), /--dns goes with --direct or --mx/);
    assert.throws(() => plan(['--dns', '127.0.0.1', '--demo']), /--dns goes with --direct or --mx/);
    assert.deepEqual(plan(['--dns', '127.0.0.1:5354', '--direct', 'bob@x.test']).dnsServers, [{ address: '127.0.0.1', port: 5354 }]);
    assert.equal(plan(['--dns', '127.0.0.1', '--mx', 'x.test']).mxLookup, 'x.test');
  });

  it('keeps commander\'s suggestion on a line of its own, never a line break that was typed', () => {
    const suggested = catchUsage(['--subjet', 'hi', 'bob']);
    assert.ok(suggested instanceof CommandLineError);
    assert.deepEqual(suggested.lines, ["unknown option '--subjet'", '(Did you mean --subject?)']);
    assert.deepEqual(catchUsage(['--cx', 'bob']).lines, ["unknown option '--cx'", '(Did you mean one of --ca, --cc, --mx?)']);
    assert.deepEqual(catchUsage(['--sub\n(Did you mean --x?)', 'bob']).lines, ["unknown option '--sub\n(Did you mean --x?)'"]);
    assert.deepEqual(catchUsage(['--tls', 'a\nb', 'bob']).lines, ["option '--tls <mode>' argument 'a\nb' is invalid. Allowed choices are auto, required, off."]);
  });

  it('needs a recipient except with -t or --demo', () => {
    assert.throws(() => plan([]), /no recipient given/);
    assert.equal(plan(['-t']).readRecipients, true);
    assert.deepEqual(plan(['--demo']).to.map((m) => m.address), ['bob@example.org']);
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
  });
});
