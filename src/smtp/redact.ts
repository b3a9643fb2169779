// Secrets a server could echo back (the password, the token, what AUTH sent for them), masked in
// every reply of the session from the moment they are sent, so that no transcript, error line or
// event shows them unless --show-secrets asks.

export const REDACTED = '********';

export class Redactor {
  private secrets: string[] = [];

  /** Masks `secret` from now on. Strings shorter than 3 octets are left alone: they would mask everything. */
  hide(secret: string): void {
    if (secret.length < 3 || this.secrets.includes(secret)) return;
    // Longest first: a password inside a longer form (the decoded PLAIN string) must not break its mask.
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
  }

  /** `text` with every secret replaced by REDACTED. */
  text(text: string): string {
    for (const secret of this.secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
    return text;
  }
}
