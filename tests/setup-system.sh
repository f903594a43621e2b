#!/usr/bin/env bash
# System packages the test suite runs for real, installed only when missing (needs root once):
# Redis for the shared cache and job store; Chromium, a CJK font and axe-core for the browser tests.
set -euo pipefail
cd "$(dirname "$0")"
if ! command -v redis-server >/dev/null; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y redis-server
fi
bash browser/setup.sh
