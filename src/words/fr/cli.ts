// French words for what cli/ reports (src/cli/facts.ts), and for sentences not yet coded.
import type { CliErrorFact, CliNote, JsonClashFlag, SecretOrigin, SystemProblem } from '../../cli/facts.js';
import type { WordsOf } from '../catalogue.js';
import type { CliWords, StepNext } from '../cli-words.js';
import { guillemets as q } from '../quote.js';
import { placeholdersIn } from '../placeholders.js';
import { helpWords } from './help.js';
import { systemProblem } from './system.js';
import { describeFact } from '../fact-sentence.js';

/** Comment les mots nomment la source d’un secret. */
const ORIGIN: Readonly<Record<SecretOrigin, string>> = {
  'password-file-option': '--password-file',
  'password-cmd-option': '--password-cmd',
  'oauth2-token-file-option': '--oauth2-token-file',
  'oauth2-token-cmd-option': '--oauth2-token-cmd',
  'password-variable': 'MAILV_PASSWORD',
  'config-password': 'le fichier de configuration',
  'config-password-file': 'password-file',
  'config-password-cmd': 'password-cmd',
  terminal: 'le terminal',
};

/** D’où vient un secret, à la suite de « le secret ». */
const FROM: Readonly<Record<SecretOrigin, string>> = {
  'password-file-option': 'lu dans --password-file',
  'password-cmd-option': 'donné par --password-cmd',
  'oauth2-token-file-option': 'lu dans --oauth2-token-file',
  'oauth2-token-cmd-option': 'donné par --oauth2-token-cmd',
  'password-variable': 'de MAILV_PASSWORD',
  'config-password': 'du fichier de configuration',
  'config-password-file': 'lu dans password-file',
  'config-password-cmd': 'donné par password-cmd',
  terminal: 'tapé au terminal',
};

/** Un fichier illisible : les causes courantes en mots, les autres comme le système les dit. */
/** Pourquoi une option ne va pas avec --json. */
const JSON_CLASH_FR: Readonly<Record<JsonClashFlag, string>> = {
  '-q': 'les lignes JSON remplacent déjà le dialogue',
  '--explain': 'les lignes JSON sont pour les programmes, les explications pour les personnes',
  '--timing': 'les lignes JSON portent déjà chaque événement et son instant',
  '--step': 'les lignes JSON sont pour les programmes, --step attend une personne au terminal',
  '--dry-run': 'un essai à blanc affiche l’enveloppe et le message, pas des événements',
};

/** Ce que font les modes -b de sendmail, par leur lettre. */
const SENDMAIL_MODES_FR: Readonly<Record<string, string>> = {
  p: 'lister la file d’attente',
  P: 'compter la file d’attente',
  d: 'tourner en démon',
  D: 'tourner en démon',
  i: 'reconstruire les alias',
  t: 'tester des adresses',
  v: 'vérifier des adresses',
  h: 'montrer l’état des hôtes',
  H: 'purger l’état des hôtes',
};

const FILE_ERRNO: Readonly<Record<string, string>> = { ENOENT: 'fichier inexistant', EACCES: 'permission refusée' };

/** Pourquoi un répertoire temporaire n’a pas pris le fichier d’attente. */
const DIRECTORY_ERRNO: Readonly<Record<string, string>> = {
  ENOENT: 'répertoire inexistant',
  ENOTDIR: 'ce n’est pas un répertoire',
  EACCES: 'permission refusée',
  EPERM: 'permission refusée',
  EROFS: 'système de fichiers en lecture seule',
  ENOSPC: 'plus d’espace libre',
  EDQUOT: 'quota disque dépassé',
};

/** `known`'s words for the errno, else those every file's error gets (system.ts). */
const system = (known: Readonly<Record<string, string>>, problem: SystemProblem) => systemProblem(problem, known);

const suggestion = (options: readonly string[]) =>
  options.length === 1 ? `(Vouliez-vous dire ${options[0]} ?)` : `(Vouliez-vous dire l’une des options ${options.join(', ')} ?)`;

export const errors = (): WordsOf<CliErrorFact> => ({
  MAILV_INTERNAL: ({ detail }) => `erreur interne : ${detail}`,
  MAILV_STALLED: () => 'erreur interne : l’exécution s’est arrêtée avant sa fin, sans plus rien à attendre',
  MAILV_STEP_STOPPED: ({ notSentTo }) =>
    notSentTo === undefined
      ? 'arrêté à votre demande (--step) : le message n’a pas été envoyé'
      : notSentTo.length === 0
        ? 'arrêté à votre demande (--step)'
        : `arrêté à votre demande (--step) : le message n’a pas été envoyé à ${notSentTo.join(', ')}`,
  MAILV_INTERRUPTED: ({ signal }) => `interrompu par ${signal}`,
  MAILV_OPTION_UNKNOWN: ({ option, suggestions }) => [`option inconnue « ${option} »`, ...(suggestions.length > 0 ? [suggestion(suggestions)] : [])].join('\n'),
  MAILV_OPTION_VALUE_MISSING: ({ option }) => `il manque la valeur de l’option « ${placeholdersIn(option, helpWords)} »`,
  MAILV_SENDMAIL_MODE: ({ mode }) =>
    `-b${mode}${SENDMAIL_MODES_FR[mode] === undefined ? '' : ` (${SENDMAIL_MODES_FR[mode]})`} n’est pas pour mailv-sendmail : il n’a pas de file d’attente et ne fait qu’envoyer, tout de suite (-bm, ou -bs en SMTP ; -bp liste la file, toujours vide)`,
  MAILV_PATH_NOT_UTF8: ({ option, path }) =>
    `le nom de fichier donné avec ${option} n’est pas en UTF-8 (${q(path)}) : mailv ne peut pas l’ouvrir tel quel ; renommez le fichier`,
  MAILV_SENDMAIL_QUEUE_RUN: ({ argument }) =>
    `${argument} (traiter la file d’attente) n’est pas pour mailv-sendmail : il n’a pas de file d’attente et ne fait qu’envoyer, tout de suite`,
  MAILV_SENDMAIL_SMTP_ARGUMENTS: ({ given }) =>
    `-bs prend les destinataires dans le dialogue SMTP de l’entrée standard : ${given === '-t' ? '-t' : 'des destinataires en arguments'} ne va pas avec`,
  MAILV_SENDMAIL_CONFIG_NOT_SUPERUSER: () =>
    '-C n’est accepté que de root, comme le sendmail de Postfix : un programme peut transmettre des options qu’on lui a données (CVE-2016-10033) ; XDG_CONFIG_HOME désigne un autre répertoire de configuration',
  MAILV_SENDMAIL_DASH_RECIPIENT: ({ recipient }) =>
    `le destinataire « ${recipient} » commence par un tiret : les options viennent avant les destinataires (après « -- », un destinataire peut en commencer par un)`,
  MAILV_OPTION_VALUE_INVALID: ({ option, value, choices }) =>
    `valeur « ${value} » invalide pour l’option « ${placeholdersIn(option, helpWords)} » : les choix possibles sont ${choices.join(', ')}.`,
  MAILV_ARGUMENT_MISSING: ({ argument, choices }) =>
    `il manque l’argument « ${helpWords.placeholder(argument)} »${choices.length === 0 ? '' : ` : l’un de ${choices.join(', ')}`}`,
  MAILV_ARGUMENT_INVALID: ({ argument, value, choices }) =>
    `valeur « ${value} » invalide pour l’argument « ${helpWords.placeholder(argument)} » : les choix possibles sont ${choices.join(', ')}.`,
  MAILV_COMMAND_NOT_FIRST: ({ command }) =>
    `${command} est une commande et vient en premier, avant ses options : mailv ${command} … (pour écrire à un utilisateur local nommé ${command}, mettez son nom après --)`,
  MAILV_ARGUMENTS_EXCESS: ({ expected, given }) => `trop d’arguments : ${given} donnés, ${expected} attendu${expected < 2 ? '' : 's'}`,
  MAILV_COMMAND_LINE: ({ detail }) => `ligne de commande refusée : ${detail}`,
  MAILV_NO_RECIPIENT: () => 'aucun destinataire donné',
  MAILV_HEADER_FLAG_WITH_T: ({ flag }) => `${flag} ne va pas avec -t : le message apporte ses propres en-têtes`,
  MAILV_QUIET_VERBOSE: () => '-q et -v se contredisent',
  MAILV_JSON_CLASH: ({ flag }) => `--json et ${flag} se contredisent : ${JSON_CLASH_FR[flag]}`,
  MAILV_QUIT_AFTER_CLASH: ({ flag }) => `--quit-after et ${flag} se contredisent : l’une se connecte, l’autre non`,
  MAILV_DRY_RUN_MX: () => '--dry-run et --mx se contredisent : un essai à blanc ne demande rien au réseau, --mx interroge le DNS',
  MAILV_ROUTE_CLASH: ({ first, second }) => `${first} et ${second} se contredisent : une seule route à la fois`,
  MAILV_PORT_WITHOUT_MX: () => '--port va avec --direct ou --mx (pour un serveur de soumission, utilisez --server hôte:port)',
  MAILV_DNS_WITHOUT_MX: () => '--dns va avec --direct ou --mx (le nom d’un serveur de soumission est résolu comme le fait le système)',
  MAILV_SMTPS_TLS_OFF: () => 'smtps:// et --tls off se contredisent : smtps, c’est TLS dès le premier octet',
  MAILV_DIAGRAM_FORMAT: ({ path }) => `--diagram ${path} : le nom du fichier doit finir par .html ou .svg, qui choisit le format`,
  MAILV_USER_WITH_DIRECT: () =>
    '--user va avec un serveur de soumission (--server), pas avec --direct : les hôtes MX acceptent le courrier sans qu’on s’y connecte',
  MAILV_TLS_NAME_ROUTE: ({ flag }) =>
    flag === '--demo'
      ? '--tls-name va avec un serveur à vous (--server), pas avec --demo : le serveur de la démo a son propre certificat'
      : `--tls-name va avec un serveur de soumission (--server), pas avec ${flag} : le certificat de chaque hôte MX est vérifié au nom de cet hôte`,
  MAILV_SECRET_WITHOUT_USER: ({ flag }) => `${flag} demande --user : le nom sous lequel se connecter`,
  MAILV_USER_INVALID: ({ user }) => `--user invalide ${q(user)}`,
  MAILV_LOCAL_USER_UNKNOWN: ({ uid }) =>
    `pas d’expéditeur : $USER et $LOGNAME ne sont pas définies, et l’uid ${uid ?? '?'} n’a pas d’entrée dans le fichier des mots de passe ; donnez l’expéditeur avec -r`,
  MAILV_SENDER_FROM_USER: ({ user, variable, authorOnly, error }, words) =>
    `${authorOnly ? 'pas d’auteur pour le champ From' : 'pas d’expéditeur'} : l’adresse tirée ${variable === 'account' ? 'du nom du compte' : `de $${variable}`} (${q(user)}) n’en est pas une (${describeFact(error, words)}) ; ${authorOnly ? `donnez à ${variable === 'account' ? 'USER' : variable} un nom qui en fasse une` : 'donnez l’expéditeur avec -r'}`,
  MAILV_SECRET_SOURCES: ({ first, second }) => `${first} et ${second} se contredisent : une seule source pour le secret`,
  MAILV_AUTH_UNKNOWN: ({ mechanism, known }) => `--auth invalide ${q(mechanism)} : il faut l’un de ${known.join(', ')}`,
  MAILV_AUTH_NOT_FOR_TOKEN: ({ mechanism }) => `--auth ${mechanism} prend un mot de passe, pas un jeton OAuth 2.0`,
  MAILV_MX_INVALID: ({ text }) => `--mx invalide ${q(text)} : il faut un nom de domaine`,
  MAILV_PORT_INVALID: ({ text }) => `--port invalide ${q(text)} : de 1 à 65535`,
  MAILV_TIMEOUT_INVALID: ({ text }) => `--timeout invalide ${q(text)} : il faut un nombre de secondes supérieur à 0`,
  MAILV_TLS_KEY_ALONE: () => '--tls-key va avec --tls-cert : la clé de quel certificat ?',
  MAILV_CONTENT_TYPE_INVALID: ({ text }) =>
    `--content-type invalide ${q(text)} : il faut un type texte comme text/html (un fichier d’un autre type se joint avec -a)`,
  MAILV_LOAD_NUMBER_INVALID: ({ flag, text }) => `${flag} invalide ${q(text)} : il faut un nombre entier, au moins 1 (au plus ${Number.MAX_SAFE_INTEGER})`,
  MAILV_LOAD_CLASH: ({ flag, showsDialogue }) =>
    showsDialogue
      ? `${flag} ne s’emploie pas avec --count : un test de charge ne montre pas le dialogue (-v montre la première connexion où un message a échoué)`
      : `${flag} ne s’emploie pas avec --count`,
  MAILV_LOAD_VERBOSE_JSON: () => '-v et --json ne s’emploient pas ensemble avec --count : le témoin de -v s’affiche dans la transcription, que --json remplace',
  MAILV_LOAD_ONLY: ({ flag }) => `${flag} ne s’emploie qu’avec --count (le test de charge)`,
  MAILV_LOAD_NUMBERING: ({ problem }) =>
    problem.kind === 'too-long'
      ? `--vary-recipients : numérotée, ${q(`${problem.example.slice(0, 40)}…`)} ferait ${problem.octets} octets, au-delà des ${problem.limit} qu’un chemin peut porter (RFC 5321 §4.5.3.1.3)`
      : `--vary-recipients : ${q(problem.longer)} est ${q(problem.shorter)} précédée de chiffres : numérotées, les deux seraient ${q(problem.example)} (au message ${problem.message})`,
  MAILV_LOAD_DIRECT_DOMAINS: ({ domains }) =>
    `--direct avec --count charge un seul serveur : les destinataires doivent tous être du même domaine, pas ${domains.map((domain) => q(domain)).join(', ')}`,
  MAILV_LOAD_RATE_INVALID: ({ text }) => `--rate invalide ${q(text)} : il faut un nombre de messages par seconde supérieur à 0, comme 50 ou 0.5`,
  MAILV_TOO_MANY_ATTACHMENTS: ({ attachments, limit, most }) =>
    `${attachments} pièces jointes (-a), chacune ouverte jusqu’à l’envoi, demandent plus de fichiers ouverts que ce processus n’en peut avoir (${limit}, ulimit -n) : ${most} au plus, ou relevez la limite`,
  MAILV_LOAD_TOO_MANY_CONNECTIONS: ({ connections, limit, most }) =>
    `${connections} connexions simultanées (--concurrency) demandent plus de fichiers ouverts que ce processus n’en peut avoir (${limit}, ulimit -n) : ${most} au plus, ou relevez la limite`,
  MAILV_NOTIFY_INVALID: ({ option, text }) => `${option} invalide ${q(text)} : never, ou un ou plusieurs de success,failure,delay`,
  MAILV_ENVID_INVALID: ({ option, text, limit }) => `${option} invalide ${q(text)} : de 1 à ${limit} caractères ASCII imprimables`,
  MAILV_XCLIENT_INVALID: ({ text }) => `--xclient invalide ${q(text)} : il faut NOM=valeur, par exemple ADDR=192.0.2.7`,
  MAILV_PROXY_INCOMPLETE: ({ missing }) =>
    `${missing === '--proxy' ? '--proxy-source demande --proxy v1 ou v2' : '--proxy demande --proxy-source : le client que l’en-tête annonce'}`,
  MAILV_BDAT_OVER_LMTP: () => '--body bdat est impossible en LMTP : mailv envoie le message à un serveur LMTP avec DATA',
  MAILV_PROXY_UNIX_SOCKET: ({ path }) =>
    `--proxy demande un serveur en TCP : un en-tête PROXY nomme l’adresse et le port du serveur, et la socket ${q(path)} n’en a pas`,
  MAILV_PROXY_SOURCE_INVALID: ({ text }) => `--proxy-source invalide ${q(text)} : il faut adresse:port, par exemple 192.0.2.7:40000 ou [2001:db8::7]:40000`,
  MAILV_SOURCE_ADDRESS_INVALID: ({ text }) => `--source-address invalide ${q(text)} : il faut une adresse IPv4 ou IPv6 de cette machine`,
  MAILV_FAMILY_CLASH: ({ first, second }) => `${first} et ${second} se contredisent : une seule famille d’adresses, IPv4 ou IPv6`,
  MAILV_FAMILY_LITERAL: ({ flag, literal }) => `${flag} et le littéral d’adresse ${literal} se contredisent : une seule famille d’adresses, IPv4 ou IPv6`,
  MAILV_SECRET_UNREADABLE: (fact) => `impossible de lire ${ORIGIN[fact.origin]} ${fact.path} : ${system(FILE_ERRNO, fact)}`,
  MAILV_SECRET_NOT_FILE: ({ origin, path, directory }) =>
    `impossible de lire ${ORIGIN[origin]} ${path} : ${directory ? 'c’est un répertoire' : 'ce n’est ni un fichier ordinaire ni un tube'}`,
  MAILV_SECRET_TOO_LONG: ({ origin, limit }) => `${ORIGIN[origin]} a écrit plus de ${limit / 1024} Kio : ce n’est pas un mot de passe`,
  MAILV_SECRET_COMMAND_UNRUNNABLE: ({ origin, errno, detail }) => `impossible d’exécuter ${ORIGIN[origin]} : ${systemProblem({ errno, detail })}`,
  MAILV_SECRET_COMMAND_FAILED: ({ origin, status, signal }) => `${ORIGIN[origin]} a échoué (${signal ? `tué par ${signal}` : `code de sortie ${status}`})`,
  MAILV_SECRET_EMPTY: ({ origin }) => `le secret ${FROM[origin]} est vide`,
  MAILV_SECRET_NOT_UTF8: ({ origin }) =>
    `le secret ${FROM[origin]} n’est pas en UTF-8 : lu tel quel, ce serait un autre secret ; donnez-le en UTF-8 (iconv -f latin1, par exemple)`,
  MAILV_PASSWORD_TERMINAL_CLOSED: () => 'le terminal s’est fermé avant que le mot de passe soit tapé',
  MAILV_PASSWORD_TERMINAL_UNREADABLE: ({ errno, detail }) => `impossible de lire le mot de passe au terminal : ${systemProblem({ errno, detail })}`,
  MAILV_PASSWORD_NO_TERMINAL: ({ accountServer, server, sendmail }) =>
    `pas de mot de passe : ${accountServer === undefined ? '' : `celui du compte ne va qu’à ${accountServer}, pas à ${server}, et `}aucun terminal où le demander ; donnez ${sendmail ? (accountServer === undefined ? 'MAILV_PASSWORD, ou password-file ou password-cmd dans le fichier des comptes' : `MAILV_PASSWORD, ou server = ${server} dans le compte`) : 'MAILV_PASSWORD, --password-file ou --password-cmd'}`,
  MAILV_STEP_NO_TERMINAL: () => '--step a besoin d’un terminal où attendre',
  MAILV_ATTACHMENT_UNREADABLE: (fact) => `impossible de joindre ${fact.path} : ${system(FILE_ERRNO, fact)}`,
  MAILV_ATTACHMENT_NOT_FILE: ({ path }) => `impossible de joindre ${path} : ce n’est pas un fichier ordinaire`,
  MAILV_ATTACHMENT_UNSIZED_TOO_LARGE: ({ path, limit }) =>
    `impossible de joindre ${path} : il ne dit pas sa taille et contient plus que les ${limit / 1024 / 1024} Mio lus en mémoire (copiez-le d’abord dans un fichier)`,
  MAILV_MESSAGE_NO_RECIPIENT: () => '-t : le message ne nomme aucun destinataire en To, Cc ou Bcc (un groupe vide n’en nomme pas), et aucun n’a été donné',
  MAILV_MESSAGE_UNENDED: () =>
    'le client s’est arrêté avant le point seul qui termine son message (après un DATA terminé par CR LF, un point à côté d’un LF seul ne termine rien) : rien n’a été envoyé',
  MAILV_CLIENT_IDLE: ({ seconds }) => `le client n’a rien envoyé pendant ${seconds} s dans son message : le dialogue a été fermé (421), rien n’a été envoyé`,
  MAILV_MESSAGE_NUL: () => 'le message contient un octet NUL, que SMTP ne peut pas transporter tel quel',
  MAILV_NO_8BITMIME: () => 'le corps du message contient des octets de 8 bits et le serveur ne propose pas 8BITMIME (un message complet n’est jamais réencodé)',
  MAILV_STDIN_DIRECTORY: () => 'l’entrée standard est un répertoire, pas un message',
  MAILV_STDIN_UNREADABLE: ({ errno, detail }) => `impossible de lire le message : ${systemProblem({ errno, detail })}`,
  MAILV_STDIN_CHANGED: () => 'l’entrée standard a changé pendant sa lecture : passez-la par un tube pour en envoyer un instantané',
  MAILV_SPOOL_FAILED: ({ refusals, memoryLimit }) =>
    `impossible d’écrire le message dans un fichier temporaire (${refusals.map((refusal) => `${refusal.directory} : ${system(DIRECTORY_ERRNO, refusal)}`).join(' ; ')}), et il dépasse les ${memoryLimit / (1024 * 1024)} Mio gardés en mémoire`,
  MAILV_CONFIG_FILE_MISSING: ({ path, account }) => `pas de fichier de configuration ${path}, donc pas de compte ${q(account)}`,
  MAILV_CA_UNREADABLE: (fact) => `impossible de lire ${fact.option ?? '--ca'} ${fact.path} : ${system(FILE_ERRNO, fact)}`,
  MAILV_CA_NO_PEM: ({ path, option, wanted }) =>
    `${option ?? '--ca'} ${path} ne contient aucun${wanted === 'private-key' ? `e clé privée PEM${option === '--tls-cert' ? ' (donnez-la avec --tls-key)' : option === 'tls-cert' ? ' (donnez-la avec tls-key)' : ''}` : ' certificat PEM'}`,
  MAILV_CA_NOT_FILE: ({ path, option }) => `impossible de lire ${option ?? '--ca'} ${path} : ce n’est pas un fichier ordinaire`,
  MAILV_CA_DAMAGED: ({ path, option, certificate }) =>
    `${option ?? '--ca'} ${path} : le certificat ${certificate} du fichier est abîmé (pas un certificat entier en base64 entre ses lignes BEGIN et END)`,
  MAILV_CA_TOO_LARGE: ({ path, limit, option }) => `impossible de lire ${option ?? '--ca'} ${path} : plus de ${limit / 1024 / 1024} Mio`,
  MAILV_CLIENT_CERT_UNUSABLE: ({ cert, key, certOption, keyOption, reason, openssl }) =>
    `${key === cert ? `${certOption} ${cert} (son certificat et sa clé) ne peut servir` : `${certOption} ${cert} et ${keyOption} ${key} ne peuvent servir`} : ${
      reason === 'mismatch'
        ? 'la clé n’est pas celle du certificat'
        : reason === 'not-first'
          ? 'la clé est celle d’un certificat plus loin dans le fichier : le certificat du client vient d’abord, sa chaîne ensuite'
          : reason === 'encrypted'
            ? 'la clé est chiffrée (mailv ne demande aucune phrase secrète : openssl pkey -in cle -out claire.key)'
            : `OpenSSL les refuse (${openssl ?? 'sans code'})`
    }`,
});

export const notes: WordsOf<CliNote> = {};

/** Ce que porte la prochaine écriture de --step : `MAIL From:<a@b>`, `3 commandes d’un seul envoi (MAIL, RCPT, DATA)`. */
function stepNext(next: StepNext): string {
  switch (next.kind) {
    case 'command':
      return next.line;
    case 'flight':
      return `${next.verbs.length} commandes d’un seul envoi (${next.verbs.join(', ')})`;
    case 'content':
      return `le message, ${next.octets} octets, puis ${next.after.map((line) => (line === '.' ? '« . »' : line)).join(' et ')}`;
  }
}

export const cliWords = (): CliWords => ({
  suggestion,
  passwordPrompt: (user, host) => `Mot de passe de ${user} sur ${host} : `,
  // Ceux de mail(1), en français ; EOT est le nom du caractère (fin de transmission).
  typing: { subject: 'Objet : ', continued: '(suite)', end: 'EOT', interrupted: '(Interrompu)' },
  stepPrompt: (next, replaying) => `   [Entrée] ${replaying ? 'montrer' : 'envoyer'} ${stepNext(next)}   [q] quitter`,
});
