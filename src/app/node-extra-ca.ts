// The file NODE_EXTRA_CA_CERTS names, read as Node reads it at its start, for the handshakes that
// must add its certificates themselves: those of a run Node was started without it (bin/mailv.js),
// and those with --ca, whose store Node's copy of them is not in.
import { closeSync, constants, fstatSync, openSync, readSync, type Stats, statSync } from 'node:fs';
import { systemProblem } from '../cli/system-problem.js';
import { InterruptedError } from '../errors.js';
import type { NodeExtraCaProblem } from './facts.js';
import type { NodeExtraCa } from '../smtp/connection.js';
import { certificateDer } from './pem.js';
import type { Run } from './run.js';

/** Far beyond any system's bundle (Debian's holds about 200 KiB), short of what would exhaust memory. */
const MAX_NODE_EXTRA_CA_FILE = 64 * 1024 * 1024;

/** Each run's reading of the file: once, whatever number of messages its plans make (-bs). */
const readers = new WeakMap<Run, NodeExtraCa>();

/**
 * The certificates of the file NODE_EXTRA_CA_CERTS names, when a handshake must add them itself:
 * Node did not load them at its start (bin/mailv.js puts that off to the first handshake, where a
 * plain send never goes), or --ca is given, whose context Node's copy of them is not in (Node keeps
 * them in its default store alone). Read once, when a handshake is in view, or (`readNow`) within
 * one that needs a store after all (see tlsSetupFor): a run whose handshakes all resume a session
 * never reads it. What cannot be read is said, and left out, as Node leaves it (read again after
 * Node, it may be said twice).
 */
export function nodeExtraCaOf(run: Run, extraCa: readonly Buffer[] | undefined): NodeExtraCa | undefined {
  const deferred = run.io.deferredExtraCa;
  const path = deferred ?? (extraCa === undefined ? undefined : run.io.env['NODE_EXTRA_CA_CERTS']);
  if (path === undefined || path === '') return undefined;
  let reader = readers.get(run);
  if (reader === undefined) {
    const firstReading = deferred !== undefined;
    let reading: Promise<readonly Buffer[]> | undefined;
    let read: readonly Buffer[] | undefined;
    reader = {
      read: () =>
        (reading ??= untilInterrupted(run, readNodeExtraCa(run, path, firstReading)).then((certificates) => {
          read = certificates;
          return certificates;
        })),
      // A FIFO is read as it comes, which a handshake in progress cannot wait for.
      readableNow: () => read !== undefined || (reading === undefined && isRegularFile(path)),
      readNow: (nodesList) => {
        if (read === undefined) {
          read = readNodeExtraCaNow(run, path, nodesList);
          reading = Promise.resolve(read);
        }
        return read;
      },
    };
    readers.set(run, reader);
  }
  return reader;
}

function isRegularFile(path: string): boolean {
  try {
    return statSync(path).isFile();
  } catch {
    // Said when it is read, as an unreadable file is.
    return true;
  }
}

/**
 * `reading`, or the run's interruption: a FIFO whose writer is slow holds the handshake as it would
 * hold Node's start, and a stop signal ends the wait as it ends Node's.
 */
function untilInterrupted(run: Run, reading: Promise<readonly Buffer[]>): Promise<readonly Buffer[]> {
  const signal = run.interrupt.signal;
  return new Promise((resolve, reject) => {
    const stop = () => reject(new InterruptedError(signal.reason as NodeJS.Signals, 'starttls'));
    if (signal.aborted) return stop();
    signal.addEventListener('abort', stop, { once: true });
    reading.then(resolve, reject).finally(() => signal.removeEventListener('abort', stop));
  });
}

async function readNodeExtraCa(run: Run, path: string, firstReading: boolean): Promise<readonly Buffer[]> {
  const said = saying(run, path);
  // A FIFO Node has read at its start is empty now, or waits for ever: not read again.
  const fd = opened(path, said, (info) => !firstReading && !info.isFile());
  if (fd === undefined) return [];
  let pem: Buffer;
  try {
    pem = await readAsItComes(fd, MAX_NODE_EXTRA_CA_FILE, run);
  } catch (error) {
    said(systemProblem(error));
    return [];
  } finally {
    closeSync(fd);
  }
  return certificatesOf(run, pem, (await import('node:tls')).rootCertificates, said);
}

/** The same for a regular file, read at once (see nodeExtraCaOf); `nodesList`: tls.rootCertificates. */
function readNodeExtraCaNow(run: Run, path: string, nodesList: readonly string[]): readonly Buffer[] {
  const said = saying(run, path);
  const fd = opened(path, said, () => false);
  if (fd === undefined) return [];
  let pem: Buffer;
  try {
    // A file that became a FIFO since it was looked at is read for what its writer has written.
    pem = readAtOnce(fd, MAX_NODE_EXTRA_CA_FILE);
  } catch (error) {
    said(systemProblem(error));
    return [];
  } finally {
    closeSync(fd);
  }
  return certificatesOf(run, pem, nodesList, said);
}

type Said = (problem: NodeExtraCaProblem) => void;

function saying(run: Run, path: string): Said {
  return (problem) => run.note({ code: 'node-extra-ca-unreadable', path, ...problem });
}

/**
 * The file opened without blocking (a FIFO opens at once, writer or not), or undefined, said: one
 * that cannot be opened, a directory, or one `readByNode` finds Node has read already.
 */
function opened(path: string, said: Said, readByNode: (info: Stats) => boolean): number | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    if (!info.isDirectory() && !readByNode(info)) return fd;
    said({ found: info.isDirectory() ? 'directory' : 'read-by-node' });
  } catch (error) {
    said(systemProblem(error));
  }
  if (fd !== undefined) closeSync(fd);
  return undefined;
}

/**
 * The certificates of the file's text to add, one PEM buffer (none: an empty list), those of Node's
 * list (`nodesList`) left out when Node trusts it; a damaged or too large file said.
 */
function certificatesOf(run: Run, pem: Buffer, nodesList: readonly string[], said: Said): readonly Buffer[] {
  if (pem.length > MAX_NODE_EXTRA_CA_FILE) {
    said({ found: 'too-large' });
    return [];
  }
  const { certificates, damaged } = extraCertificates(pem.toString('latin1'), run.io.host.nodeTrustsItsOwnList() ? nodesList : []);
  if (damaged !== undefined) said({ found: 'damaged', block: damaged });
  return certificates.length === 0 ? [] : [Buffer.from(certificates.join('\n'), 'latin1')];
}

/**
 * Up to `limit` + 1 octets of `fd` (more than `limit` says it is too large). A FIFO's (`<(cat
 * ca.pem)`) as they come, the event loop free between them, until its writer closes it (a FIFO no
 * writer has opened is empty); what a stop signal interrupts is given up.
 */
async function readAsItComes(fd: number, limit: number, run: Run): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let length = 0;
  while (length <= limit && !run.interrupt.signal.aborted) {
    const chunk = Buffer.allocUnsafe(READ_BLOCK);
    let read: number;
    try {
      read = readSync(fd, chunk, 0, READ_BLOCK, null);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EAGAIN') throw error;
      await new Promise((resolve) => setTimeout(resolve, FIFO_POLL_MS));
      continue;
    }
    if (read === 0) break;
    chunks.push(chunk.subarray(0, read));
    length += read;
  }
  return Buffer.concat(chunks, length);
}

/** Up to `limit` + 1 octets of `fd`, read at once. */
function readAtOnce(fd: number, limit: number): Buffer {
  const chunks: Buffer[] = [];
  let length = 0;
  for (let read = -1; read !== 0 && length <= limit; length += read) {
    const chunk = Buffer.allocUnsafe(READ_BLOCK);
    read = readSync(fd, chunk, 0, READ_BLOCK, null);
    chunks.push(chunk.subarray(0, read));
  }
  return Buffer.concat(chunks, length);
}

const READ_BLOCK = 256 * 1024;
/** How often a FIFO whose writer has written nothing yet is looked at again. */
const FIFO_POLL_MS = 5;

/**
 * The certificates OpenSSL's PEM reader (PEM_read_bio_X509, as Node reads the file) takes from the
 * text, line by line: a block begins at a line that is `-----BEGIN name-----` (other lines are
 * skipped) and ends at `-----END name-----`; its CERTIFICATE (or X509 CERTIFICATE) blocks are taken,
 * others (a TRUSTED CERTIFICATE, a key) passed over; an end line that is not its block's, a block
 * cut short, or a certificate that is no whole DER structure in base64 ends the reading
 * (`damaged`: the number of the block it stopped at, from 1). Of those taken, the ones `nodesList`
 * lacks. A system's bundle is mostly Mozilla's list again, as Node's is (Debian's holds 144, of
 * which Node 20's has 122), and OpenSSL takes about 0.2 ms to read each: they are compared whole
 * (base64 of the same DER is the same text, whatever its line lengths), and never read again.
 */
export function extraCertificates(text: string, nodesList: readonly string[]): { certificates: string[]; damaged: number | undefined } {
  // Node's list: BEGIN line, lines of base64, END line without a line feed after it.
  const known = new Set(nodesList.map((pem) => pem.slice('-----BEGIN CERTIFICATE-----\n'.length, -'\n-----END CERTIFICATE-----'.length).replaceAll('\n', '')));
  const certificates: string[] = [];
  let blocks = 0;
  let name: string | undefined;
  let body: string[] = [];
  for (const line of linesAsOpenSslReadsThem(text)) {
    if (name === undefined) {
      if (line.startsWith('-----BEGIN ') && line.endsWith('-----') && line.length >= '-----BEGIN -----'.length) {
        name = line.slice('-----BEGIN '.length, -'-----'.length);
        body = [];
        blocks++;
      }
      continue;
    }
    if (!line.startsWith('-----END')) {
      body.push(line);
      continue;
    }
    const ended = name;
    name = undefined;
    if (line !== `-----END ${ended}-----`) return { certificates, damaged: blocks };
    // An empty block ends OpenSSL's reading, without an error Node says.
    if (body.every((part) => part === '')) return { certificates, damaged: undefined };
    if (ended !== 'CERTIFICATE' && ended !== 'X509 CERTIFICATE') {
      // Passed over, but decoded all the same: base64 that is none ends the reading.
      if (!base64Data(body)) return { certificates, damaged: blocks };
      continue;
    }
    if (known.has(body.join(''))) continue;
    // A blank line first ends the (empty) headers; one between lines of data ends OpenSSL's data.
    const data = body[0] === '' ? body.slice(1) : body;
    const gap = data.indexOf('');
    if (gap !== -1 && data.slice(gap).some((part) => part !== '')) return { certificates, damaged: blocks };
    const der = certificateDer(data.join(''));
    if (der === undefined) return { certificates, damaged: blocks };
    const lines = der.toString('base64').match(/.{1,64}/g)!;
    certificates.push(['-----BEGIN CERTIFICATE-----', ...lines, '-----END CERTIFICATE-----'].join('\n'));
  }
  return { certificates, damaged: name === undefined ? undefined : blocks };
}

/**
 * The lines of `text` as OpenSSL's PEM reader gets them: a UTF-8 byte order mark at the start left
 * out; 254 octets at most at a time (a longer line is read as several); a line ending at its first
 * NUL, and one that begins with a NUL ending the file (it reads as none); trailing octets up to the
 * space (blanks, CR, control characters) and from 0x80 dropped.
 */
function linesAsOpenSslReadsThem(text: string): string[] {
  const source = text.startsWith('\xef\xbb\xbf') ? text.slice(3) : text;
  const physical = source.split('\n');
  if (physical.at(-1) === '') physical.pop();
  const anyNul = source.includes('\0');
  const lines: string[] = [];
  for (const [index, line] of physical.entries()) {
    // Most lines (a bundle's thousands) are read whole, and end in a character of their own.
    if (!anyNul && line.length < OPENSSL_LINE) {
      const last = line.charCodeAt(line.length - 1);
      lines.push(last > 0x20 && last < 0x80 ? line : line.replace(TRAILING, ''));
      continue;
    }
    const whole = index < physical.length - 1 || source.endsWith('\n') ? `${line}\n` : line;
    for (let at = 0; at < whole.length; at += OPENSSL_LINE) {
      const piece = whole.slice(at, at + OPENSSL_LINE);
      if (piece.startsWith('\0')) return lines;
      const nul = piece.indexOf('\0');
      lines.push((nul === -1 ? piece : piece.slice(0, nul)).replace(TRAILING, ''));
    }
  }
  return lines;
}

/** What OpenSSL drops from a line's end: octets up to the space, and (as signed chars) from 0x80. */
const TRAILING = /[\x00-\x20\x80-\xff]+$/;

/** The octets OpenSSL's PEM reader takes for a line at a time (its LINESIZE, 255, less the NUL). */
const OPENSSL_LINE = 254;

/** Whether a block's data (after its header lines, `Proc-Type: …` up to a blank line) is base64. */
function base64Data(body: readonly string[]): boolean {
  const headers = body[0]?.includes(':') === true ? body.indexOf('') : -1;
  const data = body
    .slice(headers + 1)
    .join('')
    .replace(/\s+/g, '');
  return data.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(data);
}
