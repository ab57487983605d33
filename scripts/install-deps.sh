#!/bin/sh
# Installs the Debian 12 packages openwsk needs to build and test, once: does nothing when
# everything is present, runs apt-get update only when something is missing.
# Why each is here (a bare Debian 12 has none of them):
#   make meson ninja-build pkg-config   the build (Makefile -> Meson -> Ninja, .pc lookup)
#   gcc g++ libc6-dev binutils          default toolchain (C, the C++ ABI tests, nm for
#                                       tools/check-exports.py); libc6-dev is only a
#                                       Recommends of gcc, and we install without those
#   clang libclang-rt-14-dev            the ASan+UBSan and TSan builds (the sanitizer runtimes
#                                       are only a Recommends of clang)
#   liburing-dev                        the io_uring loop backend (epoll is always built)
#   libjansson-dev                      wskhost's control socket and wskctl
#   libcmocka-dev                       meson.build requires it when tests are on
#   python3                             tools/check-exports.py, the status-table generator
#   netcat-openbsd iproute2             what the README tells a user to talk to echosrv with
#                                       (nc, ss)
#   util-linux                          setarch (TSan runs need a fixed address layout on
#                                       kernels with high mmap randomisation)
set -eu

pkgs="make meson ninja-build pkg-config gcc g++ libc6-dev binutils clang libclang-rt-14-dev
liburing-dev libjansson-dev libcmocka-dev python3 netcat-openbsd iproute2 util-linux"

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
