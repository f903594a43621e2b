#!/bin/sh
# onnxruntime-web for browser vocoding, exactly as npm/package-lock.json pins it (`npm ci` installs
# the lock file's versions and checks every package against its integrity hash), then gzip copies of
# the two files the server sends under /vocoder (tts/web/hidden.py RUNTIME_FILES; the 14 MB wasm
# travels as 3.7 MB). One recipe for ./run.sh and the Dockerfile's page-runtime stage.
# --gzip-only: the packages are installed already; make the gzip copies that are missing.
set -eu
cd "$(dirname "$0")"
if [ "${1:-}" != "--gzip-only" ]; then
  npm ci --no-audit --no-fund --loglevel=error >/dev/null
fi
for file in node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm \
            node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs; do
  # under a temporary name, then renamed: a set-up killed midway leaves no half copy to be served
  [ -f "$file.gz" ] || { gzip -c -n -6 "$file" > "$file.gz.tmp" && mv "$file.gz.tmp" "$file.gz"; }
done
