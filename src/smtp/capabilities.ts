// EHLO response → the service extensions the server offers (RFC 5321 §4.1.1.1, with SIZE from
// RFC 1870). Pure.
import type { Reply } from './reply.js';

export class Capabilities {
  private readonly keywords = new Map<string, readonly string[]>();

  /** Parses a 250 EHLO reply; the first line is the server's greeting, not a keyword. */
  static fromEhlo(reply: Reply): Capabilities {
    const capabilities = new Capabilities();
    for (const line of reply.lines.slice(1)) {
      const [keyword, ...params] = line.trim().split(/\s+/);
      if (keyword) capabilities.keywords.set(keyword.toUpperCase(), params);
    }
    return capabilities;
  }

  /** After HELO (or before any EHLO) nothing is offered. */
  static none(): Capabilities {
    return new Capabilities();
  }

  has(keyword: string): boolean {
    return this.keywords.has(keyword.toUpperCase());
  }

  params(keyword: string): readonly string[] {
    return this.keywords.get(keyword.toUpperCase()) ?? [];
  }

  /** The advertised SIZE limit in octets; undefined when SIZE is absent or has no (or a 0) limit. */
  get sizeLimit(): number | undefined {
    const value = Number(this.params('SIZE')[0]);
    return Number.isSafeInteger(value) && value > 0 ? value : undefined;
  }
}
