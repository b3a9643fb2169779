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
const FIRST_READS = 2048;

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

export class PlayedDialogue {
  readonly events: (PlayedRead | PlayedWrite)[] = [];
  end: PlayedEnd;
  /** Every read, one after another: one buffer a dialogue, where a copy a read would be one a reply. */
  private reads = Buffer.allocUnsafe(FIRST_READS);
  private readLength = 0;

  /** `chunk`, read at `at`: copied, since the socket's buffer is used again at the next read. */
  read(chunk: Buffer, at: number): void {
    if (this.readLength + chunk.length > this.reads.length) {
      // The reads before keep the old buffer: only what comes from now is in the new one.
      this.reads = Buffer.allocUnsafe(Math.max(this.reads.length * 2, chunk.length));
      this.readLength = 0;
    }
    const start = this.readLength;
    this.readLength += chunk.copy(this.reads, start);
    this.events.push({ kind: 'read', chunk: this.reads.subarray(start, this.readLength), at });
  }

  wrote(bytes: Buffer): PlayedWrite {
    const write: PlayedWrite = { kind: 'write', bytes, refused: false, taken: false, needsDrain: false, onTaken: undefined };
    this.events.push(write);
    return write;
  }
}
