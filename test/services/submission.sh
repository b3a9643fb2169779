#!/usr/bin/env bash
# Mail submission for mailv's tests: the Postfix of test/services/postfix.sh gains
# a STARTTLS submission port and an implicit-TLS (smtps) port, both with SASL
# authentication done by a Dovecot instance of its own (auth only, no IMAP/POP).
# A test CA is generated on the machine; nothing listens beyond loopback.
#
#   test/services/submission.sh start [--force]
#                                        postfix.sh start, install Dovecot (if needed), make the
#                                        CA and certificate (once), configure, start, wait for both ports.
#                                        Like postfix.sh, it refuses to touch a Postfix that
#                                        postfix.sh did not configure unless --force is given.
#   test/services/submission.sh stop     stop the Dovecot instance started by this script
#                                        (Postfix keeps running; test/services/postfix.sh stop stops it)
#   test/services/submission.sh status   exit 0 if 127.0.0.1:587 greets, 127.0.0.1:465 completes a
#                                        verified TLS handshake and greets, and our Dovecot runs; 1 otherwise
#
# What the tests can rely on after `start`:
#   - 127.0.0.1:587 (submission, IPv4 only): greets "220 <fqdn> ESMTP Postfix (Debian/GNU)".
#     EHLO before STARTTLS offers STARTTLS and no AUTH; AUTH or MAIL before STARTTLS gets
#     "530 5.7.0 Must issue a STARTTLS command first". After STARTTLS, EHLO offers
#     "AUTH PLAIN LOGIN CRAM-MD5" and no STARTTLS.
#   - 127.0.0.1:465 (smtps, IPv4 only): TLS from the first byte, then the same greeting; EHLO
#     offers "AUTH PLAIN LOGIN CRAM-MD5".
#   - The other EHLO keywords on both ports are port 25's: PIPELINING, SIZE 209715200, VRFY,
#     ETRN, ENHANCEDSTATUSCODES, 8BITMIME, DSN, SMTPUTF8, CHUNKING.
#   - TLS 1.2 or 1.3. Certificate: subject O=mailv tests, CN=localhost; subjectAltName
#     DNS:localhost, IP:127.0.0.1, IP:::1; ECDSA P-256; signed by the test CA
#     /etc/mailv-tls/ca.pem (world-readable PEM), which is not in the system trust store:
#     verification against the default CAs fails. Read the CA file when the tests run rather
#     than keeping a copy: it is made again (with a new name) if it goes missing or expires.
#   - Account: user "mailtest", password "Sub-mission-7" (a loopback-only test account).
#     AUTH PLAIN, LOGIN and CRAM-MD5 get "235 2.7.0 Authentication successful". A wrong
#     password or unknown user gets "535 5.7.8 Error: authentication failed: (reason
#     unavailable)" within about 0.5 s (Dovecot 2.3 answers failures on a 500 ms tick), with
#     no delay growing over repeated failures.
#   - Without AUTH, RCPT TO gets "554 5.7.1 <localhost[127.0.0.1]>: Client host rejected:
#     Access denied", even from loopback. Once authenticated, any envelope sender is accepted.
#   - Authenticated mail to mailtest@localhost lands in /home/mailtest/Maildir/new/, one
#     file per message, as on port 25 (Received: "... with ESMTPSA"). Unknown local users get
#     550 5.1.1; remote domains are refused at RCPT; @discard.test is accepted and dropped.
#   - Port 25 is unchanged: no STARTTLS, no AUTH. main.cf is not touched: every TLS and SASL
#     setting is an -o override on the two master.cf services.
#   - Logs: Postfix /var/log/postfix-mailv.log (lines tagged postfix/submission/smtpd and
#     postfix/smtps/smtpd, TLS handshakes included); Dovecot /var/log/mailv-dovecot.log
#     (start and stop, and one line per failed login, e.g. "Password mismatch").
#
# After `stop`, Postfix still listens on 587 and 465 but AUTH cannot work; a new smtpd that
# finds no Dovecot exits, and Postfix then pauses that service for 60 s. `start` restarts
# Postfix when the ports do not answer, so it lifts such a pause.
#
# Files: /etc/mailv-tls/{ca.pem,ca.key,server.pem,server.key} (kept while valid for 30 more
# days, made again otherwise), /etc/mailv-dovecot/{dovecot.conf,passwd}, Dovecot run
# directory /run/mailv-dovecot, SASL socket /var/spool/postfix/private/auth.
#
# Needs root. Idempotent and quick on re-runs: main.cf is never written, master.cf and the
# certificates only when they differ or are missing, and Dovecot is restarted only when
# its configuration changed. If Dovecot has to be installed and apt-get fails, the package
# lists are updated once and the install retried, unless MAILV_APT_UPDATED=1 says they
# were updated already.
set -euo pipefail

readonly TEST_USER=mailtest
readonly TEST_PASSWORD=Sub-mission-7
readonly HOST=127.0.0.1
readonly STARTTLS_PORT=587
readonly SMTPS_PORT=465
readonly AUTH_MECHANISMS="PLAIN LOGIN CRAM-MD5"
readonly START_TIMEOUT=10

readonly TLS_DIR=/etc/mailv-tls
readonly CA_CERT=$TLS_DIR/ca.pem
readonly CA_KEY=$TLS_DIR/ca.key
readonly SERVER_CERT=$TLS_DIR/server.pem
readonly SERVER_KEY=$TLS_DIR/server.key
readonly CA_DAYS=3650
readonly SERVER_DAYS=825
readonly MIN_VALID_SECONDS=$((30 * 86400))

readonly DOVECOT_DIR=/etc/mailv-dovecot
readonly DOVECOT_CONF=$DOVECOT_DIR/dovecot.conf
readonly DOVECOT_PASSWD=$DOVECOT_DIR/passwd
readonly DOVECOT_RUN=/run/mailv-dovecot
readonly DOVECOT_LOG=/var/log/mailv-dovecot.log
readonly SASL_SOCKET=/var/spool/postfix/private/auth

readonly MAILLOG=/var/log/postfix-mailv.log
SERVICES_DIR=$(dirname "${BASH_SOURCE[0]}")
readonly SERVICES_DIR

log() { printf 'submission.sh: %s\n' "$*"; }
die() { printf 'submission.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$SERVICES_DIR/apt.sh"
# shellcheck source=test/services/smtp-probe.sh
source "$SERVICES_DIR/smtp-probe.sh"
# shellcheck source=test/services/processes.sh
source "$SERVICES_DIR/processes.sh"

# ---------------------------------------------------------------------------
# Probes


# TLS to $HOST:$1, verified against the test CA (chain and IP address); $2 is "smtp" for
# STARTTLS or empty for implicit TLS. Then send the SMTP commands $3... one at a time, and
# print what the server said; fail if the handshake or verification fails.
tls_dialogue() {
  local port=$1 starttls=$2
  shift 2
  local -a args=(s_client -connect "$HOST:$port" -CAfile "$CA_CERT" -verify_return_error
                 -verify_ip "$HOST" -servername localhost -quiet)
  [[ -z $starttls ]] || args+=(-starttls "$starttls")
  [[ -r $CA_CERT ]] || return 1
  # Pauses let each reply arrive before the next command (Postfix logs commands sent
  # ahead of a reply as improper pipelining).
  {
    local command
    for command in "$@"; do
      sleep 0.25
      printf '%s\r\n' "$command"
    done
  } | timeout 3 openssl "${args[@]}" 2>/dev/null | tr -d '\r'
}

# Print the greeting seen through implicit TLS on port 465; fail if none.
smtps_greeting() {
  local out
  out=$(tls_dialogue "$SMTPS_PORT" "" QUIT) || true
  out=$(grep -m1 '^220 ' <<<"$out") || return 1
  printf '%s\n' "$out"
}

# ---------------------------------------------------------------------------
# Dovecot

dovecot_installed() {
  [[ $(dpkg-query -W -f='${Status}' dovecot-core 2>/dev/null || true) == "install ok installed" ]]
}

# Print the pid of the Dovecot started by this script, or fail if none runs.
dovecot_pid() {
  own_daemon_pid "$DOVECOT_RUN/master.pid" dovecot "-c $DOVECOT_CONF"
}

# Write $2 to file $1 (mode $3, owner $4) unless it already holds exactly that.
# Succeeds when the file was (re)written, fails when it was already up to date.
write_if_changed() {
  local file=$1 content=$2 mode=$3 owner=$4
  if [[ -f $file ]] && [[ $(<"$file") == "$content" ]]; then
    chmod "$mode" "$file"
    chown "$owner" "$file"
    return 1
  fi
  local tmp
  tmp=$(mktemp "$file.XXXXXX")
  printf '%s\n' "$content" >"$tmp"
  chmod "$mode" "$tmp"
  chown "$owner" "$tmp"
  mv -f "$tmp" "$file"
}

# Succeeds when the configuration changed (so a running instance must restart).
configure_dovecot() {
  local changed=1
  install -d -m 755 "$DOVECOT_DIR"
  if write_if_changed "$DOVECOT_PASSWD" "$TEST_USER:{PLAIN}$TEST_PASSWORD" 640 root:dovecot; then
    log "wrote $DOVECOT_PASSWD (user $TEST_USER)"
  fi
  local home
  home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  local conf
  conf=$(cat <<CONF
# Managed by mailv test/services/submission.sh: SASL authentication for Postfix's
# submission (587) and smtps (465) services. Auth only: no IMAP, POP3 or LMTP.
protocols =
base_dir = $DOVECOT_RUN
log_path = $DOVECOT_LOG
ssl = no
disable_plaintext_auth = no
auth_mechanisms = plain login cram-md5
auth_verbose = yes
# Answer a wrong password quickly: no 2 s delay (failures still go out on Dovecot's
# 500 ms tick), and no growing delay for repeated failures from one address (the
# auth penalty, which would make every later attempt from 127.0.0.1, good password
# or not, wait 2, 4, 8 then 15 s).
auth_failure_delay = 0
service anvil {
  # mode 0: the socket is not created, and auth runs without the penalty.
  unix_listener anvil-auth-penalty {
    mode = 0
  }
}

# Passwords are stored in plain text so that CRAM-MD5 works.
passdb {
  driver = passwd-file
  args = scheme=PLAIN $DOVECOT_PASSWD
}
userdb {
  driver = static
  args = uid=$TEST_USER gid=$TEST_USER home=$home
}

service auth {
  unix_listener $SASL_SOCKET {
    mode = 0660
    user = postfix
    group = postfix
  }
}
CONF
)
  if write_if_changed "$DOVECOT_CONF" "$conf" 644 root:root; then
    log "wrote $DOVECOT_CONF (auth only; mechanisms: plain login cram-md5)"
    changed=0
  else
    log "$DOVECOT_CONF already up to date"
  fi
  return "$changed"
}

stop_dovecot() {
  local pid
  pid=$(dovecot_pid) || return 0
  log "stopping Dovecot (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  local deadline=$((SECONDS + START_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    (( SECONDS < deadline )) || die "Dovecot (pid $pid) did not stop within ${START_TIMEOUT}s"
    sleep 0.1
  done
  # Dovecot leaves its listener behind; without it Postfix fails the same way
  # (no SASL), and `start` can wait for the new one to appear.
  rm -f "$SASL_SOCKET"
}

start_dovecot() {
  # Start from an empty run directory: a socket left by an earlier instance (or one
  # configured differently, such as anvil-auth-penalty) would make auth wait 5 s
  # retrying it before giving up.
  rm -rf "$DOVECOT_RUN"
  install -d -m 755 "$DOVECOT_RUN"
  touch "$DOVECOT_LOG"
  chmod 644 "$DOVECOT_LOG"
  log "starting Dovecot: dovecot -c $DOVECOT_CONF"
  # Dovecot keeps the descriptors it starts with: give it none of ours (a caller
  # reading our output through a pipe would otherwise wait for it forever).
  dovecot -c "$DOVECOT_CONF" </dev/null >>"$DOVECOT_LOG" 2>&1 ||
    { tail -n 20 "$DOVECOT_LOG" | sed 's/^/    /' >&2; die "dovecot failed to start"; }
  local deadline=$((SECONDS + START_TIMEOUT))
  until dovecot_pid >/dev/null && [[ -S $SASL_SOCKET ]]; do
    if (( SECONDS >= deadline )); then
      tail -n 20 "$DOVECOT_LOG" 2>/dev/null | sed 's/^/    /' >&2 || true
      die "Dovecot did not come up with $SASL_SOCKET within ${START_TIMEOUT}s"
    fi
    sleep 0.1
  done
}

# ---------------------------------------------------------------------------
# Test CA and server certificate

# The openssl configuration used to make both certificates.
openssl_config() {
  cat <<'CNF'
[req]
distinguished_name = dn
prompt = no
[dn]
[ca_ext]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
[server_ext]
basicConstraints = critical, CA:FALSE
keyUsage = critical, digitalSignature
extendedKeyUsage = serverAuth
subjectAltName = DNS:localhost, IP:127.0.0.1, IP:::1
subjectKeyIdentifier = hash
authorityKeyIdentifier = keyid
CNF
}

# Succeeds when certificate $1 and key $2 belong together.
key_matches() {
  [[ $(openssl x509 -in "$1" -noout -pubkey 2>/dev/null) == "$(openssl pkey -in "$2" -pubout 2>/dev/null)" ]]
}

ca_valid() {
  [[ -s $CA_CERT && -s $CA_KEY ]] &&
    openssl x509 -in "$CA_CERT" -noout -checkend "$MIN_VALID_SECONDS" >/dev/null 2>&1 &&
    key_matches "$CA_CERT" "$CA_KEY"
}

server_cert_valid() {
  [[ -s $SERVER_CERT && -s $SERVER_KEY ]] &&
    openssl x509 -in "$SERVER_CERT" -noout -checkend "$MIN_VALID_SECONDS" >/dev/null 2>&1 &&
    key_matches "$SERVER_CERT" "$SERVER_KEY" || return 1
  local name
  for name in "-verify_hostname localhost" "-verify_ip 127.0.0.1" "-verify_ip ::1"; do
    # shellcheck disable=SC2086  # $name is an option and its value
    openssl verify -CAfile "$CA_CERT" -purpose sslserver $name "$SERVER_CERT" >/dev/null 2>&1 || return 1
  done
}

new_ca() {
  local cnf=$1 stamp
  stamp=$(date -u +%Y-%m-%dT%H:%M:%SZ)
  log "generating the test CA $CA_CERT (ECDSA P-256, $CA_DAYS days)"
  openssl req -x509 -new -config "$cnf" -extensions ca_ext \
    -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=mailv tests/CN=mailv test CA $stamp" -days "$CA_DAYS" \
    -set_serial "0x$(openssl rand -hex 16)" \
    -keyout "$CA_KEY.new" -out "$CA_CERT.new" 2>/dev/null
  chmod 600 "$CA_KEY.new"
  chmod 644 "$CA_CERT.new"
  mv -f "$CA_KEY.new" "$CA_KEY"
  mv -f "$CA_CERT.new" "$CA_CERT"
}

new_server_cert() {
  local cnf=$1
  log "generating the server certificate $SERVER_CERT (CN=localhost; DNS:localhost, IP:127.0.0.1, IP:::1)"
  openssl req -new -config "$cnf" -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -subj "/O=mailv tests/CN=localhost" -keyout "$SERVER_KEY.new" -out "$TLS_DIR/server.csr" 2>/dev/null
  openssl x509 -req -in "$TLS_DIR/server.csr" -CA "$CA_CERT" -CAkey "$CA_KEY" \
    -set_serial "0x$(openssl rand -hex 16)" -days "$SERVER_DAYS" \
    -extfile "$cnf" -extensions server_ext -out "$SERVER_CERT.new" 2>/dev/null
  rm -f "$TLS_DIR/server.csr"
  chown root:postfix "$SERVER_KEY.new"
  chmod 640 "$SERVER_KEY.new"
  chmod 644 "$SERVER_CERT.new"
  mv -f "$SERVER_KEY.new" "$SERVER_KEY"
  mv -f "$SERVER_CERT.new" "$SERVER_CERT"
}

# Succeeds when a certificate was (re)generated (so Postfix must reload).
ensure_certificates() {
  install -d -m 755 "$TLS_DIR"
  local cnf generated=1
  if ! ca_valid || ! server_cert_valid; then
    cnf=$(mktemp)
    openssl_config >"$cnf"
    if ! ca_valid; then
      new_ca "$cnf"
    fi
    new_server_cert "$cnf"
    rm -f "$cnf"
    server_cert_valid || die "the new server certificate does not verify against $CA_CERT"
    generated=0
  else
    log "test CA and server certificate in $TLS_DIR are present and valid"
  fi
  # Modes, in case something changed them: the CA certificate for everyone, the
  # keys for root (CA) and root/postfix (server) only.
  chmod 755 "$TLS_DIR"
  chown root:root "$CA_KEY" "$CA_CERT" "$SERVER_CERT"
  chmod 600 "$CA_KEY"
  chmod 644 "$CA_CERT" "$SERVER_CERT"
  chown root:postfix "$SERVER_KEY"
  chmod 640 "$SERVER_KEY"
  return "$generated"
}

# ---------------------------------------------------------------------------
# Postfix master.cf services

# The -o overrides shared by both services: TLS with our certificate, SASL through
# Dovecot, and nothing accepted from a client that has not authenticated.
common_overrides() {
  local o
  for o in \
    "smtpd_tls_cert_file=$SERVER_CERT" \
    "smtpd_tls_key_file=$SERVER_KEY" \
    smtpd_tls_security_level=encrypt \
    smtpd_tls_loglevel=1 \
    smtpd_sasl_auth_enable=yes \
    smtpd_sasl_type=dovecot \
    smtpd_sasl_path=private/auth \
    smtpd_tls_auth_only=yes \
    smtpd_client_restrictions=permit_sasl_authenticated,reject \
    smtpd_relay_restrictions=permit_sasl_authenticated,reject; do
    printf ' -o %s' "$o"
  done
}

# Set master.cf entry $1 (name/type) to $2 unless it is already exactly that.
# Succeeds when it changed.
set_master_entry() {
  local key=$1 want=$2 have
  have=$(postconf -M "$key" 2>/dev/null | tr -s ' \t' ' ')
  if [[ $have == "$want" ]]; then
    return 1
  fi
  log "master.cf: setting ${key%/*}"
  postconf -M "$key=$want"
}

# Succeeds when master.cf changed (so Postfix must reload).
configure_master_cf() {
  local changed=1 common
  common=$(common_overrides)
  if set_master_entry "$HOST:$STARTTLS_PORT/inet" \
      "$HOST:$STARTTLS_PORT inet n - n - - smtpd -o syslog_name=postfix/submission$common"; then
    changed=0
  fi
  if set_master_entry "$HOST:$SMTPS_PORT/inet" \
      "$HOST:$SMTPS_PORT inet n - n - - smtpd -o syslog_name=postfix/smtps -o smtpd_tls_wrappermode=yes$common"; then
    changed=0
  fi
  if (( changed )); then
    log "master.cf already has the submission ($STARTTLS_PORT) and smtps ($SMTPS_PORT) services"
  fi
  return "$changed"
}

# ---------------------------------------------------------------------------
# Commands

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "start needs root"

  # postfix.sh refuses a Postfix it did not configure (unless --force); so does this script,
  # which adds two services to its master.cf.
  log "running test/services/postfix.sh start $*"
  bash "$SERVICES_DIR/postfix.sh" start "$@" | sed 's/^/    /' || die "test/services/postfix.sh start failed"

  if dovecot_installed; then
    log "dovecot-core is installed ($(dpkg-query -W -f='${Version}' dovecot-core))"
  else
    apt_install dovecot-core
    dovecot_installed || die "dovecot-core is still not installed after apt-get"
  fi

  local reload=1
  if ensure_certificates; then reload=0; fi

  if configure_dovecot; then
    stop_dovecot
  fi
  if dovecot_pid >/dev/null && [[ -S $SASL_SOCKET ]]; then
    log "Dovecot is running (pid $(dovecot_pid))"
  else
    stop_dovecot
    start_dovecot
  fi
  log "checking the test account: doveadm auth test $TEST_USER"
  doveadm -c "$DOVECOT_CONF" auth test "$TEST_USER" "$TEST_PASSWORD" >/dev/null ||
    die "Dovecot refuses $TEST_USER's password (see $DOVECOT_LOG)"

  if configure_master_cf; then reload=0; fi
  if (( reload == 0 )); then
    log "checking the configuration (postfix check)"
    postfix check
    log "reloading postfix"
    postfix reload
  fi

  log "waiting up to ${START_TIMEOUT}s for $HOST:$STARTTLS_PORT to greet and $HOST:$SMTPS_PORT to do TLS"
  local deadline=$((SECONDS + START_TIMEOUT)) line="" tls_line="" restarted=0
  while :; do
    if line=$(smtp_greeting "$HOST" "$STARTTLS_PORT") && [[ $line == 220*Postfix* ]] &&
       tls_line=$(smtps_greeting) && [[ $tls_line == 220*Postfix* ]]; then
      break
    fi
    # A client that reached 465 (or AUTH on 587) while Dovecot was down made smtpd exit
    # at once ("no SASL authentication mechanisms"), and Postfix's master then pauses
    # that service for service_throttle_time (60 s); a reload does not lift the pause.
    if (( ! restarted && SECONDS >= deadline - START_TIMEOUT + 3 )); then
      log "no answer yet: restarting Postfix to lift a possible throttle of these services"
      postfix stop
      postfix start
      restarted=1
    fi
    if (( SECONDS >= deadline )); then
      log "last lines of $MAILLOG:"
      tail -n 20 "$MAILLOG" 2>/dev/null | sed 's/^/    /' || true
      die "no greeting on $HOST:$STARTTLS_PORT and through TLS on $HOST:$SMTPS_PORT after ${START_TIMEOUT}s (got: '$line', '$tls_line')"
    fi
    sleep 0.2
  done
  log "$STARTTLS_PORT greets: $line"
  log "$SMTPS_PORT greets through TLS: $tls_line"

  # One full check that SASL works end to end: AUTH is offered after STARTTLS.
  local ehlo
  ehlo=$(tls_dialogue "$STARTTLS_PORT" smtp "EHLO localhost" QUIT) || true
  grep -qx "250-AUTH $AUTH_MECHANISMS" <<<"$ehlo" ||
    die "$HOST:$STARTTLS_PORT does not offer AUTH $AUTH_MECHANISMS after STARTTLS (got: $(tr '\n' ' ' <<<"$ehlo"))"
  log "$STARTTLS_PORT offers after STARTTLS: AUTH $AUTH_MECHANISMS"

  log "CA certificate: $CA_CERT"
  log "account: $TEST_USER / $TEST_PASSWORD"
  log "mail for $TEST_USER@localhost lands in: $(getent passwd "$TEST_USER" | cut -d: -f6)/Maildir/new/"
  log "log files: $MAILLOG (Postfix), $DOVECOT_LOG (Dovecot)"
}

cmd_stop() {
  if dovecot_pid >/dev/null; then
    stop_dovecot
  else
    log "Dovecot (ours) is not running"
  fi
  log "Postfix keeps running; test/services/postfix.sh stop stops it"
}

cmd_status() {
  local line tls_line ok=0
  if line=$(smtp_greeting "$HOST" "$STARTTLS_PORT") && [[ $line == 220*Postfix* ]]; then
    log "$HOST:$STARTTLS_PORT greets with '$line'"
  else
    log "not running: no Postfix greeting on $HOST:$STARTTLS_PORT"
    ok=1
  fi
  if tls_line=$(smtps_greeting) && [[ $tls_line == 220*Postfix* ]]; then
    log "$HOST:$SMTPS_PORT completes TLS (verified with $CA_CERT) and greets with '$tls_line'"
  else
    log "not running: no verified TLS handshake and greeting on $HOST:$SMTPS_PORT"
    ok=1
  fi
  if dovecot_pid >/dev/null && [[ -S $SASL_SOCKET ]]; then
    log "Dovecot (SASL) is running (pid $(dovecot_pid))"
  else
    log "not running: Dovecot (SASL for Postfix) is not running"
    ok=1
  fi
  return "$ok"
}

case "${1:-}:${2:-}:${3:-}" in
  start::) cmd_start ;;
  start:--force:) cmd_start --force ;;
  stop::) cmd_stop ;;
  status::) cmd_status ;;
  *) printf 'usage: %s start [--force] | stop | status\n' "$0" >&2; exit 2 ;;
esac
