// The commands written and not answered yet, oldest first, as the transcript's readers (the
// explanations, --timing) follow them. Replies come in the order of the commands (RFC 2920 §3.1), so
// a reply to a later command settles every one before it. Each command is added and removed once,
// and a reply to nothing owed is told at once: a record of any size is read in linear time.

export class RepliesOwed<T> {
  private items: T[] = [];
  /** Where the commands still owed begin in `items`: those before it were settled. */
  private head = 0;
  /** How many of each key are owed, to tell a reply to nothing owed without a search. */
  private readonly counts = new Map<string, number>();

  constructor(private readonly keyOf: (item: T) => string) {}

  push(item: T): void {
    this.items.push(item);
    const key = this.keyOf(item);
    this.counts.set(key, (this.counts.get(key) ?? 0) + 1);
  }

  /** Some command of `key` is owed a reply. */
  has(key: string): boolean {
    return (this.counts.get(key) ?? 0) > 0;
  }

  /** The oldest command owed, if any. */
  get first(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /**
   * A reply of `key` came: the oldest command of that key, and every one before it, are owed no
   * more (undefined, and nothing settled, when none of that key is owed). `keep`: that command
   * stays owed (an LMTP message's end, owed one reply per recipient).
   */
  answer(key: string, keep = false): T | undefined {
    if (!this.has(key)) return undefined;
    let index = this.head;
    while (this.keyOf(this.items[index]!) !== key) index++;
    for (let settled = this.head; settled < index; settled++) this.forget(this.items[settled]!);
    const answered = this.items[index]!;
    if (keep) this.head = index;
    else {
      this.forget(answered);
      this.head = index + 1;
    }
    // The settled commands are dropped once they are most of the array: amortized, as each was added once.
    if (this.head > 64 && this.head * 2 > this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return answered;
  }

  /** Nothing is owed any more (a new connection, a server that is closing). */
  clear(): void {
    this.items = [];
    this.head = 0;
    this.counts.clear();
  }

  private forget(item: T): void {
    const key = this.keyOf(item);
    this.counts.set(key, this.counts.get(key)! - 1);
  }
}
