// The file NODE_EXTRA_CA_CERTS names, read as Node reads it at its start, for the handshakes that
// must add its certificates themselves: those of a run Node was started without it (bin/mailv.js),
// and those with --ca, whose store Node's copy of them is not in.
import { closeSync, constants, fstatSync, openSync } from 'node:fs';
import { systemProblem } from '../cli/system-problem.js';
import type { NodeExtraCaProblem } from './facts.js';
import { readUpTo, wholeDer } from './pem.js';
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
 * said (unless Node, having read the file itself, has said it), and left out, as Node leaves it.
 */
export function nodeExtraCaOf(run: Run, extraCa: readonly Buffer[] | undefined): (() => Promise<readonly Buffer[]>) | undefined {
  const deferred = run.io.deferredExtraCa;
  const path = deferred ?? (extraCa === undefined ? undefined : run.io.env['NODE_EXTRA_CA_CERTS']);
  if (path === undefined || path === '') return undefined;
  let reading = readings.get(run);
  if (reading === undefined) {
    let certificates: Promise<readonly Buffer[]> | undefined;
    reading = () => (certificates ??= readNodeExtraCa(run, path, deferred !== undefined));
    readings.set(run, reading);
  }
  return reading;
}

async function readNodeExtraCa(run: Run, path: string, sayProblems: boolean): Promise<readonly Buffer[]> {
  const said = (problem: NodeExtraCaProblem) => {
    if (sayProblems) run.note({ code: 'node-extra-ca-unreadable', path, ...problem });
  };
  let pem: Buffer;
  let fd: number | undefined;
  try {
    // A FIFO (`<(cat ca.pem)`) is read as Node reads it, waiting for its writer; a directory is not.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOCTTY);
    if (fstatSync(fd).isDirectory()) {
      said({ found: 'not-a-file' });
      return [];
    }
    pem = readUpTo(fd, MAX_NODE_EXTRA_CA_FILE);
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
  if (damaged !== undefined) said({ found: 'damaged', certificate: damaged });
  return certificates.length === 0 ? [] : [Buffer.from(certificates.join('\n'), 'latin1')];
}

/**
 * The certificates OpenSSL's PEM_read_bio_X509 takes from the file, as Node reads it: the blocks of
 * CERTIFICATE (or X509 CERTIFICATE), skipping others (a TRUSTED CERTIFICATE, a key), up to the first
 * that is no whole DER structure in base64 or is cut short, which ends the reading (`damaged`: its
 * number, counting certificates from 1); of those, the ones `nodesList` lacks. A system's bundle is
 * mostly Mozilla's list again, as Node's is (Debian's holds 144, of which Node 20's has 122), and
 * OpenSSL takes about 0.2 ms to read each: those are compared whole (base64 of the same DER is the
 * same text, whatever its line lengths), and known whole, never read again.
 */
export function extraCertificates(text: string, nodesList: readonly string[]): { certificates: string[]; damaged: number | undefined } {
  const known = new Set(nodesList.map(base64Of));
  const certificates: string[] = [];
  let count = 0;
  const blocks = /-----BEGIN ([A-Z0-9 ]+)-----([^-]*)(?:-----END \1-----)?/g;
  for (const [block, label, body] of text.matchAll(blocks)) {
    if (label !== 'CERTIFICATE' && label !== 'X509 CERTIFICATE') continue;
    count++;
    const pem = `-----BEGIN CERTIFICATE-----${body}-----END CERTIFICATE-----`;
    const whole = block.endsWith(`-----END ${label}-----`);
    if (whole && known.has(base64Of(pem))) continue;
    if (!whole || !wholeDer(pem)) return { certificates, damaged: count };
    certificates.push(pem);
  }
  return { certificates, damaged: undefined };
}

/**
 * A PEM certificate's base64 without its line feeds (Node's lines are 72 characters long, Debian's
 * 64). One written with CR LF is not matched, and is read again: harmless, and rare.
 */
function base64Of(pem: string): string {
  return pem.slice('-----BEGIN CERTIFICATE-----'.length, -'-----END CERTIFICATE-----'.length).replaceAll('\n', '');
}
