#!/usr/bin/env bash
# Dovecot's LMTP server (dovecot-lmtpd) for mailv's tests: an instance of its own (own
# configuration and run directory), beside the SASL-only Dovecot of submission.sh, which it
# leaves alone. It delivers to Maildirs under /var/lib/mailv-lmtp, not to Postfix's.
#
#   test/services/lmtp.sh start    install dovecot-lmtpd (if needed), configure, start, wait
#   test/services/lmtp.sh stop     stop this instance
#   test/services/lmtp.sh status   exit 0 if it runs and both listeners greet; 1 otherwise
#
# What the tests can rely on after `start`:
#   - 127.0.0.1:2424 (TCP) and the unix socket /run/mailv-lmtp/lmtp (mode 0666) speak LMTP and
#     greet "220 <hostname> Dovecot (Debian) ready.". LHLO offers no STARTTLS and no AUTH.
#   - Recipients are local parts, any domain: "lmtptest" delivers to
#     /var/lib/mailv-lmtp/lmtptest/Maildir/new/, one file per message; "lmtpfull" exists but its
#     quota is 1 KiB, so RCPT is accepted and the message refused after DATA ("552 5.2.2 …"):
#     the per-recipient reply of RFC 2033 §4.2. Anyone else gets "550 5.1.1 … User doesn't exist".
#   - Log: /var/log/mailv-lmtp.log.
# Needs root. Idempotent: Dovecot is restarted only when its configuration changed.
set -euo pipefail

readonly CONF_DIR=/etc/mailv-lmtp
readonly CONF=$CONF_DIR/dovecot.conf
readonly USERS=$CONF_DIR/users
readonly RUN_DIR=/run/mailv-lmtp
readonly SOCKET=$RUN_DIR/lmtp
readonly HOST=127.0.0.1
readonly PORT=2424
readonly MAIL_ROOT=/var/lib/mailv-lmtp
readonly LOG=/var/log/mailv-lmtp.log
readonly OWNER=mailtest
readonly START_TIMEOUT=10
SERVICES_DIR=$(dirname "${BASH_SOURCE[0]}")
readonly SERVICES_DIR

log() { printf 'lmtp.sh: %s\n' "$*"; }
die() { printf 'lmtp.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$SERVICES_DIR/apt.sh"
# shellcheck source=test/services/processes.sh
source "$SERVICES_DIR/processes.sh"

dovecot_pid() {
  own_daemon_pid "$RUN_DIR/master.pid" dovecot "-c $CONF"
}

# The greeting line on the TCP listener ($1 empty) or the unix socket ($1 = path).
greeting() {
  local out
  if [[ -z ${1:-} ]]; then
    out=$(timeout 3 bash -c "exec 3<>/dev/tcp/$HOST/$PORT; head -n1 <&3" 2>/dev/null) || return 1
  else
    out=$(printf 'QUIT\r\n' | timeout 3 python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1]); print(s.recv(512).decode().splitlines()[0])' "$1" 2>/dev/null) || return 1
  fi
  [[ $out == 220* ]] || return 1
  printf '%s\n' "${out%$'\r'}"
}

config() {
  cat <<CONF
# Managed by mailv test/services/lmtp.sh: LMTP only, on loopback and a unix socket.
protocols = lmtp
base_dir = $RUN_DIR
log_path = $LOG
ssl = no
listen = $HOST
# Recipients are users by their local part, whatever the domain.
auth_username_format = %Ln
mail_location = maildir:~/Maildir
mail_plugins = quota
plugin {
  quota = maildir:User quota
}
userdb {
  driver = passwd-file
  args = $USERS
  default_fields = uid=$OWNER gid=$OWNER home=$MAIL_ROOT/%n
}
passdb {
  driver = passwd-file
  args = $USERS
}
service lmtp {
  inet_listener lmtp {
    address = $HOST
    port = $PORT
  }
  unix_listener lmtp {
    mode = 0666
  }
}
service anvil {
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}
CONF
}

users() {
  printf '%s\n' "lmtptest:::::::" "lmtpfull:::::::userdb_quota_rule=*:storage=1K"
}

# Succeeds when a file changed.
configure() {
  install -d -m 755 "$CONF_DIR"
  install -d -m 755 -o "$OWNER" -g "$OWNER" "$MAIL_ROOT"
  local changed=1
  if [[ ! -f $USERS || $(<"$USERS") != "$(users)" ]]; then users >"$USERS"; changed=0; fi
  chmod 644 "$USERS"
  if [[ ! -f $CONF || $(<"$CONF") != "$(config)" ]]; then config >"$CONF"; changed=0; log "wrote $CONF"; fi
  return "$changed"
}

cmd_stop() {
  local pid
  pid=$(dovecot_pid) || return 0
  log "stopping Dovecot LMTP (pid $pid)"
  kill -TERM "$pid"
  local deadline=$((SECONDS + START_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    (( SECONDS < deadline )) || die "Dovecot (pid $pid) did not stop within ${START_TIMEOUT}s"
    sleep 0.1
  done
}

cmd_start() {
  [[ -x /usr/lib/dovecot/lmtp ]] || apt_install dovecot-lmtpd
  if configure; then cmd_stop; fi
  if ! dovecot_pid >/dev/null; then
    rm -rf "$RUN_DIR"
    install -d -m 755 "$RUN_DIR"
    touch "$LOG"
    chmod 644 "$LOG"
    log "starting Dovecot: dovecot -c $CONF"
    dovecot -c "$CONF" </dev/null >>"$LOG" 2>&1 || { tail -n 20 "$LOG" >&2; die "dovecot failed to start"; }
  fi
  local deadline=$((SECONDS + START_TIMEOUT))
  until greeting >/dev/null && greeting "$SOCKET" >/dev/null; do
    (( SECONDS < deadline )) || { tail -n 20 "$LOG" >&2; die "Dovecot LMTP did not greet within ${START_TIMEOUT}s"; }
    sleep 0.1
  done
  log "LMTP on $HOST:$PORT and $SOCKET: $(greeting)"
}

cmd_status() {
  dovecot_pid >/dev/null && greeting >/dev/null && greeting "$SOCKET" >/dev/null
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) printf 'usage: %s start | stop | status\n' "$0" >&2; exit 2 ;;
esac
