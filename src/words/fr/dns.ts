// French words for what dns/ reports (src/dns/facts.ts), and for the MX plan.
import type { DnsErrorFact, DnsNote, NoAddress, NoAnswer, ServerFailure } from '../../dns/facts.js';
import type { WordsOf } from '../catalogue.js';
import type { DnsWords } from '../dns-words.js';
import { guillemets as q } from '../quote.js';
import { de } from '../french-elision.js';

/** Milliseconds as seconds, to the millisecond, with a decimal comma: `2`, `1,5`. */
function seconds(ms: number): string {
  return String(Math.round(ms) / 1000).replace('.', ',');
}

function plural(count: number, one: string, many: string): string {
  return `${count} ${count === 1 ? one : many}`;
}

function noAnswer(failure: NoAnswer): string {
  switch (failure.reason) {
    case 'timeout':
      return `aucune réponse${failure.transport === 'tcp' ? ' par TCP' : ''} en ${seconds(failure.timeoutMs)} s${
        failure.malformed === undefined ? '' : ` (${plural(failure.malformed, 'réponse mal formée ignorée', 'réponses mal formées ignorées')})`
      }`;
    case 'refused':
      return failure.transport === 'tcp' ? 'connexion refusée' : 'port injoignable';
    case 'network':
      return `erreur réseau (${failure.errno})`;
    case 'closed':
      return 'connexion fermée avant la réponse';
    case 'oversize':
      return 'réponse TCP trop longue';
    case 'mismatched':
      return 'réponse TCP à une autre question';
    case 'malformed':
      return 'message DNS mal formé';
    case 'truncated':
      return 'réponse TCP marquée tronquée';
    case 'referral':
      return 'un renvoi vers d’autres serveurs de noms, pas une réponse';
  }
}

function serverFailure(failure: ServerFailure): string {
  return `${failure.server} : ${failure.reason === 'rcode' ? failure.rcode : noAnswer(failure)}`;
}

function noAddress(problem: NoAddress | undefined): string {
  switch (problem?.reason) {
    case undefined:
      return 'pas d’adresse';
    case 'no-such-host':
      return 'n’existe pas (NXDOMAIN)';
    case 'no-record':
      return 'n’a pas d’enregistrement A ni AAAA';
    case 'not-a-host-name':
      return 'n’est pas un nom d’hôte';
    case 'out-of-time':
      return 'n’a pas pu être cherché à temps';
    case 'lookup-failed': {
      const { failure } = problem;
      const why = failure.kind === 'cname-chain' ? `chaîne de CNAME de plus de ${failure.limit} maillons` : failure.failures.map(serverFailure).join(' ; ');
      return `n’a pas pu être résolu pour l’instant (${why})`;
    }
  }
}

export const errors = (): WordsOf<DnsErrorFact> => ({
  MAILV_DNS_NO_SUCH_NAME: ({ name, aliasOf }) =>
    aliasOf === undefined ? `${name} n’existe pas (NXDOMAIN)` : `${aliasOf} est un alias de ${name}, qui n’existe pas (NXDOMAIN)`,
  MAILV_DNS_LOOKUP_FAILED: ({ name, type, failures }) =>
    `impossible d’obtenir les enregistrements ${type} ${de(name)} pour l’instant (${failures.map(serverFailure).join(' ; ')})`,
  MAILV_DNS_CNAME_CHAIN: ({ name, limit }) => `la chaîne de CNAME ${de(name)} dépasse ${limit} maillons`,
  MAILV_DNS_BUDGET: ({ task, budgetMs, questions, attempts, timeoutMs, servers }) =>
    `les recherches DNS pour ${task} ont pris plus de ${seconds(budgetMs)} s ` +
    `(${questions > 1 ? `${questions} questions, chacune de ` : ''}${plural(attempts, 'essai', 'essais')} de ${seconds(timeoutMs)} s, ${plural(servers, 'serveur de noms', 'serveurs de noms')})`,
  MAILV_DNS_NO_MX_NO_ADDRESS: ({ domain }) => `${domain} n’a ni enregistrement MX ni adresse`,
  MAILV_DNS_NULL_MX: ({ domain, invalid }) =>
    invalid
      ? `${domain} n’accepte aucun courrier : ses MX ne nomment aucun hôte (« . », mais pas comme le MX nul « 0 . » de la RFC 7505)`
      : `${domain} n’accepte aucun courrier : son MX est le MX nul « 0 . » (RFC 7505)`,
  MAILV_DNS_NO_HOST_ADDRESS: ({ domain, hosts }) =>
    `aucun hôte MX ${de(domain)} n’a d’adresse : ${hosts.map((host) => `${host.name} ${noAddress(host.problem)}`).join(' ; ')}`,
  MAILV_HOST_NOT_FOUND: ({ host, family, by }) =>
    family === undefined ? `hôte ${host} introuvable` : `l’hôte ${host} n’a pas d’adresse IPv${family} (${by ?? `-${family}`})`,
  MAILV_HOST_LOOKUP_FAILED: ({ host }) => `échec temporaire de la recherche ${de(host)}`,
  MAILV_DNS_SERVER_INVALID: ({ text }) => `--dns ${q(text)} invalide : il faut une adresse IP, suivie ou non d’un port, par exemple 127.0.0.1:5354 ou [::1]:53`,
});

export const notes: WordsOf<DnsNote> = {};

export const dnsWords = (): DnsWords => ({
  noAnswer,
  serverFailure,
  noAddress,
  mxPlan: {
    implicitMx: (domain) => `${domain} n’a pas d’enregistrement MX : sa propre adresse reçoit le courrier, comme un MX de préférence 0 (RFC 5321 §5.1).`,
    addressLiteral: (domain) =>
      `${domain} est une adresse littérale, pas un domaine : le DNS n’est pas interrogé, le courrier va à cette adresse (RFC 5321 §4.1.3).`,
    nullMx: (domain, invalid) =>
      invalid
        ? `Le courrier pour ${domain} ne va nulle part : ses MX ne nomment aucun hôte (« . », mais pas comme le MX nul « 0 . » de la RFC 7505).`
        : `Le courrier pour ${domain} ne va nulle part : son MX est le MX nul « 0 . » (RFC 7505).`,
    goesTo: (domain, several) => `Le courrier pour ${domain} va${several ? ', dans cet ordre,' : ''} vers :`,
    preference: 'préférence',
    skipped: (problem) => `(${problem} : ignoré)`,
    noAddressOfFamily: (family) => `aucune adresse IPv${family}, avec -${family}`,
    ignored: (ignored, tried) =>
      `(${ignored === 1 ? '1 autre hôte MX est ignoré' : `${ignored} autres hôtes MX sont ignorés`} : mailv essaie les ${tried} premiers)`,
    randomOrder: 'Les hôtes de même préférence sont essayés dans un ordre aléatoire (MAILV_SEED rend cet ordre reproductible).',
    fallback: (several) =>
      several
        ? [
            'La préférence la plus basse est essayée en premier. Si un hôte refuse la connexion, ne répond pas, refuse dès son accueil,',
            'coupe la connexion ou répond 4xx avant d’avoir pris le message, mailv essaie l’adresse suivante, puis l’hôte suivant',
            '(un destinataire différé à RCPT aussi). Si aucun ne prend le message, il est différé (code de sortie 75) et gardé dans dead.letter.',
          ]
        : ['Si cet hôte est injoignable, le message est différé (code de sortie 75) et gardé dans dead.letter.'],
    port: (port) => `mailv --direct se connecte au port ${port} de ces adresses.`,
  },
});
