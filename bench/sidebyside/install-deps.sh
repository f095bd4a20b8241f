#!/bin/sh
# Installs the Debian packages the side-by-side benchmarks need (bench/README.md, "Side by side").
# Idempotent: installs only what is missing (apt-get update first). Run as root on Debian 12.
#
# The seed's Python stack comes from Debian, without recommends: uvicorn then runs on its pure-Python
# defaults (h11, asyncio's loop), as the seed's plain `pip install uvicorn` does. The h2o and nginx
# packages ship services; no service may start on install (policy-rc.d), and one left running is stopped
# and disabled, so nothing of ours listens on a fixed port.
set -eu

PACKAGES="
python3 python3-fastapi python3-uvicorn python3-aiohttp python3-requests python3-matplotlib
h2o hey wrk nghttp2-client time procps nginx-light libnginx-mod-http-echo
"

missing=""
for p in $PACKAGES; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing="$missing $p"
    fi
done

stop_h2o_service() { # and nginx's: the benchmarks start their own, on free ports
    for service in h2o nginx; do
        if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
            systemctl disable --now "$service.service" >/dev/null 2>&1 || true
        elif [ -x "/etc/init.d/$service" ]; then
            "/etc/init.d/$service" stop >/dev/null 2>&1 || true
            update-rc.d "$service" disable >/dev/null 2>&1 || true
        fi
    done
}

if [ -z "$missing" ]; then
    echo "sidebyside install-deps: all packages present"
    stop_h2o_service
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "sidebyside install-deps: missing packages:$missing; run this as root" >&2
    exit 1
fi

# A policy-rc.d answering 101 keeps invoke-rc.d from starting services during the install; one that
# is already there (as in containers) is left alone.
made_policy=""
if [ ! -e /usr/sbin/policy-rc.d ]; then
    printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
    chmod 755 /usr/sbin/policy-rc.d
    made_policy=yes
fi
cleanup() { [ -z "$made_policy" ] || rm -f /usr/sbin/policy-rc.d; }
trap cleanup EXIT INT TERM

echo "sidebyside install-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing
stop_h2o_service
