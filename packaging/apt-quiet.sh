# shellcheck shell=sh
# What packaging/install-deps.sh and bench/sidebyside/install-deps.sh share (sourced, as root on Debian 12):
# finding which packages are missing, installing them without starting the services some ship (h2o's and nginx's, on fixed ports: the suite and
# the benchmarks start their own on free ones), and stopping such a service left running.

# missing_packages PACKAGE...: prints those of PACKAGE not installed, each after a space (nothing when all are).
missing_packages() {
    for p in "$@"; do
        if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
            printf ' %s' "$p"
        fi
    done
}

# apt_install_quietly PACKAGE...: apt-get update, then the packages without recommends, while a policy-rc.d
# answering 101 keeps invoke-rc.d from starting services (one already there, as in containers, is left alone).
apt_install_quietly() {
    made_policy=""
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
        chmod 755 /usr/sbin/policy-rc.d
        made_policy=yes
    fi
    export DEBIAN_FRONTEND=noninteractive
    status=0
    { apt-get update -q && apt-get install -y -q --no-install-recommends "$@"; } || status=$?
    [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d
    return "$status"
}

# stop_services NAME...: each service stopped and disabled (systemd, else sysvinit); nothing when not root.
stop_services() {
    [ "$(id -u)" -eq 0 ] || return 0
    for service in "$@"; do
        if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
            systemctl disable --now "$service.service" >/dev/null 2>&1 || true
        elif [ -x "/etc/init.d/$service" ]; then
            "/etc/init.d/$service" stop >/dev/null 2>&1 || true
            update-rc.d "$service" disable >/dev/null 2>&1 || true
        fi
    done
}
