// French elision before a name mailv writes into a sentence: « le courrier d’equal.test », not
// « de equal.test ». A name is read as written; an h is left alone (aspirated or not, it cannot be told).

/** `de name`, or `d’name` before a vowel. */
export function de(name: string): string {
  // The accented vowels escaped, as the bundles keep to ASCII (esbuild leaves a pattern as it is).
  // A y before a vowel is a consonant (de yahoo.fr), before a consonant a vowel (d’Yves).
  return /^(?:[aeiou\u00e0\u00e2\u00e4\u00e9\u00e8\u00ea\u00eb\u00ee\u00ef\u00f4\u00f6\u00f9\u00fb\u00fc]|y(?![aeiouy]))/i.test(name)
    ? `d’${name}`
    : `de ${name}`;
}
