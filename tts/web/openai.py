"""The OpenAI speech API dialect: POST /v1/audio/speech, GET /v1/audio/voices, GET /v1/models[/<id>].

Speech streams by default in every format (chunked, as OpenAI's API does); `stream: false`
asks for the whole file (Content-Length, byte ranges, MP3's gapless tag), and `stream_format:
"sse"` the server-sent events OpenAI's newer models send: `speech.audio.delta` with the next
bytes of the response_format file in base64, then `speech.audio.done`. Clients with OpenAI's
voice names hard-coded (alloy, nova, onyx, ...) get one of our voices of the same gender, also
as OpenAI's custom voice object `{"id": ...}`; our own voice ids work too; under a `model` naming one of
our engines, OpenAI's names mean that engine's voices (tts.catalogue). `instructions` (a style prompt
for OpenAI's newer models) is accepted and ignored: our voices have no style control.
Errors on these routes take OpenAI's shape (see tts.web.errors).
"""

from __future__ import annotations

import base64
import json
from contextlib import closing
from typing import Iterable, Iterator

from flask import Blueprint, Response, jsonify

from tts.audio import AudioChunk
from tts.errors import InvalidInput, ModelNotFound, TTSError, shown
from tts.request import OPENAI, read_value
from tts.service.jobs import Job
from tts.web.context import json_body, service, synthesis_request
from tts.web.errors import openai_type
from tts.web.responses import Watcher, audio_response, encoded_stream, framed_stream, job_headers

openai = Blueprint("openai", __name__, url_prefix="/v1")

# OpenAI's speech models, with the dated names its client lists (openai-python's SpeechModel and docs)
MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts", "gpt-4o-mini-tts-2025-03-20", "gpt-4o-mini-tts-2025-12-15")
SSE = "text/event-stream"
NO_USAGE = {"input_tokens": 0, "output_tokens": 0, "total_tokens": 0}   # nothing is counted in tokens here


def model_ids() -> list[str]:
    return [*MODELS, *service().catalogue.engines]


@openai.post("/audio/speech")
def speech():
    payload = json_body()
    request = synthesis_request(payload, dialect=OPENAI, models=model_ids())
    if read_value(OPENAI["stream_format"], payload.get("stream_format"), max_chars=0) == "sse":
        if not request.stream:
            raise InvalidInput("'stream' cannot be false with 'stream_format': \"sse\" (events always stream); "
                               "leave 'stream' out, or use 'stream_format': \"audio\"", field="stream")
        return speech_events(service().submit(request))
    job = service().submit(request)
    return audio_response(job, disposition="attachment")


def speech_events(job: Job) -> Response:
    """The audio as OpenAI's speech events, sent as it is made (tts.web.responses.framed_stream): an early
    failure is an HTTP error, a later one an `error` event, then the response is cut short."""
    return framed_stream(job, _events, SSE, lambda rate: {"Cache-Control": "no-cache", "X-Accel-Buffering": "no",
                                                          **job_headers(job, rate)})


def _event(body: dict) -> bytes:
    return b"data: " + json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n\n"


def _events(job: Job, chunks: Iterable[AudioChunk], watcher: Watcher) -> Iterator[bytes]:
    try:
        with closing(encoded_stream(job, chunks, watcher)) as encoded:
            for _, data in encoded:
                if data:
                    yield _event({"type": "speech.audio.delta", "audio": base64.b64encode(data).decode("ascii")})
        yield _event({"type": "speech.audio.done", "usage": NO_USAGE})
    except TTSError as error:   # failed after the stream began: one event says why, then the server cuts it short
        yield _event({"type": "error", "error": {"message": error.message, "type": openai_type(error.status),
                                                 "param": error.field, "code": error.code}})
        raise


@openai.get("/audio/voices")
def voices():
    catalogue = service().catalogue
    return jsonify({"voices": [catalogue.describe(v) for v in catalogue.voices]})


def model_card(model: str) -> dict:
    return {"id": model, "object": "model", "created": 0, "owned_by": "zh-tts"}


@openai.get("/models")
def models():
    return jsonify({"object": "list", "data": [model_card(model) for model in model_ids()]})


@openai.get("/models/<path:model>")
def model(model: str):
    if model not in model_ids():
        raise ModelNotFound(f"The model '{shown(model)[1:-1]}' does not exist", field="model")
    return jsonify(model_card(model))
