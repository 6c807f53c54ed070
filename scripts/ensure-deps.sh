#!/usr/bin/env bash
# Installs the Debian packages the test lab needs (test/lab/lab.ts): sshd, dockerd, busybox, mkfs.ext4,
# util-linux tools, redis-server, docker-compose and sudo (for lab hosts' `sudo: true` users). Idempotent
# and fast when everything is present: it only looks at the commands and calls apt-get when one is missing.
# It never starts machine-wide services: lab hosts run their own daemons in private namespaces.
set -euo pipefail

REQUIRED_COMMANDS=(dockerd docker redis-server sshd ssh ssh-keygen busybox docker-compose mkfs.ext4 \
  unshare nsenter setpriv losetup fallocate chattr tini ip ps sudo)
PACKAGES=(docker.io redis-server openssh-server openssh-client busybox-static docker-compose e2fsprogs \
  util-linux iproute2 procps tini sudo)

# sshd, mkfs.ext4 and friends live in sbin, which is not on every PATH (e.g. non-login shells).
export PATH="/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:${PATH:-}"

find_missing_commands() {
  local missing=()
  local cmd
  for cmd in "${REQUIRED_COMMANDS[@]}"; do
    command -v "$cmd" >/dev/null 2>&1 || missing+=("$cmd")
  done
  echo "${missing[*]:-}"
}

packages_not_installed() {
  local pkg out=()
  for pkg in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null | grep -q '^ii' || out+=("$pkg")
  done
  echo "${out[*]:-}"
}

# apt's maintainer scripts start services through invoke-rc.d, which asks /usr/sbin/policy-rc.d first;
# exit code 101 means "action forbidden", so no machine-wide dockerd/redis/sshd gets started.
install_packages_without_starting_services() {
  local policy=/usr/sbin/policy-rc.d
  local had_policy=0
  if [[ -e "$policy" ]]; then
    had_policy=1
    cp -p "$policy" "$policy.ensure-deps.bak"
  fi
  printf '#!/bin/sh\nexit 101\n' >"$policy"
  chmod 755 "$policy"
  restore_policy() {
    if [[ "$had_policy" == 1 ]]; then mv -f "$policy.ensure-deps.bak" "$policy"; else rm -f "$policy"; fi
  }
  trap restore_policy EXIT

  apt-get update -q
  DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${PACKAGES[@]}"

  restore_policy
  trap - EXIT
}

main() {
  local missing
  missing="$(find_missing_commands)"
  if [[ -z "$missing" ]]; then
    echo "ensure-deps: all lab dependencies present"
    return 0
  fi
  if [[ "$(id -u)" != 0 ]]; then
    echo "ensure-deps: missing commands ($missing) and not root: run as root to install ${PACKAGES[*]}" >&2
    return 1
  fi
  local not_installed
  not_installed="$(packages_not_installed)"
  echo "ensure-deps: missing commands: $missing; installing: ${PACKAGES[*]}"
  install_packages_without_starting_services
  echo "ensure-deps: newly installed: ${not_installed:-nothing new (packages were present, commands were not)}"
  missing="$(find_missing_commands)"
  if [[ -n "$missing" ]]; then
    echo "ensure-deps: still missing after install: $missing" >&2
    return 1
  fi
}

main "$@"
