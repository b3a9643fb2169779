# shellcheck shell=bash
# Sourced by exim.sh, sendmail.sh and opensmtpd.sh: an MTA from Debian's packages, downloaded once
# into a cache and unpacked into a directory of its own, never installed (each would replace
# Postfix as the system MTA); the shared libraries it needs, which conflict with nothing, installed
# for real. The caller defines log() and die() and sources apt.sh.

# Download into the directory $1 the .debs of the packages $2... it does not hold yet.
fetch_debs() {
  local cache=$1 package scratch
  shift
  local -a missing=()
  install -d -m 755 "$cache"
  for package; do
    compgen -G "$cache/${package}_*.deb" >/dev/null || missing+=("$package")
  done
  (( ${#missing[@]} )) || return 0
  log "downloading ${missing[*]} into $cache"
  # In a scratch directory that apt's sandbox user may write to, moved into the cache once whole:
  # an interrupted download leaves no part of a .deb that the next start would take for one.
  scratch=$(mktemp -d)
  chmod 755 "$scratch"
  if id -u _apt >/dev/null 2>&1; then chown _apt "$scratch"; fi
  if ! (cd "$scratch" && apt-get download -q "${missing[@]}" </dev/null); then
    if [[ ${MAILV_APT_UPDATED:-0} != 1 ]]; then
      log "download failed; running apt-get update once and retrying"
      apt-get -o DPkg::Lock::Timeout=300 update -q </dev/null || log "warning: apt-get update failed"
      export MAILV_APT_UPDATED=1
    fi
    (cd "$scratch" && apt-get download -q "${missing[@]}" </dev/null) || { rm -rf "$scratch"; die "could not download ${missing[*]}"; }
  fi
  mv "$scratch"/*.deb "$cache"/
  rm -rf "$scratch"
}

# Unpack every .deb of the cache $1 into the directory $2, unless the program $3 is there already,
# unpacked from these very .debs (their names are kept in $2/.unpacked).
unpack_debs() {
  local cache=$1 dir=$2 program=$3 debs deb
  debs=$(cd "$cache" && ls -- *.deb)
  if [[ -x $program && -f $dir/.unpacked && $(<"$dir/.unpacked") == "$debs" ]]; then
    return 0
  fi
  log "unpacking $(tr '\n' ' ' <<<"$debs")into $dir"
  rm -rf "$dir"
  install -d -m 755 "$dir"
  for deb in "$cache"/*.deb; do
    dpkg -x "$deb" "$dir"
  done
  printf '%s\n' "$debs" >"$dir/.unpacked"
}

# Install the shared libraries (the lib* entries of Depends, first of their alternatives) that the
# .debs of the cache $1 need and the machine lacks.
install_deb_libraries() {
  local cache=$1 deb dep name
  local -a missing=()
  for deb in "$cache"/*.deb; do
    while IFS= read -r dep; do
      name=${dep%%[ |(]*}
      [[ $name == lib* ]] || continue
      [[ $(dpkg-query -W -f='${Status}' "$name" 2>/dev/null || true) == "install ok installed" ]] || missing+=("$name")
    done < <(dpkg-deb -f "$deb" Depends | tr ',' '\n' | sed 's/^ *//')
  done
  if (( ${#missing[@]} )); then apt_install "${missing[@]}"; fi
}
