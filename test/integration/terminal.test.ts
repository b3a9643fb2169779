// mailv in a real terminal (tmux): colours on, the spinner shown while a slow server keeps it
// waiting, a final screen holding the transcript without spinner debris, and the Subject: prompt.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { freshHome, MAILV, LOCAL_HOST, LOCAL_HOST_PATTERN } from '../helpers/cli.js';
import { startScriptedServer, type ScriptedServer } from '../helpers/scripted-server.js';

const SOCKET = `mailv-test-${process.pid}`;
const tmux = (...args: string[]) => execFileSync('tmux', ['-L', SOCKET, ...args], { encoding: 'utf8' });

/**
 * Starts mailv in a detached tmux window of 120×40 named `name`; returns its HOME. `keyboard`: its
 * standard input is the terminal, typed on with tmux send-keys; otherwise /dev/null.
 */
function startInTmux(name: string, args: string[], options: { keyboard?: boolean } = {}): string {
  const home = freshHome();
  const quoted = [process.execPath, MAILV, ...args].map((word) => `'${word}'`).join(' ');
  const input = options.keyboard ? '' : ' < /dev/null';
  // CI would turn the spinner off, as it should; here the terminal is real, so it is unset. The
  // machine's locale would choose the language of the prompts: English is asked for.
  const command = `env -u CI -u NO_COLOR -u FORCE_COLOR -u LC_ALL -u LC_MESSAGES LANG=C.UTF-8 HOME='${home}' USER=tester TERM=xterm-256color ${quoted}${input}; echo "[exit $?]"; sleep 30`;
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', command);
  return home;
}

/**
 * mailv in a tmux window as `shell` runs it (`{mailv}` stands for the command), in the locale
 * `lang` (English unless told); returns its HOME.
 */
function shellInTmux(name: string, args: string[], shell: (mailv: string) => string, lang = 'C.UTF-8'): string {
  const home = freshHome();
  const quoted = [process.execPath, MAILV, ...args].map((word) => `'${word}'`).join(' ');
  const mailv = `env -u CI -u MAILV_PASSWORD -u LC_ALL -u LC_MESSAGES LANG='${lang}' HOME='${home}' USER=tester TERM=xterm-256color ${quoted}`;
  tmux('new-session', '-d', '-s', name, '-x', '120', '-y', '40', shell(mailv));
  return home;
}

/** An interactive bash (job control: Control-Z, fg) in a tmux window of 120×40 named `name`, in `home`. */
function interactiveShell(name: string, home: string): void {
  tmux(
    'new-session',
    '-d',
    '-s',
    name,
    '-x',
    '120',
    '-y',
    '40',
    `env -u CI -u NO_COLOR HOME='${home}' USER=tester LANG=C.UTF-8 TERM=xterm-256color bash --norc -i`,
  );
}

/** The process the pane's shell started: mailv. */
function mailvOf(name: string): number {
  const shell = tmux('display-message', '-p', '-t', name, '#{pane_pid}').trim();
  return Number(readFileSync(`/proc/${shell}/task/${shell}/children`, 'utf8').trim().split(' ')[0]);
}

/** Waits until `pid` has read all there was to read: what was typed has reached it. */
async function readAllTyped(pid: number): Promise<void> {
  const octetsRead = () => Number(/^rchar: (\d+)$/m.exec(readFileSync(`/proc/${pid}/io`, 'utf8'))![1]);
  for (let last = -1, now = octetsRead(); now !== last; last = now, now = octetsRead()) await sleep(100);
}

async function ended(pid: number): Promise<void> {
  const running = () => existsSync(`/proc/${pid}`) && !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  for (let i = 0; i < 200 && running(); i++) await sleep(50);
  if (running()) throw new Error(`process ${pid} is still running`);
}

/** The message in dead.letter: its header block and its body, LF lines as mbox keeps them. */
function deadLetter(home: string): { headers: string; body: string } {
  const kept = readFileSync(join(home, 'dead.letter'), 'utf8');
  const split = kept.indexOf('\n\n');
  return { headers: kept.slice(0, split), body: kept.slice(split + 2) };
}

async function waitForScreen(name: string, pattern: RegExp, timeoutMs = 10_000): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const screen = tmux('capture-pane', '-p', '-e', '-t', name);
    if (pattern.test(screen)) return screen;
    if (Date.now() > deadline) throw new Error(`the screen never matched ${pattern}:\n${screen}`);
    await sleep(50);
  }
}

describe('in a real terminal (tmux)', () => {
  let slow: ScriptedServer;
  before(async () => {
    slow = await startScriptedServer({ greetingDelayMs: 1500 });
  });
  after(async () => {
    await slow.close();
    try {
      tmux('kill-server');
    } catch {
      // already gone
    }
  });

  it('shows a spinner while the server is slow, then a clean, coloured transcript', async () => {
    startInTmux('slow', ['--server', `127.0.0.1:${slow.port}`, '-s', 'slow', 'bob@example.org']);
    const waiting = await waitForScreen('slow', /waiting for the greeting of \[127\.0\.0\.1\]…/);
    assert.match(waiting, /Connecting to \[127\.0\.0\.1\]/, 'the transcript line stays above the spinner');
    const done = await waitForScreen('slow', /\[exit \d+\]/);
    assert.match(done, /\[exit 0\]/);
    assert.doesNotMatch(done, /waiting for/, 'no spinner debris');
    const plain = tmux('capture-pane', '-p', '-t', 'slow');
    assert.match(plain, /^220 scripted\.test ESMTP$/m, 'the greeting on a line of its own');
    assert.match(plain, new RegExp(`^>>> EHLO ${LOCAL_HOST_PATTERN}$`, 'm'));
    assert.match(done, /\u001b\[[0-9;]*m>>> EHLO/, 'client lines in colour');
  });

  it('Control-Z while the spinner turns: the cursor it hid is shown again before mailv stops; fg turns it again', async () => {
    const server = await startScriptedServer({ replies: { DATA: { silent: true } } });
    const home = freshHome();
    writeFileSync(join(home, 'body'), 'the body\n');
    try {
      tmux('new-session', '-d', '-s', 'suspended', '-x', '120', '-y', '40', `env -u CI -u NO_COLOR HOME='${home}' TERM=xterm-256color bash --norc -i`);
      const command = [process.execPath, MAILV, '--server', `127.0.0.1:${server.port}`, '-s', 'stopped', 'bob@example.org']
        .map((word) => `'${word}'`)
        .join(' ');
      tmux('send-keys', '-t', 'suspended', `${command} < '${join(home, 'body')}'`, 'Enter');
      await waitForScreen('suspended', /waiting for the reply to DATA/);
      const cursor = () => tmux('display-message', '-p', '-t', 'suspended', '#{cursor_flag}').trim();
      assert.equal(cursor(), '0', 'the spinner hides the cursor');
      tmux('send-keys', '-t', 'suspended', 'C-z');
      await waitForScreen('suspended', /Stopped/);
      assert.equal(cursor(), '1', 'shown again at the shell');
      tmux('send-keys', '-t', 'suspended', 'fg', 'Enter');
      await waitForScreen('suspended', /\bfg\n[\s\S]*waiting for the reply to DATA/);
      tmux('send-keys', '-t', 'suspended', 'C-c');
      await waitForScreen('suspended', /interrupted by SIGINT/);
    } finally {
      tmux('kill-session', '-t', 'suspended');
      await server.close();
    }
  });

  it('Control-Z and fg while the message is typed: the Subject: prompt is asked again, the body says (continue), as mail does', async () => {
    const home = freshHome();
    try {
      interactiveShell('typing', home);
      const command = [process.execPath, MAILV, '--demo', '-q', 'bob@example.org'].map((word) => `'${word}'`).join(' ');
      tmux('send-keys', '-t', 'typing', command, 'Enter');
      await waitForScreen('typing', /^Subject: ?$/m);
      tmux('send-keys', '-t', 'typing', 'C-z');
      await waitForScreen('typing', /Stopped/);
      tmux('send-keys', '-t', 'typing', 'fg', 'Enter');
      // Before, nothing came back after fg: what was typed next went into the subject unasked.
      await waitForScreen('typing', /\bfg\n.*\nSubject: ?$/m);
      tmux('send-keys', '-t', 'typing', 'Hello', 'Enter', 'first line', 'Enter');
      // Control-Z flushes what the terminal has not yet passed on: the lines are let through first.
      await waitForScreen('typing', /^first line$/m);
      await sleep(200);
      tmux('send-keys', '-t', 'typing', 'C-z');
      await waitForScreen('typing', /first line\n(?:.*\n)*.*Stopped/);
      tmux('send-keys', '-t', 'typing', 'fg', 'Enter');
      await waitForScreen('typing', /\(continue\)\n$/m);
      tmux('send-keys', '-t', 'typing', '.', 'Enter');
      await waitForScreen('typing', /^EOT$/m);
      tmux('send-keys', '-t', 'typing', 'echo "[exit $?]"', 'Enter');
      const done = await waitForScreen('typing', /\[exit \d+\]/);
      assert.match(done, /\[exit 0\]/);
    } finally {
      tmux('kill-session', '-t', 'typing');
    }
  });

  it('--step with the message typed at the same terminal: what was typed before the first question is the message, not dropped', async () => {
    const home = freshHome();
    try {
      interactiveShell('ahead', home);
      const command = [process.execPath, MAILV, '--step', '--demo', '-s', 'hi', 'bob@example.org'].map((word) => `'${word}'`).join(' ');
      tmux('send-keys', '-t', 'ahead', `sleep 1; ${command}; echo "[exit $?]"`, 'Enter', 'typed ahead body', 'Enter');
      await sleep(2500);
      tmux('send-keys', '-t', 'ahead', '.', 'Enter');
      await waitForScreen('ahead', /\[Enter\] send EHLO /);
      tmux('send-keys', '-t', 'ahead', 'q');
      const done = await waitForScreen('ahead', /\[exit \d+\]/);
      assert.match(done, /\[exit 75\]/);
      // Dropped as typed ahead, the body was empty: "Null message body".
      assert.doesNotMatch(done, /Null message body/);
      assert.match(deadLetter(home).body, /^typed ahead body\n+$/);
    } finally {
      tmux('kill-session', '-t', 'ahead');
    }
  });

  it('Control-Z while the spinner turns, no job-control shell to continue mailv: it is not stopped, and Control-C still ends it', async () => {
    const server = await startScriptedServer({ replies: { DATA: { silent: true } } });
    try {
      // sh -c runs it without job control: its process group is orphaned, and the terminal's stop is not for it.
      startInTmux('orphan', ['--server', `127.0.0.1:${server.port}`, '-s', 'stopped', 'bob@example.org']);
      await waitForScreen('orphan', /waiting for the reply to DATA/);
      const pid = mailvOf('orphan');
      tmux('send-keys', '-t', 'orphan', 'C-z');
      await sleep(500);
      // Before, the spinner stopped mailv with SIGSTOP: state T, for good.
      assert.doesNotMatch(readFileSync(`/proc/${pid}/stat`, 'utf8'), /^\d+ \(.*\) T /);
      await waitForScreen('orphan', /waiting for the reply to DATA/);
      tmux('send-keys', '-t', 'orphan', 'C-c');
      const done = await waitForScreen('orphan', /\[exit \d+\]/);
      assert.match(done, /\[exit 130\]/);
    } finally {
      await server.close();
    }
  });

  it('--step on a narrow terminal: the question fits its line, the command cut, [q] quit kept', async () => {
    const fast = await startScriptedServer();
    const home = freshHome();
    writeFileSync(join(home, 'body'), 'the body\n');
    try {
      const command = [
        process.execPath,
        MAILV,
        '--step',
        '--no-color',
        '--server',
        `127.0.0.1:${fast.port}`,
        '-r',
        'averyveryverylongsendername@example.org',
        '-s',
        'x',
        'bob@example.org',
      ]
        .map((word) => `'${word}'`)
        .join(' ');
      tmux(
        'new-session',
        '-d',
        '-s',
        'narrow',
        '-x',
        '60',
        '-y',
        '30',
        `env -u CI HOME='${home}' TERM=xterm-256color ${command} < '${join(home, 'body')}'; sleep 30`,
      );
      await waitForScreen('narrow', /\[Enter\] send EHLO/);
      tmux('send-keys', '-t', 'narrow', 'Enter');
      const screen = await waitForScreen('narrow', /\[Enter\] send MAIL/);
      const rows = screen.split('\n').filter((row) => row.includes('[Enter] send MAIL'));
      assert.equal(rows.length, 1, screen);
      assert.match(rows[0]!, /\[Enter\] send MAIL From:<averyvery\S*… {3}\[q\] quit$/, 'one row, cut, its keys kept');
      tmux('send-keys', '-t', 'narrow', 'q');
    } finally {
      tmux('kill-session', '-t', 'narrow');
      await fast.close();
    }
  });

  it('NO_COLOR set but empty means nothing (no-color.org): the dialogue is coloured', async () => {
    const fast = await startScriptedServer();
    try {
      shellInTmux(
        'empty-no-color',
        ['--server', `127.0.0.1:${fast.port}`, '-s', 'x', 'bob@example.org'],
        (mailv) => `NO_COLOR= ${mailv} < /dev/null; echo "[exit $?]"; sleep 30`,
      );
      const done = await waitForScreen('empty-no-color', /\[exit \d+\]/);
      assert.match(done, /\u001b\[[0-9;]*m>>> EHLO/, 'client lines in colour');
    } finally {
      await fast.close();
    }
  });

  it('NO_COLOR takes the colour off the spinner too', async () => {
    shellInTmux(
      'plain-spinner',
      ['--server', `127.0.0.1:${slow.port}`, '-s', 'slow', 'bob@example.org'],
      (mailv) => `NO_COLOR=1 ${mailv} < /dev/null; sleep 30`,
    );
    const waiting = await waitForScreen('plain-spinner', /waiting for the greeting of \[127\.0\.0\.1\]…/);
    const line = waiting.split('\n').find((row) => row.includes('waiting for the greeting'))!;
    assert.doesNotMatch(line, /\u001b\[3\dm/, JSON.stringify(line));
  });

  it('a timeout while the spinner turns: it is cleared, the error shown, and mailv exits', async () => {
    startInTmux('timeout', ['--timeout', '0.5', '--server', `127.0.0.1:${slow.port}`, '-s', 'late', 'bob@example.org']);
    const done = await waitForScreen('timeout', /\[exit \d+\]/, 5000);
    assert.match(done, /\[exit 75\]/);
    assert.match(done, /mailv: timed out after 0\.5 s waiting for the reply \(greeting\)/);
    assert.doesNotMatch(done, /waiting for the greeting/, 'no spinner left behind');
  });

  it('--step: lock-step, each write waits for Enter naming what it will send, shown only once sent; q says QUIT and keeps the message', async () => {
    const fast = await startScriptedServer();
    try {
      startInTmux('step', ['--step', '--no-color', '--server', `127.0.0.1:${fast.port}`, '-s', 'step', 'bob@example.org']);
      const first = await waitForScreen(
        'step',
        new RegExp(String.raw`^220 scripted\.test ESMTP\n\s*\[Enter\] send EHLO ${LOCAL_HOST_PATTERN} {3}\[q\] quit`, 'm'),
      );
      assert.doesNotMatch(first, />>> EHLO/, 'nothing shown before it is sent');
      assert.deepEqual(fast.commands, [], 'nothing sent before Enter');
      tmux('send-keys', '-t', 'step', 'Enter');
      const second = await waitForScreen('step', /\[Enter\] send MAIL From:<tester@\S+> SIZE=\d+ {3}\[q\] quit/);
      assert.match(second, new RegExp(String.raw`>>> EHLO ${LOCAL_HOST_PATTERN}\n250-scripted\.test`));
      assert.doesNotMatch(second, />>> MAIL/);
      assert.deepEqual(fast.commands, [`EHLO ${LOCAL_HOST}`], 'one command at a time');
      tmux('send-keys', '-t', 'step', 'q');
      const done = await waitForScreen('step', /\[exit \d+\]/);
      assert.match(done, /\[exit 75\]/);
      assert.doesNotMatch(done, />>> MAIL/, 'the refused command is neither shown nor sent');
      assert.match(done, /^Closing connection to \[127\.0\.0\.1\]\n>>> QUIT\n221 2\.0\.0 Bye$/m);
      assert.match(done, /mailv: stopped at your request \(--step\): the message was not sent/);
      assert.match(done, /the message was saved in .*dead\.letter/);
      assert.deepEqual(fast.commands, [`EHLO ${LOCAL_HOST}`, 'QUIT']);
    } finally {
      await fast.close();
    }
  });

  it('--step: an Enter typed while the server is awaited answers no question: the next waits for its own', async () => {
    const late = await startScriptedServer({ greetingDelayMs: 1200 });
    try {
      startInTmux('step-ahead', ['--step', '--no-color', '--server', `127.0.0.1:${late.port}`, '-s', 'step', 'bob@example.org']);
      await sleep(400);
      tmux('send-keys', '-t', 'step-ahead', 'Enter');
      await waitForScreen('step-ahead', /\[Enter\] send EHLO /);
      await sleep(600);
      // Before, the Enter typed ahead sent EHLO as soon as it was asked for.
      assert.deepEqual(late.commands, [], 'nothing sent without an Enter at its question');
      tmux('send-keys', '-t', 'step-ahead', 'q');
      const done = await waitForScreen('step-ahead', /\[exit \d+\]/);
      assert.match(done, /\[exit 75\]/);
      assert.deepEqual(late.commands, ['QUIT']);
    } finally {
      await late.close();
    }
  });

  it('--step: a pause before the message (its octets, then the dot) and one before QUIT, after the verdict', async () => {
    const fast = await startScriptedServer();
    try {
      startInTmux('step-all', ['--step', '--no-color', '--server', `127.0.0.1:${fast.port}`, '-s', 'step', 'bob@example.org']);
      for (const prompt of [/\[Enter\] send EHLO /, /\[Enter\] send MAIL From:/, /\[Enter\] send RCPT To:<bob@example\.org>/, /\[Enter\] send DATA {3}/]) {
        await waitForScreen('step-all', prompt);
        tmux('send-keys', '-t', 'step-all', 'Enter');
      }
      const message = await waitForScreen('step-all', /\[Enter\] send the message, \d+ octets, then "\." {3}\[q\] quit/);
      assert.match(message, /^354 End data with <CR><LF>\.<CR><LF>\n/m);
      assert.doesNotMatch(message, />>> \./);
      tmux('send-keys', '-t', 'step-all', 'Enter');
      const quit = await waitForScreen('step-all', /\[Enter\] send QUIT {3}\[q\] quit/);
      // The verdict, then Closing connection, and QUIT still waits for its Enter.
      assert.match(quit, /^>>> \.\n250 2\.0\.0 Ok: queued as S1\nbob@example\.org\.\.\. Sent \(Ok: queued as S1\)\nClosing connection to \[127\.0\.0\.1\]\n/m);
      assert.doesNotMatch(quit, />>> QUIT/);
      assert.ok(!fast.commands.includes('QUIT'), 'QUIT not sent before Enter');
      tmux('send-keys', '-t', 'step-all', 'Enter');
      const done = await waitForScreen('step-all', /\[exit \d+\]/);
      assert.match(done, /\[exit 0\]/);
      assert.match(done, /^>>> QUIT\n221 2\.0\.0 Bye$/m);
    } finally {
      await fast.close();
    }
  });

  it('a hangup while a message is typed keeps it in dead.letter, and sends nothing', async () => {
    const server = await startScriptedServer();
    try {
      // mailv leads the terminal's session, as in a window that closes: the hangup is its SIGHUP.
      const home = shellInTmux('hangup', ['--server', `127.0.0.1:${server.port}`, 'bob@example.org'], (mailv) => `exec ${mailv}`);
      await waitForScreen('hangup', /Subject:/);
      tmux('send-keys', '-t', 'hangup', 'Typed subject', 'Enter', 'first typed line', 'Enter', 'second typed line', 'Enter');
      await waitForScreen('hangup', /second typed line\n/);
      const pid = Number(tmux('display-message', '-p', '-t', 'hangup', '#{pane_pid}').trim());
      await readAllTyped(pid);
      tmux('kill-session', '-t', 'hangup');
      await ended(pid);
      const { headers, body } = deadLetter(home);
      assert.match(headers, /^Subject: Typed subject$/m);
      assert.equal(body, 'first typed line\nsecond typed line\n\n');
      assert.deepEqual(server.commands, [], 'the end of input a hangup makes is not the end of the message');
    } finally {
      await server.close();
    }
  });

  it('a hangup while the body is typed is said once, though its SIGHUP comes while the message is kept', async () => {
    const server = await startScriptedServer();
    const errors = join(freshHome(), 'errors');
    try {
      const home = shellInTmux(
        'hangup-once',
        ['--server', `127.0.0.1:${server.port}`, '-s', 'hup', 'bob@example.org'],
        (mailv) => `exec ${mailv} 2>'${errors}'`,
      );
      await sleep(500);
      tmux('send-keys', '-t', 'hangup-once', 'line A', 'Enter');
      await waitForScreen('hangup-once', /line A\n/);
      const pid = Number(tmux('display-message', '-p', '-t', 'hangup-once', '#{pane_pid}').trim());
      await readAllTyped(pid);
      tmux('kill-session', '-t', 'hangup-once');
      await ended(pid);
      assert.equal(deadLetter(home).body, 'line A\n\n');
      // Before, the SIGHUP that came while dead.letter was written was said a second time.
      assert.equal(readFileSync(errors, 'utf8').match(/interrupted by SIGHUP/g)?.length, 1, readFileSync(errors, 'utf8'));
    } finally {
      await server.close();
    }
  });

  it('a hangup under the spinner ends the run by SIGHUP (129), the message kept, not by an abort', async () => {
    // The server never answers DATA: the spinner turns on standard error when the terminal goes.
    const server = await startScriptedServer({ replies: { DATA: { silent: true } } });
    const body = join(freshHome(), 'body');
    writeFileSync(body, 'the body\n');
    const status = join(freshHome(), 'status');
    try {
      // The shell that leads the session ignores the hangup, to say how mailv ended: then no SIGHUP
      // comes to mailv, only writes that fail, the spinner's first (its stream had no listener for
      // them: a fault, 70, then Node's abort as it restored the dead terminal's modes).
      const home = shellInTmux(
        'spinner-hangup',
        ['--server', `127.0.0.1:${server.port}`, '-s', 'hung', 'bob@example.org'],
        (mailv) => `sh -c "trap '' HUP; ${mailv.replaceAll('"', '\\"')} < '${body}'; echo \\$? > '${status}'"`,
      );
      await waitForScreen('spinner-hangup', /waiting for the reply to DATA/);
      tmux('kill-session', '-t', 'spinner-hangup');
      for (let i = 0; i < 100 && !existsSync(status); i++) await sleep(50);
      assert.equal(readFileSync(status, 'utf8'), '129\n');
      assert.match(deadLetter(home).headers, /^Subject: hung$/m);
    } finally {
      await server.close();
    }
  });

  it('a hangup at the --step prompt keeps the message in dead.letter, and sends nothing', async () => {
    const server = await startScriptedServer();
    const body = join(freshHome(), 'body');
    writeFileSync(body, 'the stepped body\n');
    try {
      // mailv leads the terminal's session: closing the window hangs up the terminal it asks at.
      const home = shellInTmux(
        'step-hangup',
        ['--step', '--no-color', '--server', `127.0.0.1:${server.port}`, '-s', 'stepped', 'bob@example.org'],
        (mailv) => `exec ${mailv} < '${body}'`,
      );
      await waitForScreen('step-hangup', /\[Enter\] send .*\[q\] quit/);
      const pid = Number(tmux('display-message', '-p', '-t', 'step-hangup', '#{pane_pid}').trim());
      tmux('kill-session', '-t', 'step-hangup');
      await ended(pid);
      const { headers, body: kept } = deadLetter(home);
      assert.match(headers, /^Subject: stepped$/m);
      assert.equal(kept, 'the stepped body\n\n');
      assert.deepEqual(server.commands, [], 'nothing sent');
    } finally {
      await server.close();
    }
  });

  it('a fault of its own at the --step prompt: the prompt cleared, then one line, 70, the message kept', async () => {
    const server = await startScriptedServer();
    const dir = freshHome();
    const body = join(dir, 'body');
    writeFileSync(body, 'the faulted body\n');
    // Thrown at the next turn once the prompt is on the terminal: a fault of mailv's own, planted.
    const plant = join(dir, 'plant.cjs');
    writeFileSync(
      plant,
      "const fs = require('node:fs');\nconst writeSync = fs.writeSync;\nlet planted = false;\n" +
        'fs.writeSync = function (fd, text, ...rest) {\n  const written = writeSync.call(this, fd, text, ...rest);\n' +
        "  if (!planted && typeof text === 'string' && text.includes('[q] quit')) { planted = true; setImmediate(() => { throw new Error('planted at the prompt'); }); }\n" +
        '  return written;\n};\n',
    );
    try {
      const home = shellInTmux(
        'step-fault',
        ['--step', '--no-color', '--server', `127.0.0.1:${server.port}`, '-s', 'faulted', 'bob@example.org'],
        (mailv) => `NODE_OPTIONS='--require ${plant}' ${mailv} < '${body}'; echo "[exit $?]"; sleep 30`,
      );
      const done = await waitForScreen('step-fault', /\[exit \d+\]/);
      assert.match(done, /^mailv: internal error: Error: planted at the prompt\\x0a/m, 'the fault on a line of its own');
      assert.doesNotMatch(done, /\[q\] quit.*internal error/, 'not after the prompt');
      assert.match(done, /^mailv: the message was saved in .*dead\.letter\n\[exit 70\]/m);
      assert.equal(deadLetter(home).body, 'the faulted body\n\n');
      assert.deepEqual(server.commands, [], 'nothing sent');
    } finally {
      await server.close();
    }
  });

  it('SIGHUP while a message is typed: (Interrupt), 129, the typed lines kept', async () => {
    const home = shellInTmux('sighup', ['--server', `127.0.0.1:${slow.port}`, 'bob@example.org'], (mailv) => `${mailv}; echo "[exit $?]"; sleep 30`);
    await waitForScreen('sighup', /Subject:/);
    tmux('send-keys', '-t', 'sighup', 'typed', 'Enter', 'one line typed', 'Enter');
    await waitForScreen('sighup', /one line typed\n/);
    const pid = mailvOf('sighup');
    await readAllTyped(pid);
    process.kill(pid, 'SIGHUP');
    const done = await waitForScreen('sighup', /\[exit \d+\]/);
    assert.match(done, /\(Interrupt\)\nmailv: interrupted by SIGHUP\nmailv: what was read of the message was saved in .*dead\.letter\n\[exit 129\]/);
    assert.equal(deadLetter(home).body, 'one line typed\n\n');
  });

  it('Control-\\ at the password prompt and at --step: SIGQUIT, 131, the terminal restored, the message kept', async () => {
    const home = shellInTmux(
      'quit',
      ['--user', 'bob', '--server', `127.0.0.1:${slow.port}`, '-s', 'quit', 'bob@example.org'],
      (mailv) => `printf 'the body\\n' | ${mailv}; echo "[exit $?]"; stty -a; sleep 30`,
    );
    await waitForScreen('quit', /Password for bob at 127\.0\.0\.1:/);
    tmux('send-keys', '-t', 'quit', 'C-\\');
    const done = await waitForScreen('quit', /\[exit \d+\][\s\S]*echo/);
    assert.match(done, /mailv: interrupted by SIGQUIT\nmailv: the message was saved in .*dead\.letter\n\[exit 131\]/);
    assert.match(done, /(^|\s)icanon(\s|$)/m, 'line editing back on');
    assert.match(done, /(^|\s)echo(\s|$)/m, 'echo back on');
    assert.equal(deadLetter(home).body, 'the body\n\n');

    const fast = await startScriptedServer();
    try {
      startInTmux('step-quit', ['--step', '--no-color', '--server', `127.0.0.1:${fast.port}`, '-s', 'step', 'bob@example.org']);
      await waitForScreen('step-quit', /\[Enter\] send .*\[q\] quit/);
      tmux('send-keys', '-t', 'step-quit', 'C-\\');
      const stepped = await waitForScreen('step-quit', /\[exit \d+\]/);
      assert.match(stepped, /mailv: interrupted by SIGQUIT\nmailv: the message was saved in .*dead\.letter\n\[exit 131\]/);
      assert.deepEqual(fast.commands, [], 'nothing sent');
    } finally {
      await fast.close();
    }
  });

  it('asks for the password in the language of the locale', async () => {
    shellInTmux(
      'motdepasse',
      ['--user', 'bob', '--server', `127.0.0.1:${slow.port}`, '-s', 'x', 'bob@example.org'],
      (mailv) => `printf 'x\\n' | ${mailv}; echo "[exit $?]"; sleep 30`,
      'fr_FR.UTF-8',
    );
    const asked = await waitForScreen('motdepasse', /Mot de passe de bob sur 127\.0\.0\.1 :/);
    assert.doesNotMatch(asked, /Password for/);
    tmux('send-keys', '-t', 'motdepasse', 'C-c');
    assert.match(await waitForScreen('motdepasse', /\[exit \d+\]/), /\[exit 130\]/);
  });

  it('--no-color and NO_COLOR: no colour even on a terminal', async () => {
    startInTmux('plain', ['--no-color', '--server', `127.0.0.1:${slow.port}`, '-s', 'x', 'bob@example.org']);
    const done = await waitForScreen('plain', /\[exit \d+\]/);
    assert.doesNotMatch(done.slice(0, done.indexOf('[exit')), /\u001b\[[0-9;]*[1-9][0-9;]*m/);
  });

  it('a --ca file that cannot be read is said at once at a terminal, before the Subject: prompt: nothing typed in vain', async () => {
    const home = startInTmux('ca-first', ['--ca', '/nonexistent/ca.pem', '--server', '127.0.0.1:9', 'bob@example.org'], { keyboard: true });
    const done = await waitForScreen('ca-first', /\[exit \d+\]/);
    assert.match(done, /^mailv: cannot read --ca \/nonexistent\/ca\.pem: no such file\n\[exit 66\]/m);
    assert.doesNotMatch(done, /Subject:/);
    assert.equal(existsSync(join(home, 'dead.letter')), false);
  });

  it('an empty answer at the Subject: prompt leaves the Subject field out, as mail does', async () => {
    const server = await startScriptedServer();
    try {
      startInTmux('no-subject', ['-q', '--server', `127.0.0.1:${server.port}`, 'bob@example.org'], { keyboard: true });
      await waitForScreen('no-subject', /^Subject: ?$/m);
      tmux('send-keys', '-t', 'no-subject', 'Enter');
      tmux('send-keys', '-t', 'no-subject', '-l', 'no subject here');
      tmux('send-keys', '-t', 'no-subject', 'Enter', '.', 'Enter');
      const done = await waitForScreen('no-subject', /\[exit \d+\]/);
      assert.match(done, /EOT\n(?:.*\n)*\[exit 0\]/);
      const sent = server.received().toString('latin1');
      assert.match(sent, /\r\nTo: bob@example\.org\r\nMessage-ID: <[^>]+>\r\nMIME-Version: 1\.0\r\n/, 'Message-ID right after To');
      assert.doesNotMatch(sent, /^Subject:/im);
      assert.match(sent, /\r\n\r\nno subject here\r\n\.\r\n/);
    } finally {
      await server.close();
    }
  });

  it('Control-D at the Subject: prompt is an empty subject, and the body is typed next (as s-nail takes it), not an empty message sent', async () => {
    const server = await startScriptedServer();
    try {
      startInTmux('eof-subject', ['-q', '--server', `127.0.0.1:${server.port}`, 'bob@example.org'], { keyboard: true });
      await waitForScreen('eof-subject', /^Subject: ?$/m);
      tmux('send-keys', '-t', 'eof-subject', 'C-d');
      await sleep(200);
      assert.equal(server.received().length, 0, 'nothing sent yet');

      tmux('send-keys', '-t', 'eof-subject', '-l', 'typed after all');
      tmux('send-keys', '-t', 'eof-subject', 'Enter', '.', 'Enter');
      const done = await waitForScreen('eof-subject', /\[exit \d+\]/);
      assert.match(done, /EOT\n(?:.*\n)*\[exit 0\]/);
      const sent = server.received().toString('latin1');
      assert.doesNotMatch(sent, /^Subject:/im);
      assert.match(sent, /\r\n\r\ntyped after all\r\n\.\r\n/);
    } finally {
      await server.close();
    }
  });

  it('Control-D after a subject typed without Enter (twice: the first hands the line over) ends the subject, and the body is typed next', async () => {
    const server = await startScriptedServer();
    try {
      startInTmux('eof-typed', ['-q', '--server', `127.0.0.1:${server.port}`, 'bob@example.org'], { keyboard: true });
      await waitForScreen('eof-typed', /^Subject: ?$/m);
      tmux('send-keys', '-t', 'eof-typed', '-l', 'typed subject');
      tmux('send-keys', '-t', 'eof-typed', 'C-d', 'C-d');
      await sleep(200);
      assert.equal(server.received().length, 0, 'nothing sent after a subject ended by Control-D');
      tmux('send-keys', '-t', 'eof-typed', '-l', 'and its body');
      tmux('send-keys', '-t', 'eof-typed', 'Enter', '.', 'Enter');
      assert.match(await waitForScreen('eof-typed', /\[exit \d+\]/), /\[exit 0\]/);
      assert.match(server.received().toString('latin1'), /\r\nSubject: typed subject\r\n[\s\S]*\r\n\r\nand its body\r\n\.\r\n/);
    } finally {
      await server.close();
    }
  });

  it("no Subject: prompt when -H gives the subject: the first line typed is the body's, as mail asks only when it has none", async () => {
    const server = await startScriptedServer();
    try {
      startInTmux('header-subject', ['-q', '--server', `127.0.0.1:${server.port}`, '-H', 'Subject: from H', 'bob@example.org'], { keyboard: true });
      await sleep(800);
      tmux('send-keys', '-t', 'header-subject', '-l', 'first line');
      tmux('send-keys', '-t', 'header-subject', 'Enter', '.', 'Enter');
      const done = await waitForScreen('header-subject', /\[exit \d+\]/);
      assert.doesNotMatch(done, /^Subject: ?/m);
      const sent = server.received().toString('latin1');
      assert.match(sent, /\r\nSubject: from H\r\n/);
      assert.match(sent, /\r\n\r\nfirst line\r\n\.\r\n/);
    } finally {
      await server.close();
    }
  });

  it('a control character typed at the Subject: prompt is refused at once, before the body (64)', async () => {
    const server = await startScriptedServer();
    try {
      const typed: [string, string[], string][] = [
        ['esc', ['-l', 'Hi ', 'Escape', '-l', '[2Jred'], 'U+001B'],
        ['nul', ['-l', 'a', 'C-@', '-l', 'b'], 'U+0000'],
      ];
      for (const [name, keys, character] of typed) {
        const home = startInTmux(name, ['--no-color', '--server', `127.0.0.1:${server.port}`, 'bob@example.org'], { keyboard: true });
        await waitForScreen(name, /^Subject: ?$/m);
        for (let at = 0; at < keys.length; at++) {
          if (keys[at] === '-l') tmux('send-keys', '-t', name, '-l', keys[++at]!);
          else tmux('send-keys', '-t', name, keys[at]!);
        }
        tmux('send-keys', '-t', name, 'Enter');
        const done = await waitForScreen(name, /\[exit \d+\]/);
        assert.match(
          done,
          new RegExp(
            `^mailv: header Subject contains a control character \\(${character.replace('+', '\\+')}\\), typed at the Subject: prompt\n\\[exit 64\\]`,
            'm',
          ),
        );
        assert.doesNotMatch(done, /EOT/, 'no body was asked for');
        assert.equal(existsSync(join(home, 'dead.letter')), false);
      }
      assert.deepEqual(server.commands, [], 'nothing was sent');
    } finally {
      await server.close();
    }
  });
});
