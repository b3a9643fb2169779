#!/usr/bin/env bash
# Exim 4.96 for mailv's tests, beside Postfix: Debian's packages are unpacked (never installed,
# so Postfix stays the system MTA) and the daemon runs from there with a configuration of its own
# that keeps every file under one directory, listens on loopback only, and relays nothing.
#
#   test/services/exim.sh start    download and unpack Exim (once), configure, start, wait for the greeting
#   test/services/exim.sh stop     stop the Exim started by this script
#   test/services/exim.sh status   exit 0 if 127.0.0.1:2526 greets as Exim, 1 otherwise
#
# What the tests can rely on after `start`:
#   - SMTP on 127.0.0.1:2526 and [::1]:2526. EHLO offers SIZE 10485760, 8BITMIME, PIPELINING,
#     PIPECONNECT, CHUNKING, STARTTLS, SMTPUTF8, HELP; after STARTTLS the same without STARTTLS,
#     and AUTH PLAIN LOGIN (user1, password exim-test-password): AUTH is never offered in clear.
#   - STARTTLS with /etc/mailv-tls/server.pem (signed by the test CA /etc/mailv-tls/ca.pem, made
#     by test/services/submission.sh, which `start` runs when the certificate is missing).
#   - user1@localhost and user2@localhost are delivered to the Maildirs
#     /var/lib/mailv-exim/mail/user1/ and .../user2/, one world-readable file per message in new/;
#     Exim prepends Received, and the transport Return-Path, Envelope-to and Delivery-date.
#   - Any other user @localhost is refused at RCPT (550 Unrouteable address), any other domain
#     too (550 relay not permitted): nothing leaves the machine.
#   - Log: /var/lib/mailv-exim/log/mainlog (and rejectlog, paniclog beside it).
#
# Files: the .debs are kept in /var/cache/mailv-exim, unpacked in /var/lib/mailv-exim/root;
# configuration /var/lib/mailv-exim/exim.conf (listed in /etc/exim4/trusted_configs, so that Exim
# keeps root for -C); spool /var/lib/mailv-exim/spool. Exim runs as the system user Debian-exim,
# created when missing. Libraries Exim needs that are missing are installed with apt-get.
#
# Needs root. Idempotent: `start` leaves a running Exim alone when its configuration is unchanged,
# and restarts it otherwise.
set -euo pipefail

readonly BASE=/var/lib/mailv-exim
readonly CACHE=/var/cache/mailv-exim
readonly ROOT=$BASE/root
readonly EXIM=$ROOT/usr/sbin/exim4
readonly CONF=$BASE/exim.conf
readonly SPOOL=$BASE/spool
readonly LOG_DIR=$BASE/log
readonly MAILDIRS=$BASE/mail
readonly TLS_DIR=$BASE/tls
readonly PID_FILE=$BASE/exim.pid
readonly TRUSTED_CONFIGS=/etc/exim4/trusted_configs
readonly TEST_CA_DIR=/etc/mailv-tls
readonly PACKAGES=(exim4-base exim4-config exim4-daemon-light)
readonly EXIM_USER=Debian-exim
readonly SMTP_HOST=127.0.0.1
readonly SMTP_PORT=2526
readonly GREETING='220*Exim*'
readonly SIZE_LIMIT=10M
readonly USERS='user1 : user2'
readonly AUTH_USER=user1
readonly AUTH_PASSWORD=exim-test-password
readonly START_TIMEOUT=10

log() { printf 'exim.sh: %s\n' "$*"; }
die() { printf 'exim.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
# shellcheck source=test/services/debs.sh
source "$(dirname "${BASH_SOURCE[0]}")/debs.sh"
# shellcheck source=test/services/host-name.sh
source "$(dirname "${BASH_SOURCE[0]}")/host-name.sh"
# shellcheck source=test/services/processes.sh
source "$(dirname "${BASH_SOURCE[0]}")/processes.sh"
# shellcheck source=test/services/smtp-probe.sh
source "$(dirname "${BASH_SOURCE[0]}")/smtp-probe.sh"

# Print the pid of the Exim daemon started by this script, or fail if none runs.
instance_pid() {
  own_daemon_pid "$PID_FILE" exim4 "-C $CONF"
}

greets_as_exim() {
  greeting_like "$SMTP_HOST" "$SMTP_PORT" "$GREETING" >/dev/null
}

# The libraries Exim needs are there: install_deb_libraries installed what its packages name.
check_libraries() {
  [[ -z $(ldd "$EXIM" | grep 'not found') ]] || die "$EXIM still misses libraries: $(ldd "$EXIM" | grep 'not found')"
}

ensure_user() {
  id -u "$EXIM_USER" >/dev/null 2>&1 && return 0
  log "creating the system user $EXIM_USER"
  useradd --system --user-group --home-dir /nonexistent --no-create-home --shell /usr/sbin/nologin "$EXIM_USER"
}

# The test CA's server certificate, copied so its key can belong to Exim's group.
install_certificate() {
  if [[ ! -s $TEST_CA_DIR/server.pem || ! -s $TEST_CA_DIR/server.key ]]; then
    log "no certificate from the test CA yet: running submission.sh start"
    bash "$(dirname "${BASH_SOURCE[0]}")/submission.sh" start </dev/null
  fi
  install -d -m 755 "$TLS_DIR"
  install -m 644 -o root -g root "$TEST_CA_DIR/server.pem" "$TLS_DIR/server.pem"
  install -m 640 -o root -g "$EXIM_USER" "$TEST_CA_DIR/server.key" "$TLS_DIR/server.key"
}

make_directories() {
  install -d -m 755 "$BASE"
  install -d -m 750 -o "$EXIM_USER" -g "$EXIM_USER" "$SPOOL"
  # World-readable, so that whoever runs the tests reads what was delivered, and the log.
  install -d -m 755 -o "$EXIM_USER" -g "$EXIM_USER" "$MAILDIRS" "$LOG_DIR"
}

# Exim keeps root for -C only with a file listed in its compiled-in TRUSTED_CONFIG_LIST.
trust_configuration() {
  install -d -m 755 /etc/exim4
  grep -qxF "$CONF" "$TRUSTED_CONFIGS" 2>/dev/null && return 0
  log "listing $CONF in $TRUSTED_CONFIGS"
  printf '%s\n' "$CONF" >>"$TRUSTED_CONFIGS"
  chown root:root "$TRUSTED_CONFIGS"
  chmod 644 "$TRUSTED_CONFIGS"
}

write_configuration() {
  local name=$1
  cat <<CONF
# Managed by mailv test/services/exim.sh: loopback only, local delivery to Maildirs, no relaying.
exim_path = $EXIM
spool_directory = $SPOOL
log_file_path = $LOG_DIR/%slog
pid_file_path = $PID_FILE
log_selector = +smtp_connection +smtp_protocol_error +smtp_syntax_error +tls_certificate_verified

daemon_smtp_ports = $SMTP_PORT
local_interfaces = <; 127.0.0.1 ; ::1
primary_hostname = $name
domainlist local_domains = localhost : @
# No reverse lookups, no ident queries, no environment from whoever starts it.
host_lookup =
rfc1413_hosts =
rfc1413_query_timeout = 0s
keep_environment =

message_size_limit = $SIZE_LIMIT
tls_advertise_hosts = *
tls_certificate = $TLS_DIR/server.pem
tls_privatekey = $TLS_DIR/server.key

acl_smtp_rcpt = acl_check_rcpt

begin acl

acl_check_rcpt:
  deny    message = relay not permitted
          domains = ! +local_domains
  require verify = recipient
  accept

begin routers

local_user:
  driver = accept
  domains = +local_domains
  local_parts = $USERS
  transport = local_maildir

begin transports

local_maildir:
  driver = appendfile
  # The local part as the router matched it: Exim refuses a tainted one in a path.
  directory = $MAILDIRS/\$local_part_data
  maildir_format
  create_directory
  directory_mode = 0755
  mode = 0644
  user = $EXIM_USER
  group = $EXIM_USER
  delivery_date_add
  envelope_to_add
  return_path_add

begin retry

*  *  F,2h,15m; G,16h,1h,1.5; F,4d,6h

begin authenticators

# Offered only once the connection is encrypted, as a stock Exim does.
plain:
  driver = plaintext
  public_name = PLAIN
  server_prompts = :
  server_condition = \${if and {{eq{\$auth2}{$AUTH_USER}}{eq{\$auth3}{$AUTH_PASSWORD}}}}
  server_set_id = \$auth2
  server_advertise_condition = \${if def:tls_in_cipher}

login:
  driver = plaintext
  public_name = LOGIN
  server_prompts = <| Username: | Password:
  server_condition = \${if and {{eq{\$auth1}{$AUTH_USER}}{eq{\$auth2}{$AUTH_PASSWORD}}}}
  server_set_id = \$auth1
  server_advertise_condition = \${if def:tls_in_cipher}
CONF
}

stop_instance() {
  local pid
  pid=$(instance_pid) || return 0
  stop_process "$pid" exim
  rm -f "$PID_FILE"
}

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "start needs root"
  fetch_debs "$CACHE" "${PACKAGES[@]}"
  unpack_debs "$CACHE" "$ROOT" "$EXIM"
  install_deb_libraries "$CACHE"
  check_libraries
  ensure_user
  make_directories
  install_certificate
  trust_configuration

  local name new
  name=$(fqdn)
  new=$(write_configuration "$name")
  local changed=1
  if [[ -f $CONF && $(<"$CONF") == "$new" ]]; then
    changed=0
  else
    log "writing $CONF (127.0.0.1 and ::1 port $SMTP_PORT, hostname $name)"
    printf '%s\n' "$new" >"$CONF.new"
    chmod 644 "$CONF.new"
    mv -f "$CONF.new" "$CONF"
  fi
  "$EXIM" -C "$CONF" -bV >/dev/null 2>&1 || die "Exim rejects $CONF: $("$EXIM" -C "$CONF" -bV 2>&1 | tail -n 5)"

  local pid
  if pid=$(instance_pid); then
    if (( changed == 0 )) && greets_as_exim; then
      log "exim is running (pid $pid) with this configuration"
      return 0
    fi
    log "exim is running (pid $pid): restarting so the configuration applies"
    stop_instance
  else
    rm -f "$PID_FILE"
  fi

  log "starting $EXIM -C $CONF -bd -q5m"
  "$EXIM" -C "$CONF" -bd -q5m || die "exim failed to start (see $LOG_DIR/paniclog)"

  await_greeting "$SMTP_HOST" "$SMTP_PORT" "$GREETING" "$START_TIMEOUT" - "$LOG_DIR/mainlog" "$LOG_DIR/paniclog"
  log "log file: $LOG_DIR/mainlog"
  log "mail for user1@localhost and user2@localhost lands in: $MAILDIRS/user1/new/ and $MAILDIRS/user2/new/"
}

cmd_stop() {
  local pid
  if pid=$(instance_pid); then
    log "stopping exim (pid $pid)"
    stop_instance
  else
    log "exim (started by this script) is not running"
  fi
}

cmd_status() {
  local line
  if line=$(greeting_like "$SMTP_HOST" "$SMTP_PORT" "$GREETING"); then
    log "running: $SMTP_HOST:$SMTP_PORT greets with '$line'"
    return 0
  fi
  log "not running: no Exim greeting on $SMTP_HOST:$SMTP_PORT"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) printf 'usage: %s start|stop|status\n' "$0" >&2; exit 2 ;;
esac
