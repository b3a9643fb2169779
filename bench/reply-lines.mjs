// The bare clients' reply loop (bench/bare-client.mjs, bench/layers.mjs): no parsing, no checks.

/** Calls `reply` at the last line of each reply from the server (its continuation lines skipped). */
export function onReplies(socket, reply) {
  let buffered = '';
  socket.on('data', (chunk) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (line[3] !== '-') reply();
    }
  });
}
