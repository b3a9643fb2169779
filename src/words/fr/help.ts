// Les mots de --help.
import type { HelpWords } from '../help-words.js';

/** What mailv and mailv replay say alike of the options they share. */
const SHARED = {
  explain: 'expliquer chaque ligne du dialogue : ce qu’elle veut dire, où elle est définie',
  verbose: 'plus de détails : -v ajoute des notes sur la connexion, -vv montre aussi les lignes du message',
  color: 'colorer le dialogue même hors d’un terminal',
  noColor: 'ne jamais colorer le dialogue',
};

/** The names of values and arguments in --help (`<text>`), in French; the flags stay as typed. */
const PLACEHOLDERS: Readonly<Record<string, string>> = {
  text: 'texte',
  addresses: 'adresses',
  address: 'adresse',
  file: 'fichier',
  '"Name: value"': '"Nom: valeur"',
  domain: 'domaine',
  server: 'serveur',
  name: 'nom',
  mechanism: 'mécanisme',
  command: 'commande',
  step: 'étape',
  language: 'langue',
  when: 'quand',
  what: 'quoi',
  'NAME=value': 'NOM=valeur',
  'address:port': 'adresse:port',
  seconds: 'secondes',
  recipient: 'destinataire',
  'recipient...': 'destinataire...',
  recipients: 'destinataires',
  'recipients...': 'destinataires...',
  target: 'cible',
};

export const helpWords: HelpWords = {
  titles: {
    'Usage:': 'Utilisation :',
    'Arguments:': 'Arguments :',
    'Options:': 'Options :',
    'Commands:': 'Commandes :',
    'Global Options:': 'Options globales :',
  },
  choices: (values) => `au choix : ${values.join(', ')}`,
  placeholder: (name) => PLACEHOLDERS[name] ?? name,
  help: 'afficher cette aide',
  mailv: {
    description: 'Envoyer un courriel en montrant tout le dialogue SMTP au fil de l’eau, comme mail -v.',
    recipients: 'les adresses des destinataires (à un nom d’utilisateur seul s’ajoutent @ et le nom de cette machine)',
    options: {
      subject: 'l’objet du message',
      cc: 'destinataires en copie (répétable, séparés par des virgules)',
      bcc: 'destinataires en copie cachée : enveloppe seulement (répétable, séparés par des virgules)',
      from: "l’expéditeur de l’enveloppe et de From: (par défaut $USER@cette machine) ; '<>' l’expéditeur vide",
      attach: 'joindre un fichier (répétable)',
      header: 'ajouter un champ d’en-tête (répétable)',
      readRecipients: 'l’entrée standard est un message complet ; les destinataires viennent de ses To, Cc, Bcc',
      skipEmpty: 'ne rien envoyer quand l’entrée standard est vide (code 0), comme mail -E',
      contentType: 'type du texte lu sur l’entrée standard, text/plain sauf indication (text/html…)',
      server:
        'smtp://hôte[:port], smtps://hôte[:port] (TLS implicite, port 465) ou hôte[:port] ; lmtp://hôte[:port] (LMTP, port 24), lmtp:/socket, unix:/socket (SMTP) (par défaut $MAILV_SERVER, sinon celui du fichier de configuration, sinon smtp://localhost:25 ; avec --account, celui du compte d’abord)',
      direct: 'remettre aux hôtes MX du domaine de chaque destinataire plutôt qu’à un serveur de soumission',
      mx: 'montrer comment le courrier d’un domaine est acheminé (ses hôtes MX, dans l’ordre) sans rien envoyer',
      dns: 'serveur de noms des recherches MX, ip[:port] (répétable ; par défaut /etc/resolv.conf)',
      port: 'port des hôtes MX avec --direct ou --mx (par défaut 25)',
      tls: 'STARTTLS : auto (s’il est proposé ; par défaut), required (proposé, certificat vérifié, ou arrêt), off',
      ca: 'faire aussi confiance aux certificats d’autorité de ce fichier PEM',
      tlsCert: 'certificat client (PEM) à présenter quand le serveur en demande un',
      tlsKey: 'sa clé privée (PEM ; par défaut : le fichier de --tls-cert)',
      tlsName:
        'le nom que doit porter le certificat du serveur, envoyé en SNI (par défaut : l’hôte de --server) : pour un serveur joint par son adresse, un tunnel ou une socket',
      insecure: 'accepter n’importe quel certificat (mailv le signale à chaque envoi)',
      noTlsResume: 'ni reprendre ni garder les sessions TLS (gardées dans $XDG_CACHE_HOME/mailv)',
      user: 's’authentifier sous ce nom d’utilisateur (AUTH)',
      auth: (mechanisms) => `imposer un mécanisme : ${mechanisms} (par défaut : le plus sûr de ceux que le serveur propose)`,
      passwordFile: 'lire le mot de passe dans la première ligne de ce fichier',
      passwordCmd: 'lancer cette commande ; la première ligne qu’elle écrit est le mot de passe',
      oauth2TokenFile: 's’authentifier avec XOAUTH2, le jeton lu dans ce fichier',
      oauth2TokenCmd: 's’authentifier avec XOAUTH2, le jeton écrit par cette commande',
      allowPlaintextAuth: 'envoyer les identifiants même sans TLS à un serveur qui n’est pas cette machine',
      showSecrets: 'montrer les identifiants dans le dialogue, et décoder chaque étape d’AUTH',
      account: 'utiliser la section [account <nom>] du fichier de configuration',
      config: 'lire ce fichier de configuration (par défaut ~/.config/mailv/config)',
      body: 'comment part le message : auto (BDAT si le serveur propose CHUNKING ; par défaut), data, bdat',
      pipelining:
        'on : envoyer des groupes de commandes sans attendre si le serveur propose PIPELINING (par défaut) ; off : une commande, une réponse (par défaut avec --step)',
      noPipeconnect: 'ne jamais envoyer EHLO avant l’accueil, même à un serveur dont mailv a retenu ($XDG_CACHE_HOME/mailv) qu’il propose PIPECONNECT',
      quitAfter: 's’arrêter après cette étape par QUIT, sans envoyer de message : connect, greeting, ehlo, starttls, auth, mail, rcpt, data',
      explain: SHARED.explain,
      lang: 'langue de ce qu’écrit mailv : fr ou en (par défaut d’après LC_ALL, LC_MESSAGES, LANG)',
      timing: 'les millisecondes écoulées avant chaque ligne, et un bilan des allers-retours, des octets et du temps de chaque étape',
      json: 'un objet JSON par ligne pour chaque événement (avec --count, le bilan), puis le résultat ; sans couleur',
      step: 'au terminal, attendre Entrée avant chaque écriture en disant ce qui va partir (q quitte par QUIT) ; une commande à la fois sauf avec --pipelining on',
      notify: 'avis de remise (DSN, RFC 3461) : never, ou success,failure,delay (un ou plusieurs)',
      ret: 'ce qu’un avis d’échec renvoie du message : full (tout) ou hdrs (les en-têtes)',
      envid: 'identifiant d’enveloppe repris dans chaque avis (ASCII imprimable, 100 caractères au plus)',
      diagram: 'dessiner aussi la session en diagramme de séquence dans ce fichier .html ou .svg',
      record: 'garder la session dans ce fichier (mode 0600, sans les secrets), à rejouer avec : mailv replay <fichier>',
      count: 'test de charge : envoyer le message n fois sans montrer le dialogue, puis afficher un bilan (débit, latences, réponses, échecs)',
      concurrency: 'avec --count : sur n connexions à la fois (par défaut 1)',
      perConnection: 'avec --count : au plus n messages sur chaque connexion (par défaut : tous)',
      vary: 'avec --count : un numéro d’ordre dans l’objet (Subject) et le Message-ID de chaque message',
      varyRecipients: 'avec --count : un numéro courant devant chaque destinataire de l’enveloppe (1bob@…, 2bob@…), comme smtp-source -N',
      rate: 'avec --count : commencer au plus r messages par seconde sur toutes les connexions (décimales avec un point : 0.5)',
      stopOnError: 'avec --count : le premier échec arrête l’envoi (ce qui est en cours se termine)',
      helo: 'le nom donné dans EHLO (par défaut le nom de domaine complet de cette machine)',
      xclient: 'après EHLO, se faire passer pour un autre client avec XCLIENT de Postfix (répétable : ADDR=, NAME=, HELO=, …)',
      proxy: 'envoyer l’en-tête PROXY de HAProxy avant l’accueil : v1 (texte) ou v2 (binaire) ; nécessite --proxy-source',
      proxySource: 'le client que l’en-tête PROXY annonce, par exemple 192.0.2.7:40000 ou [2001:db8::7]:40000',
      ipv4: 'se connecter en IPv4 seulement',
      ipv6: 'se connecter en IPv6 seulement',
      sourceAddress: 'se connecter depuis cette adresse locale',
      timeout: 'attente la plus longue de chaque étape (par défaut : les limites de la RFC 5321)',
      verbose: SHARED.verbose,
      quiet: 'ne montrer aucun dialogue, seulement les erreurs',
      dryRun: 'afficher l’enveloppe et le message exact, sans se connecter nulle part',
      demo: 'envoyer à un serveur SMTP intégré sur 127.0.0.1 et montrer ce qu’il a reçu',
      color: SHARED.color,
      noColor: SHARED.noColor,
    },
    version: 'afficher la version',
    examples: `
Exemples :
  echo "Bonjour" | mailv -s "Salutations" bob@example.org
      envoyer à bob par le serveur local (localhost:25), en montrant le dialogue
  mailv -s "Rapport" -a rapport.pdf -c carol@example.org bob@example.org < corps.txt
      un message avec une pièce jointe et une copie
  mailv -t < message.eml
      envoyer un message complet ; les destinataires viennent de ses To, Cc et Bcc
  mailv --server smtp://mail.example.org:2525 -r alice@example.org bob@example.org
      passer par un autre serveur, avec un autre expéditeur
  mailv --server smtps://smtp.example.org --user alice -r alice@example.org bob@example.org
      par un fournisseur : TLS implicite sur le port 465, authentifié comme alice (le mot de
      passe vient de MAILV_PASSWORD, --password-file, --password-cmd, ou est demandé au terminal)
  mailv --account travail bob@example.org
      serveur, identifiant et expéditeur pris dans [account travail] de ~/.config/mailv/config
  mailv --dry-run -s test bob@example.org < corps.txt
      montrer l’enveloppe et le message exact, sans se connecter nulle part
  mailv --demo -s test bob@example.org < corps.txt
      envoyer à un serveur intégré sur 127.0.0.1 et montrer ce qu’il a reçu
  mailv --mx example.org
      montrer les hôtes MX de example.org dans l’ordre où le courrier les essaie
  mailv --direct -v -s test bob@example.org < corps.txt
      chercher les hôtes MX de example.org et y remettre le message, en montrant l’échange DNS
  mailv --quit-after ehlo --server mail.example.org
      lister ce qu’un serveur propose, sans rien envoyer
  mailv --demo --explain --lang en -s test bob@example.org < corps.txt
      le dialogue avec chaque ligne expliquée, en anglais

Commandes :
  mailv replay <fichier>       rejouer une session enregistrée avec --record (mailv replay --help)
  mailv completion <cible>     un script de complétion pour bash, zsh ou fish, ou les noms des comptes (mailv completion --help)`,
    exitStatus: `
Codes de sortie :
  0    envoyé à chaque destinataire ; aussi --help, --version, --dry-run, --mx, et un --quit-after qui s’est bien passé
  64   usage : une option, une valeur ou une adresse invalide, des options qui se contredisent, pas de terminal où il en faut un
  65   données invalides : un message -t que SMTP ne peut pas porter, un fichier --ca sans certificat, un mot de passe qui n’est pas en UTF-8
  66   entrée absente : une pièce jointe, un fichier --ca ou de mot de passe, ou un enregistrement à rejouer illisible
  67   un destinataire a été refusé (5xx) ; les autres, s’il y en a, ont reçu le message ou sont remis à plus tard
  68   hôte ou domaine inexistant, ou domaine qui ne reçoit pas de courrier
  69   refusé pour de bon : une réponse 5xx, un message trop gros, un contenu que le serveur ne prend pas
  70   une erreur interne de mailv
  73   le fichier de --record ne peut pas être créé, ou c’est un fichier que l’envoi lit (le message, un fichier de mot de passe…)
  74   une erreur d’entrée-sortie locale : en lisant l’entrée standard ou une pièce jointe, le tampon d’un gros message
  75   réessayer plus tard : une réponse 4xx, une connexion ou une recherche DNS échouée, un délai dépassé, TLS, q à --step
  76   le serveur a enfreint le protocole
  77   pas d’authentification : le serveur l’a refusée, ou mailv a refusé d’envoyer les identifiants
  78   le fichier de configuration, ou la commande qui donne le mot de passe, est inutilisable
  129, 130, 131, 143
       arrêté par SIGHUP, SIGINT, SIGQUIT ou SIGTERM : 128 + le numéro du signal
Ce sont les codes de sysexits.h, tels que sendmail les emploie ; voir man mailv pour le reste.`,
  },
  replay: {
    description: 'Rejouer une session enregistrée avec --record, telle qu’elle a été affichée ou autrement ; sans réseau.',
    file: 'l’enregistrement (- pour l’entrée standard)',
    options: {
      explain: SHARED.explain,
      lang: 'langue de ce qu’écrit mailv : fr ou en (par défaut : la langue de l’enregistrement)',
      timing: 'les millisecondes enregistrées avant chaque ligne, et le bilan des allers-retours, des octets et du temps de chaque étape',
      json: 'un objet JSON par ligne pour chaque événement, puis le résultat enregistré ; sans couleur',
      step: 'au terminal, attendre Entrée là où l’envoi a attendu : avant chaque écriture, un groupe de commandes comptant pour une (q arrête)',
      diagram: 'dessiner la session enregistrée en diagramme de séquence dans ce fichier .html ou .svg',
      verbose: SHARED.verbose,
      quiet: 'ne montrer aucun dialogue, seulement les erreurs enregistrées',
      color: SHARED.color,
      noColor: SHARED.noColor,
    },
    examples: `
Exemples :
  mailv --record lecon.jsonl -s test bob@example.org < corps.txt
      envoyer, et garder la session dans lecon.jsonl
  mailv replay lecon.jsonl
      la rejouer telle qu’elle a été affichée, sans réseau
  mailv replay --explain --lang fr --step lecon.jsonl
      de nouveau, expliquée en français, une écriture à la fois (Entrée ; q arrête)
  mailv replay --timing lecon.jsonl
      avec les temps enregistrés et le bilan des allers-retours
  mailv replay --explain --lang fr --diagram lecon.html lecon.jsonl
      la dessiner en diagramme de séquence à projeter, expliquée en français
Un destinataire nommé replay se donne après -- : mailv -- replay.
Code de sortie : celui de l’envoi enregistré, ou 65 pour un fichier qui ne se lit pas comme un enregistrement (66 : fichier absent).`,
  },
  completion: {
    description: 'Afficher le script de complétion de mailv pour bash, zsh ou fish, tiré de la ligne de commande de mailv elle-même.',
    target: 'bash, zsh ou fish : le script ; accounts : les noms des comptes du fichier de configuration',
    config: 'avec accounts : lire ce fichier de configuration (par défaut ~/.config/mailv/config)',
    lang: 'langue des descriptions que montrent les scripts de zsh et de fish : fr ou en (par défaut d’après LC_ALL, LC_MESSAGES, LANG)',
    examples: `
Exemples :
  source <(mailv completion bash)
      compléter les options de mailv, leurs valeurs et les noms de comptes dans ce bash (ou l’ajouter à ~/.bashrc)
  mailv completion zsh > "\${fpath[1]}/_mailv"
      installer la complétion de zsh (dans un répertoire de $fpath ; compinit la charge)
  mailv completion fish > ~/.config/fish/completions/mailv.fish
      installer la complétion de fish
  mailv completion accounts --config travail.conf
      les noms des comptes d’un fichier de configuration, un par ligne, comme les scripts les demandent`,
  },
};
