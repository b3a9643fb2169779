// A certificate's subject or issuer as one line (`O=Example, CN=mx.example.org`), escaped as
// RFC 4514 says, so that a value holding `, CN=…` cannot pass for another attribute.

/** The attributes in Node's order; an attribute given several times (two OUs) is repeated. */
export function distinguishedName(name: Readonly<Record<string, string | string[] | undefined>> | undefined): string {
  if (!name) return '';
  return Object.entries(name)
    .flatMap(([key, value]) => (value === undefined ? [] : Array.isArray(value) ? value : [value]).map((one) => `${key}=${attributeValue(one)}`))
    .join(', ');
}

/** RFC 4514 §2.4: `,`, `+`, `"`, `\`, `<`, `>` and `;` escaped anywhere, `#` and a space at the start, a space at the end. */
function attributeValue(value: string): string {
  return value
    .replace(/[,+"\\<>;]/g, '\\$&')
    .replace(/^[ #]/, '\\$&')
    .replace(/ $/, '\\ ');
}
