// --diagram from the command line: the extension chooses the format or is refused (64) before
// anything is read; a path that cannot be written stops mailv (74) before anything is sent; a
// session that failed is drawn all the same; a dry run draws nothing.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { closedPort } from '../helpers/loopback-port.js';
import { runCli } from '../helpers/cli.js';

const work = mkdtempSync(join(tmpdir(), 'mailv-diagram-cli-'));

describe('--diagram', () => {
  after(() => rmSync(work, { recursive: true, force: true }));

  it('writes an SVG or an HTML page, chosen by the extension', async () => {
    for (const [name, start] of [
      ['demo.svg', '<?xml version="1.0" encoding="UTF-8"?>\n<svg xmlns="http://www.w3.org/2000/svg"'],
      ['demo.HTML', '<!DOCTYPE html>\n<html lang="en">'],
    ] as const) {
      const file = join(work, name);
      const run = await runCli(['--demo', '-q', '--lang', 'en', '--diagram', file], { input: 'Hi\n' });
      assert.equal(run.code, 0, run.stderr);
      const drawn = readFileSync(file, 'utf8');
      assert.ok(drawn.startsWith(start), drawn.slice(0, 80));
      assert.match(drawn, /data-arrow="command"[\s\S]*QUIT/);
      assert.match(drawn, /exit status 0/);
      assert.equal(statSync(file).mode & 0o777, 0o600, "the addresses and replies are its owner's alone");
    }
  });

  it('refuses (74) a file the run reads: the message on standard input, an attachment, the record replayed; the file untouched', async () => {
    const page = join(work, 'page.html');
    writeFileSync(page, '<p>Hello</p>\n');
    const asStdin = await runCli(['--demo', '-q', '--diagram', page], { stdinFile: { path: page } });
    assert.equal(asStdin.code, 74, asStdin.stderr);
    assert.equal(asStdin.stderr, `mailv: cannot draw the diagram in ${page}: it is the message on standard input, which it would overwrite\n`);
    const attached = await runCli(['--demo', '-q', '-a', page, '--diagram', page, 'bob@example.org'], { input: 'Hi\n' });
    assert.equal(attached.code, 74, attached.stderr);
    assert.match(attached.stderr, /it is a file attached, which it would overwrite/);
    const record = join(work, 'lesson.html');
    const recorded = await runCli(['--demo', '-q', '--record', join(work, 'lesson.jsonl')], { input: 'Hi\n' });
    assert.equal(recorded.code, 0, recorded.stderr);
    renameSync(join(work, 'lesson.jsonl'), record);
    const replayed = await runCli(['replay', '--diagram', record, record]);
    assert.equal(replayed.code, 74, replayed.stderr);
    assert.match(replayed.stderr, /it is the record replayed, which it would overwrite/);
    assert.equal(readFileSync(page, 'utf8'), '<p>Hello</p>\n');
    assert.match(readFileSync(record, 'utf8'), /^\{"format":"mailv-record"/);
    // Nor the record the run itself writes: one file cannot be both.
    const both = join(work, 'both.svg');
    writeFileSync(both, 'precious\n');
    const recordedToo = await runCli(['--demo', '-q', '--record', both, '--diagram', `${work}/./both.svg`], { input: 'Hi\n' });
    assert.equal(recordedToo.code, 74, recordedToo.stderr);
    assert.match(recordedToo.stderr, /it is the record this run writes, which it would overwrite/);
    // Refused before the record was made over it: before, the file already held the record.
    assert.equal(readFileSync(both, 'utf8'), 'precious\n');
  });

  it('refuses any other extension with 64, before reading the message', async () => {
    const run = await runCli(['--demo', '--diagram', join(work, 'demo.png')], { input: 'Hi\n' });
    assert.equal(run.code, 64);
    assert.equal(run.stderr, `mailv: --diagram ${join(work, 'demo.png')}: the file name must end in .html or .svg, which chooses the format\n`);
    assert.ok(!existsSync(join(work, 'demo.png')));
  });

  it('stops with 74 before connecting when the file cannot be written, and keeps no message', async () => {
    const directory = join(work, 'a-directory.svg');
    mkdirSync(directory);
    for (const [path, why] of [
      [join(work, 'missing', 'x.svg'), /no such file or directory\n$/],
      [directory, /it is a directory\n$/],
    ] as const) {
      const run = await runCli(['--demo', '--lang', 'en', '--diagram', path], { input: 'Hi\n' });
      assert.equal(run.code, 74, run.stderr);
      assert.match(run.stderr, new RegExp(`^mailv: cannot write the diagram to ${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: ${why.source}`));
      assert.equal(run.stdout, '', 'nothing sent');
      assert.ok(!existsSync(join(run.home, 'dead.letter')));
    }
    const french = await runCli(['--demo', '--lang', 'fr', '--diagram', directory], { input: 'Hi\n' });
    // The system's error in French too, not Node's English message.
    assert.match(french.stderr, /^mailv: impossible d’écrire le diagramme dans .+ : c’est un répertoire\n/);
  });

  it('draws a session that failed: the refused connection crossed out, with the failure and its status', async () => {
    const port = await closedPort();
    const file = join(work, 'refused.html');
    const run = await runCli(['--server', `127.0.0.1:${port}`, '--lang', 'fr', '--diagram', file, 'bob@example.org'], { input: 'Hi\n' });
    assert.equal(run.code, 75, run.stderr);
    const drawn = readFileSync(file, 'utf8');
    assert.match(drawn, new RegExp(`data-connect="refused"[\\s\\S]*connexion à \\[127\\.0\\.0\\.1\\] port ${port}`));
    assert.match(drawn, /class="cross"/);
    assert.match(drawn, /code de sortie 75/);
    assert.equal([...drawn.matchAll(/data-arrow=/g)].length, 0);
  });

  it('draws nothing for a dry run, which sends nothing', async () => {
    const file = join(work, 'dry.svg');
    const run = await runCli(['--dry-run', '--diagram', file, 'bob@example.org'], { input: 'Hi\n' });
    assert.equal(run.code, 0, run.stderr);
    assert.ok(!existsSync(file));
  });
});
