#!/bin/sh
# Installs every Debian package asyncdemo needs to build, run, test and benchmark.
# Idempotent: installs only what is missing. Run as root on Debian 12.
set -eu

PACKAGES="
build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
libh2o-evloop-dev libssl-dev libcurl4-openssl-dev libjansson-dev libsystemd-dev libcmocka-dev
systemd curl nghttp2-client wrk valgrind python3 python3-h2 procps iproute2 lintian man-db
chromium python3-websocket
openssl testssl.sh
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "install-deps: missing packages:$missing; run this script as root" >&2
    exit 1
fi

echo "install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
