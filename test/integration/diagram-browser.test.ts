// --diagram as a browser sees it: headless Chromium (Debian's chromium-headless-shell, the browser
// without its window, made to be driven) opens the file mailv wrote, over the DevTools protocol on
// a pipe (--remote-debugging-pipe: NUL-separated JSON on fds 3 and 4, no WebSocket needed). The
// page must load without an error, an exception or any request but the file itself, and hold one
// arrow per `>>>` line and per reply of the transcript of the same run. A screenshot is kept in
// test-artifacts/ (git-ignored) to look at.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { lines, runCli } from '../helpers/cli.js';
import { skipUnlessRunning } from '../helpers/service.js';
import { SUBMISSION, SUBMISSION_PASSWORD, SUBMISSION_USER, TEST_CA, submissionSkipReason } from '../helpers/submission.js';

const BROWSERS = ['/usr/bin/chromium-headless-shell', '/usr/lib/chromium/chromium-headless-shell', '/usr/bin/chromium'];
const BROWSER = BROWSERS.find((path) => existsSync(path));
const ARTIFACTS = fileURLToPath(new URL('../../test-artifacts/', import.meta.url));

interface Message {
  id?: number;
  method?: string;
  params?: Record<string, unknown>;
  result?: Record<string, unknown>;
  error?: { message: string };
  sessionId?: string;
}

/** A DevTools protocol client over the browser's pipe. */
class Browser {
  private next = 1;
  private readonly waiting = new Map<number, { resolve: (result: Record<string, unknown>) => void; reject: (error: Error) => void }>();
  private readonly listeners: ((message: Message) => void)[] = [];
  private carry = '';

  private constructor(private readonly child: ChildProcess) {
    const output = child.stdio[4] as Readable;
    output.setEncoding('utf8');
    output.on('data', (chunk: string) => {
      const parts = (this.carry + chunk).split('\0');
      this.carry = parts.pop()!;
      for (const part of parts) this.receive(JSON.parse(part) as Message);
    });
  }

  static launch(profile: string): Browser {
    const child = spawn(
      BROWSER!,
      ['--headless', '--remote-debugging-pipe', '--no-sandbox', '--disable-gpu', '--no-first-run', `--user-data-dir=${profile}`, 'about:blank'],
      { stdio: ['ignore', 'ignore', 'ignore', 'pipe', 'pipe'] },
    );
    return new Browser(child);
  }

  private receive(message: Message): void {
    if (message.id !== undefined) {
      const waiter = this.waiting.get(message.id);
      this.waiting.delete(message.id);
      if (message.error) waiter?.reject(new Error(message.error.message));
      else waiter?.resolve(message.result ?? {});
      return;
    }
    for (const listener of this.listeners) listener(message);
  }

  send(method: string, params: Record<string, unknown> = {}, sessionId?: string): Promise<Record<string, unknown>> {
    const id = this.next++;
    (this.child.stdio[3] as Writable).write(`${JSON.stringify({ id, method, params, ...(sessionId ? { sessionId } : {}) })}\0`);
    return new Promise((resolve, reject) => this.waiting.set(id, { resolve, reject }));
  }

  on(listener: (message: Message) => void): void {
    this.listeners.push(listener);
  }

  async close(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise((resolve) => this.child.once('exit', resolve));
    // The browser may exit before it answers, its pipe closed: an answer awaited then would never
    // come, and nothing left would keep the test's event loop alive. Its exit is what is waited for.
    void this.send('Browser.close').catch(() => undefined);
    await exited;
  }
}

interface PageReport {
  /** Console errors, exceptions, log entries of level error (a refused load says so there). */
  readonly errors: string[];
  /** Every URL the page asked for besides itself. */
  readonly requests: string[];
  readonly arrows: number;
  readonly screenshot: Buffer;
}

/** Opens `file` in a fresh tab and reports what happened. */
async function openPage(browser: Browser, file: string): Promise<PageReport> {
  const url = pathToFileURL(file).href;
  const { targetId } = await browser.send('Target.createTarget', { url: 'about:blank' });
  const { sessionId } = (await browser.send('Target.attachToTarget', { targetId, flatten: true })) as { sessionId: string };
  const errors: string[] = [];
  const requests: string[] = [];
  let loaded: () => void = () => undefined;
  const load = new Promise<void>((resolve) => (loaded = resolve));
  browser.on((message) => {
    if (message.sessionId !== sessionId) return;
    const params = message.params ?? {};
    if (message.method === 'Runtime.exceptionThrown') errors.push(JSON.stringify(params['exceptionDetails']));
    if (message.method === 'Runtime.consoleAPICalled' && params['type'] === 'error') errors.push(JSON.stringify(params['args']));
    if (message.method === 'Log.entryAdded' && (params['entry'] as { level: string }).level === 'error') errors.push(JSON.stringify(params['entry']));
    if (message.method === 'Network.requestWillBeSent') {
      const requested = (params['request'] as { url: string }).url;
      if (requested !== url) requests.push(requested);
    }
    if (message.method === 'Page.loadEventFired') loaded();
  });
  for (const domain of ['Runtime', 'Log', 'Network', 'Page']) await browser.send(`${domain}.enable`, {}, sessionId);
  await browser.send('Emulation.setDeviceMetricsOverride', { width: 1600, height: 1200, deviceScaleFactor: 1, mobile: false }, sessionId);
  await browser.send('Page.navigate', { url }, sessionId);
  await load;
  const evaluated = await browser.send('Runtime.evaluate', { expression: "document.querySelectorAll('[data-arrow]').length", returnByValue: true }, sessionId);
  const arrows = (evaluated['result'] as { value: number }).value;
  const shot = await browser.send('Page.captureScreenshot', { format: 'png', captureBeyondViewport: true }, sessionId);
  await browser.send('Target.closeTarget', { targetId });
  return { errors, requests, arrows, screenshot: Buffer.from(shot['data'] as string, 'base64') };
}

/**
 * What the transcript shows: `>>>` lines, and replies, one per reply (its last line, `250 ` not
 * `250-`), read past --timing's stamps and without --explain's lines.
 */
function countTranscript(stdout: string): { commands: number; replies: number } {
  // The demo prints the message it received after the dialogue: not part of it.
  const dialogue = lines(stdout.split('\n--- ')[0]!)
    .map((line) => line.replace(/^\[ *[\d.]+ ms\] /, '').trimStart())
    .filter((line) => !line.startsWith('↳'));
  return {
    commands: dialogue.filter((line) => line.startsWith('>>> ')).length,
    replies: dialogue.filter((line) => /^[2-5]\d\d( |$)/.test(line)).length,
  };
}

/** Keeps a screenshot where it can be looked at, and says where. */
function keep(name: string, png: Buffer): void {
  mkdirSync(ARTIFACTS, { recursive: true });
  const path = join(ARTIFACTS, name);
  writeFileSync(path, png);
  process.stdout.write(`# screenshot: ${path}\n`);
}

const browserMissing = skipUnlessRunning(BROWSER !== undefined, `no headless Chromium at ${BROWSERS.join(' or ')}`, 'apt-get install chromium-headless-shell');

describe('--diagram in a real browser', { skip: browserMissing }, () => {
  const work = mkdtempSync(join(tmpdir(), 'mailv-diagram-'));
  const browser = browserMissing === undefined ? Browser.launch(join(work, 'profile')) : undefined;
  after(async () => {
    await browser?.close();
    rmSync(work, { recursive: true, force: true });
  });

  for (const format of ['html', 'svg'] as const) {
    it(`--demo --diagram x.${format}: loads cleanly, one arrow per command and reply of the transcript`, async () => {
      const file = join(work, `demo.${format}`);
      const run = await runCli(['--demo', '-s', 'diagram', '--diagram', file, '--explain', '--timing'], { input: 'Hello\n' });
      assert.equal(run.code, 0, run.stderr);
      const { commands, replies } = countTranscript(run.stdout);
      assert.ok(commands >= 5 && replies >= 5, run.stdout);
      const page = await openPage(browser!, file);
      assert.deepEqual(page.errors, []);
      assert.deepEqual(page.requests, []);
      assert.equal(page.arrows, commands + replies);
      keep(`diagram-demo-${format}.png`, page.screenshot);
    });
  }

  it('real Postfix on the submission port, STARTTLS and AUTH: one arrow per command and reply', async (t) => {
    const skip = await submissionSkipReason();
    if (skip !== undefined) return t.skip(skip);
    const file = join(work, 'submission.html');
    const run = await runCli(
      [
        '--server',
        `${SUBMISSION.host}:${SUBMISSION.starttlsPort}`,
        '--ca',
        TEST_CA,
        '--user',
        SUBMISSION_USER,
        '-r',
        'alice@example.org',
        '--diagram',
        file,
        'mailtest@localhost',
      ],
      { input: 'drawn\n', env: { MAILV_PASSWORD: SUBMISSION_PASSWORD } },
    );
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^>>> STARTTLS$/m);
    const { commands, replies } = countTranscript(run.stdout);
    const page = await openPage(browser!, file);
    assert.deepEqual(page.errors, []);
    assert.deepEqual(page.requests, []);
    assert.equal(page.arrows, commands + replies);
    keep('diagram-submission.png', page.screenshot);
  });
});
