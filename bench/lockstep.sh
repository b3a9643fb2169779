#!/usr/bin/env bash
# The cost of lock-step: mailv's small send to Postfix with --pipelining on and off (DATA and
# BDAT), beside swaks with --pipeline and without, run side by side in the same hyperfine run,
# directly and through bench/delay-proxy.mjs (50 ms round trip). Round trips are mailv's own
# count from --timing. Needs Postfix on 127.0.0.1:25, hyperfine and swaks.
set -euo pipefail
cd "$(dirname "$0")/.."
RUNS=${RUNS:-10}
RTT_MS=${RTT_MS:-50}
FROM=bench@example.org
TO=bench@discard.test
WORK=$(mktemp -d)
trap 'kill "$PROXY" 2>/dev/null || true; rm -rf "$WORK"' EXIT
printf 'Hello from the mailv benchmark.\n' > "$WORK/small.txt"
npm run build --silent

node bench/delay-proxy.mjs 25 "$RTT_MS" --max-seconds 600 > "$WORK/proxy.out" 2> "$WORK/proxy.err" &
PROXY=$!
for _ in $(seq 50); do [ -s "$WORK/proxy.out" ] && break; sleep 0.1; done
SLOW=$(head -1 "$WORK/proxy.out")

for port in 25 "$SLOW"; do
  MAILV="node bin/mailv.js -q --server 127.0.0.1:$port -r $FROM -s bench $TO < $WORK/small.txt"
  SWAKS="swaks --silent 2 --server 127.0.0.1:$port --from $FROM --to $TO"
  printf '\n## 127.0.0.1:%s%s\n\n' "$port" "$([ "$port" = 25 ] && echo ' (Postfix)' || echo " (Postfix through a ${RTT_MS} ms round trip)")"
  echo '| client | round trips (mailv --timing) |'
  echo '| --- | --- |'
  for mode in 'on --body data' 'off --body data' 'on' 'off'; do
    trips=$(node bin/mailv.js --timing --pipelining $mode --server 127.0.0.1:$port -r $FROM -s bench $TO < "$WORK/small.txt" | sed -n 's/^Timing: \([0-9]*\) round trips.*/\1/p')
    echo "| mailv --pipelining $mode | $trips |"
  done
  hyperfine --style none --warmup 2 --runs "$RUNS" --export-markdown "$WORK/table.md" \
    -n 'mailv --pipelining on --body data' "$MAILV --pipelining on --body data" \
    -n 'mailv --pipelining off --body data' "$MAILV --pipelining off --body data" \
    -n 'mailv --pipelining on (BDAT)' "$MAILV --pipelining on" \
    -n 'mailv --pipelining off (BDAT)' "$MAILV --pipelining off" \
    -n 'swaks --pipeline' "$SWAKS --pipeline" \
    -n 'swaks (lock-step)' "$SWAKS" >&2
  echo
  cat "$WORK/table.md"
done
