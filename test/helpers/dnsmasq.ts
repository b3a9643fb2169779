// The real DNS server the MX tests use: dnsmasq on 127.0.0.1:5354 and [::1]:5354 with the test
// zones of test/services/dnsmasq.sh.
import { createSocket } from 'node:dgram';
import dnsPacket from 'dns-packet';
import { skipUnlessRunning } from './service.js';

export const DNSMASQ = '127.0.0.1:5354';

/** True when dnsmasq answers MX mx.test with its two records. */
export function dnsmasqAnswers(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    const done = (value: boolean) => {
      clearTimeout(timer);
      socket.close();
      resolve(value);
    };
    const timer = setTimeout(() => done(false), 1500);
    socket.on('message', (message) => {
      try {
        done((dnsPacket.decode(message).answers ?? []).length === 2);
      } catch {
        done(false);
      }
    });
    socket.on('error', () => done(false));
    socket.send(dnsPacket.encode({ type: 'query', id: 7, questions: [{ type: 'MX', name: 'mx.test' }] }), 5354, '127.0.0.1');
  });
}

/** Skips outside CI (saying why) or fails in CI when dnsmasq is not running. */
export async function dnsmasqSkipReason(): Promise<string | undefined> {
  return skipUnlessRunning(await dnsmasqAnswers(), 'dnsmasq is not answering on 127.0.0.1:5354', 'sudo test/services/dnsmasq.sh start');
}
