// A language's catalogue, gathered from its one file per folder alike for every language. What a
// run may never show (errors, notes, the words of TLS, DNS, --timing, --diagram, the load mode and
// cli/) is made at its first use, not at start-up: most runs show no error, and a plain send then
// allocates about 50 KB less.
import type { AppErrorFact, AppNote } from '../app/facts.js';
import type { AuthErrorFact, AuthNote } from '../auth/facts.js';
import type { CliErrorFact, CliNote } from '../cli/facts.js';
import type { ConfigErrorFact, ConfigNote } from '../config/facts.js';
import type { DeliveryErrorFact, DeliveryNote } from '../delivery/facts.js';
import type { DnsErrorFact, DnsNote } from '../dns/facts.js';
import type { MessageErrorFact, MessageNote } from '../message/facts.js';
import type { RecordErrorFact } from '../record/facts.js';
import type { SmtpErrorFact, SmtpNote } from '../smtp/facts.js';
import type { TimingWords, TlsWords, TranscriptWords, Words, WordsOf } from './catalogue.js';
import type { CliWords } from './cli-words.js';
import type { DiagramWords } from './diagram-words.js';
import type { DnsWords } from './dns-words.js';
import type { HelpWords } from './help-words.js';
import type { LoadWords } from './load-words.js';
import type { OutputWords } from './output-words.js';

/** A folder's words for its errors, made when asked, and for its notes. */
interface FolderWords<ErrorFact extends { readonly code: string }, NoteFact extends { readonly code: string }> {
  readonly errors: () => WordsOf<ErrorFact>;
  readonly notes: WordsOf<NoteFact>;
}

/** What each of a language's files gives: its folder's errors and notes, and the words of its own. */
export interface LanguageFiles {
  readonly app: FolderWords<AppErrorFact, AppNote> & { readonly output: OutputWords };
  readonly auth: FolderWords<AuthErrorFact, AuthNote>;
  readonly cli: FolderWords<CliErrorFact, CliNote> & { readonly cliWords: () => CliWords };
  readonly config: FolderWords<ConfigErrorFact, ConfigNote>;
  readonly delivery: FolderWords<DeliveryErrorFact, DeliveryNote>;
  readonly dns: FolderWords<DnsErrorFact, DnsNote> & { readonly dnsWords: () => DnsWords };
  readonly message: FolderWords<MessageErrorFact, MessageNote>;
  readonly record: { readonly errors: () => WordsOf<RecordErrorFact> };
  readonly smtp: FolderWords<SmtpErrorFact, SmtpNote> & {
    readonly tlsWords: () => TlsWords;
    readonly transcriptWords: TranscriptWords;
    readonly timingWords: () => TimingWords;
  };
  readonly diagram: { readonly diagramWords: () => DiagramWords };
  readonly load: { readonly loadWords: () => LoadWords };
  readonly help: { readonly helpWords: HelpWords };
}

/**
 * The catalogue of one language. Its errors are every folder's merged: a code no folder words is a
 * compile error here, as catalogue.ts promises.
 */
export function gather(files: LanguageFiles): Words {
  const { app, auth, cli, config, delivery, dns, message, record, smtp } = files;
  const made: { -readonly [Part in keyof Words]?: Words[Part] } = {};
  /** The part `make` makes, made at the first call and kept. */
  const once = <Part extends keyof Words>(part: Part, make: () => Words[Part]): Words[Part] => {
    const words = made[part] ?? make();
    made[part] = words;
    return words;
  };
  return {
    get errors() {
      return once('errors', () => ({
        ...app.errors(),
        ...auth.errors(),
        ...cli.errors(),
        ...config.errors(),
        ...delivery.errors(),
        ...dns.errors(),
        ...message.errors(),
        ...record.errors(),
        ...smtp.errors(),
      }));
    },
    get notes() {
      return once('notes', () => ({
        ...app.notes,
        ...auth.notes,
        ...cli.notes,
        ...config.notes,
        ...delivery.notes,
        ...dns.notes,
        ...message.notes,
        ...smtp.notes,
      }));
    },
    get dns() {
      return once('dns', dns.dnsWords);
    },
    get cli() {
      return once('cli', cli.cliWords);
    },
    output: app.output,
    get tls() {
      return once('tls', smtp.tlsWords);
    },
    transcript: smtp.transcriptWords,
    get timing() {
      return once('timing', smtp.timingWords);
    },
    get diagram() {
      return once('diagram', files.diagram.diagramWords);
    },
    get load() {
      return once('load', files.load.loadWords);
    },
    help: files.help.helpWords,
  };
}
