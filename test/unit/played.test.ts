import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { PlayedDialogue } from '../../dist/smtp/played.js';

/** Octets `text` as a socket's read buffer holds them: more room than the read, filled with something else past it. */
function readBuffer(text: string): { bytes: Buffer; length: number } {
  const bytes = Buffer.alloc(text.length + 64, '\n');
  bytes.write(text, 'latin1');
  return { bytes, length: text.length };
}

describe('PlayedDialogue', () => {
  it('gives its reads and writes back in order, each read with its own octets and time, past the size it began with', () => {
    const dialogue = new PlayedDialogue();
    const ehlo = Buffer.from('EHLO client.test\r\n');
    const envelope = Buffer.from('MAIL FROM:<a@example.org>\r\nRCPT TO:<b@example.org>\r\nDATA\r\n');
    const long = `250-${'x'.repeat(3000)}\r\n`;
    const reads = ['220 ready\r\n', long, '250 last\r\n', '250 2.1.0 Ok\r\n250 2.1.5 Ok\r\n354 Go\r\n'];
    dialogue.read(readBuffer(reads[0]!).bytes, reads[0]!.length, 1.5);
    dialogue.wrote(ehlo);
    dialogue.read(readBuffer(reads[1]!).bytes, reads[1]!.length, 2.5);
    dialogue.read(readBuffer(reads[2]!).bytes, reads[2]!.length, 3.5);
    dialogue.wrote(envelope);
    dialogue.read(readBuffer(reads[3]!).bytes, reads[3]!.length, 4.5);
    assert.equal(dialogue.octetsRead, reads.join('').length);
    assert.equal(dialogue.octets.subarray(0, dialogue.octetsRead).toString('latin1'), reads.join(''));
    assert.deepEqual(
      dialogue.events.map((event) =>
        event.kind === 'read' ? ['read', event.chunk.toString('latin1'), event.at] : ['write', event.bytes.toString('latin1'), event.refused, event.needsDrain],
      ),
      [
        ['read', reads[0], 1.5],
        ['write', ehlo.toString(), false, false],
        ['read', reads[1], 2.5],
        ['read', reads[2], 3.5],
        ['write', envelope.toString(), false, false],
        ['read', reads[3], 4.5],
      ],
    );
    assert.equal(dialogue.events, dialogue.events, 'made once: what a session marks on them stays');
  });

  it('marks the write the kernel refused, and the one after which the socket was full, not the others', () => {
    const refused = new PlayedDialogue();
    refused.wrote(Buffer.from('EHLO a\r\n'));
    refused.wrote(Buffer.from('MAIL FROM:<>\r\n'));
    refused.lastWriteRefused();
    const left = readBuffer('421 closing\r\n');
    refused.read(left.bytes, left.length, 9);
    assert.deepEqual(
      refused.events.map((event) => (event.kind === 'write' ? [event.refused, event.needsDrain] : event.kind)),
      [[false, false], [true, false], 'read'],
    );
    const full = new PlayedDialogue();
    full.wrote(Buffer.from('EHLO a\r\n'));
    full.lastWriteNeedsDrain();
    full.wrote(Buffer.from('MAIL FROM:<>\r\n'));
    assert.deepEqual(
      full.events.map((event) => (event.kind === 'write' ? [event.refused, event.needsDrain] : event.kind)),
      [
        [false, true],
        [false, false],
      ],
    );
  });

  it('takes nothing once its events were made', () => {
    const dialogue = new PlayedDialogue();
    dialogue.wrote(Buffer.from('QUIT\r\n'));
    assert.equal(dialogue.events.length, 1);
    const late = readBuffer('221 bye\r\n');
    assert.throws(() => dialogue.read(late.bytes, late.length, 1), /MAILV_PLAYED_DIALOGUE_OVER/);
    assert.throws(() => dialogue.wrote(Buffer.from('QUIT\r\n')), /MAILV_PLAYED_DIALOGUE_OVER/);
  });
});
