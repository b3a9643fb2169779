#!/usr/bin/env bash
# A private "remote" network for mailv's tests: the network namespace mailv-gate,
# joined to the main namespace by one veth pair and to nothing else. A server
# started inside it has an address that is not loopback, yet no packet to or
# from it ever leaves the machine.
#
#   test/services/netns.sh start    create the namespace and the veth pair (if needed), check both directions
#   test/services/netns.sh stop     remove the namespace and the veth pair
#   test/services/netns.sh status   exit 0 if all of it is in place and 198.18.0.2 answers, 1 otherwise
#
# What the tests can rely on after `start`:
#   - Namespace mailv-gate; enter it with `ip netns exec mailv-gate COMMAND` (needs root).
#   - mvgate0 in the main namespace, 198.18.0.1/30, up.
#   - mvgate1 in mailv-gate, 198.18.0.2/30, up; lo is up in mailv-gate too.
#   - From the main namespace, 198.18.0.2 is routed over mvgate0 (and only there);
#     a server in mailv-gate that binds 198.18.0.2 (or 0.0.0.0) is reachable from
#     the main namespace, and sees connections coming from 198.18.0.1.
#   - mailv-gate has no default route, IPv4 or IPv6: the only addresses it can
#     reach are its own and 198.18.0.1. 198.18.0.0/15 is the range RFC 2544 sets
#     aside for such tests, so no real host is shadowed.
#
# Needs root. Idempotent: `start` only creates or fixes what is missing, and says
# so when everything was already in place. If iproute2 has to be installed and
# apt-get fails, the package lists are updated once and the install retried,
# unless MAILV_APT_UPDATED=1 says they were updated already.
set -euo pipefail

readonly NAMESPACE=mailv-gate
readonly HOST_IF=mvgate0
readonly GATE_IF=mvgate1
readonly HOST_ADDR=198.18.0.1
readonly GATE_ADDR=198.18.0.2
readonly PREFIX=30
readonly NETWORK=198.18.0.0/$PREFIX
# Nothing listens on the discard port: a refused connection proves the peer answered.
readonly PROBE_PORT=9

log() { printf 'netns.sh: %s\n' "$*"; }
die() { printf 'netns.sh: error: %s\n' "$*" >&2; exit 1; }
# shellcheck source=test/services/apt.sh
source "$(dirname "${BASH_SOURCE[0]}")/apt.sh"

changed=0

in_ns() { ip netns exec "$NAMESPACE" "$@"; }

namespace_exists() { ip netns list 2>/dev/null | grep -qE "^$NAMESPACE( |\$)"; }

host_link_exists() { ip link show dev "$HOST_IF" >/dev/null 2>&1; }

gate_link_in_ns() { namespace_exists && in_ns ip link show dev "$GATE_IF" >/dev/null 2>&1; }

# The IPv4 addresses (with prefix) of an interface, one a line; runs `ip` through "$@" (e.g. in_ns).
addresses_of() {
  local ifname=$1
  shift
  "$@" ip -4 -o addr show dev "$ifname" 2>/dev/null | awk '{ print $4 }'
}

link_is_up() {
  local ifname=$1
  shift
  "$@" ip -o link show dev "$ifname" 2>/dev/null | grep -q '[<,]UP[,>]'
}

# The device the main namespace routes 198.18.0.2 through (empty if none).
route_device() {
  ip -o -4 route get "$GATE_ADDR" 2>/dev/null | sed -n 's/.* dev \([^ ]*\).*/\1/p'
}

default_routes_in_ns() {
  { in_ns ip -4 route show default; in_ns ip -6 route show default; } 2>/dev/null
}

# Give the interface exactly one IPv4 address, leaving it alone if it has it already.
set_address() {
  local ifname=$1 want=$2
  shift 2
  local have
  have=$(addresses_of "$ifname" "$@" | tr '\n' ' ')
  [[ $have == "$want " ]] && return 0
  if [[ -n $have ]]; then
    log "$ifname has ${have% } instead of $want: replacing"
    "$@" ip -4 addr flush dev "$ifname"
  else
    log "adding $want to $ifname"
  fi
  "$@" ip addr add "$want" dev "$ifname"
  changed=1
}

bring_up() {
  local ifname=$1
  shift
  link_is_up "$ifname" "$@" && return 0
  log "bringing $ifname up"
  "$@" ip link set dev "$ifname" up
  changed=1
}

# Exit 0 if a TCP connection from "$@" (a command prefix, maybe empty) to addr:PROBE_PORT
# is answered, accepted or refused; a timeout or an unreachable network fail.
tcp_answers() {
  local addr=$1
  shift
  local out
  # shellcheck disable=SC2016  # the inner script expands its own arguments
  if out=$("$@" env LC_ALL=C timeout 3 bash -c 'exec 3<>"/dev/tcp/$1/$2"' _ "$addr" "$PROBE_PORT" 2>&1); then
    return 0
  fi
  [[ $out == *"Connection refused"* ]]
}

# Exit 0 if addr answers from "$@" (a command prefix, maybe empty): ping when there is one,
# else a TCP probe.
reachable() {
  local addr=$1
  shift
  if command -v ping >/dev/null 2>&1; then
    "$@" ping -c 1 -W 2 -q "$addr" >/dev/null 2>&1
  else
    tcp_answers "$addr" "$@"
  fi
}

probe_name() { if command -v ping >/dev/null 2>&1; then echo ping; else echo "TCP probe to port $PROBE_PORT"; fi; }

# Refuse to go on if 198.18.0.2 is routed anywhere but mvgate0: probing it would leave the machine.
check_route() {
  local dev
  dev=$(route_device)
  [[ $dev == "$HOST_IF" ]] || die "$GATE_ADDR is routed via '${dev:-nothing}', not $HOST_IF: not probing it"
}

check_both_ways() {
  local deadline=$((SECONDS + 5))
  check_route
  until reachable "$GATE_ADDR"; do
    (( SECONDS < deadline )) || die "$GATE_ADDR does not answer from the main namespace ($(probe_name))"
    sleep 0.1
  done
  log "$GATE_ADDR answers from the main namespace ($(probe_name))"
  until reachable "$HOST_ADDR" in_ns; do
    (( SECONDS < deadline )) || die "$HOST_ADDR does not answer from $NAMESPACE ($(probe_name))"
    sleep 0.1
  done
  log "$HOST_ADDR answers from $NAMESPACE ($(probe_name))"
}

cmd_start() {
  [[ $(id -u) -eq 0 ]] || die "start needs root"
  command -v ip >/dev/null 2>&1 || apt_install iproute2

  # Another interface with an address in the pair's network would make the routes ambiguous.
  local others
  others=$(ip -4 -o addr show to "$NETWORK" 2>/dev/null | awk -v mine="$HOST_IF" '$2 != mine { print $2 " " $4 }')
  [[ -z $others ]] || die "addresses in $NETWORK already exist on other interfaces: $others"

  if namespace_exists; then
    log "namespace $NAMESPACE exists"
  else
    log "creating namespace $NAMESPACE"
    ip netns add "$NAMESPACE"
    changed=1
  fi

  if host_link_exists && ! gate_link_in_ns && ! ip link show dev "$GATE_IF" >/dev/null 2>&1; then
    log "$HOST_IF exists without its peer $GATE_IF: deleting it"
    ip link del dev "$HOST_IF"
  fi
  if ! host_link_exists; then
    if gate_link_in_ns; then
      log "$GATE_IF in $NAMESPACE has lost its peer: deleting it"
      in_ns ip link del dev "$GATE_IF"
    fi
    log "creating veth pair $HOST_IF <-> $GATE_IF"
    ip link add "$HOST_IF" type veth peer name "$GATE_IF"
    changed=1
  fi
  if ! gate_link_in_ns; then
    log "moving $GATE_IF into $NAMESPACE"
    ip link set dev "$GATE_IF" netns "$NAMESPACE"
    changed=1
  fi

  set_address "$HOST_IF" "$HOST_ADDR/$PREFIX"
  set_address "$GATE_IF" "$GATE_ADDR/$PREFIX" in_ns
  bring_up "$HOST_IF"
  bring_up "$GATE_IF" in_ns
  bring_up lo in_ns

  local defaults
  defaults=$(default_routes_in_ns)
  if [[ -n $defaults ]]; then
    log "removing default routes from $NAMESPACE: ${defaults//$'\n'/; }"
    in_ns ip -4 route flush default 2>/dev/null || true
    in_ns ip -6 route flush default 2>/dev/null || true
    changed=1
  fi

  if (( changed )); then
    log "$NAMESPACE: $HOST_IF $HOST_ADDR/$PREFIX <-> $GATE_IF $GATE_ADDR/$PREFIX, no default route"
  else
    log "already in place, nothing to do: $HOST_IF $HOST_ADDR/$PREFIX <-> $GATE_IF $GATE_ADDR/$PREFIX in $NAMESPACE"
  fi
  check_both_ways
}

cmd_stop() {
  if namespace_exists; then
    local pids
    pids=$(ip netns pids "$NAMESPACE" 2>/dev/null | tr '\n' ' ')
    [[ -z $pids ]] || log "warning: processes still running in $NAMESPACE (left alone): ${pids% }"
    log "deleting namespace $NAMESPACE"
    ip netns del "$NAMESPACE"
  else
    log "namespace $NAMESPACE does not exist"
  fi
  # Deleting either end of a veth pair deletes both, wherever the other end is.
  if host_link_exists; then
    log "deleting $HOST_IF (and with it $GATE_IF)"
    ip link del dev "$HOST_IF"
  else
    log "$HOST_IF does not exist"
  fi
}

cmd_status() {
  local problem=""
  if ! namespace_exists; then
    problem="no namespace $NAMESPACE"
  elif ! host_link_exists; then
    problem="no $HOST_IF in the main namespace"
  elif ! gate_link_in_ns; then
    problem="no $GATE_IF in $NAMESPACE"
  elif [[ $(addresses_of "$HOST_IF") != "$HOST_ADDR/$PREFIX" ]]; then
    problem="$HOST_IF does not have $HOST_ADDR/$PREFIX (alone)"
  elif [[ $(addresses_of "$GATE_IF" in_ns) != "$GATE_ADDR/$PREFIX" ]]; then
    problem="$GATE_IF does not have $GATE_ADDR/$PREFIX (alone)"
  elif ! link_is_up "$HOST_IF" || ! link_is_up "$GATE_IF" in_ns || ! link_is_up lo in_ns; then
    problem="$HOST_IF, $GATE_IF or the namespace's lo is down"
  elif [[ -n $(default_routes_in_ns) ]]; then
    problem="$NAMESPACE has a default route"
  elif [[ $(route_device) != "$HOST_IF" ]]; then
    problem="$GATE_ADDR is not routed via $HOST_IF"
  elif ! reachable "$GATE_ADDR"; then
    problem="$GATE_ADDR does not answer ($(probe_name))"
  fi
  if [[ -n $problem ]]; then
    log "not ready: $problem"
    return 1
  fi
  log "ready: $HOST_IF $HOST_ADDR/$PREFIX <-> $GATE_IF $GATE_ADDR/$PREFIX in $NAMESPACE, $GATE_ADDR answers"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  *) printf 'usage: %s start|stop|status\n' "$0" >&2; exit 2 ;;
esac
