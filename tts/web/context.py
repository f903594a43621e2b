"""What every route needs from the app it runs in: the service, the JSON body, the request model.

Both dialects (our /tts and OpenAI's /v1) parse requests through these, so a request is
validated and its voice resolved the same way whichever route it came in on.
"""

from __future__ import annotations

import json

from flask import current_app, request

from tts.errors import InvalidInput
from tts.request import SynthesisRequest, parse_request
from tts.service.service import SynthesisService

SERVICE = "tts.service"


def service() -> SynthesisService:
    return current_app.extensions[SERVICE]


def json_body() -> dict:
    """The decoded JSON object of the request, whatever its Content-Type says."""
    raw = request.get_data(cache=True)
    try:
        payload = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise InvalidInput("the body must be a JSON object", field="body") from None
    if not isinstance(payload, dict):
        raise InvalidInput("the body must be a JSON object", field="body")
    return payload


def synthesis_request(payload: dict, **dialect) -> SynthesisRequest:
    """The shared request model with its voice resolved; `dialect` renames fields (see parse_request)."""
    catalogue = service().catalogue
    settings = current_app.config["TTS_SETTINGS"]
    parsed = parse_request(payload, voices=catalogue.names(), max_chars=settings.max_text_chars, **dialect)
    return catalogue.bind(parsed)
