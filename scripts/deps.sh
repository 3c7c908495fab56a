#!/bin/sh
# Installs, from Debian's packages, whatever the build, the tests and the demo
# need and the machine lacks. Does nothing when everything is there.
set -eu

PACKAGES="gcc make pkg-config libc6-dev libcurl4-openssl-dev libcjson-dev libssl-dev
libcriterion-dev ansible-core ansible-lint yamllint python3 python3-cryptography openssl curl
valgrind chromium"

missing=""
for p in $PACKAGES; do
	if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
		missing="$missing $p"
	fi
done
[ -z "$missing" ] && exit 0

echo "deps: installing$missing"
if [ "$(id -u)" -eq 0 ]; then
	SUDO=""
else
	SUDO="sudo"
fi
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
