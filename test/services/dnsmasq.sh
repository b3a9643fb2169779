#!/usr/bin/env bash
# Local DNS for mailv's tests: a dnsmasq instance of its own on 127.0.0.1 and
# [::1], port 5354, that serves a few fixed test zones and answers everything
# else itself with NXDOMAIN. It never forwards a query: no upstream server is
# configured and /etc/resolv.conf is not read.
#
#   test/services/dnsmasq.sh start    install (if needed), write the config, (re)start, wait for an answer
#   test/services/dnsmasq.sh stop     stop the instance started by this script
#   test/services/dnsmasq.sh status   exit 0 if MX mx.test answers with two records, 1 otherwise
#
# What the tests can rely on after `start` (all TTLs 5 s):
#   mx.test              MX 10 mx1.mx.test (A 127.0.0.2), MX 20 mx2.mx.test (A 127.0.0.3)
#   deadfirst.test       MX 10 dead.deadfirst.test (A 127.0.0.9, nothing listens there),
#                        MX 20 live.deadfirst.test (A 127.0.0.3)
#   equal.test           MX 10 a.equal.test (A 127.0.0.4), MX 10 b.equal.test (A 127.0.0.5),
#                        MX 10 c.equal.test (A 127.0.0.6), MX 20 d.equal.test (A 127.0.0.7)
#   aonly.test           no MX, A 127.0.0.7 (implicit MX)
#   nullmx.test          null MX: MX 0 . (RFC 7505)
#   cname.test           MX 10 alias.cname.test, a CNAME for target.cname.test (A 127.0.0.8)
#   v6.test              MX 10 mx6.v6.test, which has only AAAA ::1
#   xn--bcher-kva.test   (bücher.test) MX 10 mx1.mx.test
#   any other name       NXDOMAIN (e.g. nonexistent.test, example.com)
#
#   Config: /run/mailv-dnsmasq/dnsmasq.conf   Log (every query): /var/log/mailv-dnsmasq.log
#
# Needs root. Idempotent: `start` rewrites the config and restarts the instance if
# it is already running, so config changes always apply. If dnsmasq or dig have to
# be installed and apt-get fails, the package lists are updated once and the install
# retried, unless MAILV_APT_UPDATED=1 says they were updated already.
set -euo pipefail

readonly RUN_DIR=/run/mailv-dnsmasq
readonly CONF_FILE=$RUN_DIR/dnsmasq.conf
readonly PID_FILE=$RUN_DIR/dnsmasq.pid
readonly LOG_FILE=/var/log/mailv-dnsmasq.log
readonly DNS_HOST=127.0.0.1
readonly DNS_PORT=5354
readonly START_TIMEOUT=5
readonly ZONES="mx.test deadfirst.test equal.test aonly.test nullmx.test cname.test v6.test xn--bcher-kva.test"

log() { printf 'dnsmasq.sh: %s\n' "$*"; }
die() { printf 'dnsmasq.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
# shellcheck source=test/services/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

# dig against our instance only, one try of one second.
qdig() { dig @"$DNS_HOST" -p "$DNS_PORT" +time=1 +tries=1 "$@"; }

# Print the pid of the instance started by this script, or fail if none runs.
instance_pid() {
  own_daemon_pid "$PID_FILE" dnsmasq "--conf-file=$CONF_FILE"
}

# Number of MX records answered for mx.test (0 if no answer).
mx_count() {
  local out
  out=$(qdig +short MX mx.test 2>/dev/null) || { echo 0; return; }
  grep -c . <<<"$out" || true
}

write_config() {
  install -d -m 755 "$RUN_DIR"
  log "writing $CONF_FILE (port $DNS_PORT on 127.0.0.1 and ::1, no upstream servers)"
  cat >"$CONF_FILE" <<CONF
# Managed by mailv test/services/dnsmasq.sh: test zones for mailv's MX tests.
port=$DNS_PORT
listen-address=127.0.0.1
listen-address=::1
bind-interfaces
# Never forward: no upstream servers, do not read /etc/resolv.conf or /etc/hosts,
# and answer every name not defined below locally (NXDOMAIN).
no-resolv
no-hosts
no-poll
local=/#/
local-ttl=5
pid-file=$PID_FILE
user=root
group=root
log-queries
log-facility=$LOG_FILE

# mx.test
mx-host=mx.test,mx1.mx.test,10
mx-host=mx.test,mx2.mx.test,20
host-record=mx1.mx.test,127.0.0.2
host-record=mx2.mx.test,127.0.0.3

# deadfirst.test: the preferred MX has nothing listening
mx-host=deadfirst.test,dead.deadfirst.test,10
mx-host=deadfirst.test,live.deadfirst.test,20
host-record=dead.deadfirst.test,127.0.0.9
host-record=live.deadfirst.test,127.0.0.3

# equal.test: three MX of equal preference, one backup
mx-host=equal.test,a.equal.test,10
mx-host=equal.test,b.equal.test,10
mx-host=equal.test,c.equal.test,10
mx-host=equal.test,d.equal.test,20
host-record=a.equal.test,127.0.0.4
host-record=b.equal.test,127.0.0.5
host-record=c.equal.test,127.0.0.6
host-record=d.equal.test,127.0.0.7

# aonly.test: no MX, only an address (implicit MX)
host-record=aonly.test,127.0.0.7

# nullmx.test: MX 0 . (RFC 7505); mx-host cannot express the root target
dns-rr=nullmx.test,15,000000

# cname.test: the MX target is a CNAME
mx-host=cname.test,alias.cname.test,10
cname=alias.cname.test,target.cname.test
host-record=target.cname.test,127.0.0.8

# v6.test: the MX target has only an IPv6 address
mx-host=v6.test,mx6.v6.test,10
host-record=mx6.v6.test,::1

# xn--bcher-kva.test (bücher.test)
mx-host=xn--bcher-kva.test,mx1.mx.test,10
CONF
  log "checking the configuration (dnsmasq --test)"
  dnsmasq --test --conf-file="$CONF_FILE" >/dev/null 2>&1 \
    || die "dnsmasq rejects $CONF_FILE: $(dnsmasq --test --conf-file="$CONF_FILE" 2>&1)"
}

stop_instance() {
  local pid i
  pid=$(instance_pid) || return 0
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "dnsmasq (pid $pid) ignored SIGTERM for 5s: sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$PID_FILE"
}

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "start needs root"

  local -a missing=()
  command -v dnsmasq >/dev/null 2>&1 || missing+=(dnsmasq-base)
  command -v dig >/dev/null 2>&1 || missing+=(bind9-dnsutils)
  if (( ${#missing[@]} )); then
    apt_install "${missing[@]}"
    command -v dnsmasq >/dev/null 2>&1 || die "dnsmasq is still missing after apt-get"
    command -v dig >/dev/null 2>&1 || die "dig is still missing after apt-get"
  else
    log "dnsmasq and dig are installed ($(dnsmasq --version | head -n 1))"
  fi

  write_config

  local pid
  if pid=$(instance_pid); then
    log "dnsmasq is running (pid $pid): restarting so the config applies"
    stop_instance
  else
    rm -f "$PID_FILE"
  fi

  log "starting dnsmasq --conf-file=$CONF_FILE"
  # dnsmasq binds its sockets before it detaches and reports failures on stderr.
  dnsmasq --conf-file="$CONF_FILE" || die "dnsmasq failed to start (its message is above)"

  log "waiting up to ${START_TIMEOUT}s for MX mx.test on $DNS_HOST port $DNS_PORT"
  local deadline=$((SECONDS + START_TIMEOUT)) n=0
  while :; do
    n=$(mx_count)
    (( n > 0 )) && break
    if (( SECONDS >= deadline )); then
      log "last lines of $LOG_FILE:"
      tail -n 20 "$LOG_FILE" 2>/dev/null | sed 's/^/    /' || true
      die "no answer to MX mx.test on $DNS_HOST port $DNS_PORT after ${START_TIMEOUT}s"
    fi
    sleep 0.1
  done

  log "checking that names outside the test zones get NXDOMAIN and are not forwarded"
  local status
  status=$(qdig MX example.com 2>/dev/null | sed -n 's/.*status: \([A-Z]*\).*/\1/p')
  [[ $status == NXDOMAIN ]] || die "MX example.com answered with status '${status:-none}' instead of NXDOMAIN"

  log "running (pid $(instance_pid || echo '?')) on $DNS_HOST and ::1, port $DNS_PORT"
  log "zones: $ZONES"
  log "log file: $LOG_FILE"
}

cmd_stop() {
  local pid
  if pid=$(instance_pid); then
    log "stopping dnsmasq (pid $pid)"
    stop_instance
  else
    log "dnsmasq (started by this script) is not running"
    rm -f "$PID_FILE"
  fi
}

cmd_status() {
  local n
  n=$(mx_count)
  if (( n == 2 )); then
    log "running: MX mx.test on $DNS_HOST port $DNS_PORT answers with 2 records"
    return 0
  fi
  log "not running: MX mx.test on $DNS_HOST port $DNS_PORT answers with $n records, not 2"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) printf 'usage: %s start|stop|status\n' "$0" >&2; exit 2 ;;
esac
