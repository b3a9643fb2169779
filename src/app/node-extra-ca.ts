// The file NODE_EXTRA_CA_CERTS names, read as Node reads it at its start, for the handshakes that
// must add its certificates themselves: those of a run Node was started without it (bin/mailv.js),
// and those with --ca, whose store Node's copy of them is not in.
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { systemProblem } from '../cli/system-problem.js';
import { InterruptedError } from '../errors.js';
import type { NodeExtraCaProblem } from './facts.js';
import { wholeDer } from './pem.js';
import type { Run } from './run.js';

/** Far beyond any system's bundle (Debian's holds about 200 KiB), short of what would exhaust memory. */
const MAX_NODE_EXTRA_CA_FILE = 64 * 1024 * 1024;

/** Each run's reading of the file: once, whatever number of messages its plans make (-bs). */
const readings = new WeakMap<Run, () => Promise<readonly Buffer[]>>();

/**
 * The certificates of the file NODE_EXTRA_CA_CERTS names, when a handshake must add them itself:
 * Node did not load them at its start (bin/mailv.js puts that off to the first handshake, where a
 * plain send never goes), or --ca is given, whose context Node's copy of them is not in (Node keeps
 * them in its default store alone). Read once, when a handshake is in view; what cannot be read is
 * said, and left out, as Node leaves it (read again after Node, it may be said twice).
 */
export function nodeExtraCaOf(run: Run, extraCa: readonly Buffer[] | undefined): (() => Promise<readonly Buffer[]>) | undefined {
  const deferred = run.io.deferredExtraCa;
  const path = deferred ?? (extraCa === undefined ? undefined : run.io.env['NODE_EXTRA_CA_CERTS']);
  if (path === undefined || path === '') return undefined;
  let reading = readings.get(run);
  if (reading === undefined) {
    let certificates: Promise<readonly Buffer[]> | undefined;
    reading = () => (certificates ??= untilInterrupted(run, readNodeExtraCa(run, path, deferred !== undefined)));
    readings.set(run, reading);
  }
  return reading;
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
  const said = (problem: NodeExtraCaProblem) => run.note({ code: 'node-extra-ca-unreadable', path, ...problem });
  let pem: Buffer;
  let fd: number | undefined;
  try {
    // Opened without blocking: a FIFO opens at once, writer or not.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY | constants.O_NONBLOCK);
    const info = fstatSync(fd);
    // A FIFO Node has read at its start is empty now, or waits for ever: not read again.
    if (info.isDirectory() || (!firstReading && !info.isFile())) {
      said({ found: info.isDirectory() ? 'directory' : 'read-by-node' });
      return [];
    }
    pem = await readUpTo(fd, MAX_NODE_EXTRA_CA_FILE, run);
  } catch (error) {
    said(systemProblem(error));
    return [];
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  if (pem.length > MAX_NODE_EXTRA_CA_FILE) {
    said({ found: 'too-large' });
    return [];
  }
  const nodesList = run.io.host.nodeTrustsItsOwnList() ? (await import('node:tls')).rootCertificates : [];
  const { certificates, damaged } = extraCertificates(pem.toString('latin1'), nodesList);
  if (damaged !== undefined) said({ found: 'damaged', block: damaged });
  return certificates.length === 0 ? [] : [Buffer.from(certificates.join('\n'), 'latin1')];
}

/**
 * Up to `limit` + 1 octets of `fd` (more than `limit` says it is too large). A FIFO's (`<(cat
 * ca.pem)`) as they come, the event loop free between them, until its writer closes it (a FIFO no
 * writer has opened is empty); what a stop signal interrupts is given up.
 */
async function readUpTo(fd: number, limit: number, run: Run): Promise<Buffer> {
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
  const known = new Set(nodesList.map((pem) => pem.split('\n').slice(1, -1).join('')));
  const certificates: string[] = [];
  let blocks = 0;
  let name: string | undefined;
  let body: string[] = [];
  for (const line of text.split('\n')) {
    // Trailing blanks and CR are no part of a line to OpenSSL's reader.
    const bare = line.trimEnd();
    if (name === undefined) {
      if (bare.startsWith('-----BEGIN ') && bare.endsWith('-----') && bare.length > '-----BEGIN -----'.length) {
        name = bare.slice('-----BEGIN '.length, -'-----'.length);
        body = [];
        blocks++;
      }
      continue;
    }
    if (!bare.startsWith('-----END')) {
      body.push(bare);
      continue;
    }
    const ended = name;
    name = undefined;
    if (bare !== `-----END ${ended}-----`) return { certificates, damaged: blocks };
    if (ended !== 'CERTIFICATE' && ended !== 'X509 CERTIFICATE') continue;
    const base64 = body.join('');
    if (known.has(base64)) continue;
    const pem = `-----BEGIN CERTIFICATE-----\n${body.join('\n')}\n-----END CERTIFICATE-----`;
    if (!wholeDer(pem)) return { certificates, damaged: blocks };
    certificates.push(pem);
  }
  return { certificates, damaged: name === undefined ? undefined : blocks };
}
