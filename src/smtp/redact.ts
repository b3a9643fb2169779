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
  private readonly secrets = new Set<string>();
  /** The secrets longest first, made again when one was added: see text(). */
  private longestFirst: string[] | undefined = [];
  /** The base64 of AUTH's answers as they went: a piece of one is masked too. */
  private readonly sent = new Set<string>();
  /** The secrets as typed: a large piece of one is masked too. */
  private readonly typed = new Set<string>();

  /**
   * Masks `secret` from now on. Strings shorter than 3 octets are left alone: they would mask
   * everything. Cheap however many come (a load run's logins, each answer its own).
   */
  hide(secret: string, kind: SecretKind = 'whole'): void {
    if (kind === 'sent' && secret.length >= 8) this.sent.add(secret);
    if (kind === 'typed' && secret.length >= TYPED_PIECE_MIN) this.typed.add(secret);
    if (secret.length < 3 || this.secrets.has(secret)) return;
    this.secrets.add(secret);
    this.longestFirst = undefined;
  }

  /** `text` with every secret replaced by REDACTED, and any piece a server quoted of one in base64. */
  text(text: string): string {
    // First the pieces of what AUTH sent, each base64 run whole: masked after the secrets in it, a
    // run would leave ends too short to be found, each of them octets of the secret.
    if (this.sent.size > 0) text = text.replace(BASE64_RUN, (run) => (this.quotesSent(run.replace(/=+$/, '')) ? REDACTED : run));
    // Longest first: a password inside a longer form (the decoded PLAIN string) must not break its mask.
    this.longestFirst ??= [...this.secrets].sort((a, b) => b.length - a.length);
    for (const secret of this.longestFirst) if (text.includes(secret)) text = text.split(secret).join(REDACTED);
    for (const secret of this.typed) text = maskPieces(text, secret);
    return text;
  }

  private quotesSent(piece: string): boolean {
    for (const sent of this.sent) if (sent.includes(piece)) return true;
    return false;
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
