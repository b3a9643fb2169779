// English words of the sequence diagram (src/words/diagram-words.ts).
import type { DiagramWords } from '../diagram-words.js';

export const diagramWords = (): DiagramWords => ({
  title: 'SMTP session',
  client: 'client (mailv)',
  server: 'server',
  dns: 'DNS server',
  // Port 0: a unix-domain socket, named by its path alone.
  connect: (host, port) => `connect to ${port === 0 ? host : `${host} port ${port}`}`,
  connected: (address, port) => `connected to ${port === 0 ? address : `${address} port ${port}`}`,
  handshake: 'TLS handshake',
  encrypted: 'encrypted from here on',
  flight: (commands) => `${commands} commands in one flight`,
  earlyEhlo: 'sent before the greeting (PIPECONNECT)',
  deferred: (why) => `deferred: ${why}`,
  legend: {
    heading: 'Legend',
    command: 'command, client to server',
    reply2: '2xx success',
    reply3: '3xx go on',
    reply4: '4xx failure for now',
    reply5: '5xx failure for good',
  },
  time: 'ms since start',
  status: (status) => `exit status ${status}`,
  theme: 'switch between light and dark',
});
