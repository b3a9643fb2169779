#!/usr/bin/env bash
# One small send to each real server of the test matrix (Postfix :25, Exim :2526, sendmail :2527,
# OpenSMTPD :2528), by mailv, swaks and msmtp side by side in the same hyperfine run per server,
# with `node -e 0` as the floor. Each command must exit 0 first. Prints a Markdown table per server
# and the ratio of mailv to swaks across servers.
#
#   bash bench/servers.sh            10 runs of each after 2 warm-ups
#   RUNS=30 bash bench/servers.sh
#
# Needs hyperfine, swaks, msmtp and the services of .ci/run (test/services/*.sh start). All
# traffic goes to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
FROM=bench@example.org
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf 'Hello from the mailv benchmark.\n' > "$WORK/small.txt"
log() { printf 'servers.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=test/services/apt.sh
source test/services/apt.sh
for tool in hyperfine swaks msmtp; do command -v "$tool" >/dev/null || apt_install "$tool"; done
npm run build --silent

# name port recipient (a local mailbox of that server; Postfix's mailtest is the suite's own)
SERVERS=(
  "Postfix 25 bench@discard.test"
  "Exim 2526 user1@localhost"
  "sendmail 2527 smuser1@sendmail.test"
  "OpenSMTPD 2528 user1@localhost"
)
for entry in "${SERVERS[@]}"; do
  read -r name port to <<<"$entry"
  # In clear for all three: mailv would otherwise use the STARTTLS that Exim and sendmail offer.
  mailv="node bin/mailv.js -q --tls off --server 127.0.0.1:$port -r $FROM -s bench $to < $WORK/small.txt"
  swaks="swaks --silent 2 --server 127.0.0.1:$port --from $FROM --to $to --body $WORK/small.txt"
  # msmtp sends the message as given: a whole one, as OpenSMTPD refuses a message without To: and Subject:.
  printf 'From: %s\r\nTo: %s\r\nSubject: bench\r\nDate: %s\r\nMessage-ID: <bench.%s@example.org>\r\n\r\nHello from the mailv benchmark.\r\n' \
    "$FROM" "$to" "$(date -R)" "$port" > "$WORK/$name.eml"
  msmtp="msmtp -C /dev/null --host=127.0.0.1 --port=$port --tls=off --auth=off --from=$FROM $to < $WORK/$name.eml"
  for command in "$mailv" "$swaks" "$msmtp"; do
    bash -c "$command" >/dev/null 2>&1 || { printf 'servers.sh: this failed against %s: %s\n' "$name" "$command" >&2; exit 1; }
  done
  printf '\n## %s (127.0.0.1:%s)\n\n' "$name" "$port"
  hyperfine --style none --warmup 2 --runs "$RUNS" --export-markdown "$WORK/$name.md" \
    -n 'node -e 0' 'node -e 0' -n mailv "$mailv" -n swaks "$swaks" -n msmtp "$msmtp" >&2
  cat "$WORK/$name.md"
done
