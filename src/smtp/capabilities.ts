// EHLO response → the service extensions the server offers (RFC 5321 §4.1.1.1, with SIZE from
// RFC 1870). Pure.
import { sameLines, type Reply } from './reply.js';

/** One EHLO keyword as the server wrote it, and its parameters. */
export interface Extension {
  readonly keyword: string;
  readonly params: readonly string[];
}

/** What a 250 to EHLO says: the server's name for itself, then its extensions in order. */
export interface EhloOffer {
  readonly domain: string;
  readonly extensions: readonly Extension[];
}

export class Capabilities {
  private readonly keywords = new Map<string, readonly string[]>();

  private constructor(readonly offer: EhloOffer) {
    for (const { keyword, params } of offer.extensions) this.keywords.set(keyword.toUpperCase(), params);
  }

  /**
   * Parses a 250 EHLO reply; the first line is the server's greeting, not a keyword. The same
   * lines as the reply parsed last give the same (immutable) answer: a load run opening a
   * connection per message reads the same EHLO reply thousands of times.
   */
  static fromEhlo(reply: Reply): Capabilities {
    if (lastParsed !== undefined && sameLines(lastParsed.lines, reply.lines)) return lastParsed.capabilities;
    const extensions: Extension[] = [];
    for (const line of reply.lines.slice(1)) {
      const [keyword, ...params] = line.trim().split(/\s+/);
      if (keyword) extensions.push({ keyword, params });
    }
    const capabilities = new Capabilities({ domain: (reply.lines[0] ?? '').trim().split(/\s+/)[0] ?? '', extensions });
    lastParsed = { lines: reply.lines, capabilities };
    return capabilities;
  }

  /** After HELO (or before any EHLO) nothing is offered. */
  static none(): Capabilities {
    return new Capabilities({ domain: '', extensions: [] });
  }

  has(keyword: string): boolean {
    return this.find(keyword) !== undefined;
  }

  params(keyword: string): readonly string[] {
    return this.find(keyword) ?? [];
  }

  /** Callers name keywords in capitals: those are found without a case conversion (a load run asks several times a message). */
  private find(keyword: string): readonly string[] | undefined {
    return this.keywords.get(keyword) ?? (hasLowerCase(keyword) ? this.keywords.get(keyword.toUpperCase()) : undefined);
  }

  /** The advertised SIZE limit in octets; undefined when SIZE is absent or has no (or a 0) limit. */
  get sizeLimit(): number | undefined {
    return sizeLimitOf(this.params('SIZE')[0]);
  }

  /**
   * The SASL mechanisms offered: AUTH's; else those of the old `AUTH=` spelling (`AUTH=PLAIN
   * LOGIN`), which servers such as old Exim and qmail offer alone, and swaks and msmtp read too.
   * Undefined when no AUTH is offered at all.
   */
  get authMechanisms(): readonly string[] | undefined {
    const modern = this.find('AUTH');
    if (modern !== undefined) return modern;
    const legacy = this.offer.extensions.find(({ keyword }) => /^AUTH=/i.test(keyword));
    return legacy === undefined ? undefined : [legacy.keyword.slice('AUTH='.length), ...legacy.params].filter((name) => name !== '');
  }
}

/**
 * A SIZE parameter as RFC 1870 §4 writes it, `1*DIGIT` (0 or none: no fixed limit); anything else
 * (`0x10`, `1e2`, `+100`) is no limit at all, never a reason to refuse a message.
 */
export function sizeLimitOf(param: string | undefined): number | undefined {
  if (param === undefined || !/^\d+$/.test(param)) return undefined;
  const value = Number(param);
  return Number.isSafeInteger(value) && value > 0 ? value : undefined;
}

let lastParsed: { readonly lines: readonly string[]; readonly capabilities: Capabilities } | undefined;

/** EHLO keywords are ASCII (RFC 5321 §4.1.1.1). */
function hasLowerCase(text: string): boolean {
  return /[a-z]/.test(text);
}
