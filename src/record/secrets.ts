// What a record never keeps, even when --show-secrets shows it: the secret responses of AUTH, the
// decoded SASL steps, and the secret itself (and what was sent for it) wherever a reply, a note or
// a failure quotes it. A record is always what mailv shows without --show-secrets, or less.
import type { Note, SessionEvent } from '../events.js';
import type { Command } from '../smtp/command.js';
import { Redactor, secretForms } from '../smtp/redact.js';
import { secretText, withheld } from '../smtp/command.js';
import { eventJson } from './format.js';

export class RecordSecrets {
  private readonly redactor = new Redactor();

  /** Masks `secret`, and its base64 forms, in everything kept from now on. */
  hide(secret: string): void {
    for (const form of secretForms(secret)) this.redactor.hide(form);
  }

  /** The event as the record keeps it, or undefined when it is there only to show a secret. */
  event(event: SessionEvent): unknown {
    if (event.kind === 'note') return this.note(event.note) === undefined ? undefined : this.mask(eventJson(event));
    if (event.kind !== 'send') return this.mask(eventJson(event));
    this.learn(event.command);
    return this.mask(eventJson({ ...event, command: withheld(event.command, false) }));
  }

  /** The note as the record keeps it, or undefined when it is there only to show a secret. */
  note(note: Note): unknown {
    return note.code === 'sasl-decoded' ? undefined : this.mask(note);
  }

  /** Any value, with every secret masked in each of its strings. */
  mask(value: unknown): unknown {
    if (typeof value === 'string') return this.redactor.text(value);
    if (Array.isArray(value)) return value.map((each) => this.mask(each));
    if (typeof value === 'object' && value !== null && !Buffer.isBuffer(value)) {
      return Object.fromEntries(Object.entries(value).map(([key, each]) => [key, this.mask(each)]));
    }
    return value;
  }

  /** A response sent with --show-secrets carries its text: masked wherever a server echoes it. */
  private learn(command: Command): void {
    const secret = secretText(command);
    if (secret !== undefined) this.redactor.hide(secret);
  }
}
