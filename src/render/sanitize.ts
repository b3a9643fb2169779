// Server text is untrusted: control characters are shown escaped, never sent to the terminal raw.

// C0 controls but TAB, DEL, and C1 controls (which include the 8-bit CSI).
const CONTROL = /[\x00-\x08\x0a-\x1f\x7f-\x9f]/g;

export function sanitize(text: string): string {
  return text.replace(CONTROL, (char) => `\\x${char.charCodeAt(0).toString(16).padStart(2, '0')}`);
}
