#!/usr/bin/env bash
# sendmail 8.17 for mailv's tests, beside Postfix: Debian's sendmail packages unpacked (not
# installed: installing would remove Postfix) under a directory of its own, listening on
# 127.0.0.1:2527 only, delivering local mail to Maildirs the tests can read, and never sending
# anything off the machine.
#
#   test/services/sendmail.sh start    download and unpack (once, .debs kept in a cache), install the
#                                      shared libraries and Cyrus SASL tools, configure, start, wait
#                                      for the greeting; restarts only when the configuration changed
#   test/services/sendmail.sh stop     stop the daemon this script started
#   test/services/sendmail.sh status   exit 0 if 127.0.0.1:2527 greets as Sendmail, 1 otherwise
#
# What the tests can rely on after `start`:
#   - SMTP on 127.0.0.1:2527 (IPv4 only), greeting "220 <fqdn> ESMTP Sendmail 8.17.1.9/8.17.1.9; <date>".
#     EHLO offers ENHANCEDSTATUSCODES, PIPELINING, 8BITMIME, SIZE 10485760, DSN, ETRN,
#     AUTH PLAIN LOGIN CRAM-MD5 (in clear as well), STARTTLS, DELIVERBY, HELP; no CHUNKING.
#   - STARTTLS with /etc/mailv-tls/server.pem (signed by the test CA /etc/mailv-tls/ca.pem).
#   - AUTH through Cyrus SASL (sasldb of its own): user "smauth", password "Send-mail-8".
#   - smuser1@sendmail.test and smuser2@sendmail.test (system users without a login; the domain is
#     local, as are localhost and the host's name, but sendmail rewrites "localhost" in header
#     addresses to the host's name, so the tests use sendmail.test) are delivered
#     to /var/lib/mailv-sendmail/mail/<user>/new/, one world-readable file per message, by
#     maildir-deliver (sendmail's own mail.local writes mbox); any other local account gets a
#     Maildir there too. Unknown users are refused at RCPT ("550 5.1.1 ... User unknown").
#   - Any other domain is refused at RCPT ("550 5.7.1 <...>... Relaying denied", a rule of
#     Local_check_rcpt, even after AUTH): nothing is relayed. The service switch says "hosts
#     files": no DNS.
#   - Log: /var/lib/mailv-sendmail/log/sendmail.log (there is no syslog here: sendmail writes
#     what it would log there, through its debug output).
#
# Files: /var/lib/mailv-sendmail/{pkg (the unpacked packages),etc,queue,run,mail,log},
# /etc/sasl2/Sendmail.conf (Cyrus SASL reads it there only), the .debs in
# /var/cache/mailv-sendmail. /etc/hosts gains "127.0.1.1 <host>.localdomain <host>" when the
# host has no fully qualified name: sendmail pauses 60 s at every start without one.
# Postfix, /etc/mail and /usr/sbin/sendmail are not touched.
#
# Needs root. Idempotent and quick when already running (the configuration is regenerated and
# compared; the daemon is restarted only when it changed). If a package has to be installed and
# apt-get fails, the package lists are updated once and the install retried, unless
# MAILV_APT_UPDATED=1 says they were updated already.
set -euo pipefail

readonly HOST=127.0.0.1
readonly PORT=2527
readonly GREETING='220*Sendmail*'
readonly SIZE_LIMIT=10485760
readonly USERS=(smuser1 smuser2)
readonly AUTH_USER=smauth
readonly AUTH_PASSWORD=Send-mail-8
readonly AUTH_REALM=mailv.test
# The recipients' domain. sendmail rewrites "localhost" in header addresses to the host's name,
# so the tests write to a local domain it leaves as written.
readonly MAIL_DOMAIN=sendmail.test
readonly START_TIMEOUT=15

readonly ROOT=/var/lib/mailv-sendmail
readonly CACHE=/var/cache/mailv-sendmail
readonly PKG=$ROOT/pkg
readonly ETC=$ROOT/etc
readonly QUEUE=$ROOT/queue
readonly RUN=$ROOT/run
readonly MAILDIRS=$ROOT/mail
readonly LOG_DIR=$ROOT/log
readonly LOG_FILE=$LOG_DIR/sendmail.log
readonly CF=$ETC/sendmail.cf
readonly PID_FILE=$RUN/sendmail.pid
readonly DELIVER=$ROOT/bin/maildir-deliver
readonly SASL_CONF=/etc/sasl2/Sendmail.conf
readonly SASLDB=$ETC/sasldb2
readonly TLS_SOURCE=/etc/mailv-tls
readonly SENDMAIL=$PKG/usr/libexec/sendmail/sendmail
readonly PACKAGES=(sendmail-bin sendmail-cf sendmail-base)
# What the unpacked sendmail needs from the system: its shared libraries, m4 for the .cf,
# Cyrus SASL's tools and mechanisms. None of them conflicts with Postfix.
readonly SYSTEM_PACKAGES=(m4 libdb5.3 libldap-2.5-0 liblockfile1 libnsl2 libwrap0 libssl3 libsasl2-2 libsasl2-modules libsasl2-modules-db sasl2-bin)

SERVICES_DIR=$(dirname "${BASH_SOURCE[0]}")
readonly SERVICES_DIR

log() { printf 'sendmail.sh: %s\n' "$*"; }
die() { printf 'sendmail.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$SERVICES_DIR/apt.sh"
# shellcheck source=test/services/debs.sh
source "$SERVICES_DIR/debs.sh"
# shellcheck source=test/services/host-name.sh
source "$SERVICES_DIR/host-name.sh"
# shellcheck source=test/services/smtp-probe.sh
source "$SERVICES_DIR/smtp-probe.sh"
# shellcheck source=test/services/processes.sh
source "$SERVICES_DIR/processes.sh"

# The daemon started by this script (its pid file's first line), or fail.
daemon_pid() {
  [[ -s $PID_FILE ]] || return 1
  local copy
  copy=$(mktemp)
  head -n 1 "$PID_FILE" >"$copy"
  own_daemon_pid "$copy" sendmail "" || { rm -f "$copy"; return 1; }
  rm -f "$copy"
}

install_system_packages() {
  local -a missing=() p
  for p in "${SYSTEM_PACKAGES[@]}"; do
    [[ $(dpkg-query -W -f='${Status}' "$p" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$p")
  done
  (( ${#missing[@]} == 0 )) || apt_install "${missing[@]}"
}

# Sendmail sleeps 60 s at every start when it finds no fully qualified name for the host.
ensure_fqdn_in_hosts() {
  local short name
  short=$(hostname)
  [[ $short == *.* ]] && return 0
  name=$(fqdn)
  grep -qE "^[^#]*[[:space:]]$name([[:space:]]|\$)" /etc/hosts && return 0
  log "adding '127.0.1.1 $name $short' to /etc/hosts (sendmail waits 60 s at start without a qualified name)"
  printf '127.0.1.1 %s %s\n' "$name" "$short" >>/etc/hosts
}

ensure_users() {
  local user
  for user in "${USERS[@]}"; do
    id -u "$user" >/dev/null 2>&1 && continue
    log "creating system user $user (mail for $user@localhost)"
    useradd --system --no-create-home --home-dir "$MAILDIRS/$user" --shell /usr/sbin/nologin "$user"
  done
}

# Writes $2 to file $1 with mode $3 only when it differs; says whether it changed (exit 0).
write_if_changed() {
  local file=$1 content=$2 mode=$3
  if [[ -f $file ]] && [[ $(<"$file") == "$content" ]]; then
    chmod "$mode" "$file"
    return 1
  fi
  # Called as a condition, where set -e does not stop on a failed command: stop here instead.
  { printf '%s\n' "$content" >"$file.new" && chmod "$mode" "$file.new" && mv "$file.new" "$file"; } || die "could not write $file"
}

write_deliver() {
  install -d -m 755 "$ROOT/bin"
  # shellcheck disable=SC2016  # the program expands its own variables
  write_if_changed "$DELIVER" '#!/bin/sh
# Local delivery for the sendmail of test/services/sendmail.sh: the message on standard input
# into the Maildir '"$MAILDIRS"'/USER (mail.local writes mbox), world-readable.
# Exit codes are sysexits, as sendmail expects of a mailer.
[ $# -eq 1 ] || exit 64
case $1 in */* | .*) exit 67 ;; esac
dir='"$MAILDIRS"'/$1
umask 022
mkdir -p "$dir/tmp" "$dir/new" "$dir/cur" || exit 75
name=$(date +%s).$$_$(od -An -N6 -tx1 /dev/urandom | tr -d " \n").$(hostname)
cat >"$dir/tmp/$name" || { rm -f "$dir/tmp/$name"; exit 75; }
mv "$dir/tmp/$name" "$dir/new/$name" || exit 75' 755 || true
}

write_tls() {
  [[ -r $TLS_SOURCE/server.pem && -r $TLS_SOURCE/server.key && -r $TLS_SOURCE/ca.pem ]] \
    || die "no test certificate in $TLS_SOURCE: run test/services/submission.sh start first"
  install -d -m 755 "$ETC/tls"
  # sendmail ignores a key that group or others can read.
  cmp -s "$TLS_SOURCE/server.key" "$ETC/tls/server.key" || install -m 600 "$TLS_SOURCE/server.key" "$ETC/tls/server.key"
  cmp -s "$TLS_SOURCE/server.pem" "$ETC/tls/server.pem" || install -m 644 "$TLS_SOURCE/server.pem" "$ETC/tls/server.pem"
  cmp -s "$TLS_SOURCE/ca.pem" "$ETC/tls/ca.pem" || install -m 644 "$TLS_SOURCE/ca.pem" "$ETC/tls/ca.pem"
}

write_sasl() {
  install -d -m 755 /etc/sasl2
  write_if_changed "$SASL_CONF" "# Managed by mailv test/services/sendmail.sh: the sendmail on $HOST:$PORT only.
pwcheck_method: auxprop
auxprop_plugin: sasldb
sasldb_path: $SASLDB
mech_list: PLAIN LOGIN CRAM-MD5" 644 || true
  if ! sasldblistusers2 -f "$SASLDB" 2>/dev/null | grep -q "^$AUTH_USER@$AUTH_REALM:"; then
    log "adding $AUTH_USER@$AUTH_REALM to $SASLDB"
    printf '%s' "$AUTH_PASSWORD" | saslpasswd2 -p -c -u "$AUTH_REALM" -f "$SASLDB" "$AUTH_USER"
  fi
  chmod 600 "$SASLDB"
}

mc_text() {
  local name=$1
  cat <<MC
divert(-1)
# Managed by mailv test/services/sendmail.sh: 127.0.0.1:$PORT only, local Maildirs, nothing relayed.
divert(0)dnl
dnl linux brings FEATURE(local_procmail); the local mailer is redefined below.
OSTYPE(\`linux')dnl
define(\`confDOMAIN_NAME', \`$name')dnl
define(\`confDONT_PROBE_INTERFACES', \`True')dnl
define(\`confPID_FILE', \`$PID_FILE')dnl
define(\`QUEUE_DIR', \`$QUEUE')dnl
define(\`STATUS_FILE', \`$RUN/sendmail.st')dnl
define(\`confHOST_STATUS_DIRECTORY', \`$RUN/host_status')dnl
define(\`confDEAD_LETTER_DROP', \`$RUN/dead.letter')dnl
define(\`ALIAS_FILE', \`$ETC/aliases')dnl
define(\`confCW_FILE', \`$ETC/local-host-names')dnl
define(\`confCR_FILE', \`$ETC/relay-domains')dnl
define(\`confCT_FILE', \`$ETC/trusted-users')dnl
define(\`confSERVICE_SWITCH_FILE', \`$ETC/service.switch')dnl
define(\`confHELP_FILE', \`$PKG/etc/mail/helpfile')dnl
define(\`confEBINDIR', \`$PKG/usr/libexec/sendmail')dnl
define(\`confFORWARD_PATH', \`')dnl
define(\`confMAX_MESSAGE_SIZE', \`$SIZE_LIMIT')dnl
define(\`confPRIVACY_FLAGS', \`authwarnings')dnl
define(\`confTO_IDENT', \`0s')dnl
dnl Deliver at once whatever the load: by default sendmail queues above 8 × the CPUs' load average
dnl and refuses connections above 12 ×, which a test run on 2 cores could reach.
define(\`confQUEUE_LA', \`1000')dnl
define(\`confREFUSE_LA', \`1000')dnl
define(\`confDELAY_LA', \`0')dnl
define(\`confBIND_OPTS', \`-DNSRCH -DEFNAMES')dnl
define(\`confCACERT_PATH', \`$ETC/tls')dnl
define(\`confCACERT', \`$ETC/tls/ca.pem')dnl
define(\`confSERVER_CERT', \`$ETC/tls/server.pem')dnl
define(\`confSERVER_KEY', \`$ETC/tls/server.key')dnl
define(\`confAUTH_MECHANISMS', \`PLAIN LOGIN CRAM-MD5')dnl
define(\`confAUTH_REALM', \`$AUTH_REALM')dnl
TRUST_AUTH_MECH(\`PLAIN LOGIN CRAM-MD5')dnl
define(\`LOCAL_MAILER_PATH', \`$DELIVER')dnl
define(\`LOCAL_MAILER_ARGS', \`maildir-deliver \$u')dnl
dnl The message as received: Return-Path, no From_ line, 8-bit as is (no 9: no MIME 7-to-8
dnl conversion), run as root (S) to write the Maildirs.
define(\`LOCAL_MAILER_FLAGS', \`PSn8')dnl
FEATURE(\`no_default_msa')dnl
FEATURE(\`use_cw_file')dnl
dnl Senders from test domains that resolve nowhere are accepted.
FEATURE(\`accept_unresolvable_domains')dnl
dnl Header addresses as the client wrote them: no localhost -> FQDN rewriting.
FEATURE(\`nocanonify')dnl
DAEMON_OPTIONS(\`Family=inet, Name=MTA, Port=$PORT, Addr=$HOST')dnl
MAILER(\`local')dnl
MAILER(\`smtp')dnl
LOCAL_RULESETS
dnl sendmail lets a client named in \$=w (localhost) relay; these tests relay for nobody, and a
dnl mailertable error entry would refuse the senders of other domains as well.
SLocal_check_rcpt
R\$*			\$: \$>3 \$1
R\$* < @ \$=w . > \$*	\$@ OK
R\$* < @ \$+ > \$*		\$#error \$@ 5.7.1 \$: "550 Relaying denied"
MC
}

# Sets CONFIG_CHANGED=1 when sendmail.cf was generated again (the daemon must restart), else 0.
# Called plainly, not as a condition: there set -e would not stop it on a failed m4.
write_config() {
  local name=$1
  CONFIG_CHANGED=0
  install -d -m 755 "$ROOT" "$ETC" "$RUN" "$RUN/host_status" "$LOG_DIR" "$MAILDIRS"
  install -d -m 700 "$QUEUE"
  write_deliver
  write_tls
  write_sasl
  local user
  for user in "${USERS[@]}"; do
    install -d -m 755 "$MAILDIRS/$user" "$MAILDIRS/$user/new" "$MAILDIRS/$user/cur" "$MAILDIRS/$user/tmp"
  done
  write_if_changed "$ETC/local-host-names" "$MAIL_DOMAIN
localhost
$name" 644 && CONFIG_CHANGED=1
  write_if_changed "$ETC/relay-domains" "" 644 || true
  write_if_changed "$ETC/trusted-users" "" 644 || true
  write_if_changed "$ETC/service.switch" "hosts files
aliases files" 644 && CONFIG_CHANGED=1
  write_if_changed "$ETC/aliases" "postmaster: root
MAILER-DAEMON: postmaster" 644 && CONFIG_CHANGED=1
  write_if_changed "$ETC/sendmail.mc" "$(mc_text "$name")" 644 && CONFIG_CHANGED=1
  if (( CONFIG_CHANGED )) || [[ ! -s $CF || ! -s $ETC/aliases.db ]]; then
    log "generating $CF from $ETC/sendmail.mc"
    # On failure the .mc goes, so that the next start generates the .cf again rather than
    # finding the .mc unchanged and keeping the old .cf.
    m4 -D_CF_DIR_="$PKG/usr/share/sendmail/cf/" "$PKG/usr/share/sendmail/cf/m4/cf.m4" "$ETC/sendmail.mc" >"$CF.new" \
      || { rm -f "$ETC/sendmail.mc" "$CF.new"; die "m4 could not generate $CF from $ETC/sendmail.mc"; }
    mv "$CF.new" "$CF"
    "$SENDMAIL" -C "$CF" -bi >/dev/null || { rm -f "$ETC/sendmail.mc"; die "sendmail -C $CF -bi could not build the aliases database"; }
    CONFIG_CHANGED=1
  fi
}

stop_daemon() {
  local pid
  pid=$(daemon_pid) || return 0
  stop_process "$pid" sendmail
  rm -f "$PID_FILE"
}

start_daemon() {
  log "starting $SENDMAIL -C $CF -bd -q5m"
  # No syslog here: debug category 89.8 sends what sendmail would log to its debug output,
  # which -D puts in the log file.
  "$SENDMAIL" -C "$CF" -bd -q5m -D "$LOG_FILE" -d89.8 </dev/null || die "sendmail failed to start (see $LOG_FILE)"
}

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "start needs root"
  install_system_packages
  fetch_debs "$CACHE" "${PACKAGES[@]}"
  unpack_debs "$CACHE" "$PKG" "$SENDMAIL"
  # dpkg -x does not keep mail.local's setgid bit; harmless here (maildir-deliver is the local
  # mailer) but set as Debian does, for whoever tries mail.local by hand.
  chgrp mail "$PKG/usr/libexec/sendmail/mail.local" && chmod 2755 "$PKG/usr/libexec/sendmail/mail.local"
  ensure_fqdn_in_hosts
  ensure_users
  local name pid
  name=$(fqdn)
  write_config "$name"

  if pid=$(daemon_pid); then
    if (( CONFIG_CHANGED )); then
      log "sendmail is running (pid $pid) but its configuration changed: restarting"
      stop_daemon
      start_daemon
    else
      log "sendmail is running (pid $pid) with this configuration"
    fi
  else
    rm -f "$PID_FILE"
    start_daemon
  fi

  await_greeting "$HOST" "$PORT" "$GREETING" "$START_TIMEOUT" - "$LOG_FILE"
  log "log file: $LOG_FILE"
  log "mail for ${USERS[*]} (@$MAIL_DOMAIN) lands in $MAILDIRS/<user>/new/"
}

cmd_stop() {
  local pid
  if pid=$(daemon_pid); then
    log "stopping sendmail (pid $pid)"
    stop_daemon
  else
    log "sendmail (started by this script) is not running"
  fi
}

cmd_status() {
  local line
  if line=$(greeting_like "$HOST" "$PORT" "$GREETING"); then
    log "running: $HOST:$PORT greets with '$line'"
    return 0
  fi
  log "not running: no Sendmail greeting on $HOST:$PORT"
  return 1
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) printf 'usage: %s start|stop|status\n' "$0" >&2; exit 2 ;;
esac
