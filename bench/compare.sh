#!/usr/bin/env bash
# mailv against an earlier revision of itself, side by side in the same run.
#
#   bash bench/compare.sh REV          start-up and the 50 MiB send, this tree against REV
#   bash bench/compare.sh REV --quick  fewer runs
#
# Builds REV in a temporary git worktree (npm ci, npm run build), then times, with
# hyperfine, `node -e 0` (the floor), `--version` and `--dry-run` of both, one small send to
# Postfix on 127.0.0.1:25 and (when test/services/submission.sh runs) the same through 587 with
# STARTTLS, the test CA and AUTH PLAIN, and a 50 MiB message (`-t`) to the local Postfix from
# both; /usr/bin/time gives each one's peak RSS.
# A change to how mailv is built inside is "no worse" when its ratios to `node -e 0`
# (start-up) and to REV (the send) stay within the runs' spread. Needs the Postfix of
# test/services/postfix.sh on 127.0.0.1:25 and hyperfine; all traffic goes to 127.0.0.1.
set -euo pipefail

usage() { sed -n '2,12p' "$0" | sed 's/^# \{0,1\}//'; }
[[ $# -ge 1 && $1 != -h && $1 != --help ]] || { usage; exit 64; }
REV=$1
QUICK=0
[[ ${2:-} == --quick ]] && QUICK=1

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
command -v hyperfine >/dev/null || { echo 'compare.sh: hyperfine is missing (apt-get install hyperfine)' >&2; exit 69; }
[[ -x /usr/bin/time ]] || { echo 'compare.sh: /usr/bin/time is missing (apt-get install time)' >&2; exit 69; }

WORK=$(mktemp -d)
BASE=$WORK/base
cleanup() { git -C "$ROOT" worktree remove --force "$BASE" >/dev/null 2>&1 || true; rm -rf "$WORK"; }
trap cleanup EXIT

echo "== building $REV in $BASE" >&2
git -C "$ROOT" worktree add -q --detach "$BASE" "$REV"
(cd "$BASE" && npm ci --silent >/dev/null && npm run build --silent >/dev/null)
echo "== building this tree" >&2
npm run build --silent >/dev/null

FROM=bench@example.org
TO=bench@discard.test
SMALL=$WORK/small.txt
BIG=$WORK/big.eml
printf 'Hello from the mailv benchmark.\n' > "$SMALL"
node bench/make-message.mjs "$BIG" 50 >/dev/null

OLD="node $BASE/bin/mailv.js"
NEW="node $ROOT/bin/mailv.js"
if (( QUICK )); then RUNS=10 BIG_RUNS=3; else RUNS=40 BIG_RUNS=8; fi

echo "== start-up ($RUNS runs each)" >&2
hyperfine --style basic --warmup 3 --runs "$RUNS" --export-json "$WORK/startup.json" \
  -n 'node -e 0' 'node -e 0' \
  -n "mailv --version ($REV)" "$OLD --version" \
  -n 'mailv --version (this tree)' "$NEW --version" \
  -n "mailv --dry-run ($REV)" "$OLD --dry-run -q -s x $TO < $SMALL" \
  -n 'mailv --dry-run (this tree)' "$NEW --dry-run -q -s x $TO < $SMALL" >&2

# Each tree keeps its TLS sessions apart from the user's, and from the other's.
SENDS=(-n 'node -e 0' 'node -e 0'
  -n "send to :25 ($REV)" "$OLD -q --server 127.0.0.1:25 -r $FROM -s bench $TO < $SMALL"
  -n 'send to :25 (this tree)' "$NEW -q --server 127.0.0.1:25 -r $FROM -s bench $TO < $SMALL")
CA=/etc/mailv-tls/ca.pem
if [[ -r $CA ]]; then
  SUBMIT="--server 127.0.0.1:587 --tls required --ca $CA --user mailtest --auth plain -r $FROM -s bench $TO < $SMALL"
  SECRET=Sub-mission-7 # the loopback test account of test/services/submission.sh
  SENDS+=(-n "send to :587 ($REV)" "XDG_CACHE_HOME=$WORK/cache-old MAILV_PASSWORD=$SECRET $OLD -q $SUBMIT"
    -n 'send to :587 (this tree)' "XDG_CACHE_HOME=$WORK/cache-new MAILV_PASSWORD=$SECRET $NEW -q $SUBMIT")
fi
echo "== the small sends ($RUNS runs each)" >&2
hyperfine --style basic --warmup 3 --runs "$RUNS" --export-json "$WORK/sends.json" "${SENDS[@]}" >&2

echo "== a 50 MiB message to Postfix ($BIG_RUNS runs each)" >&2
hyperfine --style basic --warmup 1 --runs "$BIG_RUNS" --export-json "$WORK/big.json" \
  -n "50 MiB -t ($REV)" "$OLD -q -t --server 127.0.0.1:25 -r $FROM < $BIG" \
  -n '50 MiB -t (this tree)' "$NEW -q -t --server 127.0.0.1:25 -r $FROM < $BIG" >&2

rss() { /usr/bin/time -f '%M' sh -c "$1" 2>&1 >/dev/null | tail -n 1; }
RSS_OLD=$(rss "$OLD -q -t --server 127.0.0.1:25 -r $FROM < $BIG")
RSS_NEW=$(rss "$NEW -q -t --server 127.0.0.1:25 -r $FROM < $BIG")

node - "$WORK/startup.json" "$WORK/big.json" "$REV" "$RSS_OLD" "$RSS_NEW" "$WORK/sends.json" <<'EOF'
const [startup, big, rev, rssOld, rssNew, sends] = process.argv.slice(2);
const { readFileSync } = await import('node:fs');
const read = (file) => JSON.parse(readFileSync(file, 'utf8')).results;
const median = (r) => r.median * 1000;
const spread = (r) => r.stddev * 1000;
const s = read(startup);
const floor = s[0];
console.log(`| command | median ms | ± ms | × node -e 0 |`);
console.log(`| --- | ---: | ---: | ---: |`);
for (const r of s) console.log(`| ${r.command} | ${median(r).toFixed(1)} | ${spread(r).toFixed(1)} | ${(r.median / floor.median).toFixed(2)} |`);
const d = read(sends);
console.log('');
console.log(`| small send | median ms | ± ms | × node -e 0 (mean) | × node -e 0 (median) |`);
console.log(`| --- | ---: | ---: | ---: | ---: |`);
for (const r of d) console.log(`| ${r.command} | ${median(r).toFixed(1)} | ${spread(r).toFixed(1)} | ${(r.mean / d[0].mean).toFixed(2)} | ${(r.median / d[0].median).toFixed(2)} |`);
const [o, n] = read(big);
console.log('');
console.log(`| 50 MiB -t to Postfix | median s | ± s | peak RSS MiB |`);
console.log(`| --- | ---: | ---: | ---: |`);
console.log(`| ${rev} | ${o.median.toFixed(3)} | ${o.stddev.toFixed(3)} | ${(rssOld / 1024).toFixed(1)} |`);
console.log(`| this tree | ${n.median.toFixed(3)} | ${n.stddev.toFixed(3)} | ${(rssNew / 1024).toFixed(1)} |`);
console.log('');
console.log(`this tree / ${rev}: 50 MiB ${(n.median / o.median).toFixed(2)} ×`);
EOF
