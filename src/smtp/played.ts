// A dialogue begun without a session (the load mode's express lane, src/load/express.ts), in the
// order things happened: what was read, when, and what was written. A session takes the connection
// over with it (SmtpConnection.adopt): the connection reads it again, and takes the session's first
// writes as the ones already made, so that the session decides as if it had held the connection
// from the start.

/** Octets read, and when (ms on the performance clock). */
export interface PlayedRead {
  readonly kind: 'read';
  readonly chunk: Buffer;
  readonly at: number;
}

/** What a dialogue keeps of its reads before the first grows it: most dialogues' whole. */
const FIRST_READS = 1024;

/** Octets written: refused by the kernel at once; taken (by the kernel) once none of them wait in the socket. */
export interface PlayedWrite {
  readonly kind: 'write';
  readonly bytes: Buffer;
  refused: boolean;
  taken: boolean;
  /** The socket's buffer was full after it: a session would have waited for it to drain. */
  needsDrain: boolean;
  /** Called when it is taken, once a session waits for that. */
  onTaken: (() => void) | undefined;
}

/**
 * How the dialogue ended when the session took it over: the connection closed (after an error of
 * the system's, when one came), a reply overdue (its time limit passed), a signal; undefined: still open.
 */
export type PlayedEnd =
  | { readonly kind: 'closed'; readonly errno: string | undefined }
  | { readonly kind: 'overdue' }
  | { readonly kind: 'interrupted'; readonly signal: NodeJS.Signals }
  | undefined;

/**
 * Written down as it happens in numbers only (most dialogues are played to their end, and never
 * read again); made events once a session takes the connection over and asks for them.
 */
export class PlayedDialogue {
  end: PlayedEnd;
  /** Every read, one after another: one buffer a dialogue, where a copy a read would be one a reply. */
  private reads = Buffer.allocUnsafe(FIRST_READS);
  private readLength = 0;
  /** In order: a read as where it ends in `reads` and when it came; a write as WRITE and its index in `writes`. */
  private readonly log: number[] = [];
  private readonly writes: Buffer[] = [];
  /** The write the kernel refused, and the one after which the socket's buffer was full (indices in `writes`; -1: none). */
  private refused = -1;
  private needsDrain = -1;
  private made: (PlayedRead | PlayedWrite)[] | undefined;

  /** Octets `[0, length)` of `source`, read at `at`: copied, since the socket's buffer is used again at the next read. */
  read(source: Buffer, length: number, at: number): void {
    this.stillOpen();
    if (this.readLength + length > this.reads.length) {
      const grown = Buffer.allocUnsafe(Math.max(this.reads.length * 2, this.readLength + length));
      this.reads.copy(grown, 0, 0, this.readLength);
      this.reads = grown;
    }
    this.readLength += source.copy(this.reads, this.readLength, 0, length);
    this.log.push(this.readLength, at);
  }

  /** Everything read so far, one read after another. */
  get octets(): Buffer {
    return this.reads;
  }

  get octetsRead(): number {
    return this.readLength;
  }

  wrote(bytes: Buffer): void {
    this.stillOpen();
    this.log.push(WRITE, this.writes.length);
    this.writes.push(bytes);
  }

  /** The last write was refused by the kernel at once. */
  lastWriteRefused(): void {
    this.refused = this.writes.length - 1;
  }

  /** The socket's buffer was full after the last write. */
  lastWriteNeedsDrain(): void {
    this.needsDrain = this.writes.length - 1;
  }

  /** What happened, in order: made once, when first asked for; the dialogue is over then. */
  get events(): (PlayedRead | PlayedWrite)[] {
    if (this.made !== undefined) return this.made;
    const events: (PlayedRead | PlayedWrite)[] = [];
    let readFrom = 0;
    for (let at = 0; at < this.log.length; at += 2) {
      const entry = this.log[at]!;
      if (entry === WRITE) {
        const index = this.log[at + 1]!;
        const bytes = this.writes[index]!;
        events.push({ kind: 'write', bytes, refused: index === this.refused, taken: false, needsDrain: index === this.needsDrain, onTaken: undefined });
      } else {
        events.push({ kind: 'read', chunk: this.reads.subarray(readFrom, entry), at: this.log[at + 1]! });
        readFrom = entry;
      }
    }
    this.made = events;
    return events;
  }

  /** Once its events are made, a dialogue takes nothing more: what came after would be lost. A fault of mailv's own. */
  private stillOpen(): void {
    if (this.made !== undefined) throw new Error('MAILV_PLAYED_DIALOGUE_OVER');
  }
}

/** A write's mark in the log, where a read's is the offset it ends at (0 or more). */
const WRITE = -1;
