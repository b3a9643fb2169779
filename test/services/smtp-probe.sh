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
