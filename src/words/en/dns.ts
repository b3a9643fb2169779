// English words for what dns/ reports (src/dns/facts.ts), and for the MX plan.
import type { DnsErrorFact, DnsNote, NoAddress, NoAnswer, ServerFailure } from '../../dns/facts.js';
import type { WordsOf } from '../catalogue.js';
import type { DnsWords } from '../dns-words.js';
import { quoted } from '../quote.js';

/** Milliseconds as seconds, to the millisecond: `2`, `1.5`. */
function seconds(ms: number): string {
  return String(Math.round(ms) / 1000);
}

function noAnswer(failure: NoAnswer): string {
  switch (failure.reason) {
    case 'timeout':
      return `no answer${failure.transport === 'tcp' ? ' over TCP' : ''} within ${seconds(failure.timeoutMs)} s${
        failure.malformed === undefined ? '' : ` (${failure.malformed} malformed ${failure.malformed === 1 ? 'answer' : 'answers'} ignored)`
      }`;
    case 'refused':
      return failure.transport === 'tcp' ? 'connection refused' : 'port unreachable';
    case 'network':
      return `network error (${failure.errno})`;
    case 'closed':
      return 'connection closed before an answer';
    case 'oversize':
      return 'TCP answer too long';
    case 'mismatched':
      return 'TCP answer to another question';
    case 'malformed':
      return 'malformed DNS message';
    case 'truncated':
      return 'TCP answer marked truncated';
    case 'referral':
      return 'a referral to other name servers, not an answer';
  }
}

function serverFailure(failure: ServerFailure): string {
  return `${failure.server}: ${failure.reason === 'rcode' ? failure.rcode : noAnswer(failure)}`;
}

function noAddress(problem: NoAddress | undefined): string {
  switch (problem?.reason) {
    case undefined:
      return 'no address';
    case 'no-such-host':
      return 'does not exist (NXDOMAIN)';
    case 'no-record':
      return 'has no A or AAAA record';
    case 'not-a-host-name':
      return 'is not a host name';
    case 'out-of-time':
      return 'was not looked up in time';
    case 'lookup-failed': {
      const { failure } = problem;
      const why = failure.kind === 'cname-chain' ? `CNAME chain longer than ${failure.limit}` : failure.failures.map(serverFailure).join('; ');
      return `could not be looked up for now (${why})`;
    }
  }
}

export const errors = (): WordsOf<DnsErrorFact> => ({
  MAILV_DNS_NO_SUCH_NAME: ({ name, aliasOf }) =>
    aliasOf === undefined ? `${name} does not exist (NXDOMAIN)` : `${aliasOf} is an alias of ${name}, which does not exist (NXDOMAIN)`,
  MAILV_DNS_LOOKUP_FAILED: ({ name, type, failures }) => `cannot look up ${type} ${name} for now (${failures.map(serverFailure).join('; ')})`,
  MAILV_DNS_CNAME_CHAIN: ({ name, limit }) => `CNAME chain for ${name} longer than ${limit}`,
  MAILV_DNS_BUDGET: ({ task, budgetMs, questions, attempts, timeoutMs, servers }) =>
    `the DNS lookups for ${task} took longer than ${seconds(budgetMs)} s ` +
    `(${questions > 1 ? `${questions} questions, each ` : ''}${attempts} ${attempts === 1 ? 'try' : 'tries'} of ${seconds(timeoutMs)} s, ${servers} name server${servers === 1 ? '' : 's'})`,
  MAILV_DNS_NO_MX_NO_ADDRESS: ({ domain }) => `${domain} has neither an MX nor an address record`,
  MAILV_DNS_NULL_MX: ({ domain, invalid }) =>
    invalid
      ? `${domain} accepts no mail: its MX records name no host (".", though not as the null MX "0 ." of RFC 7505)`
      : `${domain} accepts no mail: its MX is the null MX "0 ." (RFC 7505)`,
  MAILV_DNS_NO_HOST_ADDRESS: ({ domain, hosts }) =>
    `no MX host of ${domain} has an address: ${hosts.map((host) => `${host.name} ${noAddress(host.problem)}`).join('; ')}`,
  MAILV_HOST_NOT_FOUND: ({ host, family, by }) =>
    family === undefined ? `host ${host} not found` : `host ${host} has no IPv${family} address (${by ?? `-${family}`})`,
  MAILV_HOST_LOOKUP_FAILED: ({ host }) => `temporary failure looking up ${host}`,
  MAILV_DNS_SERVER_INVALID: ({ text }) => `invalid --dns ${quoted(text)}: an IP address with an optional port, e.g. 127.0.0.1:5354 or [::1]:53`,
});

export const notes: WordsOf<DnsNote> = {};

export const dnsWords = (): DnsWords => ({
  noAnswer,
  serverFailure,
  noAddress,
  mxPlan: {
    implicitMx: (domain) => `${domain} has no MX record: its own address takes the mail, as an MX of preference 0 (RFC 5321 §5.1).`,
    addressLiteral: (domain) => `${domain} is an address literal, not a domain: no DNS is asked, mail goes to that address (RFC 5321 §4.1.3).`,
    nullMx: (domain, invalid) =>
      invalid
        ? `Mail for ${domain} goes nowhere: its MX records name no host (".", though not as the null MX "0 ." of RFC 7505).`
        : `Mail for ${domain} goes nowhere: its MX is the null MX "0 ." (RFC 7505).`,
    goesTo: (domain, several) => `Mail for ${domain} goes to${several ? ', in this order' : ''}:`,
    preference: 'preference',
    skipped: (problem) => `(${problem}: skipped)`,
    noAddressOfFamily: (family) => `no IPv${family} address, under -${family}`,
    ignored: (ignored, tried) => `(${ignored === 1 ? '1 more MX host is' : `${ignored} more MX hosts are`} ignored: mailv tries the first ${tried})`,
    randomOrder: 'Hosts of equal preference are tried in random order (MAILV_SEED makes the order repeatable).',
    fallback: (several) =>
      several
        ? [
            'The lowest preference is tried first. When a host refuses the connection, does not answer, refuses at its greeting,',
            'drops the connection or answers 4xx before taking the message, mailv tries the next address, then the next host',
            '(a recipient put off at RCPT too). When none takes the message it is deferred (exit 75) and kept in dead.letter.',
          ]
        : ['When this host cannot be reached the message is deferred (exit 75) and kept in dead.letter.'],
    port: (port) => `mailv --direct connects to port ${port} of these addresses.`,
  },
});
