// What a file of CA certificates adds to Node's own list: the certificates of NODE_EXTRA_CA_CERTS
// that a handshake's context must be given, without reading again those Node already holds.

/**
 * The certificates of `files` that Node's own list lacks. A system's bundle (what NODE_EXTRA_CA_CERTS
 * names most often) is mostly Mozilla's list again, as Node's is: Debian's holds 144, of which
 * Node 20's has 122, and OpenSSL takes about 0.2 ms to read each. Compared whole, as base64 of the
 * same DER is the same text, whatever its line lengths; one written otherwise is simply read again. A
 * file holding anything else (a TRUSTED CERTIFICATE, a block cut short) goes whole, as it was; OpenSSL
 * reads either up to its first damaged certificate, as Node reads the file.
 */
export function notInNodesList(files: readonly Buffer[], nodesList: readonly string[]): Buffer[] {
  if (files.length === 0) return [];
  if (nodesList.length === 0) return [...files];
  const known = new Set(nodesList.map(certificateText));
  return files.flatMap((file) => {
    const text = file.toString('latin1');
    const certificates = text.match(PEM_CERTIFICATE) ?? [];
    if (certificates.length !== text.split('-----BEGIN ').length - 1) return [file];
    const others = certificates.filter((pem) => !known.has(certificateText(pem)));
    return others.length === 0 ? [] : [Buffer.from(others.join('\n'), 'latin1')];
  });
}

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[^-]*-----END CERTIFICATE-----/g;

/** A PEM certificate's base64 without its line ends (Node's lines are 72 characters long, Debian's 64). */
function certificateText(pem: string): string {
  return pem.slice('-----BEGIN CERTIFICATE-----'.length, -'-----END CERTIFICATE-----'.length).replaceAll('\n', '').replaceAll('\r', '');
}

/**
 * Whether a default context trusts Node's own list (`tls.rootCertificates`): not when Node is told
 * to use OpenSSL's store instead (--use-openssl-ca, on its command line or in NODE_OPTIONS, the
 * last of it and --use-bundled-ca deciding, or built so: --openssl-use-def-ca-store), whose
 * certificates that list does not say. Spelt as Node takes them: `_` for `-`, quoted in NODE_OPTIONS.
 */
export function nodeTrustsItsOwnList(execArgv: readonly string[], nodeOptions: string | undefined, builtForOpenSslStore: boolean): boolean {
  const flag = (word: string) => word.replace(/^(["'])(.*)\1$/, '$2').replaceAll('_', '-');
  const choices = [...(nodeOptions ?? '').split(/\s+/), ...execArgv].map(flag).filter((word) => word === '--use-openssl-ca' || word === '--use-bundled-ca');
  const last = choices.at(-1);
  return last === undefined ? !builtForOpenSslStore : last === '--use-bundled-ca';
}
