// A TCP proxy on 127.0.0.1 that delays each direction by half a round trip, to count the round
// trips an SMTP client needs (this kernel has no netem). Usage:
//   node bench/delay-proxy.mjs <upstream-port> <rtt-ms> [--max-seconds N]
// Prints the port it listens on, then forwards every connection to 127.0.0.1:<upstream-port>.
// Order is kept: every chunk of one direction waits the same time. The TCP handshake itself
// cannot be delayed from user space; the report adds it as one round trip.
import { connect, createServer } from 'node:net';

const [upstreamPort, rttMs, flag, maxSeconds] = process.argv.slice(2);
const half = Number(rttMs) / 2;
if (!Number(upstreamPort) || !Number.isFinite(half)) {
  process.stderr.write('usage: node bench/delay-proxy.mjs <upstream-port> <rtt-ms> [--max-seconds N]\n');
  process.exit(64);
}

function delayed(from, to) {
  from.on('data', (chunk) => setTimeout(() => to.destroyed || to.write(chunk), half));
  from.on('end', () => setTimeout(() => to.end(), half));
  from.on('error', () => to.destroy());
}

const server = createServer((client) => {
  client.setNoDelay(true);
  const upstream = connect({ host: '127.0.0.1', port: Number(upstreamPort), noDelay: true });
  delayed(client, upstream);
  delayed(upstream, client);
});
server.listen(0, '127.0.0.1', () => process.stdout.write(`${server.address().port}\n`));
if (flag === '--max-seconds') setTimeout(() => process.exit(0), Number(maxSeconds) * 1000).unref();
