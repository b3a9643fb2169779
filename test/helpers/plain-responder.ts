// The least an SMTP server says, over any socket a test made itself (TLS from the first byte, an
// idle timer of its own): a greeting, then 250 to every command, 354 to DATA, 250 to the final dot,
// 221 to QUIT. For the faults that scripted-server.ts cannot stage: the test adds its own around it.
import type { Duplex } from 'node:stream';

/**
 * Greets on `socket` (unless `greet` is false: after STARTTLS) and answers it; `ehlo`: the EHLO
 * reply's lines, the first being the server's name.
 */
export function answerPlainly(socket: Duplex, ehlo: readonly string[], { greet = true } = {}): void {
  let buffered = '';
  let inData = false;
  if (greet) socket.write(`220 ${ehlo[0]} ESMTP\r\n`);
  socket.on('data', (chunk: Buffer) => {
    buffered += chunk.toString('latin1');
    for (let end = buffered.indexOf('\r\n'); end !== -1; end = buffered.indexOf('\r\n')) {
      const line = buffered.slice(0, end);
      buffered = buffered.slice(end + 2);
      if (inData) {
        if (line === '.') {
          inData = false;
          socket.write('250 2.0.0 queued\r\n');
        }
        continue;
      }
      const verb = line.slice(0, 4).toUpperCase();
      if (verb === 'EHLO') socket.write(ehlo.map((text, index) => `250${index === ehlo.length - 1 ? ' ' : '-'}${text}\r\n`).join(''));
      else if (verb === 'DATA') {
        inData = true;
        socket.write('354 go on\r\n');
      } else if (verb === 'QUIT') socket.end('221 2.0.0 bye\r\n');
      else socket.write('250 2.0.0 ok\r\n');
    }
  });
}
