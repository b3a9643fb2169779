# shellcheck shell=bash
# Sourced by the service scripts: the name the servers give themselves.

# The host's name with a domain: "myhost" becomes "myhost.localdomain", a name with a dot stays as it is.
fqdn() {
  local h
  h=$(hostname)
  [[ $h == *.* ]] || h="$h.localdomain"
  printf '%s\n' "$h"
}
