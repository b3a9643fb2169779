// sendmail's end of input without -i: a line holding only `.` ends the message, and nothing after
// it is read. Lines are cut at LF; `.` followed by CR LF ends it too.

const LF = 0x0a;

/** `line` (without its LF) is a lone dot. */
function isDotLine(line: Buffer): boolean {
  return (line.length === 1 && line[0] === 0x2e) || (line.length === 2 && line[0] === 0x2e && line[1] === 0x0d);
}

/** The chunks of `input` up to (not including) the first line holding only `.`. */
export async function* untilDotLine(input: AsyncIterable<Buffer> | Iterable<Buffer>): AsyncGenerator<Buffer> {
  /** The start of a line that may yet turn out to be the dot line, held back. */
  let held: Buffer = Buffer.alloc(0);
  let atLineStart = true;
  for await (const chunk of input) {
    const data = held.length > 0 ? Buffer.concat([held, chunk]) : chunk;
    held = Buffer.alloc(0);
    let start = 0;
    if (!atLineStart) {
      const end = data.indexOf(LF);
      if (end === -1) {
        yield data;
        continue;
      }
      start = end + 1;
    }
    atLineStart = true;
    let passed = 0;
    while (start < data.length) {
      const end = data.indexOf(LF, start);
      const line = data.subarray(start, end === -1 ? data.length : end);
      if (end !== -1 && isDotLine(line)) {
        if (start > passed) yield data.subarray(passed, start);
        return;
      }
      if (end === -1) {
        // A line not yet ended: "." or ".\r" waits for what follows it.
        if (isDotLine(line)) {
          held = Buffer.from(line);
          if (start > passed) yield data.subarray(passed, start);
          passed = data.length;
        } else atLineStart = false;
        break;
      }
      start = end + 1;
    }
    if (passed < data.length) yield data.subarray(passed);
  }
  // A last line of only `.` (no line break after it) ends the message as well.
  if (held.length > 0 && !isDotLine(held)) yield held;
}
