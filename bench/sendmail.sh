#!/usr/bin/env bash
# mailv-sendmail as programs run it (`-t -i`, a whole message on standard input, nothing printed;
# and `-bs`, an SMTP dialogue on standard input, as Symfony Mailer and Laravel run it), side by side
# in one hyperfine run with msmtp in its sendmail mode (`msmtp -t`, which has no -bs), Postfix's own
# /usr/sbin/sendmail in both modes (which hands the message to the local queue through postdrop,
# no SMTP on the network at all) and `node -e 0` as the floor. mailv-sendmail and msmtp talk SMTP
# to Postfix on 127.0.0.1:25.
#
#   bash bench/sendmail.sh            20 runs of each after 3 warm-ups
#   RUNS=50 bash bench/sendmail.sh
#
# Needs hyperfine, msmtp and Postfix (test/services/postfix.sh start). All traffic goes to 127.0.0.1.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-20}
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
log() { printf 'sendmail.sh: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
# shellcheck source=test/services/apt.sh
source test/services/apt.sh
for tool in hyperfine msmtp; do command -v "$tool" >/dev/null || apt_install "$tool"; done
npm run build --silent

TO=bench@discard.test
printf 'From: bench@example.org\nTo: %s\nSubject: bench\nDate: %s\nMessage-ID: <bench.sendmail@example.org>\n\nHello from the mailv benchmark.\n' \
  "$TO" "$(date -R)" > "$WORK/message.eml"
# The dialogue a Symfony Mailer sends, written at once: one message, then QUIT.
printf 'EHLO [127.0.0.1]\r\nMAIL FROM:<bench@example.org>\r\nRCPT TO:<%s>\r\nDATA\r\n%s\r\n.\r\nQUIT\r\n' \
  "$TO" "$(sed 's/$/\r/' "$WORK/message.eml" | sed '$ s/\r$//')" > "$WORK/dialogue.txt"
MAILV="MAILV_SERVER=127.0.0.1:25 node bin/mailv-sendmail.js -t -i -f bench@example.org < $WORK/message.eml"
MAILV_BS="MAILV_SERVER=127.0.0.1:25 node bin/mailv-sendmail.js -bs < $WORK/dialogue.txt > /dev/null"
POSTFIX_BS="/usr/sbin/sendmail -bs < $WORK/dialogue.txt > /dev/null"
MSMTP="msmtp -C /dev/null --host=127.0.0.1 --port=25 --tls=off --auth=off --from=bench@example.org -t < $WORK/message.eml"
POSTFIX="/usr/sbin/sendmail -t -i -f bench@example.org < $WORK/message.eml"
for command in "$MAILV" "$MSMTP" "$POSTFIX" "${MAILV_BS% > /dev/null}" "${POSTFIX_BS% > /dev/null}"; do
  out=$(bash -c "$command") || die "this failed: $command"
  # In -bs, a failure is a reply: the dot must have been answered 250.
  [[ $command != *-bs* ]] || grep -q $'^250 .*\r$' <<<"$(tail -n 2 <<<"$out" | head -n 1)" || die "no 250 to the dot: $command: $out"
done
hyperfine --style none --warmup 3 --runs "$RUNS" --export-markdown "$WORK/table.md" \
  -n 'node -e 0' 'node -e 0' -n 'mailv-sendmail -t -i' "$MAILV" -n 'mailv-sendmail -bs' "$MAILV_BS" -n 'msmtp -t' "$MSMTP" \
  -n 'Postfix sendmail -t -i' "$POSTFIX" -n 'Postfix sendmail -bs' "$POSTFIX_BS" >&2
cat "$WORK/table.md"
