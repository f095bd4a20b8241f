#!/bin/sh
# Installs the Debian packages the side-by-side benchmarks need (bench/README.md, "Side by side").
# Idempotent: installs only what is missing (apt-get update first). Run as root on Debian 12.
#
# The seed's Python stack comes from Debian, without recommends: uvicorn then runs on its pure-Python
# defaults (h11, asyncio's loop), as the seed's plain `pip install uvicorn` does. The h2o and nginx
# packages ship services; no service may start on install (policy-rc.d), and one left running is stopped
# and disabled, so nothing of ours listens on a fixed port.
set -eu
. "$(dirname "$0")/../../packaging/apt-quiet.sh"

PACKAGES="
python3 python3-fastapi python3-uvicorn python3-aiohttp python3-requests python3-matplotlib
h2o hey wrk nghttp2-client time procps nginx-light libnginx-mod-http-echo
"

# shellcheck disable=SC2086
missing=$(missing_packages $PACKAGES)

if [ -z "$missing" ]; then
    echo "sidebyside install-deps: all packages present"
    stop_services h2o nginx
    exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
    echo "sidebyside install-deps: missing packages:$missing; run this as root" >&2
    exit 1
fi

echo "sidebyside install-deps: installing$missing"
# shellcheck disable=SC2086
apt_install_quietly $missing
stop_services h2o nginx
