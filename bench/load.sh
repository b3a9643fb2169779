#!/usr/bin/env bash
# The load mode beside Postfix's smtp-source, both sending to Postfix's smtp-sink (from the postfix
# package) in the same run, at the same message size, concurrency (1 and 20) and connection reuse
# (one connection per session, or one per message); then against the real Postfix (discarding),
# mailv's load mode beside what people use today, a shell loop of swaks and one of msmtp; and the
# peak RSS of 100,000 messages. Needs smtp-sink, smtp-source, hyperfine, swaks, msmtp and Postfix on
# 127.0.0.1:25 (bench@discard.test accepted and thrown away).
#
#   bash bench/load.sh            # about 20 minutes on 2 cores
#   ROUNDS=1 bash bench/load.sh   # quicker, noisier
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-3}
COUNT=${COUNT:-20000}
LOOP=${LOOP:-100}
BIG=${BIG:-100000}
SMTP_SINK=/usr/sbin/smtp-sink
SMTP_SOURCE=/usr/sbin/smtp-source
FROM=bench@example.org
TO=bench@example.org
WORK=$(mktemp -d)
trap 'kill "$SINK" "$COUNTER" 2>/dev/null || true; rm -rf "$WORK"' EXIT
npm run build --silent

free_port() { node -e 'const s = require("node:net").createServer().listen(0, "127.0.0.1", () => { console.log(s.address().port); s.close(); })'; }
wait_port() { for _ in $(seq 50); do node -e 'require("node:net").connect(process.argv[1], "127.0.0.1").on("connect", () => process.exit(0)).on("error", () => process.exit(1))' "$1" && return; sleep 0.1; done; echo "nothing listens on $1" >&2; exit 1; }

# The sink: smtp-sink as the clients' peer; it is a single process, as fast as Postfix's own tests use it.
# -u nobody: it refuses to run as root; 256: its listen backlog, for 20 clients opening a connection per message.
PORT=$(free_port)
$SMTP_SINK -u nobody "127.0.0.1:$PORT" 256 > /dev/null 2>&1 &
SINK=$!
wait_port "$PORT"

# The same size for both: smtp-source's message (its four header lines and -l 1000 octets of payload)
# is counted by bench/sink.mjs, and mailv's (-t, a complete message) is padded to match.
node bench/sink.mjs 0 --max-seconds 600 > "$WORK/counter.out" &
COUNTER=$!
for _ in $(seq 50); do [ -s "$WORK/counter.out" ] && break; sleep 0.1; done
COUNTING=$(head -1 "$WORK/counter.out")
$SMTP_SOURCE -m 1 -l 1000 -f $FROM -t $TO "127.0.0.1:$COUNTING"
node bench/make-load-message.mjs "$WORK/message.eml" "$(sleep 0.3; sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' "$WORK/counter.out" | head -1)"
bin/mailv.js -q -t --server "127.0.0.1:$COUNTING" -r $FROM < "$WORK/message.eml"
sleep 0.3
SOURCE_OCTETS=$(sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' "$WORK/counter.out" | sed -n 1p)
MAILV_OCTETS=$(sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' "$WORK/counter.out" | sed -n 2p)
kill "$COUNTER"

MAILV="bin/mailv.js -t --server 127.0.0.1:$PORT -r $FROM --count $COUNT --json"
SOURCE="$SMTP_SOURCE -l 1000 -m $COUNT -f $FROM -t $TO"
{
  printf 'mailv, C=1, one connection\t%s\n' "$MAILV --concurrency 1 --per-connection $COUNT < $WORK/message.eml"
  printf 'smtp-source, C=1, one connection\t%s\n' "$SOURCE -s 1 -d 127.0.0.1:$PORT"
  printf 'mailv, C=20, one connection each\t%s\n' "$MAILV --concurrency 20 --per-connection $COUNT < $WORK/message.eml"
  printf 'smtp-source, C=20, one connection each\t%s\n' "$SOURCE -s 20 -d 127.0.0.1:$PORT"
  printf 'bare Node client, C=1, one connection\t%s\n' "node bench/bare-client.mjs $PORT $COUNT 1 $WORK/message.eml"
  printf 'bare Node client, C=20, one connection each\t%s\n' "node bench/bare-client.mjs $PORT $COUNT 20 $WORK/message.eml"
  printf 'mailv, C=1, a connection per message\t%s\n' "$MAILV --concurrency 1 --per-connection 1 < $WORK/message.eml"
  printf 'smtp-source, C=1, a connection per message\t%s\n' "$SOURCE -s 1 127.0.0.1:$PORT"
  printf 'mailv, C=20, a connection per message\t%s\n' "$MAILV --concurrency 20 --per-connection 1 < $WORK/message.eml"
  printf 'smtp-source, C=20, a connection per message\t%s\n' "$SOURCE -s 20 127.0.0.1:$PORT"
  printf 'bare Node client, C=1, a connection per message\t%s\n' "node bench/bare-client.mjs $PORT $COUNT 1 $WORK/message.eml per-message"
  printf 'bare Node client, C=20, a connection per message\t%s\n' "node bench/bare-client.mjs $PORT $COUNT 20 $WORK/message.eml per-message"
} > "$WORK/sink.commands.tsv"

# Every command once, checked, before anything is timed.
while IFS=$'\t' read -r name command; do
  if ! sh -c "$command" > "$WORK/check.out" 2>&1; then
    echo "check failed: $name" >&2
    cat "$WORK/check.out" >&2
    exit 1
  fi
done < "$WORK/sink.commands.tsv"

# Rounds, the order reversed every other round, runs pooled (see bench/README.md).
rounds() {
  local group=$1 runs=$2 round args
  for round in $(seq "$ROUNDS"); do
    args=()
    while IFS=$'\t' read -r name command; do args+=(-n "$name" "$command"); done < <(if ((round % 2)); then cat "$WORK/$group.commands.tsv"; else tac "$WORK/$group.commands.tsv"; fi)
    echo "== $group, round $round of $ROUNDS" >&2
    hyperfine --style basic --warmup 1 --runs "$runs" --export-json "$WORK/$group.$round.json" "${args[@]}" >&2
  done
}
rounds sink "$RUNS"
# mailv's own figure, start-up left out: the messages per second of its summary, one more run each.
while IFS=$'\t' read -r name command; do
  case $name in mailv*) printf '%s\t%s\n' "$name" "$(sh -c "$command" | sed -n 's/.*"perSecond":\([0-9.]*\).*/\1/p')" ;; esac
done < "$WORK/sink.commands.tsv" > "$WORK/sink.own.tsv"

# Where the CPU goes: one more run of each command under /usr/bin/time (the client's user and
# system seconds), and smtp-sink's own CPU over the same run from /proc (it shares the 2 cores).
TICKS=$(getconf CLK_TCK)
sink_cpu() { awk -v ticks="$TICKS" '{ printf "%.3f", ($14 + $15) / ticks }' "/proc/$SINK/stat"; }
while IFS=$'\t' read -r name command; do
  before=$(sink_cpu)
  /usr/bin/time -f '%U %S' -o "$WORK/cpu.time" sh -c "$command" > /dev/null
  printf '%s\t%s\t%s\n' "$name" "$(tail -1 "$WORK/cpu.time")" "$(awk -v a="$before" -v b="$(sink_cpu)" 'BEGIN { printf "%.3f", b - a }')"
done < "$WORK/sink.commands.tsv" > "$WORK/sink.cpu.tsv"

# What people use today against a real server: a loop of single sends, beside the load mode.
printf 'Hello from the mailv benchmark.\n' > "$WORK/small.txt"
printf 'From: %s\r\nTo: bench@discard.test\r\nSubject: bench\r\n\r\nHello from the mailv benchmark.\r\n' $FROM > "$WORK/tiny.eml"
{
  printf 'mailv --count %s (C=1, one connection)\t%s\n' "$LOOP" "bin/mailv.js --server 127.0.0.1:25 -r $FROM -s bench --count $LOOP --json bench@discard.test < $WORK/small.txt"
  printf 'mailv --count %s --per-connection 1\t%s\n' "$LOOP" "bin/mailv.js --server 127.0.0.1:25 -r $FROM -s bench --count $LOOP --per-connection 1 --json bench@discard.test < $WORK/small.txt"
  printf 'for loop of %s mailv\t%s\n' "$LOOP" "for i in \$(seq $LOOP); do bin/mailv.js -q --server 127.0.0.1:25 -r $FROM -s bench bench@discard.test < $WORK/small.txt; done"
  printf 'for loop of %s swaks\t%s\n' "$LOOP" "for i in \$(seq $LOOP); do swaks --silent 2 --server 127.0.0.1:25 --from $FROM --to bench@discard.test --body @$WORK/small.txt; done"
  printf 'for loop of %s msmtp\t%s\n' "$LOOP" "for i in \$(seq $LOOP); do msmtp -C /dev/null --host=127.0.0.1 --port=25 --tls=off --auth=off --from=$FROM bench@discard.test < $WORK/tiny.eml; done"
} > "$WORK/postfix.commands.tsv"
ROUNDS=1 rounds postfix 3

# Peak RSS over 100,000 messages, 20 connections reusing theirs.
{
  /usr/bin/time -f '%e %M' -o "$WORK/big.mailv" $MAILV --count "$BIG" --concurrency 20 --per-connection "$BIG" < "$WORK/message.eml" > "$WORK/big.mailv.json"
  /usr/bin/time -f '%e %M' -o "$WORK/big.source" $SOURCE -m "$BIG" -s 20 -d "127.0.0.1:$PORT"
} 2>&1 | sed 's/^/  /' >&2

node bench/load-report.mjs "$WORK" --count "$COUNT" --loop "$LOOP" --big "$BIG" --octets "$SOURCE_OCTETS,$MAILV_OCTETS"
