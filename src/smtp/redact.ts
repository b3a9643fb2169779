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
export function secretForms(secret: string): string[] {
  const octets = Buffer.from(secret);
  const forms = [secret, octets.toString('base64')];
  for (let start = 0; start < 3; start++) {
    const whole = Math.floor((octets.length - start) / 3) * 3;
    if (whole > 0) forms.push(octets.subarray(start, start + whole).toString('base64'));
  }
  return forms;
}

export class Redactor {
  private secrets: string[] = [];
  /** The base64 of AUTH's answers as they went: a piece of one is masked too. */
  private sent: string[] = [];

  /**
   * Masks `secret` from now on; with `sent`, any piece of it a server quotes (it is base64 that
   * went on the wire). Strings shorter than 3 octets are left alone: they would mask everything.
   */
  hide(secret: string, sent = false): void {
    if (sent && secret.length >= 8 && !this.sent.includes(secret)) this.sent = [...this.sent, secret];
    if (secret.length < 3 || this.secrets.includes(secret)) return;
    // Longest first: a password inside a longer form (the decoded PLAIN string) must not break its mask.
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
  }

  /** `text` with every secret replaced by REDACTED, and any piece a server quoted of one in base64. */
  text(text: string): string {
    for (const secret of this.secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
    if (this.sent.length === 0) return text;
    // A piece cut from the middle of what AUTH sent (`aWNlAFMz` of PLAIN's `\0alice\0S3…`) holds
    // the secret's first octets in base64 groups of its neighbours': masked whole where it is found.
    return text.replace(BASE64_RUN, (run) => (this.sent.some((sent) => sent.includes(run.replace(/=+$/, ''))) ? REDACTED : run));
  }
}

/** A run of base64 long enough to carry an octet of a secret on its own. */
const BASE64_RUN = /[A-Za-z0-9+/]{4,}=*/g;
