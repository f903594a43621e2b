#!/usr/bin/env bash
# Test-only tools for tests/browser, installed only when missing (safe to run again):
#   Debian's Chromium (Playwright drives it; `playwright install` cannot download browsers here),
#   a CJK font (without one Chinese renders as boxes in screenshots),
#   axe-core from npm into tests/browser/node_modules (injected by the tests, never served).
# The Python side (playwright) comes from requirements-dev.txt. Needs root for apt-get.
set -euo pipefail
cd "$(dirname "$0")"

missing=()
command -v chromium >/dev/null || missing+=(chromium)
fc-list :lang=zh 2>/dev/null | grep -q . || missing+=(fonts-noto-cjk)
if [ ${#missing[@]} -gt 0 ]; then
  apt-get update
  DEBIAN_FRONTEND=noninteractive apt-get install -y "${missing[@]}"
fi

axe_version=$(sed -n 's/.*"axe-core": *"\([^"]*\)".*/\1/p' package.json)
installed=$(sed -n 's/^ *"version": *"\([^"]*\)".*/\1/p' node_modules/axe-core/package.json 2>/dev/null | head -n1 || true)
if [ "$installed" != "$axe_version" ]; then
  command -v npm >/dev/null || { apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y npm; }
  npm install --no-package-lock --no-audit --no-fund --loglevel=error
fi
