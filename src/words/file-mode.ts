// A file's permission bits as the user is shown them.

/** Permission bits as chmod takes them: 0644. */
export function octal(mode: number): string {
  return mode.toString(8).padStart(4, '0');
}
