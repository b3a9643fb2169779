// The bare clients' reply loop (bench/bare-client.mjs, bench/layers.mjs): no parsing, no checks.

/** What every bare socket reads into (Node's `onread`): each read is taken before the next. */
const READ_BUFFER = Buffer.allocUnsafe(64 * 1024);

/**
 * The `onread` option of a socket that calls `reply` at the last line of each reply from the
 * server (its continuation lines skipped): no stream of Buffers, as mailv's own sockets read.
 */
export function replyReads(reply) {
  let buffered = '';
  return {
    buffer: READ_BUFFER,
    callback(count) {
      buffered += READ_BUFFER.latin1Slice(0, count);
      for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
        const line = buffered.slice(0, end);
        buffered = buffered.slice(end + 2);
        if (line[3] !== '-') reply();
      }
      return true;
    },
  };
}
