#!/usr/bin/env bash
# What --diagram costs: the same small send to the local Postfix (127.0.0.1:25) without it, with
# --diagram x.html, and with --diagram x.svg --explain --timing (the most the renderer does),
# side by side in the same run with `node -e 0` as the floor. Rounds, the order reversed every
# other round, and the runs pooled, as bench/run.sh does.
#
#   bash bench/diagram.sh          3 rounds of 10 runs
#   bash bench/diagram.sh --quick  2 rounds of 5 runs
#
# Needs hyperfine and Postfix started by test/services/postfix.sh (mail to @discard.test is
# thrown away). Prints a Markdown table: mean ± σ, and the ratio to the send without --diagram.
set -euo pipefail

ROUNDS=3 RUNS=10 WARMUP=2
if [[ ${1:-} == --quick ]]; then ROUNDS=2 RUNS=5 WARMUP=1; fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
command -v hyperfine >/dev/null || { echo 'diagram.sh: hyperfine is missing (apt-get install hyperfine)' >&2; exit 69; }
[[ -f dist/bundle/mailv.cjs ]] || npm run build --silent

WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT
printf 'Hello from the mailv benchmark.\n' > "$WORK/small.txt"
MAILV="node $ROOT/bin/mailv.js"
SEND="$MAILV -q --server 127.0.0.1:25 -r bench@example.org -s bench bench@discard.test < $WORK/small.txt"

names=('node -e 0' 'mailv' 'mailv --diagram x.html' 'mailv --diagram x.svg -e --timing')
commands=('node -e 0' "$SEND" "$SEND --diagram $WORK/x.html" "$SEND --diagram $WORK/x.svg -e --timing")

# Every command must work before it is timed.
for index in "${!commands[@]}"; do
  sh -c "${commands[$index]}" >/dev/null || { echo "diagram.sh: '${names[$index]}' failed" >&2; exit 1; }
done
grep -q 'data-arrow="reply"' "$WORK/x.html" || { echo 'diagram.sh: no diagram was written' >&2; exit 1; }

for (( round = 0; round < ROUNDS; round++ )); do
  args=()
  order=("${!commands[@]}")
  if (( round % 2 )); then order=(3 2 1 0); fi
  for index in "${order[@]}"; do args+=(-n "${names[$index]}" "${commands[$index]}"); done
  # Through the shell, as bench/run.sh does, for the `< file` of the sends.
  hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/round-$round.json" "${args[@]}" >&2
done

node - "$WORK" "$ROUNDS" <<'NODE'
const { readFileSync } = require('node:fs');
const [work, rounds] = process.argv.slice(2);
const times = new Map();
for (let round = 0; round < Number(rounds); round++) {
  for (const result of JSON.parse(readFileSync(`${work}/round-${round}.json`, 'utf8')).results) {
    times.set(result.command, [...(times.get(result.command) ?? []), ...result.times]);
  }
}
const stats = (values) => {
  const mean = values.reduce((a, b) => a + b, 0) / values.length;
  const sd = Math.sqrt(values.reduce((a, b) => a + (b - mean) ** 2, 0) / (values.length - 1));
  return { mean, sd, n: values.length };
};
const base = stats(times.get('mailv'));
const ms = (s) => (s * 1000).toFixed(1);
console.log('| Command | Mean ± σ (ms) | Runs | Ratio to mailv without --diagram |');
console.log('| --- | --- | --- | --- |');
for (const [name, values] of times) {
  const s = stats(values);
  const ratio = s.mean / base.mean;
  const sd = ratio * Math.sqrt((s.sd / s.mean) ** 2 + (base.sd / base.mean) ** 2);
  console.log(`| ${name} | ${ms(s.mean)} ± ${ms(s.sd)} | ${s.n} | ${ratio.toFixed(3)} ± ${sd.toFixed(3)} |`);
}
NODE
