# shellcheck shell=bash
# Sourced by the service scripts: finding the daemon a script started, and no other.

# Print the pid in pid file $1 when that process is $2 (its comm) and its command line holds
# $3, so that a stale pid file or someone else's daemon is never taken for ours; else fail.
own_daemon_pid() {
  local pid_file=$1 name=$2 marker=$3 pid
  [[ -s $pid_file ]] || return 1
  pid=$(<"$pid_file")
  [[ $pid =~ ^[0-9]+$ ]] || return 1
  [[ $(cat "/proc/$pid/comm" 2>/dev/null || true) == "$name" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "$marker" || return 1
  printf '%s\n' "$pid"
}
