// Secrets a server could echo back (the password, the token, what AUTH sent for them), masked in
// every reply of the session from the moment they are sent, so that no transcript, error line or
// event shows them unless --show-secrets asks.
export const REDACTED = '********';
/**
 * The secret, its base64, and the base64 of its octets from each of the three places it may start
 * in a 3-octet group: inside a longer base64 string (PLAIN's `\0user\0password`, XOAUTH2's
 * `user=…\x01auth=Bearer token`) only those middle characters are the secret's own, and a server
 * quoting a piece of that string quotes them.
 */
export function secretForms(secret) {
  const octets = Buffer.from(secret);
  const forms = [secret, octets.toString('base64')];
  for (let start = 0; start < 3; start++) {
    const whole = Math.floor((octets.length - start) / 3) * 3;
    if (whole > 0) forms.push(octets.subarray(start, start + whole).toString('base64'));
  }
  return forms;
}
export class Redactor {
  secrets = [];
  /** Masks `secret` from now on. Strings shorter than 3 octets are left alone: they would mask everything. */
  hide(secret) {
    if (secret.length < 3 || this.secrets.includes(secret)) return;
    // Longest first: a password inside a longer form (the decoded PLAIN string) must not break its mask.
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
  }
  /** `text` with every secret replaced by REDACTED. */
  text(text) {
    for (const secret of this.secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
    return text;
  }
}
