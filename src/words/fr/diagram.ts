// French words of the sequence diagram (src/words/diagram-words.ts).
import type { DiagramWords } from '../diagram-words.js';

export const diagramWords = (): DiagramWords => ({
  title: 'Session SMTP',
  client: 'client (mailv)',
  server: 'serveur',
  dns: 'serveur DNS',
  // Port 0 : une socket du domaine Unix, nommée par son seul chemin.
  connect: (host, port) => `connexion à ${port === 0 ? host : `${host} port ${port}`}`,
  connected: (address, port) => `connecté à ${port === 0 ? address : `${address} port ${port}`}`,
  handshake: 'négociation TLS',
  encrypted: 'chiffré à partir d’ici',
  flight: (commands) => `${commands} commandes en un seul envoi`,
  earlyEhlo: 'envoyé avant l’accueil (PIPECONNECT)',
  deferred: (why) => `différé : ${why}`,
  legend: {
    heading: 'Légende',
    command: 'commande, du client au serveur',
    reply2: '2xx succès',
    reply3: '3xx intermédiaire : la suite est attendue',
    reply4: '4xx échec pour l’instant',
    reply5: '5xx échec définitif',
  },
  time: 'ms depuis le début',
  status: (status) => `code de sortie ${status}`,
  theme: 'basculer entre clair et sombre',
});
