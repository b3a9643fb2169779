// The English words of --help.
import type { HelpWords } from '../help-words.js';

/** What mailv and mailv replay say alike of the options they share. */
const SHARED = {
  explain: 'explain each line of the dialogue: what it means, where it is defined',
  verbose: 'more detail: -v adds connection notes, -vv also shows the message lines',
  color: 'colour the dialogue even when not on a terminal',
  noColor: 'never colour the dialogue',
};

export const helpWords: HelpWords = {
  titles: { 'Usage:': 'Usage:', 'Arguments:': 'Arguments:', 'Options:': 'Options:', 'Commands:': 'Commands:', 'Global Options:': 'Global Options:' },
  choices: (values) => `choices: ${values.map((value) => JSON.stringify(value)).join(', ')}`,
  placeholder: (name) => name,
  help: 'show this help',
  mailv: {
    description: 'Send e-mail and show the whole SMTP dialogue as it happens, as mail -v does.',
    recipients: 'addresses to send to (a bare user name gets @ this host)',
    options: {
      subject: 'subject of the message',
      cc: 'carbon copy recipients (repeatable, comma-separated)',
      bcc: 'blind copy recipients: envelope only (repeatable, comma-separated)',
      from: "envelope sender and From: (default $USER@this host); '<>' the null sender",
      attach: 'attach a file (repeatable)',
      header: 'add a header field (repeatable)',
      readRecipients: 'standard input is a complete message; recipients come from its To, Cc, Bcc',
      skipEmpty: 'send nothing when standard input is empty (exit 0), as mail -E',
      contentType: 'type of the text read from standard input, text/plain unless given (text/html…)',
      server:
        "smtp://host[:port], smtps://host[:port] (implicit TLS, port 465) or host[:port]; lmtp://host[:port] (LMTP, port 24), lmtp:/socket, unix:/socket (SMTP) (default $MAILV_SERVER, else the configuration file's, else smtp://localhost:25; with --account, the account's first)",
      direct: "deliver to each recipient domain's MX hosts instead of a submission server",
      mx: 'show how mail for a domain is routed (its MX hosts, in order) and send nothing',
      dns: 'name server for MX lookups, ip[:port] (repeatable; default /etc/resolv.conf)',
      port: 'port of the MX hosts with --direct or --mx (default 25)',
      tls: 'STARTTLS: auto (when offered; the default), required (offered, verified certificate, or stop), off',
      ca: 'trust the CA certificates in this PEM file too',
      tlsCert: 'client certificate (PEM) to present when the server asks for one',
      tlsKey: 'its private key (PEM; default: the --tls-cert file)',
      tlsName:
        "the name the server's certificate must carry, sent as SNI (default: the --server host): for a server reached by its address, a tunnel or a socket",
      insecure: 'accept any certificate (says so on every run)',
      noTlsResume: 'neither resume nor keep TLS sessions (kept in $XDG_CACHE_HOME/mailv)',
      user: 'log in as this user (AUTH)',
      auth: (mechanisms) => `force a mechanism: ${mechanisms} (default: the strongest offered)`,
      passwordFile: 'read the password from the first line of this file',
      passwordCmd: 'run this command; the first line it prints is the password',
      oauth2TokenFile: 'log in with XOAUTH2, the token read from this file',
      oauth2TokenCmd: 'log in with XOAUTH2, the token printed by this command',
      allowPlaintextAuth: 'send credentials even without TLS to a server that is not this machine',
      showSecrets: 'show credentials in the dialogue, and decode each AUTH step',
      account: 'use [account <name>] of the configuration file',
      config: 'read this configuration file (default ~/.config/mailv/config)',
      body: 'how the message goes: auto (BDAT when the server offers CHUNKING; the default), data, bdat',
      pipelining:
        'on: send groups of commands without waiting when the server offers PIPELINING (the default); off: one command, one reply (the default with --step)',
      noPipeconnect: 'never send EHLO before the greeting, even to a server remembered ($XDG_CACHE_HOME/mailv) to offer PIPECONNECT',
      quitAfter: 'stop after this step with QUIT, sending no message: connect, greeting, ehlo, starttls, auth, mail, rcpt, data',
      explain: SHARED.explain,
      lang: 'language of what mailv writes: fr or en (default from LC_ALL, LC_MESSAGES, LANG)',
      timing: 'elapsed milliseconds before each line, and a summary of round trips, octets and time per step',
      json: 'one JSON object per line for every event (with --count, the summary), then the result; no colour',
      step: 'at a terminal, wait for Enter before every write, saying what it will send (q quits with QUIT); one command at a time unless --pipelining on',
      notify: 'delivery status notifications (DSN, RFC 3461): never, or success,failure,delay (any of them)',
      ret: 'what a failure notification returns of the message: full or hdrs',
      envid: 'envelope id echoed in every notification (printable ASCII, up to 100 characters)',
      diagram: 'also draw the session as a sequence diagram in this .html or .svg file',
      record: 'keep the session in this file (mode 0600, secrets withheld), to show again with: mailv replay <file>',
      count: 'load test: send the message n times, show no dialogue, then a summary (rate, latencies, replies, failures)',
      concurrency: 'with --count: over n connections at once (default 1)',
      perConnection: 'with --count: at most n messages over each connection (default: all of them)',
      vary: 'with --count: a sequence number in each Subject and Message-ID',
      varyRecipients: 'with --count: a running number before each envelope recipient (1bob@…, 2bob@…), as smtp-source -N',
      rate: 'with --count: start at most r messages a second over all connections (decimals allowed: 0.5)',
      stopOnError: 'with --count: the first failure stops the run (what is under way finishes)',
      helo: "name given in EHLO (default this host's fully qualified name)",
      xclient: "after EHLO, claim another client with Postfix's XCLIENT (repeatable: ADDR=, NAME=, HELO=, …)",
      proxy: "send HAProxy's PROXY header before the greeting: v1 (text) or v2 (binary); needs --proxy-source",
      proxySource: 'the client the PROXY header claims, e.g. 192.0.2.7:40000 or [2001:db8::7]:40000',
      ipv4: 'connect over IPv4 only',
      ipv6: 'connect over IPv6 only',
      sourceAddress: 'connect from this local address',
      timeout: 'longest wait for any step (default: the limits of RFC 5321)',
      verbose: SHARED.verbose,
      quiet: 'print no dialogue, only errors',
      dryRun: 'print the envelope and the exact message; connect to nothing',
      demo: 'send to an embedded SMTP server on 127.0.0.1 and show what it received',
      color: SHARED.color,
      noColor: SHARED.noColor,
    },
    version: 'print the version',
    examples: `
Examples:
  echo "Hello" | mailv -s "Greetings" bob@example.org
      send to bob through the local server (localhost:25), showing the dialogue
  mailv -s "Report" -a report.pdf -c carol@example.org bob@example.org < body.txt
      a message with an attachment and a copy
  mailv -t < message.eml
      send a complete message; recipients come from its To, Cc and Bcc
  mailv --server smtp://mail.example.org:2525 -r alice@example.org bob@example.org
      use another server and sender
  mailv --server smtps://smtp.example.org --user alice -r alice@example.org bob@example.org
      through a provider: implicit TLS on port 465, log in as alice (password from
      MAILV_PASSWORD, --password-file, --password-cmd, or asked at the terminal)
  mailv --account work bob@example.org
      server, login and sender from [account work] in ~/.config/mailv/config
  mailv --dry-run -s test bob@example.org < body.txt
      show the envelope and the exact message, connect to nothing
  mailv --demo -s test bob@example.org < body.txt
      send to an embedded server on 127.0.0.1 and show what it received
  mailv --mx example.org
      show the MX hosts of example.org in the order mail tries them
  mailv --direct -v -s test bob@example.org < body.txt
      look up example.org's MX hosts and deliver there, showing the DNS exchange
  mailv --quit-after ehlo --server mail.example.org
      list what a server offers, send nothing
  mailv --demo --explain --lang fr -s test bob@example.org < body.txt
      the dialogue with each line explained, in French

Commands:
  mailv replay <file>          show a session kept with --record again (mailv replay --help)
  mailv completion <target>    a completion script for bash, zsh or fish, or the account names (mailv completion --help)`,
    exitStatus: `
Exit status:
  0    sent to every recipient; also --help, --version, --dry-run, --mx, and a --quit-after that went well
  64   usage: a bad flag, value or address, flags that contradict each other, no terminal where one is needed
  65   bad data: a -t message SMTP cannot carry, a --ca file without a certificate, a password not in UTF-8
  66   missing input: an attachment, a --ca or password file, or a replay record that cannot be read
  67   a recipient was refused (5xx); any others got the message, or were put off
  68   no such host or domain, or a domain that takes no mail
  69   refused for good: a 5xx reply, a message too large, content the server does not take
  70   an internal error of mailv
  73   the file of --record cannot be created, or is a file the run reads (the message, a password file…)
  74   a local I/O error: reading standard input or an attachment, the spool of a large message
  75   try again later: a 4xx reply, a connection or DNS lookup that failed, a timeout, TLS, q at --step
  76   the server broke the protocol
  77   no login: the server refused it, or mailv withheld the credentials
  78   the configuration file, or the command that gives the password, cannot be used
  129, 130, 131, 143
       stopped by SIGHUP, SIGINT, SIGQUIT or SIGTERM: 128 + the signal's number
These are the codes of sysexits.h, as sendmail uses them; see man mailv for the rest.`,
  },
  replay: {
    description: 'Show a session kept with --record again, as it was shown or in another mode; no network.',
    file: 'the record (- for standard input)',
    options: {
      explain: SHARED.explain,
      lang: 'language of what mailv writes: fr or en (default: the language of the record)',
      timing: 'the recorded milliseconds before each line, and the summary of round trips, octets and time per step',
      json: 'one JSON object per line for every event, then the recorded result; no colour',
      step: 'at a terminal, wait for Enter where the live run waited: before each write, a flight being one (q stops)',
      diagram: 'draw the recorded session as a sequence diagram in this .html or .svg file',
      verbose: SHARED.verbose,
      quiet: 'print no dialogue, only the recorded errors',
      color: SHARED.color,
      noColor: SHARED.noColor,
    },
    examples: `
Examples:
  mailv --record lesson.jsonl -s test bob@example.org < body.txt
      send, and keep the session in lesson.jsonl
  mailv replay lesson.jsonl
      show it again as it was shown, with no network
  mailv replay --explain --lang fr --step lesson.jsonl
      again, explained in French, one write at a time (Enter, q stops)
  mailv replay --timing lesson.jsonl
      with the recorded times and the summary of round trips
  mailv replay --explain --lang fr --diagram lesson.html lesson.jsonl
      draw it as a sequence diagram to project, explained in French
A recipient named replay is given after --: mailv -- replay.
Exit status: the recorded run's, or 65 for a record that cannot be read as one (66: no such file).`,
  },
  completion: {
    description: "Print the shell completion script of mailv for bash, zsh or fish, made from mailv's own command line.",
    target: 'bash, zsh or fish: the script; accounts: the account names of the configuration file',
    config: 'with accounts: read this configuration file (default ~/.config/mailv/config)',
    lang: 'language of the descriptions the zsh and fish scripts show: fr or en (default from LC_ALL, LC_MESSAGES, LANG)',
    examples: `
Examples:
  source <(mailv completion bash)
      complete mailv's options, their values and account names in this bash (or add it to ~/.bashrc)
  mailv completion zsh > "\${fpath[1]}/_mailv"
      install the zsh completion (a directory of $fpath; compinit loads it)
  mailv completion fish > ~/.config/fish/completions/mailv.fish
      install the fish completion
  mailv completion accounts --config work.conf
      the account names of a configuration file, one a line, as the scripts ask for them`,
  },
};
