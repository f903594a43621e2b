"""The OpenAI speech API dialect: POST /v1/audio/speech, GET /v1/audio/voices, GET /v1/models.

Clients with OpenAI's voice names hard-coded (alloy, nova, onyx, ...) get one of our
voices of the same gender; our own voice ids work too. `instructions` (a style prompt
for OpenAI's newer models) is accepted and ignored: our voices have no style control.
Errors on these routes take OpenAI's shape (see tts.web.errors).
"""

from __future__ import annotations

from flask import Blueprint, jsonify

from tts.request import OPENAI
from tts.web.api import json_body, service, synthesis_request
from tts.web.responses import audio_response

openai = Blueprint("openai", __name__, url_prefix="/v1")

OPENAI_VOICES = {
    "alloy": "female", "coral": "female", "nova": "female", "sage": "female", "shimmer": "female",
    "marin": "female", "ash": "male", "ballad": "male", "echo": "male", "fable": "male", "onyx": "male",
    "verse": "male", "cedar": "male",
}
MODELS = ("tts-1", "tts-1-hd", "gpt-4o-mini-tts")


def voice_aliases(voices) -> dict[str, str]:
    """OpenAI name → our voice id: each gender's names spread over our voices of that gender."""
    aliases = {}
    for gender in ("female", "male"):
        ours = [v.id for v in voices if v.gender == gender] or [v.id for v in voices]
        names = [name for name, g in OPENAI_VOICES.items() if g == gender]
        aliases.update({name: ours[i % len(ours)] for i, name in enumerate(names)})
    return aliases


def model_ids() -> list[str]:
    engines = sorted({v.engine for v in service().voices})
    return [*MODELS, *engines]


@openai.post("/audio/speech")
def speech():
    payload = json_body()
    voice = payload.get("voice")
    aliases = voice_aliases(service().voices)
    payload = {**payload, "voice": aliases.get(voice, voice) if isinstance(voice, str) else voice}
    request = synthesis_request(payload, dialect=OPENAI, models=model_ids())
    job = service().submit(request)
    return audio_response(job, disposition="attachment")


@openai.get("/audio/voices")
def voices():
    aliases = voice_aliases(service().voices)
    return jsonify({"voices": [
        {"id": v.id, "name": v.name, "engine": v.engine, "gender": v.gender, "language": v.language,
         "description": v.description, "openai_aliases": sorted(k for k, target in aliases.items() if target == v.id)}
        for v in service().voices]})


@openai.get("/models")
def models():
    return jsonify({"object": "list", "data": [
        {"id": model, "object": "model", "created": 0, "owned_by": "zh-tts"} for model in model_ids()]})
