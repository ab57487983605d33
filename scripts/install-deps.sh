#!/bin/sh
# Installs the Debian 12 packages openwsk needs to build and test, once: does nothing when
# everything is present, runs apt-get update only when something is missing.
set -eu

pkgs="meson ninja-build pkg-config gcc g++ clang libclang-rt-14-dev liburing-dev
libjansson-dev libcmocka-dev python3 netcat-openbsd iproute2 util-linux"

missing=""
for p in $pkgs; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0

echo "install-deps: installing:$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
# shellcheck disable=SC2086
$SUDO apt-get install -y -qq --no-install-recommends $missing
