#!/usr/bin/env bash
# The two sends people make most, against Node's own start-up, in interleaved rounds:
# one small plain send to Postfix on 127.0.0.1:25, and the same through submission on
# 127.0.0.1:587 with STARTTLS, the certificate verified against the test CA, and AUTH PLAIN,
# by mailv (with its TLS session cache warm, and with --no-tls-resume), msmtp and swaks; and both
# sends by bench/bare-send.cjs, the least a Node program does to make them (the floors under mailv's),
# the submission one with a full handshake and with a TLS session kept from its previous run.
# mailv runs as installed (bin/mailv.js through its #! line, which starts Node without
# NODE_EXTRA_CA_CERTS: man/mailv.1, ENVIRONMENT), and as `node bin/mailv.js` beside it; and the
# yardstick, the plain send and the 587 send again without NODE_EXTRA_CA_CERTS in the environment
# (this machine's names Debian's bundle, which Node reads at every start).
#
#   bash bench/submission.sh              6 rounds of 10 runs, each round after 2 warm-ups
#   ROUNDS=3 RUNS=5 bash bench/submission.sh
#   BASE=../other-tree bash bench/submission.sh   the two mailv sends of another built tree too,
#                                                 in the same rounds (before and after a change)
#
# Prints a Markdown table (ratios to `node -e 0`, peak RSS) and leaves the raw hyperfine JSON
# in bench/results/submission-*.json. Needs hyperfine, swaks, msmtp and the services of
# test/services/postfix.sh and test/services/submission.sh. All traffic goes to 127.0.0.1.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
ROUNDS=${ROUNDS:-6}
RUNS=${RUNS:-10}
WARMUP=${WARMUP:-2}
FROM=bench@example.org
TO=bench@discard.test
CA=/etc/mailv-tls/ca.pem
SECRET=Sub-mission-7 # the loopback test account of test/services/submission.sh
die() { printf 'submission.sh: %s\n' "$*" >&2; exit 1; }
for tool in hyperfine swaks msmtp; do command -v "$tool" >/dev/null || die "$tool is missing"; done
[[ -r $CA ]] || die "no test CA at $CA: run test/services/submission.sh start"
npm run build --silent >&2

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailv-submission.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# mailv's cache (TLS sessions) lives here for the run, apart from the user's own.
export XDG_CACHE_HOME=$WORK/cache
printf 'Hello from the mailv benchmark.\n' > "$WORK/small.txt"
printf 'From: %s\r\nTo: %s\r\nSubject: bench\r\nDate: %s\r\nMessage-ID: <bench.submission.%s@example.org>\r\n\r\nHello from the mailv benchmark.\r\n' \
  "$FROM" "$TO" "$(date -R)" "$$" > "$WORK/tiny.eml"

MAILV="bin/mailv.js"
BY_NODE="node bin/mailv.js"
WITHOUT="env -u NODE_EXTRA_CA_CERTS"
SUBMIT="--server 127.0.0.1:587 --tls required --ca $CA --user mailtest --auth plain"
names=('node -e 0' 'bare Node send 25' 'bare Node send 587' 'bare Node send 587, session kept' 'mailv 25' 'mailv 587' 'mailv 587 --no-tls-resume' 'msmtp 587' 'swaks 587'
  'node bin/mailv.js 25' 'node bin/mailv.js 587'
  'node -e 0, no NODE_EXTRA_CA_CERTS' 'mailv 25, no NODE_EXTRA_CA_CERTS' 'mailv 587, no NODE_EXTRA_CA_CERTS')
cmds=(
  'node -e 0'
  "node bench/bare-send.cjs 25 $FROM $TO < $WORK/small.txt"
  "MAILV_PASSWORD=$SECRET node bench/bare-send.cjs 587 $FROM $TO $CA mailtest < $WORK/small.txt"
  "MAILV_PASSWORD=$SECRET node bench/bare-send.cjs 587 $FROM $TO $CA mailtest $WORK/bare.session < $WORK/small.txt"
  "$MAILV -q --server 127.0.0.1:25 -r $FROM -s bench $TO < $WORK/small.txt"
  "MAILV_PASSWORD=$SECRET $MAILV -q $SUBMIT -r $FROM -s bench $TO < $WORK/small.txt"
  "MAILV_PASSWORD=$SECRET $MAILV -q $SUBMIT --no-tls-resume -r $FROM -s bench $TO < $WORK/small.txt"
  "msmtp -C /dev/null --host=127.0.0.1 --port=587 --tls=on --tls-starttls=on --tls-trust-file=$CA --auth=plain --user=mailtest --passwordeval='echo $SECRET' --from=$FROM $TO < $WORK/tiny.eml"
  "swaks --silent 2 --server 127.0.0.1:587 --tls --tls-verify --tls-ca-path $CA --auth PLAIN --auth-user mailtest --auth-password $SECRET --from $FROM --to $TO --body @$WORK/small.txt"
  "$BY_NODE -q --server 127.0.0.1:25 -r $FROM -s bench $TO < $WORK/small.txt"
  "MAILV_PASSWORD=$SECRET $BY_NODE -q $SUBMIT -r $FROM -s bench $TO < $WORK/small.txt"
  "$WITHOUT node -e 0"
  "$WITHOUT $MAILV -q --server 127.0.0.1:25 -r $FROM -s bench $TO < $WORK/small.txt"
  "$WITHOUT MAILV_PASSWORD=$SECRET $MAILV -q $SUBMIT -r $FROM -s bench $TO < $WORK/small.txt"
)
if [[ -n ${BASE:-} ]]; then
  [[ -r $BASE/dist/bundle/mailv.cjs ]] || die "no built mailv in $BASE (npm ci && npm run build there)"
  OLD="$(cd "$BASE" && pwd)/bin/mailv.js"
  names+=('mailv 25 (base)' 'mailv 587 (base)')
  cmds+=(
    "$OLD -q --server 127.0.0.1:25 -r $FROM -s bench $TO < $WORK/small.txt"
    "XDG_CACHE_HOME=$WORK/cache-base MAILV_PASSWORD=$SECRET $OLD -q $SUBMIT -r $FROM -s bench $TO < $WORK/small.txt"
  )
fi
n=${#names[@]}
: > "$WORK/submission.commands.tsv"
for (( i = 0; i < n; i++ )); do
  printf '%s\t%s\n' "${names[$i]}" "${cmds[$i]//$WORK/\$TMP}" >> "$WORK/submission.commands.tsv"
  sh -c "${cmds[$i]}" > "$WORK/check.out" 2>&1 || { tail -n 20 "$WORK/check.out" >&2; die "${names[$i]} did not exit 0"; }
done
# hyperfine runs all the runs of one command before the next: in rounds, the order reversed
# every other round, the runs pooled, drift weighs on every command alike.
for (( round = 1; round <= ROUNDS; round++ )); do
  hf=()
  for (( i = 0; i < n; i++ )); do
    k=$(( round % 2 ? i : n - 1 - i ))
    hf+=(-n "${names[$k]}" "${cmds[$k]}")
  done
  printf -- '-- round %s of %s\n' "$round" "$ROUNDS" >&2
  hyperfine --style basic --warmup "$WARMUP" --runs "$RUNS" --export-json "$WORK/submission.$round.json" "${hf[@]}" >&2
done
: > "$WORK/submission.rss.tsv"
for (( i = 0; i < n; i++ )); do
  /usr/bin/time -o "$WORK/time.out" -f '%e %M' sh -c "${cmds[$i]}" > /dev/null 2>&1 || die "${names[$i]} failed in its peak-RSS run"
  read -r wall rss < <(tail -n 1 "$WORK/time.out")
  printf '%s\t%s\t%s\n' "${names[$i]}" "$wall" "$rss" >> "$WORK/submission.rss.tsv"
done
mkdir -p bench/results
rm -f bench/results/submission-*.json
for f in "$WORK"/submission.*.json; do cp "$f" "bench/results/submission-$(basename "$f" | cut -d. -f2).json"; done
printf '%s, %s, node %s, %s rounds × %s runs (each round after %s warm-ups)\n\n' \
  "$(date -u '+%Y-%m-%d %H:%M UTC')" "$(git rev-parse --short HEAD)" "$(node --version)" "$ROUNDS" "$RUNS" "$WARMUP"
node bench/ratios.mjs "$WORK" submission 'node -e 0'
printf '\n'
sed 's/^\([^\t]*\)\t\(.*\)$/- `\1`: `\2`/' "$WORK/submission.commands.tsv"
