# shellcheck shell=bash
# Sourced by the service scripts: the first line an SMTP server sends.

# Print the first line the server sends on $1:$2 (without CR); fail if none.
smtp_greeting() {
  # shellcheck disable=SC2016  # the inner script expands its own arguments
  timeout 3 bash -c '
    exec 3<>"/dev/tcp/$1/$2" || exit 1
    IFS= read -r -t 2 line <&3 || exit 1
    printf "QUIT\r\n" >&3 || true
    printf "%s\n" "${line%$'"'"'\r'"'"'}"
  ' _ "$1" "$2" 2>/dev/null
}

# Print the greeting on $1:$2 when it matches the glob $3 ('220*Exim*'); fail otherwise.
greeting_like() {
  local line
  # shellcheck disable=SC2053  # $3 is a glob
  line=$(smtp_greeting "$1" "$2") && [[ $line == $3 ]] && printf '%s\n' "$line"
}

# Wait up to $4 seconds for a greeting on $1:$2 matching the glob $3, and log it. If pid $5 (or
# "-" for none) ends first, or the time runs out, show the last lines of the log files that
# follow and fail. The caller defines log() and die(); call it plainly, not in $( ).
await_greeting() {
  local host=$1 port=$2 pattern=$3 timeout=$4 pid=$5 line
  shift 5
  log "waiting up to ${timeout}s for a greeting like '$pattern' on $host:$port"
  local deadline=$((SECONDS + timeout))
  until line=$(greeting_like "$host" "$port" "$pattern"); do
    local why=""
    if [[ $pid != - ]] && ! kill -0 "$pid" 2>/dev/null; then
      why="process $pid ended"
    elif (( SECONDS >= deadline )); then
      why="none after ${timeout}s"
    fi
    if [[ -n $why ]]; then
      log "last lines of $*:"
      tail -n 20 "$@" 2>/dev/null | sed 's/^/    /' || true
      die "no greeting like '$pattern' on $host:$port: $why"
    fi
    sleep 0.1
  done
  log "greeting: $line"
}
