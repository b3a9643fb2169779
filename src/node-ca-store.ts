// Which store a TLS context made without `ca` trusts, as Node was started and built: its own list
// (tls.rootCertificates), or OpenSSL's.

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

/** Whether this Node was built to trust OpenSSL's store by default (configure --openssl-use-def-ca-store). */
function builtForOpenSslStore(defines: readonly string[] | undefined): boolean {
  return (defines ?? []).includes('NODE_OPENSSL_CERT_STORE');
}

/** nodeTrustsItsOwnList for this process, as it was started (`nodeOptions`: its NODE_OPTIONS) and built. */
export function thisNodeTrustsItsOwnList(nodeOptions: string | undefined): boolean {
  return nodeTrustsItsOwnList(process.execArgv, nodeOptions, builtForOpenSslStore(process.config.target_defaults.defines));
}
