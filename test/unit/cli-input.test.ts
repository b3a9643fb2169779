// What cli/ reads for a run (the secret, attachments, standard input, a -t message) fails with a
// fact, in-process: its code, its exit status and its words in English and French.
import assert from 'node:assert/strict';
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { readStream } from '../../dist/cli/body-input.js';
import { readInteractive } from '../../dist/cli/interactive-input.js';
import { Interrupter } from '../../dist/interruption.js';
import { PassThrough } from 'node:stream';
import type { CliErrorFact } from '../../dist/cli/facts.js';
import { openAttachments, prepareInput } from '../../dist/cli/message-input.js';
import { buildPlan } from '../../dist/cli/options.js';
import { parseCommandLine, type RawOptions } from '../../dist/cli/program.js';
import { readSecret } from '../../dist/cli/secret-input.js';
import { MailvError } from '../../dist/errors.js';
import { describeError, describeFact, wordsFor } from '../../dist/words/describe.js';

const en = wordsFor('en');
const fr = wordsFor('fr');

/** A check for assert.rejects: a failure with `code` and `status`, worded `english` and `french`. */
function failure(code: string, status: number, english: string, french: string) {
  return (error: unknown) => {
    assert.ok(error instanceof MailvError, String(error));
    assert.equal(error.code, code);
    assert.equal(error.exitCode, status);
    assert.equal(describeError(error, en), english);
    assert.equal(describeError(error, fr), french);
    return true;
  };
}

async function collectChunks(chunks: AsyncIterable<Buffer>): Promise<Buffer[]> {
  const all: Buffer[] = [];
  for await (const chunk of chunks) all.push(Buffer.from(chunk));
  return all;
}

describe('what cli/ reads, when it cannot be used', () => {
  const directory = mkdtempSync(join(tmpdir(), 'mailv-cli-input-'));
  after(() => rmSync(directory, { recursive: true, force: true }));

  it('a body typed at a terminal keeps its octets, UTF-8 or not, as one piped does; a subject that is not UTF-8 is refused', async () => {
    const typed = async (...octets: Buffer[]) => {
      const input = new PassThrough();
      const prompt = new PassThrough();
      for (const chunk of octets) input.write(chunk);
      input.end();
      return readInteractive(input, prompt, true, new Interrupter().signal, wordsFor('en').cli.typing);
    };
    const latin1 = Buffer.from('caf\xe9 cr\xe8me\n', 'latin1');
    // A UTF-8 character cut between two reads, and Latin-1 octets that are no UTF-8.
    const read = await typed(Buffer.from('Menu\n'), Buffer.from('th\xc3', 'latin1'), Buffer.from('\xa9 \n', 'latin1'), latin1, Buffer.from('.\n'));
    assert.equal(read.subject, 'Menu');
    const body = Buffer.concat(await collectChunks(read.body.source.chunks()));
    assert.deepEqual(body, Buffer.concat([Buffer.from('thé \n'), latin1]));
    assert.equal(read.body.stats.utf8, false, 'labelled unknown-8bit, as a pipe would be');
    await assert.rejects(
      typed(Buffer.from('caf\xe9\n', 'latin1')),
      (error: unknown) => error instanceof MailvError && error.fact.code === 'MAILV_HEADER_NOT_UTF8',
    );
  });

  it("mail(1)'s words around a typed message are the run's language: Subject: and EOT, Objet : and EOT in French, (Interrupt) and (Interrompu)", async () => {
    const screen = async (language: 'en' | 'fr', lines: string, interrupt = false) => {
      const input = new PassThrough();
      const prompt = new PassThrough();
      const interrupter = new Interrupter();
      input.write(lines);
      if (interrupt) setImmediate(() => interrupter.abort('SIGINT'));
      else input.end();
      await readInteractive(input, prompt, true, interrupter.signal, wordsFor(language).cli.typing);
      prompt.end();
      return Buffer.concat(await collectChunks(prompt)).toString();
    };
    assert.equal(await screen('en', 'hello\nbody\n.\n'), 'Subject: EOT\n');
    assert.equal(await screen('fr', 'bonjour\ncorps\n.\n'), 'Objet : EOT\n');
    assert.equal(await screen('en', 'hello\nbody\n', true), 'Subject: \n(Interrupt)\n');
    assert.equal(await screen('fr', 'bonjour\ncorps\n', true), 'Objet : \n(Interrompu)\n');
  });

  it('a password file: missing, a directory, a device', async () => {
    await assert.rejects(
      readSecret({ kind: 'file', path: '/nonexistent/pw', origin: 'password-file-option' }),
      failure(
        'MAILV_SECRET_UNREADABLE',
        66,
        'cannot read --password-file /nonexistent/pw: no such file',
        'impossible de lire --password-file /nonexistent/pw : fichier inexistant',
      ),
    );
    await assert.rejects(
      readSecret({ kind: 'file', path: directory, origin: 'config-password-file' }),
      failure(
        'MAILV_SECRET_NOT_FILE',
        66,
        `cannot read password-file ${directory}: a directory`,
        `impossible de lire password-file ${directory} : c’est un répertoire`,
      ),
    );
    await assert.rejects(
      readSecret({ kind: 'file', path: '/dev/null', origin: 'oauth2-token-file-option' }),
      failure(
        'MAILV_SECRET_NOT_FILE',
        66,
        'cannot read --oauth2-token-file /dev/null: neither a regular file nor a pipe',
        'impossible de lire --oauth2-token-file /dev/null : ce n’est ni un fichier ordinaire ni un tube',
      ),
    );
  });

  it('a password command: its exit status, the signal that killed it, nothing at all', async () => {
    await assert.rejects(
      readSecret({ kind: 'command', command: 'exit 3', origin: 'password-cmd-option' }),
      failure('MAILV_SECRET_COMMAND_FAILED', 78, '--password-cmd failed (exit status 3)', '--password-cmd a échoué (code de sortie 3)'),
    );
    await assert.rejects(
      readSecret({ kind: 'command', command: 'kill -TERM $$', origin: 'config-password-cmd' }),
      failure('MAILV_SECRET_COMMAND_FAILED', 78, 'password-cmd failed (killed by SIGTERM)', 'password-cmd a échoué (tué par SIGTERM)'),
    );
    await assert.rejects(
      readSecret({ kind: 'command', command: 'true', origin: 'oauth2-token-cmd-option' }),
      failure('MAILV_SECRET_EMPTY', 64, 'the secret from --oauth2-token-cmd is empty', 'le secret donné par --oauth2-token-cmd est vide'),
    );
    await assert.rejects(
      readSecret({ kind: 'value', value: '', origin: 'config-password' }),
      failure('MAILV_SECRET_EMPTY', 64, 'the secret from the configuration file is empty', 'le secret du fichier de configuration est vide'),
    );
  });

  it('an attachment: missing, or not a regular file', async () => {
    await assert.rejects(
      openAttachments(['/nonexistent/file.pdf']),
      failure(
        'MAILV_ATTACHMENT_UNREADABLE',
        66,
        'cannot attach /nonexistent/file.pdf: no such file',
        'impossible de joindre /nonexistent/file.pdf : fichier inexistant',
      ),
    );
    await assert.rejects(
      openAttachments([directory]),
      failure(
        'MAILV_ATTACHMENT_NOT_FILE',
        66,
        `cannot attach ${directory}: not a regular file`,
        `impossible de joindre ${directory} : ce n’est pas un fichier ordinaire`,
      ),
    );
  });

  it('an attachment changed after it was opened: its reading fails at the end, rather than send neither version', async () => {
    const path = join(directory, 'growing.txt');
    writeFileSync(path, 'first version\n');
    const files = await openAttachments([path]);
    try {
      appendFileSync(path, 'and more, written while it is sent\n');
      const read = async () => {
        for await (const chunk of files.attachments[0]!.source.chunks()) void chunk;
      };
      await assert.rejects(read(), failure('MAILV_SOURCE_CHANGED', 74, `${path} changed while it was being sent`, `${path} a changé pendant l’envoi`));
    } finally {
      await files.close();
    }
  });

  it('standard input that fails while it is read: what was read is kept, the failure says why', async () => {
    async function* failing(): AsyncIterable<Buffer> {
      yield Buffer.from('the beginning\n');
      throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO' });
    }
    const read = await readStream(failing());
    assert.equal(read.source.size, 14);
    assert.ok(read.unfinished);
    failure(
      'MAILV_STDIN_UNREADABLE',
      74,
      'cannot read the message: input/output error',
      'impossible de lire le message : erreur d’entrée-sortie',
    )(read.unfinished);
    await read.cleanup();
  });

  it('a spool no directory takes, and a file on standard input that changes, worded from their facts', () => {
    const spool: CliErrorFact = {
      code: 'MAILV_SPOOL_FAILED',
      refusals: [
        { directory: '/tmp', errno: 'EROFS', detail: 'EROFS: read-only file system, open' },
        { directory: '/var/tmp', errno: 'EIO', detail: 'EIO: i/o error, write' },
      ],
      memoryLimit: 64 * 1024 * 1024,
    };
    assert.equal(
      describeFact(spool, en),
      'cannot spool the message (/tmp: read-only file system; /var/tmp: input/output error) and it is larger than the 64 MiB kept in memory',
    );
    assert.equal(
      describeFact(spool, fr),
      'impossible d’écrire le message dans un fichier temporaire (/tmp : système de fichiers en lecture seule ; /var/tmp : erreur d’entrée-sortie), et il dépasse les 64 Mio gardés en mémoire',
    );
    assert.equal(
      describeFact({ code: 'MAILV_STDIN_CHANGED' }, en),
      'standard input changed while it was being read: send it through a pipe to send a snapshot',
    );
    assert.equal(
      describeFact({ code: 'MAILV_STDIN_CHANGED' }, fr),
      'l’entrée standard a changé pendant sa lecture : passez-la par un tube pour en envoyer un instantané',
    );
  });

  it('a -t message being resent goes to its Resent-To, Resent-Cc and Resent-Bcc only, the last kept out of the header', async () => {
    const parsed = parseCommandLine(['-t'], '0') as { options: RawOptions; recipients: string[] };
    const plan = buildPlan(parsed.options, parsed.recipients, { fqdn: 'client.example', user: 'alice', env: {} });
    const text = 'From: a@example.org\nTo: first@example.org\nResent-To: new@example.org\nResent-Bcc: hidden@example.org\nBcc: old@example.org\n\nb\n';
    const prepared = await prepareInput(plan, await readStream([Buffer.from(text, 'latin1')]), [], new Date(0));
    assert.deepEqual(prepared.envelope.recipients, ['new@example.org', 'hidden@example.org']);
    assert.deepEqual([...prepared.bccOnly], ['hidden@example.org']);
    const message = await prepared.compose(true);
    const chunks: Buffer[] = [];
    for await (const chunk of message.chunks()) chunks.push(Buffer.from(chunk));
    const header = Buffer.concat(chunks).toString('latin1').split('\r\n\r\n')[0]!;
    assert.match(header, /^Resent-To: new@example\.org$/m);
    assert.doesNotMatch(header, /hidden|old@/);
  });

  it('a -t message SMTP cannot carry, or that names nobody', async () => {
    const parsed = parseCommandLine(['-t'], '0') as { options: RawOptions; recipients: string[] };
    const plan = buildPlan(parsed.options, parsed.recipients, { fqdn: 'client.example', user: 'alice', env: {} });
    const prepare = async (text: string) => prepareInput(plan, await readStream([Buffer.from(text, 'latin1')]), [], new Date(0));
    await assert.rejects(
      prepare('To: bob@example.org\n\nnul \0 here\n'),
      failure(
        'MAILV_MESSAGE_NUL',
        65,
        'the message holds a NUL octet, which SMTP cannot carry as it is',
        'le message contient un octet NUL, que SMTP ne peut pas transporter tel quel',
      ),
    );
    await assert.rejects(
      prepare('Subject: nobody\n\nbody\n'),
      failure(
        'MAILV_MESSAGE_NO_RECIPIENT',
        64,
        '-t: the message names no recipient in To, Cc or Bcc (an empty group names none) and no recipient was given',
        '-t : le message ne nomme aucun destinataire en To, Cc ou Bcc (un groupe vide n’en nomme pas), et aucun n’a été donné',
      ),
    );
    const eightBit = await prepare('To: bob@example.org\n\ncaf\xe9\n');
    await assert.rejects(
      eightBit.compose(false),
      failure(
        'MAILV_NO_8BITMIME',
        69,
        'the message body has 8-bit content and the server does not offer 8BITMIME (a whole message is never re-encoded)',
        'le corps du message contient des octets de 8 bits et le serveur ne propose pas 8BITMIME (un message complet n’est jamais réencodé)',
      ),
    );
    // The header alone 8-bit (RFC 6532): it goes all the same, announced where 8BITMIME is offered.
    const header = await prepare('To: bob@example.org\nSubject: caf\xe9\n\nascii\n');
    assert.equal((await header.compose(false)).eightBit, true);
  });

  it('the facts of a run that has no terminal, no configuration file or an unusable --ca', () => {
    const cases: [CliErrorFact, string, string][] = [
      [
        { code: 'MAILV_PASSWORD_NO_TERMINAL' },
        'no password: no terminal to ask at; give MAILV_PASSWORD, --password-file or --password-cmd',
        'pas de mot de passe : aucun terminal où le demander ; donnez MAILV_PASSWORD, --password-file ou --password-cmd',
      ],
      [{ code: 'MAILV_STEP_NO_TERMINAL' }, '--step needs a terminal to wait at', '--step a besoin d’un terminal où attendre'],
      [{ code: 'MAILV_STDIN_DIRECTORY' }, 'standard input is a directory, not a message', 'l’entrée standard est un répertoire, pas un message'],
      [
        { code: 'MAILV_CONFIG_FILE_MISSING', path: '/home/a/.config/mailv/config', account: 'work' },
        'no configuration file /home/a/.config/mailv/config, so no account "work"',
        'pas de fichier de configuration /home/a/.config/mailv/config, donc pas de compte « work »',
      ],
      [
        { code: 'MAILV_CA_UNREADABLE', path: '/x.pem', errno: 'ENOENT', detail: "no such file or directory, open '/x.pem'" },
        'cannot read --ca /x.pem: no such file',
        'impossible de lire --ca /x.pem : fichier inexistant',
      ],
      [{ code: 'MAILV_CA_NO_PEM', path: '/x.pem' }, '--ca /x.pem holds no PEM certificate', '--ca /x.pem ne contient aucun certificat PEM'],
      // Any other code in the words every file's error gets, never in Node's English in a French run
      // (before: "ELOOP: too many symbolic links encountered, stat '/x'", the path said twice).
      [
        { code: 'MAILV_ATTACHMENT_UNREADABLE', path: '/x', errno: 'ELOOP', detail: "ELOOP: too many symbolic links encountered, stat '/x'" },
        'cannot attach /x: too many symbolic links',
        'impossible de joindre /x : trop de liens symboliques',
      ],
      [
        {
          code: 'MAILV_SECRET_UNREADABLE',
          origin: 'password-file-option',
          path: '/x',
          errno: 'ENAMETOOLONG',
          detail: "ENAMETOOLONG: name too long, open '/x'",
        },
        'cannot read --password-file /x: file name too long',
        'impossible de lire --password-file /x : nom de fichier trop long',
      ],
      [
        { code: 'MAILV_STDIN_UNREADABLE', errno: 'EWHATEVER', detail: 'EWHATEVER: something, read' },
        // Node's words for it, without its code and the call they came from.
        'cannot read the message: something',
        'impossible de lire le message : EWHATEVER',
      ],
      [
        { code: 'MAILV_ATTACHMENT_UNREADABLE', path: '/x', errno: 'ETXTBSY', detail: "ETXTBSY: text file is busy, open '/x'" },
        'cannot attach /x: text file is busy',
        'impossible de joindre /x : ETXTBSY',
      ],
    ];
    for (const [fact, english, french] of cases) {
      assert.equal(describeFact(fact, en), english);
      assert.equal(describeFact(fact, fr), french);
    }
  });
});
