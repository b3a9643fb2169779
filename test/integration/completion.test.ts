// `mailv completion bash|zsh|fish`: each script is loaded into the real shell, which is then asked
// for completions as Tab would ask (bash: COMP_WORDS and the function; fish: complete -C; zsh: a
// pseudo-terminal and a Tab, test/fixtures/zsh-complete.zsh). Account names come from the
// configuration file at completion time, through `mailv completion accounts`.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAILV, freshHome, runCli } from '../helpers/cli.js';
import { skipUnlessRunning } from '../helpers/service.js';

const ZSH_HARNESS = fileURLToPath(new URL('../../test/fixtures/zsh-complete.zsh', import.meta.url));

/** A shell found on PATH, or the reason its tests are skipped (an error in CI). */
function shell(name: string): string | undefined {
  const found = spawnSync('sh', ['-c', `command -v ${name}`], { encoding: 'utf8' }).status === 0;
  return skipUnlessRunning(found, name, `apt-get install ${name}, as .ci/run does`);
}

interface Place {
  /** A directory with report.pdf, "my notes.txt" and lesson.jsonl: what files complete to. */
  readonly cwd: string;
  /** PATH and HOME for the shells: `mailv` runs the built CLI, HOME holds a configuration file. */
  readonly env: NodeJS.ProcessEnv;
  /** A second configuration file, named with --config, whose accounts differ from the default one's. */
  readonly otherConfig: string;
}

function makePlace(): Place {
  const home = freshHome();
  const bin = join(home, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'mailv'), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(MAILV)} "$@"\n`);
  chmodSync(join(bin, 'mailv'), 0o755);
  mkdirSync(join(home, '.config', 'mailv'), { recursive: true });
  const config = join(home, '.config', 'mailv', 'config');
  writeFileSync(config, '[default]\nserver = localhost\n\n[account work]\nserver = smtp://localhost:2525\n\n[account school]\nfrom = teacher@example.org\n');
  chmodSync(config, 0o600);
  const otherConfig = join(home, 'other.conf');
  writeFileSync(otherConfig, '[account lab]\nserver = localhost\n');
  chmodSync(otherConfig, 0o600);
  const cwd = join(home, 'work');
  mkdirSync(cwd);
  for (const name of ['report.pdf', 'my notes.txt', 'lesson.jsonl']) writeFileSync(join(cwd, name), '');
  const env = { PATH: `${bin}:${process.env['PATH'] ?? '/usr/bin:/bin'}`, HOME: home, LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8' };
  return { cwd, env, otherConfig };
}

/** The script written by `mailv completion <shell>`, in the words of the locale `lang` (English by default). */
async function script(shellName: 'bash' | 'zsh' | 'fish', place: Place, lang?: string): Promise<string> {
  const run = await runCli(['completion', shellName], { home: place.env['HOME']!, env: lang === undefined ? {} : { LC_ALL: lang } });
  assert.equal(run.code, 0, run.stderr);
  const path = join(place.env['HOME']!, `mailv${lang === undefined ? '' : `.${lang}`}.${shellName}`);
  writeFileSync(path, run.stdout);
  return path;
}

function lines(text: string): string[] {
  return text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '');
}

describe('mailv completion', () => {
  let place: Place;
  before(() => {
    place = makePlace();
  });

  it('lists the accounts of the configuration file, or of the one --config names', async () => {
    const home = place.env['HOME']!;
    const byDefault = await runCli(['completion', 'accounts'], { home });
    assert.equal(byDefault.code, 0, byDefault.stderr);
    assert.equal(byDefault.stdout, 'work\nschool\n');
    const named = await runCli(['completion', 'accounts', '--config', place.otherConfig], { home });
    assert.equal(named.stdout, 'lab\n');
    const none = await runCli(['completion', 'accounts']);
    assert.deepEqual([none.code, none.stdout], [0, '']);
  });

  it('refuses a shell it has no script for, as any bad value (64)', async () => {
    const run = await runCli(['completion', 'tcsh']);
    assert.equal(run.code, 64);
    assert.match(run.stderr, /tcsh/);
    assert.equal(run.stdout, '');
  });

  it("offers every option of mailv's --help, from the one definition", async () => {
    const help = await runCli(['--help']);
    const options = new Set(help.stdout.match(/(?<=^ {2}(?:-\w, )?)--[a-z0-9-]+/gm));
    assert.ok(options.size > 40, `options read from --help: ${[...options].join(' ')}`);
    const bash = (await runCli(['completion', 'bash'])).stdout;
    const fish = (await runCli(['completion', 'fish'])).stdout;
    const zsh = (await runCli(['completion', 'zsh'])).stdout;
    for (const option of options) {
      assert.match(bash, new RegExp(` ${option}(?= |$)`, 'm'), `bash: ${option}`);
      assert.match(fish, new RegExp(` -l ${option.slice(2)} `), `fish: ${option}`);
      assert.match(zsh, new RegExp(`[{,"']${option}=?[,}']`), `zsh: ${option}`);
    }
  });
});

describe('bash asked for completions', { skip: shell('bash') }, () => {
  let place: Place;
  let file: string;
  before(async () => {
    place = makePlace();
    file = await script('bash', place);
  });

  /** What bash's Tab offers after `words` (the last one is the word being completed). */
  function complete(...words: string[]): string[] {
    const run = spawnSync(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: bash code, its own ${…}
        'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMPREPLY=(); _mailv; printf "%s\\n" "${COMPREPLY[@]}"',
        file,
        ...words,
      ],
      { cwd: place.cwd, env: place.env, encoding: 'utf8' },
    );
    assert.equal(run.status, 0, run.stderr);
    assert.equal(run.stderr, '');
    return lines(run.stdout);
  }

  it("offers an option's choices: --tls, --quit-after, --lang, --body, --pipelining, --auth", () => {
    assert.deepEqual(complete('mailv', '--tls', ''), ['auto', 'required', 'off']);
    assert.deepEqual(complete('mailv', '--quit-after', ''), ['connect', 'greeting', 'ehlo', 'starttls', 'auth', 'mail', 'rcpt', 'data']);
    assert.deepEqual(complete('mailv', '-s', 'hi', '--lang', 'f'), ['fr']);
    assert.deepEqual(complete('mailv', '--body', ''), ['auto', 'data', 'bdat']);
    assert.deepEqual(complete('mailv', '--pipelining', 'o'), ['on', 'off']);
    assert.deepEqual(complete('mailv', '--auth', 'X'), ['XOAUTH2']);
  });

  it('completes --tls=VALUE, whether bash splits the word at = or not', () => {
    assert.deepEqual(complete('mailv', '--tls', '=', 'r'), ['required']);
    assert.deepEqual(complete('mailv', '--tls', '='), ['auto', 'required', 'off']);
    assert.deepEqual(complete('mailv', '--tls=r'), ['--tls=required']);
  });

  it('offers options, and the commands replay and completion as the first word', () => {
    assert.deepEqual(complete('mailv', '--qu'), ['--quit-after', '--quiet']);
    assert.deepEqual(complete('mailv', ''), ['replay', 'completion']);
    assert.deepEqual(complete('mailv', 'bob@example.org', ''), []);
    assert.deepEqual(complete('mailv', 'replay', '--l'), ['--lang']);
    assert.deepEqual(complete('mailv', 'completion', ''), ['bash', 'zsh', 'fish', 'accounts']);
  });

  it('offers files after -a, even with a space in their name, and for replay', () => {
    assert.deepEqual(complete('mailv', '-a', 'my'), ['my notes.txt']);
    assert.deepEqual(complete('mailv', '--attach', 'rep'), ['report.pdf']);
    assert.deepEqual(complete('mailv', 'replay', 'les'), ['lesson.jsonl']);
  });

  it('offers the account names of the configuration file, read when Tab is pressed', () => {
    assert.deepEqual(complete('mailv', '--account', ''), ['work', 'school']);
    assert.deepEqual(complete('mailv', '--account', 'w'), ['work']);
    assert.deepEqual(complete('mailv', '--config', place.otherConfig, '--account', ''), ['lab']);
    // A --config path typed quoted, or with its space escaped, as the line holds it: before, nothing was offered.
    const spaced = join(place.env['HOME']!, 'my conf.conf');
    writeFileSync(spaced, '[account lab-2]\nserver = localhost\n');
    chmodSync(spaced, 0o600);
    assert.deepEqual(complete('mailv', '--config', `"${spaced}"`, '--account', ''), ['lab-2']);
    assert.deepEqual(complete('mailv', '--config', `'${spaced}'`, '--account', ''), ['lab-2']);
    assert.deepEqual(complete('mailv', '--config', spaced.replace(/ /g, '\\ '), '--account', ''), ['lab-2']);
    // From $HOME or ~, quoted in part: as a shell would read it, the line never run.
    assert.deepEqual(complete('mailv', '--config', '"$HOME/my conf.conf"', '--account', ''), ['lab-2']);
    assert.deepEqual(complete('mailv', '--config', '~/"my conf.conf"', '--account', ''), ['lab-2']);
    assert.deepEqual(complete('mailv', '--config', '"$(touch pwned)"', '--account', ''), []);
    assert.ok(!existsSync(join(place.cwd, 'pwned')));
    const later = join(place.env['HOME']!, '.config', 'mailv', 'config');
    writeFileSync(later, '[account home]\nserver = localhost\n');
    assert.deepEqual(complete('mailv', '--account', ''), ['home']);
  });
});

describe('fish asked for completions', { skip: shell('fish') }, () => {
  let place: Place;
  let file: string;
  before(async () => {
    place = makePlace();
    file = await script('fish', place);
  });

  /** What `complete -C` gives for `line`, with the descriptions after a tab. */
  function described(line: string, from = file): string[] {
    const run = spawnSync('fish', ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', from, line], {
      cwd: place.cwd,
      env: place.env,
      encoding: 'utf8',
    });
    assert.equal(run.status, 0, run.stderr);
    return lines(run.stdout);
  }

  /** What `complete -C` gives for `line`, without the descriptions. */
  function complete(line: string): string[] {
    return described(line).map((entry) => entry.split('\t')[0]!);
  }

  it("describes each option in the locale's language when the script was written", async () => {
    assert.deepEqual(described('mailv --quie'), ['--quiet\tprint no dialogue, only errors']);
    const french = await script('fish', place, 'fr_FR.UTF-8');
    assert.deepEqual(described('mailv --quie', french), ['--quiet\tne montrer aucun dialogue, seulement les erreurs']);
    assert.deepEqual(
      described('mailv --tls ', french).map((entry) => entry.split('\t')[0]),
      ['auto', 'off', 'required'],
    );
  });

  it("offers an option's choices, with = too", () => {
    assert.deepEqual(complete('mailv --tls '), ['auto', 'off', 'required']);
    assert.deepEqual(complete('mailv --quit-after e'), ['ehlo']);
    assert.deepEqual(complete('mailv --tls=r'), ['--tls=required']);
    assert.deepEqual(complete('mailv -s hi --body '), ['auto', 'bdat', 'data']);
  });

  it('offers options, commands, files after -a, and accounts', () => {
    assert.deepEqual(complete('mailv --qu'), ['--quiet', '--quit-after']);
    assert.deepEqual(complete('mailv '), ['completion', 'replay']);
    assert.deepEqual(complete('mailv -a my'), ['my notes.txt']);
    assert.deepEqual(complete('mailv replay les'), ['lesson.jsonl']);
    assert.deepEqual(complete('mailv --account '), ['school', 'work']);
    assert.deepEqual(complete(`mailv --config ${place.otherConfig} --account `), ['lab']);
  });

  it('runs nothing typed on the line when it reads the accounts: a $(…) or `…` in --config stays text', () => {
    const marker = join(place.env['HOME']!, 'ran');
    assert.deepEqual(complete(`mailv --config "$(touch ${marker})" --account `), []);
    assert.deepEqual(complete(`mailv --config \`touch ${marker}\` --account `), []);
    assert.equal(existsSync(marker), false);
    // Quoted as typed, a file name with a space still names the file.
    const spaced = join(place.env['HOME']!, 'with space.conf');
    writeFileSync(spaced, '[account lab2]\nserver = localhost\n');
    chmodSync(spaced, 0o600);
    assert.deepEqual(complete(`mailv --config '${spaced}' --account `), ['lab2']);
  });
});

describe('zsh asked for completions', { skip: shell('zsh') }, () => {
  let place: Place;
  let file: string;
  before(async () => {
    place = makePlace();
    file = await script('zsh', place);
  });

  /** The matches zsh's completion system offers when Tab is pressed after `line`. */
  function complete(line: string, from = file): string[] {
    const run = spawnSync('zsh', ['-f', ZSH_HARNESS, from, line], { cwd: place.cwd, env: place.env, encoding: 'utf8', timeout: 30_000 });
    assert.equal(run.status, 0, `${run.stderr} ${run.error ?? ''}`);
    return lines(run.stdout);
  }

  it('loads the script written in French (its descriptions hold colons, brackets and apostrophes) and completes as in English', async () => {
    const french = await script('zsh', place, 'fr_FR.UTF-8');
    assert.deepEqual(complete('mailv --qu', french), ['--quiet', '--quit-after']);
    assert.deepEqual(complete('mailv --tls=r', french), ['required']);
  });

  it("offers an option's choices, with = too", () => {
    assert.deepEqual(complete('mailv --tls '), ['auto', 'required', 'off']);
    assert.deepEqual(complete('mailv --tls=r'), ['required']);
    assert.deepEqual(complete('mailv -s hi --lang '), ['fr', 'en']);
  });

  it('offers options, commands, files after -a, and accounts', () => {
    assert.deepEqual(complete('mailv --qu'), ['--quiet', '--quit-after']);
    assert.deepEqual(complete('mailv '), ['replay', 'completion']);
    assert.deepEqual(complete('mailv -a my'), ['my\\ notes.txt']);
    assert.deepEqual(complete('mailv replay les'), ['lesson.jsonl']);
    assert.deepEqual(complete('mailv --account '), ['work', 'school']);
    assert.deepEqual(complete(`mailv --config ${place.otherConfig} --account `), ['lab']);
  });

  it('runs nothing typed on the line when it reads the accounts: a $(…) or `…` in --config stays text', () => {
    const marker = join(place.env['HOME']!, 'ran');
    assert.deepEqual(complete(`mailv --config "$(touch ${marker})" --account `), []);
    assert.deepEqual(complete(`mailv --config \`touch ${marker}\` --account `), []);
    assert.equal(existsSync(marker), false);
    // Quoted as typed, a file name with a space still names the file.
    const spaced = join(place.env['HOME']!, 'with space.conf');
    writeFileSync(spaced, '[account lab2]\nserver = localhost\n');
    chmodSync(spaced, 0o600);
    assert.deepEqual(complete(`mailv --config '${spaced}' --account `), ['lab2']);
  });
});
