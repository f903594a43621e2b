#!/usr/bin/env bash
# System packages the test suite runs for real, installed only when missing (needs root once):
# Redis for the shared cache and job store, nginx to check deploy/nginx.conf, systemd's
# systemd-analyze (and libseccomp) to check deploy/tts.service's sandbox; Chromium, a CJK
# font and axe-core for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"
missing=()
command -v redis-server >/dev/null || missing+=(redis-server)
command -v nginx >/dev/null || [ -x /usr/sbin/nginx ] || missing+=(nginx)
command -v systemd-analyze >/dev/null || missing+=(systemd)
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" -ne 0 ]; then   # apt-get would fail with a lock-file error that names none of them
    echo "setup-system.sh: the tests need ${missing[*]}; install them as root" \
         "(apt-get install ${missing[*]}) and run again" >&2
    exit 1
  fi
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi
bash browser/setup.sh
