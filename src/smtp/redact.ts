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

/**
 * What a hidden string is, for the pieces of it masked besides the whole: `sent`, base64 that went
 * on the wire (any piece a server quotes); `typed`, the secret as the user gave it (a piece of half
 * of it or more, at least 6 characters); `whole`, nothing but the whole.
 */
export type SecretKind = 'whole' | 'sent' | 'typed';

export class Redactor {
  private secrets: string[] = [];
  /** The base64 of AUTH's answers as they went: a piece of one is masked too. */
  private sent: string[] = [];
  /** The secrets as typed: a large piece of one is masked too. */
  private typed: string[] = [];

  /** Masks `secret` from now on. Strings shorter than 3 octets are left alone: they would mask everything. */
  hide(secret: string, kind: SecretKind = 'whole'): void {
    if (kind === 'sent' && secret.length >= 8 && !this.sent.includes(secret)) this.sent = [...this.sent, secret];
    if (kind === 'typed' && secret.length >= TYPED_PIECE_MIN && !this.typed.includes(secret)) this.typed = [...this.typed, secret];
    if (secret.length < 3 || this.secrets.includes(secret)) return;
    // Longest first: a password inside a longer form (the decoded PLAIN string) must not break its mask.
    this.secrets = [...this.secrets, secret].sort((a, b) => b.length - a.length);
  }

  /** `text` with every secret replaced by REDACTED, and any piece a server quoted of one in base64. */
  text(text: string): string {
    for (const secret of this.secrets) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
    for (const secret of this.typed) text = maskPieces(text, secret);
    if (this.sent.length === 0) return text;
    // A piece cut from the middle of what AUTH sent (`aWNlAFMz` of PLAIN's `\0alice\0S3…`) holds
    // the secret's first octets in base64 groups of its neighbours': masked whole where it is found.
    return text.replace(BASE64_RUN, (run) => (this.sent.some((sent) => sent.includes(run.replace(/=+$/, ''))) ? REDACTED : run));
  }
}

/** The shortest piece of a typed secret masked: shorter ones are too likely ordinary words. */
const TYPED_PIECE_MIN = 6;

/** `text` with every piece of `secret` of half its length or more (at least TYPED_PIECE_MIN) masked. */
function maskPieces(text: string, secret: string): string {
  const least = Math.max(TYPED_PIECE_MIN, Math.ceil(secret.length / 2));
  let masked = '';
  let kept = 0;
  for (let start = 0; start + least <= text.length; ) {
    if (!secret.includes(text.slice(start, start + least))) {
      start++;
      continue;
    }
    let end = start + least;
    while (end < text.length && secret.includes(text.slice(start, end + 1))) end++;
    masked += text.slice(kept, start) + REDACTED;
    kept = end;
    start = end;
  }
  return masked + text.slice(kept);
}

/** A run of base64 long enough to carry an octet of a secret on its own. */
const BASE64_RUN = /[A-Za-z0-9+/]{4,}=*/g;
