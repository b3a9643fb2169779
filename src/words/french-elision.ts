// French elision before a name mailv writes into a sentence: « le courrier d’equal.test », not
// « de equal.test ». A name is read as written; an h is left alone (aspirated or not, it cannot be told).

/** `de name`, or `d’name` before a vowel. */
export function de(name: string): string {
  return /^[aeiouyàâäéèêëîïôöùûü]/i.test(name) ? `d’${name}` : `de ${name}`;
}
