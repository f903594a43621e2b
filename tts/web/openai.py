"""The OpenAI speech API dialect: POST /v1/audio/speech, GET /v1/audio/voices, GET /v1/models[/<id>].

Speech streams by default in every format (chunked, as OpenAI's API does); `stream: false`
asks for the whole file (Content-Length, byte ranges, MP3's gapless tag). Clients with
OpenAI's voice names hard-coded (alloy, nova, onyx, ...) get one of our voices of the same
gender; our own voice ids work too. `instructions` (a style prompt
for OpenAI's newer models) is accepted and ignored: our voices have no style control.
Errors on these routes take OpenAI's shape (see tts.web.errors).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from tts.errors import ModelNotFound, shown
from tts.request import OPENAI
from tts.web.context import json_body, service, synthesis_request
from tts.web.responses import audio_response

openai = Blueprint("openai", __name__, url_prefix="/v1")

MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")


def model_ids() -> list[str]:
    return [*MODELS, *service().catalogue.engines]


@openai.post("/audio/speech")
def speech():
    payload = json_body()
    request = synthesis_request(payload, dialect=OPENAI, models=model_ids())
    job = service().submit(request)
    return audio_response(job, disposition="attachment")


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
