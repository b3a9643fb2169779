#!/usr/bin/env bash
# Local Postfix for mailv's tests: listens on loopback only, delivers to
# Maildir for the local user "mailtest", and never sends anything off the box.
#
#   test/services/postfix.sh start [--force]   install (if needed), configure, start, wait for the greeting
#   test/services/postfix.sh stop [--force]    stop Postfix if it is running
#   test/services/postfix.sh status            exit 0 if 127.0.0.1:25 greets as Postfix, 1 otherwise
#
# `start` REWRITES THE POSTFIX CONFIGURATION: loopback only, default_transport = error (no mail
# leaves the machine), chroot off for every service, a test user. It marks main.cf as its own,
# and refuses (as `stop` does) to touch a Postfix it did not configure, one that serves real
# mail, unless --force is given. Ours is: no main.cf yet (a Postfix this script installs), a
# main.cf with the marker, or one with the settings only this script writes (the mailv
# transport map and log file), from before it wrote the marker.
#
# What the tests can rely on after `start`:
#   - SMTP on 127.0.0.1:25 and [::1]:25; EHLO offers PIPELINING, SIZE 209715200,
#     8BITMIME, SMTPUTF8, CHUNKING, ENHANCEDSTATUSCODES.
#   - mailtest@localhost (and @<fqdn>) is delivered to /home/mailtest/Maildir/new/,
#     one file per message.
#   - Unknown local users are refused at RCPT with 550 5.1.1.
#   - Anything @discard.test is accepted and thrown away (for benchmarks).
#   - Any other remote domain is refused at RCPT (default_transport = error):
#     nothing leaves the machine.
#   - Postfix log: /var/log/postfix-mailv.log
#   - Ports for testing a server's view of its client (mailv --xclient, --proxy), each its own
#     smtpd, otherwise as port 25: 127.0.0.1:10025 offers XCLIENT to 127.0.0.0/8
#     (smtpd_authorized_xclient_hosts); 127.0.0.1:10026 and [::1]:10026 expect a HAProxy PROXY
#     header, version 1 or 2, before anything else (smtpd_upstream_proxy_protocol = haproxy).
#   - Ports whose anvil limits apply to loopback clients (smtpd_client_event_limit_exceptions
#     emptied), for load runs that meet them: 127.0.0.1:10027 takes 10 messages a minute from a
#     client address (smtpd_client_message_rate_limit), 127.0.0.1:10028 one connection at a time
#     (smtpd_client_connection_count_limit). anvil counts by client address: a test binds one of
#     its own in 127.0.0.0/8 (mailv --source-address), which these ports never look up in the DNS
#     (smtpd_peername_lookup = no: the address is not in /etc/hosts).
#
# Needs root. Idempotent: safe to run `start` repeatedly. If Postfix has to be
# installed and apt-get fails, the package lists are updated once and the install
# retried, unless MAILV_APT_UPDATED=1 says they were updated already.
set -euo pipefail

readonly TEST_USER=mailtest
readonly MAILLOG=/var/log/postfix-mailv.log
readonly TRANSPORT_MAP=/etc/postfix/mailv_transport
readonly SMTP_HOST=127.0.0.1
readonly SMTP_PORT=25
readonly START_TIMEOUT=10
readonly MARKER='# Configured for mailv tests by test/services/postfix.sh: loopback only, nothing leaves the machine.'
# Not readonly: the tests of the ownership check point it at a file of their own.
MAIN_CF=/etc/postfix/main.cf

log() { printf 'postfix.sh: %s\n' "$*"; }
die() { printf 'postfix.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"
# shellcheck source=test/services/smtp-probe.sh
source "$(dirname "${BASH_SOURCE[0]}")/smtp-probe.sh"

fqdn() {
  local h
  h=$(hostname)
  [[ $h == *.* ]] || h="$h.localdomain"
  printf '%s\n' "$h"
}

postfix_installed() {
  [[ $(dpkg-query -W -f='${Status}' postfix 2>/dev/null || true) == "install ok installed" ]]
}

postfix_running() {
  command -v postfix >/dev/null 2>&1 && postfix status >/dev/null 2>&1
}


# Succeeds when main.cf $1 is this script's to change: none yet, one it marked, or one it
# configured before it wrote the marker (the transport map and the log file are mailv's alone).
configured_by_this_script() {
  local main_cf=$1
  [[ -e $main_cf ]] || return 0
  grep -qxF "$MARKER" "$main_cf" && return 0
  grep -qx "transport_maps = hash:$TRANSPORT_MAP" "$main_cf" && grep -qx "maillog_file = $MAILLOG" "$main_cf"
}

# Stops the script unless this Postfix is ours, or $2 is --force; $1 says what would be done.
refuse_unless_ours() {
  local action=$1 force=$2
  configured_by_this_script "$MAIN_CF" && return 0
  if [[ $force == --force ]]; then
    log "--force: $action a Postfix this script did not configure ($MAIN_CF)"
    return 0
  fi
  die "$MAIN_CF was not written by this script: refusing to $action a Postfix that may serve real mail (start makes it loopback only, refuses all other mail with default_transport = error, turns the chroot off and adds user $TEST_USER); use a machine kept for tests, or give --force"
}

# Marks main.cf as configured by this script, so that later runs recognise it.
mark_main_cf() {
  grep -qxF "$MARKER" "$MAIN_CF" 2>/dev/null && return 0
  log "marking $MAIN_CF as configured by this script"
  printf '\n%s\n' "$MARKER" >>"$MAIN_CF"
}

install_postfix() {
  local name=$1
  log "preseeding postfix (mailname $name)"
  debconf-set-selections <<SEL
postfix postfix/main_mailer_type select Local only
postfix postfix/mailname string $name
SEL
  apt_install postfix
  postfix_installed || die "postfix is still not installed after apt-get"
}

configure_postfix() {
  local name=$1

  # myorigin = /etc/mailname on Debian; make sure the file exists.
  if [[ ! -s /etc/mailname ]]; then
    log "writing /etc/mailname ($name)"
    printf '%s\n' "$name" > /etc/mailname
  fi

  log "writing $TRANSPORT_MAP (discard.test -> discard:) and running postmap"
  printf '# Managed by mailv test/services/postfix.sh\ndiscard.test discard:\n' > "$TRANSPORT_MAP"
  postmap "hash:$TRANSPORT_MAP"

  # shellcheck disable=SC2016  # $myhostname is for Postfix to expand
  local -a settings=(
    'inet_interfaces = loopback-only'
    'inet_protocols = all'
    "myhostname = $name"
    'mydestination = $myhostname, localhost.localdomain, localhost'
    'mynetworks = 127.0.0.0/8 [::ffff:127.0.0.0]/104 [::1]/128'
    'home_mailbox = Maildir/'
    'mailbox_command ='
    'mailbox_size_limit = 0'
    'default_transport = error'
    'relay_transport = error'
    'message_size_limit = 209715200'
    "maillog_file = $MAILLOG"
    'smtputf8_enable = yes'
    "transport_maps = hash:$TRANSPORT_MAP"
  )
  # Only rewrite main.cf when something differs: every Postfix command run
  # within a second of a main.cf change pauses 2 s to let the file "settle".
  local -a changes=()
  local setting key want
  for setting in "${settings[@]}"; do
    key=${setting%% =*}
    want=${setting#*=}
    want=${want# }
    [[ $(postconf -h "$key") == "$want" ]] || changes+=("$key = $want")
  done
  if (( ${#changes[@]} )); then
    log "configuring main.cf with postconf -e (loopback only, nothing leaves the box): ${changes[*]%% =*}"
    postconf -e "${changes[@]}"
  else
    log "main.cf already configured (loopback only, nothing leaves the box)"
  fi

  configure_test_ports

  if postconf -F '*/*/chroot' | grep -qv ' = n$'; then
    log "turning the chroot off for all services in master.cf"
    postconf -F '*/*/chroot = n'
  else
    log "chroot already off for all services in master.cf"
  fi

  log "rebuilding the aliases database"
  newaliases

  if id -u "$TEST_USER" >/dev/null 2>&1; then
    log "test user $TEST_USER exists"
  else
    log "creating test user $TEST_USER"
    useradd -m -s /usr/sbin/nologin "$TEST_USER"
  fi
  local home
  home=$(getent passwd "$TEST_USER" | cut -d: -f6)
  log "making sure $home/Maildir/{new,cur,tmp} exist"
  install -d -o "$TEST_USER" -g "$(id -gn "$TEST_USER")" -m 700 \
    "$home/Maildir" "$home/Maildir/new" "$home/Maildir/cur" "$home/Maildir/tmp"

  log "checking the configuration (postfix check)"
  postfix check
}

# The smtpd services of the XCLIENT, PROXY and limited ports (see the top of this file), written with
# postconf -M only when they differ, so that a run with nothing to change changes nothing.
configure_test_ports() {
  local -a services=(
    '127.0.0.1:10025/inet = 127.0.0.1:10025 inet n - n - - smtpd -o syslog_name=postfix/xclient -o smtpd_authorized_xclient_hosts=127.0.0.0/8'
    '127.0.0.1:10026/inet = 127.0.0.1:10026 inet n - n - - smtpd -o syslog_name=postfix/proxy -o smtpd_upstream_proxy_protocol=haproxy'
    '[::1]:10026/inet = [::1]:10026 inet n - n - - smtpd -o syslog_name=postfix/proxy -o smtpd_upstream_proxy_protocol=haproxy'
    '127.0.0.1:10027/inet = 127.0.0.1:10027 inet n - n - - smtpd -o syslog_name=postfix/rate-limited -o smtpd_peername_lookup=no -o smtpd_client_event_limit_exceptions= -o smtpd_client_message_rate_limit=10'
    '127.0.0.1:10028/inet = 127.0.0.1:10028 inet n - n - - smtpd -o syslog_name=postfix/count-limited -o smtpd_peername_lookup=no -o smtpd_client_event_limit_exceptions= -o smtpd_client_connection_count_limit=1'
  )
  local service name want
  for service in "${services[@]}"; do
    name=${service%% = *}
    want=${service#* = }
    if [[ $(postconf -M "$name" 2>/dev/null | tr -s ' \t' ' ') == "$(tr -s ' \t' ' ' <<<"$want")" ]]; then
      log "master.cf already has $name"
    else
      log "master.cf: adding $name"
      postconf -M "$service"
    fi
  done
}

cmd_start() {
  refuse_unless_ours configure "${1:-}"
  [[ $(id -u) -eq 0 ]] || die "start needs root"
  local name
  name=$(fqdn)
  log "fully qualified host name: $name"

  if postfix_installed; then
    log "postfix is installed ($(dpkg-query -W -f='${Version}' postfix))"
  else
    install_postfix "$name"
  fi

  # Changes to the listening addresses need a full restart, not a reload.
  local listen_before
  listen_before=$(postconf -h inet_interfaces inet_protocols | tr '\n' ' ')

  mark_main_cf
  configure_postfix "$name"

  if postfix_running; then
    if [[ $listen_before != "$(postconf -h inet_interfaces inet_protocols | tr '\n' ' ')" ]]; then
      log "postfix is running but its listening addresses changed: restarting"
      postfix stop
      postfix start
    else
      log "postfix is running: reloading"
      postfix reload
    fi
  else
    log "starting postfix"
    postfix start
  fi

  log "waiting up to ${START_TIMEOUT}s for a Postfix 220 greeting on $SMTP_HOST:$SMTP_PORT"
  local deadline=$((SECONDS + START_TIMEOUT)) line=""
  while :; do
    if line=$(smtp_greeting "$SMTP_HOST" "$SMTP_PORT") && [[ $line == 220* && $line == *Postfix* ]]; then
      break
    fi
    if (( SECONDS >= deadline )); then
      log "last lines of $MAILLOG:"
      tail -n 20 "$MAILLOG" 2>/dev/null | sed 's/^/    /' || true
      die "no Postfix 220 greeting on $SMTP_HOST:$SMTP_PORT after ${START_TIMEOUT}s (got: '${line}')"
    fi
    sleep 0.2
  done
  log "greeting: $line"
  log "log file: $MAILLOG"
  log "mail for $TEST_USER@localhost lands in: $(getent passwd "$TEST_USER" | cut -d: -f6)/Maildir/new/"
}

cmd_stop() {
  if ! command -v postfix >/dev/null 2>&1; then
    log "postfix is not installed: nothing to stop"
    return
  fi
  refuse_unless_ours stop "${1:-}"
  if postfix_running; then
    log "stopping postfix"
    postfix stop
  else
    log "postfix is not running"
  fi
}

cmd_status() {
  local line
  if line=$(smtp_greeting "$SMTP_HOST" "$SMTP_PORT") && [[ $line == 220* && $line == *Postfix* ]]; then
    log "running: $SMTP_HOST:$SMTP_PORT greets with '$line'"
    return 0
  fi
  log "not running: no Postfix greeting on $SMTP_HOST:$SMTP_PORT"
  return 1
}

usage() {
  printf 'usage: %s start [--force] | stop [--force] | status\n' "$0" >&2
  exit 2
}

main() {
  local command=${1:-} force=
  (( $# == 0 )) || shift
  if (( $# > 0 )); then
    [[ $1 == --force && $# == 1 && $command != status ]] || usage
    force=--force
  fi
  case $command in
    start) cmd_start "$force" ;;
    stop) cmd_stop "$force" ;;
    status) cmd_status ;;
    *) usage ;;
  esac
}

# Sourced (by the tests of the ownership check), the script only defines its functions.
if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  main "$@"
fi
