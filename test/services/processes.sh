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

# Stop process $1 (called $2 in what is logged): SIGTERM, then SIGKILL if it is still there after
# 5 s. The caller defines log().
stop_process() {
  local pid=$1 name=$2 i
  kill "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  log "$name (pid $pid) ignored SIGTERM for 5s: sending SIGKILL"
  kill -KILL "$pid" 2>/dev/null || true
}
