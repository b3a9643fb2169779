// A certificate's subject or issuer as one line (`O=Example, CN=mx.example.org`, in Node's order),
// its values escaped as RFC 4514 says, so that a value holding `, CN=…` cannot pass for another attribute.

/** The attributes in Node's order; an attribute given several times (two OUs) is repeated. */
export function distinguishedName(name: Readonly<Record<string, string | string[] | undefined>> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .flatMap(([key, value]) => (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((one) => `${key}=${attributeValue(one)}`))
    .join(', ');
}

/**
 * RFC 4514 §2.4: `,`, `+`, `"`, `\`, `<`, `>` and `;` escaped anywhere, `#` and a space at the
 * start, a space at the end, NUL as `\00`; character by character, so that one space is `\ `.
 */
export function attributeValue(value: string): string {
  let escaped = '';
  for (let index = 0; index < value.length; index++) {
    const character = value[index]!;
    const special =
      /[,+"\\<>;]/.test(character) || (index === 0 && (character === ' ' || character === '#')) || (index === value.length - 1 && character === ' ');
    escaped += character === '\0' ? '\\00' : special ? `\\${character}` : character;
  }
  return escaped;
}
