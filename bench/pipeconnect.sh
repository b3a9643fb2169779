#!/usr/bin/env bash
# PIPECONNECT: round trips of one small send to Exim (127.0.0.1:2526, which offers PIPECONNECT),
# directly and through bench/delay-proxy.mjs (a 50 ms round trip): mailv with a cold EHLO memory
# (a cache directory it cannot create: every run is a first contact), with a warm one (primed
# once), and with --no-pipeconnect, beside msmtp and swaks --pipeline, `node -e 0` as the floor.
# Rounds alternate the order of the commands; the runs of all rounds are pooled. Round trips are
# the added time over the RTT, to the nearest half, a half (the greeting, when waited for) counted
# whole, plus the TCP handshake the proxy cannot delay. Plain SMTP (--tls off): before STARTTLS
# nothing may go early. Needs Exim (test/services/exim.sh), hyperfine, swaks and msmtp.
set -euo pipefail
cd "$(dirname "$0")/.."
ROUNDS=${ROUNDS:-3}
RUNS=${RUNS:-10}
RTT_MS=${RTT_MS:-50}
EXIM_PORT=2526
FROM=bench@example.org
TO=user1@localhost
WORK=$(mktemp -d)
PROXY_PID=
trap '[[ -n $PROXY_PID ]] && kill "$PROXY_PID" 2>/dev/null; rm -rf "$WORK"' EXIT
printf 'Hello from the mailv benchmark.\n' > "$WORK/small.txt"
printf 'From: %s\r\nTo: %s\r\nSubject: bench\r\n\r\nHello from the mailv benchmark.\r\n' "$FROM" "$TO" > "$WORK/tiny.eml"
npm run build --silent

node bench/delay-proxy.mjs "$EXIM_PORT" "$RTT_MS" --max-seconds 900 > "$WORK/proxy.out" 2> "$WORK/proxy.err" &
PROXY_PID=$!
for _ in $(seq 50); do [[ -s $WORK/proxy.out ]] && break; sleep 0.1; done
SLOW=$(head -1 "$WORK/proxy.out")
[[ $SLOW =~ ^[0-9]+$ ]] || { echo "the delaying proxy did not start" >&2; exit 1; }

MAILV="node bin/mailv.js -q --tls off -r $FROM -s bench"
COLD="env XDG_CACHE_HOME=/dev/null/mailv-bench $MAILV"
WARM="env XDG_CACHE_HOME=$WORK/warm $MAILV"
# The warm memory: one send to each port remembers Exim's EHLO reply for it.
for port in "$EXIM_PORT" "$SLOW"; do $WARM --server "127.0.0.1:$port" "$TO" < "$WORK/small.txt"; done

names=() cmds=()
add() { names+=("$1"); cmds+=("$2"); }
add 'node -e 0' 'node -e 0'
for port in "$EXIM_PORT" "$SLOW"; do
  via=$([[ $port == "$EXIM_PORT" ]] && echo '' || echo ' via proxy')
  add "mailv, cold$via" "$COLD --server 127.0.0.1:$port $TO < $WORK/small.txt"
  add "mailv, warm$via" "$WARM --server 127.0.0.1:$port $TO < $WORK/small.txt"
  add "mailv --no-pipeconnect$via" "$WARM --no-pipeconnect --server 127.0.0.1:$port $TO < $WORK/small.txt"
  add "msmtp$via" "msmtp -C /dev/null --host=127.0.0.1 --port=$port --tls=off --auth=off --from=$FROM $TO < $WORK/tiny.eml"
  add "swaks --pipeline$via" "swaks --silent 2 --server 127.0.0.1:$port --from $FROM --to $TO --pipeline --body @$WORK/small.txt"
done

for round in $(seq "$ROUNDS"); do
  args=()
  order=$(seq 0 $((${#names[@]} - 1)))
  ((round % 2 == 0)) && order=$(echo "$order" | tac)
  for i in $order; do args+=(-n "${names[$i]}" "${cmds[$i]}"); done
  hyperfine --style none --warmup 2 --runs "$RUNS" --export-json "$WORK/round$round.json" "${args[@]}" >&2
done

node - "$WORK" "$RTT_MS" <<'JS'
const [dir, rttMs] = process.argv.slice(2);
const { readdirSync, readFileSync } = require('node:fs');
const pooled = new Map();
for (const file of readdirSync(dir).filter((name) => /^round\d+\.json$/.test(name))) {
  for (const { command, times } of JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')).results) {
    pooled.set(command, [...(pooled.get(command) ?? []), ...times]);
  }
}
const mean = (name) => (pooled.get(name).reduce((a, b) => a + b, 0) / pooled.get(name).length) * 1000;
const floor = mean('node -e 0');
const rtt = Number(rttMs);
console.log(`node -e 0: ${floor.toFixed(1)} ms (${pooled.get('node -e 0').length} runs)\n`);
console.log('| client | direct (ms) | × node -e 0 | through the proxy (ms) | added ÷ RTT | round trips |');
console.log('| --- | ---: | ---: | ---: | ---: | ---: |');
for (const name of [...pooled.keys()].filter((key) => key !== 'node -e 0' && !key.endsWith(' via proxy'))) {
  const direct = mean(name);
  const slow = mean(`${name} via proxy`);
  const added = (slow - direct) / rtt;
  const trips = Math.ceil(Math.round(added * 2) / 2) + 1;
  console.log(`| ${name} | ${direct.toFixed(1)} | ${(direct / floor).toFixed(2)} | ${slow.toFixed(1)} | ${added.toFixed(2)} | ${trips} |`);
}
JS
