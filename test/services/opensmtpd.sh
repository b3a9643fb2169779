#!/usr/bin/env bash
# OpenSMTPD for mailv's tests, beside Postfix: Debian's opensmtpd package is downloaded and
# unpacked into a directory of its own (never installed, so it does not become the system MTA
# and leaves Postfix alone), then run in the foreground with a configuration of its own, on
# 127.0.0.1 and [::1] port 2528 only. It delivers to two local users' Maildirs and relays nothing.
#
#   test/services/opensmtpd.sh start    download and unpack (once), configure, start (or restart
#                                       when the configuration changed), wait for the greeting
#   test/services/opensmtpd.sh stop     stop the instance started by this script
#   test/services/opensmtpd.sh status   exit 0 if our instance runs and 127.0.0.1:2528 greets as OpenSMTPD
#
# What the tests can rely on after `start`:
#   - SMTP on 127.0.0.1:2528 and [::1]:2528: "220 <fqdn> ESMTP OpenSMTPD". EHLO offers
#     8BITMIME, ENHANCEDSTATUSCODES, SIZE 10485760, DSN, HELP; no PIPELINING, no CHUNKING.
#   - No STARTTLS, hence no AUTH: Debian 12's OpenSMTPD 6.8.0p2 fails every TLS handshake with
#     OpenSSL 3 ("SSL routines::EVP lib", RSA and ECDSA keys alike), and offers AUTH only over TLS.
#   - user1@localhost and user2@localhost are delivered to $BASE/maildir/user1 and .../user2
#     (Maildir, one world-readable file per message in new/). smtpd prepends Return-Path,
#     Delivered-To and Received.
#   - Unknown users @localhost and every other domain are refused at RCPT with
#     "550 Invalid recipient: <address>": nothing leaves the machine.
#   - Log (smtpd -d writes its log on stderr): $BASE/smtpd.log
#
# Files: $BASE/{cache/*.deb,pkg/,smtpd.conf,users,maildir-deliver,maildir/,smtpd.pid,smtpd.log}.
# Outside it, what the compiled-in paths of Debian's build demand: the symlink
# /usr/libexec/opensmtpd (its helpers), /var/lib/opensmtpd/empty (its chroot), /var/spool/smtpd
# (its queue), /var/run/smtpd.sock (its control socket), and the system users opensmtpd and
# opensmtpq (as the package would create them), plus the delivery user mailv-opensmtpd.
#
# Needs root. Idempotent; quick when already running with the same configuration. The shared
# libraries it needs are installed with apt-get when missing (they conflict with nothing).
set -euo pipefail

readonly BASE=/var/lib/mailv-opensmtpd
readonly CACHE=$BASE/cache
readonly PKG=$BASE/pkg
readonly SMTPD=$PKG/usr/sbin/smtpd
readonly CONF=$BASE/smtpd.conf
readonly USERBASE=$BASE/users
readonly DELIVER=$BASE/maildir-deliver
readonly MAILDIRS=$BASE/maildir
readonly PID_FILE=$BASE/smtpd.pid
readonly LOG_FILE=$BASE/smtpd.log
readonly HELPERS_LINK=/usr/libexec/opensmtpd
readonly CHROOT_DIR=/var/lib/opensmtpd/empty
readonly DELIVERY_USER=mailv-opensmtpd
readonly LOCAL_USERS="user1 user2"
readonly SMTP_HOST=127.0.0.1
readonly SMTP_PORT=2528
readonly GREETING='220*OpenSMTPD*'
readonly START_TIMEOUT=10

log() { printf 'opensmtpd.sh: %s\n' "$*"; }
die() { printf 'opensmtpd.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
# shellcheck source=test/services/debs.sh
source "$(dirname "${BASH_SOURCE[0]}")/debs.sh"
# shellcheck source=test/services/host-name.sh
source "$(dirname "${BASH_SOURCE[0]}")/host-name.sh"
# shellcheck source=test/services/smtp-probe.sh
source "$(dirname "${BASH_SOURCE[0]}")/smtp-probe.sh"
# shellcheck source=test/services/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"

instance_pid() {
  own_daemon_pid "$PID_FILE" smtpd "-f $CONF"
}

greets_as_opensmtpd() {
  greeting_like "$SMTP_HOST" "$SMTP_PORT" "$GREETING" >/dev/null
}

ensure_system_user() {
  local user=$1 home=$2
  id -u "$user" >/dev/null 2>&1 && return 0
  log "creating system user $user"
  useradd --system --user-group --no-create-home --home-dir "$home" --shell /usr/sbin/nologin "$user"
}

# What Debian's build looks for at compiled-in paths.
prepare_system() {
  ensure_system_user opensmtpd "$CHROOT_DIR"
  ensure_system_user opensmtpq "$CHROOT_DIR"
  ensure_system_user "$DELIVERY_USER" "$MAILDIRS"
  install -d -m 755 "$(dirname "$CHROOT_DIR")" "$CHROOT_DIR"
  if [[ -L $HELPERS_LINK || ! -e $HELPERS_LINK ]]; then
    [[ $(readlink "$HELPERS_LINK" 2>/dev/null || true) == "$PKG/usr/libexec/opensmtpd" ]] \
      || ln -sfn "$PKG/usr/libexec/opensmtpd" "$HELPERS_LINK"
  else
    die "$HELPERS_LINK exists and is not this script's symlink: an OpenSMTPD is installed here; refusing to touch it"
  fi
}

# The delivery program smtpd runs as the delivery user: smtpd's own maildir method makes every
# file mode 600, and the tests read the Maildirs without being that user.
write_deliver() {
  cat >"$DELIVER.new" <<'SCRIPT'
#!/bin/sh
# Delivers the message on standard input into the Maildir $1, one file readable by everyone.
# Exit 75 (temporary failure) makes smtpd keep the message and try again.
set -u
dir=$1
umask 022
mkdir -p "$dir/tmp" "$dir/new" "$dir/cur" || exit 75
name="$(date +%s).P$$R$(od -An -N4 -tx4 /dev/urandom | tr -d ' ').$(hostname)"
cat >"$dir/tmp/$name" || { rm -f "$dir/tmp/$name"; exit 75; }
mv "$dir/tmp/$name" "$dir/new/$name" || exit 75
SCRIPT
  chmod 755 "$DELIVER.new"
  mv "$DELIVER.new" "$DELIVER"
}

# Prints the configuration for host name $1.
config() {
  local name=$1
  cat <<CONF
# Managed by mailv test/services/opensmtpd.sh: loopback only, local delivery only.
table users file:$USERBASE
smtp max-message-size 10M
listen on 127.0.0.1 port $SMTP_PORT hostname $name
listen on ::1 port $SMTP_PORT hostname $name
action "local" mda "$DELIVER $MAILDIRS/%{user.username}" userbase <users>
match from any for domain "localhost" action "local"
# Everything else (other domains, bounces to them) is refused: nothing leaves the machine.
match from any for any reject
CONF
}

write_userbase() {
  local uid gid user
  uid=$(id -u "$DELIVERY_USER")
  gid=$(id -g "$DELIVERY_USER")
  for user in $LOCAL_USERS; do
    printf '%s %s:%s:%s\n' "$user" "$uid" "$gid" "$MAILDIRS"
  done >"$USERBASE.new"
  mv "$USERBASE.new" "$USERBASE"
  install -d -o "$DELIVERY_USER" -g "$DELIVERY_USER" -m 755 "$MAILDIRS"
  for user in $LOCAL_USERS; do
    install -d -o "$DELIVERY_USER" -g "$DELIVERY_USER" -m 755 "$MAILDIRS/$user" "$MAILDIRS/$user/new" "$MAILDIRS/$user/cur" "$MAILDIRS/$user/tmp"
  done
}

stop_instance() {
  local pid
  pid=$(instance_pid) || { rm -f "$PID_FILE"; return 0; }
  stop_process "$pid" smtpd
  rm -f "$PID_FILE"
}

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "start needs root"
  local name changed=0
  name=$(fqdn)

  fetch_debs "$CACHE" opensmtpd
  unpack_debs "$CACHE" "$PKG" "$SMTPD"
  install_deb_libraries "$CACHE"
  prepare_system
  write_deliver
  write_userbase
  if [[ $(config "$name") != "$(cat "$CONF" 2>/dev/null || true)" ]]; then
    log "writing $CONF (127.0.0.1 and ::1 port $SMTP_PORT, users: $LOCAL_USERS @localhost)"
    config "$name" >"$CONF"
    changed=1
  fi
  local check
  check=$("$SMTPD" -n -f "$CONF" 2>&1) || die "smtpd rejects $CONF: $check"

  local pid
  if pid=$(instance_pid); then
    if (( changed == 0 )) && greets_as_opensmtpd; then
      log "running (pid $pid) with the same configuration: $SMTP_HOST:$SMTP_PORT"
      return 0
    fi
    log "restarting smtpd (pid $pid) so the configuration applies"
    stop_instance
  elif smtp_greeting "$SMTP_HOST" "$SMTP_PORT" >/dev/null; then
    die "something not started by this script answers on $SMTP_HOST:$SMTP_PORT"
  fi

  log "starting $SMTPD -d -f $CONF (log: $LOG_FILE)"
  # -d keeps it in the foreground with its log on stderr (there is no syslog here); setsid
  # execs it in place (a background job leads no process group), so $! is smtpd's own pid.
  cd /
  setsid "$SMTPD" -d -f "$CONF" </dev/null >>"$LOG_FILE" 2>&1 &
  local started=$!
  printf '%s\n' "$started" >"$PID_FILE"

  # Its own pid, not instance_pid: for a moment after the fork the process is not yet smtpd.
  await_greeting "$SMTP_HOST" "$SMTP_PORT" "$GREETING" "$START_TIMEOUT" "$started" "$LOG_FILE"
  log "mail for user1@localhost and user2@localhost lands in $MAILDIRS/<user>/new/"
}

cmd_stop() {
  local pid
  if pid=$(instance_pid); then
    log "stopping smtpd (pid $pid)"
    stop_instance
  else
    log "smtpd (started by this script) is not running"
    rm -f "$PID_FILE"
  fi
}

cmd_status() {
  local pid
  if pid=$(instance_pid) && greets_as_opensmtpd; then
    log "running (pid $pid): $SMTP_HOST:$SMTP_PORT greets as OpenSMTPD"
    return 0
  fi
  log "not running: no OpenSMTPD started by this script answers on $SMTP_HOST:$SMTP_PORT"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) printf 'usage: %s start|stop|status\n' "$0" >&2; exit 2 ;;
esac
