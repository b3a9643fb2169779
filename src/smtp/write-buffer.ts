// The sender's own write buffer. Message chunks may be lent (valid only until the next is read),
// so they are copied in; the buffer is written whole and reused once the socket has taken it.
// Copying is cheap next to touching fresh memory for every chunk of a large message.

export class WriteBuffer {
  private readonly memory: Buffer;
  private used = 0;

  constructor(readonly capacity: number) {
    this.memory = Buffer.allocUnsafe(capacity);
  }

  get length(): number {
    return this.used;
  }

  /**
   * Copies from `data`, starting at `from`, as much as fits before the buffer holds `limit` octets
   * (its capacity by default); returns how much was copied.
   */
  fill(data: Buffer, from: number, limit = this.capacity): number {
    const count = Math.min(data.length - from, Math.min(limit, this.capacity) - this.used);
    if (count <= 0) return 0;
    this.memory.set(data.subarray(from, from + count), this.used);
    this.used += count;
    return count;
  }

  /** What it holds; valid until reset(). */
  contents(): Buffer {
    return this.memory.subarray(0, this.used);
  }

  reset(): void {
    this.used = 0;
  }
}
