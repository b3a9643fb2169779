# shellcheck shell=bash
# Sourced by the service scripts, .ci/run and bench/run.sh: install Debian packages, running
# `apt-get update` at most once per run (MAILV_APT_UPDATED=1 says it was done). The caller
# defines log() and die().

apt_install() {
  # Services start side by side: one waits for another's dpkg lock instead of failing on it.
  local -a apt=(env DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -q --no-install-recommends "$@")
  log "installing $* from Debian packages"
  "${apt[@]}" </dev/null && return 0
  [[ ${MAILV_APT_UPDATED:-0} == 1 ]] && die "could not install $* with apt-get (package lists were already updated)"
  log "install failed; running apt-get update once and retrying"
  apt-get -o DPkg::Lock::Timeout=300 update -q </dev/null || log "warning: apt-get update failed"
  export MAILV_APT_UPDATED=1
  "${apt[@]}" </dev/null || die "could not install $* with apt-get"
}
