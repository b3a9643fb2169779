#!/usr/bin/env bash
# mailv benchmarks, run beside swaks, msmtp and curl in the same run.
#
#   bash bench/run.sh            full run (about 6 minutes on 2 cores)
#   bash bench/run.sh --quick    fewer runs (about 1.5 minutes)
#
# Measures start-up, one small send to the local Postfix, the same through its
# submission port with STARTTLS and AUTH PLAIN, a 50 MiB message to the
# local Postfix, and a 1 GiB attachment to bench/sink.mjs. Writes Markdown to
# bench/results/latest.md (and the same to stdout) and the raw hyperfine JSON
# beside it. See bench/README.md.
#
# Needs root: installs what is missing with apt-get and starts Postfix through
# test/services/postfix.sh. All traffic goes to 127.0.0.1.
set -euo pipefail

usage() { sed -n '2,13p' "$0" | sed 's/^# \{0,1\}//'; }

QUICK=0
for arg in "$@"; do
  case $arg in
    --quick) QUICK=1 ;;
    -h|--help) usage; exit 0 ;;
    *) printf 'run.sh: unknown argument %s\n' "$arg" >&2; usage >&2; exit 64 ;;
  esac
done

# Timing here may drift by tens of per cent within a minute. hyperfine runs all the
# runs of one command before the next command, so start-up and the small send are
# measured in ROUNDS rounds, the order of the commands reversed every other round,
# and the runs of all rounds pooled: drift then weighs on every command alike.
if (( QUICK )); then
  START_ROUNDS=2 START_RUNS=5 START_WARMUP=1
  SMALL_ROUNDS=2 SMALL_RUNS=5 SMALL_WARMUP=1
  BIG_ROUNDS=1 BIG_RUNS=2 BIG_WARMUP=1
else
  START_ROUNDS=6 START_RUNS=10 START_WARMUP=2
  SMALL_ROUNDS=6 SMALL_RUNS=10 SMALL_WARMUP=2
  BIG_ROUNDS=1 BIG_RUNS=5 BIG_WARMUP=1
fi

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$ROOT"
RESULTS=$ROOT/bench/results
SMTP=127.0.0.1:25
FROM=bench@example.org
TO=bench@discard.test

log() { printf '\n== %s\n' "$*" >&2; }
die() { printf 'run.sh: error: %s\n' "$*" >&2; exit 1; }
warmups() { if (( $1 == 1 )); then echo '1 warm-up'; else echo "$1 warm-ups"; fi; }

# --- 1. Tools, Postfix, build -------------------------------------------------

need=()
for tool in hyperfine swaks msmtp curl dig; do
  command -v "$tool" >/dev/null 2>&1 || need+=("$tool")
done
[[ -x /usr/bin/time ]] || need+=(time)
# swaks speaks TLS and AUTH through these Perl modules.
for package in libnet-ssleay-perl libio-socket-ssl-perl libauthen-sasl-perl; do
  [[ $(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true) == 'install ok installed' ]] || need+=("$package")
done
need=("${need[@]/#dig/bind9-dnsutils}")
if (( ${#need[@]} )); then
  [[ $(id -u) -eq 0 ]] || die "installing ${need[*]} needs root"
  # shellcheck source=test/services/apt.sh
  source test/services/apt.sh
  apt_install "${need[@]}" >&2
fi

log "starting Postfix on $SMTP"
bash test/services/postfix.sh start >&2
log "starting Postfix submission (587, STARTTLS, Dovecot SASL)"
bash test/services/submission.sh start >&2
log "starting dnsmasq on 127.0.0.1:5354"
bash test/services/dnsmasq.sh start >&2

log "building mailv"
if [[ ! -d node_modules ]]; then
  npm ci --no-audit --no-fund >&2
fi
npm run build --silent >&2

# --- 2. Inputs ------------------------------------------------------------------

WORK=$(mktemp -d "${TMPDIR:-/tmp}/mailv-bench.XXXXXX")
SINK_PID=
PROXY_PID=
cleanup() {
  if [[ -n $SINK_PID ]]; then kill "$SINK_PID" 2>/dev/null || true; fi
  if [[ -n $PROXY_PID ]]; then kill "$PROXY_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

log "making inputs in $WORK"
SMALL=$WORK/small.txt
TINY=$WORK/tiny.eml
BIG=$WORK/big.eml
ATTACH=$WORK/attachment.bin
printf 'Hello from the mailv benchmark.\n' > "$SMALL"
printf 'From: %s\nTo: %s\nSubject: bench\nDate: %s\nMessage-ID: <bench.tiny.%s@example.org>\n\nHello from the mailv benchmark.\n' \
  "$FROM" "$TO" "$(date -R)" "$$" > "$TINY"
node bench/make-message.mjs "$BIG" 50 >/dev/null
truncate -s 1G "$ATTACH"
printf 'small body %s B, tiny message %s B, big message %s B, attachment %s B\n' \
  "$(stat -c %s "$SMALL")" "$(stat -c %s "$TINY")" "$(stat -c %s "$BIG")" "$(stat -c %s "$ATTACH")" >&2

MAILV='node bin/mailv.js'
# msmtp: --host means command-line settings only (no configuration file is read),
# and -C /dev/null makes sure of it; no TLS, no authentication.
MSMTP="msmtp -C /dev/null --host=127.0.0.1 --port=25 --tls=off --auth=off --from=$FROM"
# curl: --crlf turns the LF line ends of the files into CRLF, as the other clients
# do, so that every client sends the same bytes; --noproxy so that no proxy
# setting in the environment can send the traffic anywhere but 127.0.0.1.
CURL="curl -sS --noproxy 127.0.0.1 --crlf smtp://$SMTP --mail-from $FROM --mail-rcpt $TO"
SWAKS="swaks --silent 2 --server $SMTP --from $FROM --to $TO"

# --- Measuring helpers ------------------------------------------------------------

# bench GROUP ROUNDS RUNS WARMUP NAME CMD [NAME CMD ...]
# Runs each command once and fails unless it exits 0; then, ROUNDS times, hyperfine
# over all of them (same shell, same spawn correction for each; RUNS runs after
# WARMUP warm-ups; the order reversed in every other round); then one
# /usr/bin/time run each for peak RSS. Leaves GROUP.ROUND.json,
# GROUP.commands.tsv and GROUP.rss.tsv in $WORK.
bench() {
  local group=$1 rounds=$2 runs=$3 warmup=$4
  shift 4
  local -a names=() cmds=() hf=()
  while (( $# )); do
    names+=("$1")
    cmds+=("$2")
    shift 2
  done
  local i round wall rss n=${#names[@]}
  : > "$WORK/$group.commands.tsv"
  for (( i = 0; i < n; i++ )); do
    printf '%s\t%s\n' "${names[$i]}" "${cmds[$i]}" >> "$WORK/$group.commands.tsv"
    if ! sh -c "${cmds[$i]}" > "$WORK/check.out" 2>&1; then
      printf 'run.sh: check run failed (%s): %s\n' "${names[$i]}" "${cmds[$i]}" >&2
      tail -n 20 "$WORK/check.out" >&2
      die "${names[$i]} did not exit 0: nothing was measured for $group"
    fi
  done
  for (( round = 1; round <= rounds; round++ )); do
    hf=()
    for (( i = 0; i < n; i++ )); do
      local k=$(( round % 2 ? i : n - 1 - i ))
      hf+=(-n "${names[$k]}" "${cmds[$k]}")
    done
    (( rounds > 1 )) && printf -- '-- round %s of %s\n' "$round" "$rounds" >&2
    hyperfine --style basic --warmup "$warmup" --runs "$runs" \
      --export-json "$WORK/$group.$round.json" "${hf[@]}" >&2
  done
  : > "$WORK/$group.rss.tsv"
  for (( i = 0; i < n; i++ )); do
    /usr/bin/time -o "$WORK/time.out" -f '%e %M' sh -c "${cmds[$i]}" > /dev/null 2> "$WORK/check.out" \
      || { tail -n 20 "$WORK/check.out" >&2; die "${names[$i]} failed in its peak-RSS run"; }
    read -r wall rss < <(tail -n 1 "$WORK/time.out")
    printf '%s\t%s\t%s\n' "${names[$i]}" "$wall" "$rss" >> "$WORK/$group.rss.tsv"
  done
}

# --- 3. Start-up --------------------------------------------------------------------

log "start-up ($START_ROUNDS rounds of $START_RUNS runs, each after $(warmups "$START_WARMUP"))"
bench startup "$START_ROUNDS" "$START_RUNS" "$START_WARMUP" \
  'node -e 0' 'node -e 0' \
  'mailv --version' "$MAILV --version" \
  'mailv --dry-run' "$MAILV --dry-run -q -s x $TO < $SMALL" \
  'swaks --version' 'swaks --version' \
  'msmtp --version' 'msmtp --version' \
  'curl --version' 'curl --version'

# --- 4. One small send to Postfix -------------------------------------------------

log "one small send to Postfix on $SMTP ($SMALL_ROUNDS rounds of $SMALL_RUNS runs, each after $(warmups "$SMALL_WARMUP"))"
bench small "$SMALL_ROUNDS" "$SMALL_RUNS" "$SMALL_WARMUP" \
  'node -e 0' 'node -e 0' \
  'mailv' "$MAILV -q --server $SMTP -r $FROM -s bench $TO < $SMALL" \
  'swaks' "$SWAKS --body @$SMALL" \
  'msmtp' "$MSMTP $TO < $TINY" \
  'curl' "$CURL --upload-file $TINY"

# --- 4a. The same through submission: STARTTLS, a verified certificate, AUTH PLAIN ---

SUBMISSION=127.0.0.1:587
CA=/etc/mailv-tls/ca.pem
SECRET=Sub-mission-7 # the loopback test account of test/services/submission.sh
log "one small send through submission on $SUBMISSION with STARTTLS and AUTH PLAIN ($SMALL_ROUNDS rounds of $SMALL_RUNS runs)"
bench submission "$SMALL_ROUNDS" "$SMALL_RUNS" "$SMALL_WARMUP" \
  'node -e 0' 'node -e 0' \
  'mailv' "MAILV_PASSWORD=$SECRET $MAILV -q --server $SUBMISSION --tls required --ca $CA --user mailtest --auth plain -r $FROM -s bench $TO < $SMALL" \
  'swaks' "swaks --silent 2 --server $SUBMISSION --tls --tls-verify --tls-ca-path $CA --auth PLAIN --auth-user mailtest --auth-password $SECRET --from $FROM --to $TO --body @$SMALL" \
  'msmtp' "msmtp -C /dev/null --host=127.0.0.1 --port=587 --tls=on --tls-starttls=on --tls-trust-file=$CA --auth=plain --user=mailtest --passwordeval='echo $SECRET' --from=$FROM $TO < $TINY" \
  'curl' "curl -sS --noproxy 127.0.0.1 --crlf smtp://$SUBMISSION --ssl-reqd --cacert $CA --user mailtest:$SECRET --login-options AUTH=PLAIN --mail-from $FROM --mail-rcpt $TO --upload-file $TINY"

# --- 4b. An MX lookup against dnsmasq ------------------------------------------------

log "an MX lookup against dnsmasq on 127.0.0.1:5354 ($SMALL_ROUNDS rounds of $SMALL_RUNS runs, each after $(warmups "$SMALL_WARMUP"))"
bench mx "$SMALL_ROUNDS" "$SMALL_RUNS" "$SMALL_WARMUP" \
  'node -e 0' 'node -e 0' \
  'mailv --mx' "$MAILV --mx deadfirst.test --dns 127.0.0.1:5354" \
  'dig MX' 'dig @127.0.0.1 -p 5354 MX deadfirst.test'
# The two answers side by side, for the report.
{ $MAILV --mx deadfirst.test --dns 127.0.0.1:5354; } > "$WORK/mx.mailv.txt"
dig @127.0.0.1 -p 5354 MX deadfirst.test > "$WORK/mx.dig.txt"

# --- 4c. Round trips through a 50 ms link ----------------------------------------------

RTT_MS=50
node bench/delay-proxy.mjs 25 "$RTT_MS" --max-seconds 900 > "$WORK/proxy.out" 2> "$WORK/proxy.err" &
PROXY_PID=$!
PROXY=
for _ in $(seq 100); do
  PROXY=$(head -n 1 "$WORK/proxy.out" 2>/dev/null || true)
  [[ -n $PROXY ]] && break
  sleep 0.1
done
[[ $PROXY =~ ^[0-9]+$ ]] || die "the delaying proxy did not start"
printf 'rtt\t%s\n' "$RTT_MS" >> "$WORK/rtt.meta"
log "round trips: each client direct and through a ${RTT_MS} ms proxy to Postfix ($SMALL_ROUNDS rounds of $SMALL_RUNS runs)"
VIA="127.0.0.1:$PROXY"
bench rtt "$SMALL_ROUNDS" "$SMALL_RUNS" "$SMALL_WARMUP" \
  'mailv' "$MAILV -q --server $SMTP -r $FROM -s bench $TO < $SMALL" \
  'mailv via proxy' "$MAILV -q --server $VIA -r $FROM -s bench $TO < $SMALL" \
  'mailv --body data' "$MAILV -q --body data --server $SMTP -r $FROM -s bench $TO < $SMALL" \
  'mailv --body data via proxy' "$MAILV -q --body data --server $VIA -r $FROM -s bench $TO < $SMALL" \
  'msmtp' "$MSMTP $TO < $TINY" \
  'msmtp via proxy' "${MSMTP/--port=25/--port=$PROXY} $TO < $TINY" \
  'swaks --pipeline' "$SWAKS --pipeline --body @$SMALL" \
  'swaks --pipeline via proxy' "${SWAKS/$SMTP/$VIA} --pipeline --body @$SMALL" \
  'curl' "$CURL --upload-file $TINY" \
  'curl via proxy' "${CURL/smtp:\/\/$SMTP/smtp://$VIA} --upload-file $TINY"
kill "$PROXY_PID" 2>/dev/null || true
PROXY_PID=
sed -i "s/127\.0\.0\.1:$PROXY/127.0.0.1:\$PROXY/g" "$WORK/rtt.commands.tsv"

# --- 5. A 50 MiB message to Postfix -----------------------------------------------

log "a 50 MiB message to Postfix on $SMTP ($BIG_RUNS runs after $(warmups "$BIG_WARMUP"))"
bench big "$BIG_ROUNDS" "$BIG_RUNS" "$BIG_WARMUP" \
  'mailv' "$MAILV -q -t --server $SMTP -r $FROM < $BIG" \
  'swaks' "$SWAKS --data @$BIG" \
  'msmtp' "$MSMTP -t < $BIG" \
  'curl' "$CURL --upload-file $BIG"

# --- 6. A 1 GiB attachment to the sink ----------------------------------------------

log "a 1 GiB attachment to bench/sink.mjs"
node bench/sink.mjs 0 --max-seconds 900 > "$WORK/sink.out" 2> "$WORK/sink.err" &
SINK_PID=$!
PORT=
for _ in $(seq 100); do
  PORT=$(head -n 1 "$WORK/sink.out" 2>/dev/null || true)
  [[ -n $PORT ]] && break
  kill -0 "$SINK_PID" 2>/dev/null || { cat "$WORK/sink.err" >&2; die "the sink did not start"; }
  sleep 0.1
done
[[ $PORT =~ ^[0-9]+$ ]] || die "the sink printed no port"
ATTACH_CMD="$MAILV -q --server 127.0.0.1:$PORT -s big -a $ATTACH $FROM < $SMALL"
printf 'attach\t%s\n' "${ATTACH_CMD/127.0.0.1:$PORT/127.0.0.1:\$PORT}" > "$WORK/attach.commands.tsv"
printf 'sink on 127.0.0.1:%s\n%s\n' "$PORT" "$ATTACH_CMD" >&2
rc=0
/usr/bin/time -o "$WORK/attach.time" -f '%e %M' sh -c "$ATTACH_CMD" > "$WORK/attach.out" 2>&1 || rc=$?
kill "$SINK_PID" 2>/dev/null || true
wait "$SINK_PID" 2>/dev/null || true
SINK_PID=
if (( rc != 0 )); then
  tail -n 20 "$WORK/attach.out" >&2
  die "mailv exited $rc sending the 1 GiB attachment"
fi
SINK_BYTES=$(sed -n 's/.*"bytes":\([0-9]*\).*/\1/p' "$WORK/sink.out" | tail -n 1)
[[ -n $SINK_BYTES ]] || die "the sink counted no message"
# base64 makes 4 bytes of 3 and CRLF ends every 76: 1 GiB becomes about 1.37 GiB.
if (( SINK_BYTES < 1362 * 1024 * 1024 || SINK_BYTES > 1454 * 1024 * 1024 )); then
  die "the sink counted $SINK_BYTES bytes; about 1.37 GiB (1.33 to 1.42 GiB) was expected"
fi
printf 'mailv exited 0; the sink counted %s bytes (%s)\n' "$SINK_BYTES" "$(tail -n 1 "$WORK/attach.time")" >&2

# --- 7. Report -----------------------------------------------------------------------

{
  printf 'date\t%s\n' "$(date -u '+%Y-%m-%d %H:%M UTC')"
  printf 'mode\t%s\n' "$( (( QUICK )) && echo quick || echo full)"
  printf 'runs\tstart-up %s rounds × %s runs, small send %s × %s, each round after %s; 50 MiB %s runs after %s\n' \
    "$START_ROUNDS" "$START_RUNS" "$SMALL_ROUNDS" "$SMALL_RUNS" "$(warmups "$START_WARMUP")" "$BIG_RUNS" "$(warmups "$BIG_WARMUP")"
  printf 'machine\t%s cores, %s\n' "$(nproc)" "$(uname -sr)"
  printf 'node\t%s\n' "$(node --version)"
  printf 'mailv\t%s (%s%s)\n' "$($MAILV --version)" "$(git rev-parse --short HEAD 2>/dev/null || echo unknown)" \
    "$(git diff --quiet HEAD -- src bin package.json 2>/dev/null || echo ', with local changes')"
  printf 'swaks\t%s\n' "$(swaks --version | head -n 1)"
  printf 'msmtp\t%s\n' "$(msmtp --version | head -n 1)"
  printf 'curl\t%s\n' "$(curl --version | head -n 1 | cut -d' ' -f1-3)"
  printf 'postfix\t%s\n' "$(postconf -h mail_version)"
  printf 'hyperfine\t%s\n' "$(hyperfine --version)"
  printf 'dig\t%s\n' "$(dig -v 2>&1 | head -n 1)"
  printf 'big_bytes\t%s\n' "$(stat -c %s "$BIG")"
  printf 'attach_bytes\t%s\n' "$(stat -c %s "$ATTACH")"
  printf 'sink_bytes\t%s\n' "$SINK_BYTES"
  printf 'workdir\t%s\n' "$WORK"
  printf 'elapsed\t%s\n' "$SECONDS"
} > "$WORK/meta.tsv"

mkdir -p "$RESULTS"
rm -f "$RESULTS"/latest-*.json
for f in "$WORK"/*.json; do
  cp "$f" "$RESULTS/latest-$(basename "$f")"
done
log "results"
node bench/report.mjs "$WORK" --out "$RESULTS/latest.md"
printf '\nwritten: %s (and latest-*.json beside it) in %s s\n' "${RESULTS#"$ROOT"/}" "$SECONDS" >&2
