#!/usr/bin/env bash
# mailv replay and --record, side by side in the same run with their yardsticks.
#
#   bash bench/replay.sh           30 runs of each command after 3 warm-ups
#   bash bench/replay.sh --quick   10 runs
#
# Records one small send to the local Postfix (127.0.0.1:25), then times with hyperfine:
# `node -e 0` (the floor), `mailv replay` of that record, the same small send live, and the
# same send with --record. Reports mean ± σ and ratios (σ propagated) to `node -e 0` and to
# the live send. Needs the Postfix of test/services/postfix.sh and hyperfine; all traffic
# goes to 127.0.0.1.
set -euo pipefail

usage() { sed -n '2,11p' "$0" | sed 's/^# \{0,1\}//'; }
[[ ${1:-} == -h || ${1:-} == --help ]] && { usage; exit 0; }
RUNS=30
[[ ${1:-} == --quick ]] && RUNS=10

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
command -v hyperfine >/dev/null || { echo 'replay.sh: hyperfine is missing (apt-get install hyperfine)' >&2; exit 69; }
npm run build --silent >/dev/null

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
MAILV="node $ROOT/bin/mailv.js"
SEND="$MAILV --server 127.0.0.1:25 -r bench@example.org -s bench bench@discard.test < $WORK/small.txt"
printf 'One line of body.\n' >"$WORK/small.txt"

# Every command must work before it is timed.
sh -c "$SEND --record $WORK/small.jsonl" >/dev/null
sh -c "$MAILV replay $WORK/small.jsonl" >/dev/null

hyperfine --warmup 3 --runs "$RUNS" --export-json "$WORK/replay.json" \
  -n 'node -e 0' 'node -e 0' \
  -n 'mailv replay' "$MAILV replay $WORK/small.jsonl >/dev/null" \
  -n 'small send' "$SEND >/dev/null" \
  -n 'small send --record' "$SEND --record $WORK/again.jsonl >/dev/null" >&2

node - "$WORK/replay.json" <<'JS'
const { results } = JSON.parse(require('node:fs').readFileSync(process.argv[2], 'utf8'));
const by = Object.fromEntries(results.map((each) => [each.command, each]));
const ms = (seconds) => (seconds * 1000).toFixed(1);
const ratio = (a, b) => {
  const r = a.mean / b.mean;
  const sigma = r * Math.sqrt((a.stddev / a.mean) ** 2 + (b.stddev / b.mean) ** 2);
  return `${r.toFixed(2)} ± ${sigma.toFixed(2)}`;
};
console.log('| Command | Mean ± σ (ms) | ÷ node -e 0 | ÷ small send |');
console.log('| --- | --- | --- | --- |');
for (const each of results) {
  console.log(`| ${each.command} | ${ms(each.mean)} ± ${ms(each.stddev)} | ${ratio(each, by['node -e 0'])} | ${ratio(each, by['small send'])} |`);
}
JS
