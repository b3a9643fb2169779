// Domain names as DNS compares and prints them. No dependencies: the transcript uses these on
// every run, and must not pull the DNS wire format into start-up.
/** Domain names compare case-insensitively, with or without the root dot. */
export function sameName(a, b) {
  return a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();
}
/** `name.` as DNS tools print it. */
export function absolute(name) {
  return name === '' || name === '.' ? '.' : name.endsWith('.') ? name : `${name}.`;
}
