// Two paths the run would write (--record, --diagram) that name one file: refused before either is
// made. The same name in the same directory, as the kernel finds it through links, or one file.
import assert from 'node:assert/strict';
import { linkSync, mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { namesSameFile } from '../../dist/app/run-inputs.js';

describe('two paths that name one file', () => {
  it('by the directory the kernel finds, links followed before `..`, and by the file itself', () => {
    const root = mkdtempSync(join(tmpdir(), 'mailv-same-'));
    mkdirSync(join(root, 'real', 'sub'), { recursive: true });
    mkdirSync(join(root, 'cwd'));
    symlinkSync('../real/sub', join(root, 'cwd', 'link'));
    assert.ok(namesSameFile(join(root, 'cwd', 'x.svg'), `${root}/cwd/./x.svg`));
    // Before, `link/..` was taken away as text: cwd/x.svg, where the kernel writes real/x.svg.
    assert.ok(!namesSameFile(`${root}/cwd/link/../x.svg`, join(root, 'cwd', 'x.svg')));
    assert.ok(namesSameFile(`${root}/cwd/link/../x.svg`, join(root, 'real', 'x.svg')));
    writeFileSync(join(root, 'a.svg'), '');
    linkSync(join(root, 'a.svg'), join(root, 'b.svg'));
    assert.ok(namesSameFile(join(root, 'a.svg'), join(root, 'b.svg')), 'a hard link');
    assert.ok(!namesSameFile(join(root, 'a.svg'), join(root, 'c.svg')));
    // A directory not there yet: the names compared as text.
    assert.ok(namesSameFile(join(root, 'none', 'r.svg'), `${root}/none/../none/r.svg`));
  });
});
