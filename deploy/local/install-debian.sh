#!/usr/bin/env bash
# Installs the Debian packages the server deployment and the tests need: PostgreSQL,
# Redis and RabbitMQ (servers are started by start-services.sh, never by the package's
# own init scripts, so nothing here assumes systemd). Skips what is already installed.
set -euo pipefail
packages=(postgresql redis-server rabbitmq-server chromium)
missing=()
for package in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "debian packages: all present (${packages[*]})"
  exit 0
fi
echo "debian packages: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d 101 keeps the maintainer scripts from starting daemons: we start them on loopback ourselves.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy" && created_policy=1
fi
trap '[ "$created_policy" = 1 ] && rm -f "$policy"' EXIT
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "debian packages: installed ${missing[*]}"
