#!/bin/sh
# Installs every Debian package asyncdemo needs to build, run, test and benchmark.
# Idempotent: installs only what is missing. Run as root on Debian 12.
set -eu
. "$(dirname "$0")/apt-quiet.sh"

PACKAGES="
build-essential cmake pkg-config clang clang-format libclang-rt-14-dev
libh2o-evloop-dev libssl-dev libnghttp2-dev libcurl4-openssl-dev libjansson-dev libsystemd-dev libcmocka-dev
systemd curl nghttp2-client wrk valgrind python3 python3-h2 procps iproute2 lintian man-db
chromium firefox-esr python3-websocket gettext locales
openssl testssl.sh
h2o nginx-light
"
# h2o and nginx-light: servers we did not write, which the suite points asyncdemoctl at
# (tests/integration/test_ctl_servers.py); it starts its own on free ports, so their services stay off.

# shellcheck disable=SC2086
missing=$(missing_packages $PACKAGES)

if [ -z "$missing" ]; then
    echo "install-deps: all packages present"
else
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: missing packages:$missing; run this script as root" >&2
        exit 1
    fi
    echo "install-deps: installing$missing"
    # shellcheck disable=SC2086
    apt_install_quietly $missing
fi
# h2o's and nginx's services are not ours: the suite starts its own servers on free ports.
stop_services h2o nginx

# The Ukrainian locale: the translation's tests run asyncdemoctl under uk_UA.UTF-8 (po/README.md).
if ! locale -a 2>/dev/null | grep -qix 'uk_UA.utf8'; then
    if [ "$(id -u)" -ne 0 ]; then
        echo "install-deps: locale uk_UA.UTF-8 missing; run this script as root" >&2
        exit 1
    fi
    echo "install-deps: generating locale uk_UA.UTF-8"
    sed -i 's/^# *\(uk_UA.UTF-8 UTF-8\)/\1/' /etc/locale.gen
    grep -qx 'uk_UA.UTF-8 UTF-8' /etc/locale.gen || echo 'uk_UA.UTF-8 UTF-8' >>/etc/locale.gen
    locale-gen
fi
