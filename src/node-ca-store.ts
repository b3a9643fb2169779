// Which store a TLS context made without `ca` trusts, as Node was started and built: its own list
// (tls.rootCertificates), or OpenSSL's.

/**
 * Whether a default context trusts Node's own list (`tls.rootCertificates`): not when Node is told
 * to use OpenSSL's store instead (--use-openssl-ca, on its command line or in NODE_OPTIONS; Node
 * refuses to start given it and --use-bundled-ca both; or built so: --openssl-use-def-ca-store), whose
 * certificates that list does not say. Spelt as Node takes them: `_` for `-` in the name, any
 * `=value` after it (`--use-openssl-ca=false` sets it all the same), NODE_OPTIONS split as Node splits it.
 */
export function nodeTrustsItsOwnList(execArgv: readonly string[], nodeOptions: string | undefined, builtForOpenSslStore: boolean): boolean {
  const flag = (word: string) => word.replace(/=.*$/s, '').replaceAll('_', '-');
  const choices = [...nodeOptionsArguments(nodeOptions ?? ''), ...execArgv]
    .map(flag)
    .filter((word) => word === '--use-openssl-ca' || word === '--use-bundled-ca');
  const last = choices.at(-1);
  return last === undefined ? !builtForOpenSslStore : last === '--use-bundled-ca';
}

/**
 * NODE_OPTIONS as Node splits it into arguments (ParseNodeOptionsEnvVar): at spaces outside double
 * quotes, which open and close anywhere in a word (`--use-"openssl"-ca` is the flag; the space in
 * `--title="a --use-openssl-ca b"` is the title's); inside them a backslash takes the next character
 * as it is. Where Node finds the text broken it does not start, and mailv never runs.
 */
export function nodeOptionsArguments(nodeOptions: string): string[] {
  const words: string[] = [];
  let quoted = false;
  let startsWord = true;
  for (let index = 0; index < nodeOptions.length; index++) {
    let character = nodeOptions[index]!;
    if (character === '\\' && quoted) character = nodeOptions[++index] ?? '';
    else if (character === ' ' && !quoted) {
      startsWord = true;
      continue;
    } else if (character === '"') {
      quoted = !quoted;
      continue;
    }
    if (startsWord) words.push(character);
    else words[words.length - 1] += character;
    startsWord = false;
  }
  return words;
}

/** Whether this Node was built to trust OpenSSL's store by default (configure --openssl-use-def-ca-store). */
function builtForOpenSslStore(defines: readonly string[] | undefined): boolean {
  return (defines ?? []).includes('NODE_OPENSSL_CERT_STORE');
}

/** nodeTrustsItsOwnList for this process, as it was started (`nodeOptions`: its NODE_OPTIONS) and built. */
export function thisNodeTrustsItsOwnList(nodeOptions: string | undefined): boolean {
  return nodeTrustsItsOwnList(process.execArgv, nodeOptions, builtForOpenSslStore(process.config.target_defaults.defines));
}
