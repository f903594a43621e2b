"""What every route needs from the app it runs in: the service, the JSON body, the request model.

Both dialects (our /tts and OpenAI's /v1) parse requests through these, so a request is
validated and its voice resolved the same way whichever route it came in on.
"""

from __future__ import annotations

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from tts.errors import UnsupportedMediaType
from tts.request import TTS, Dialect, SynthesisRequest, load_json_object, parse_request
from tts.service.service import SynthesisService

SERVICE = "tts.service"


def service() -> SynthesisService:
    return current_app.extensions[SERVICE]


def json_body() -> dict:
    """The request's JSON object, read only under a JSON media type (application/json or
    application/*+json; 415 otherwise, a missing Content-Type included): any web page can make
    a browser POST text/plain, a form or a typeless Blob here without a CORS preflight,
    but not application/json."""
    media_type = request.mimetype   # lower case, without parameters; "" when none was sent
    if media_type != "application/json" and not (media_type.startswith("application/")
                                                 and media_type.endswith("+json")):
        sent = f"got {media_type!r}" if media_type else "none was sent"
        raise UnsupportedMediaType(f"send the body as JSON with Content-Type: application/json ({sent})",
                                   field="Content-Type")
    body = request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(body) >= limit:
        # A chunked body (no Content-Length) is cut off at the limit, not refused: its head was parsed as if
        # whole (a 400 "not JSON", or a valid object with the rest dropped unread). Is there more?
        if request.environ["wsgi.input"].read(1):
            raise RequestEntityTooLarge()
    return load_json_object(body)


def synthesis_request(payload: dict, dialect: Dialect = TTS, **choices) -> SynthesisRequest:
    """The shared request model with its voice resolved; `dialect` is the endpoint's declaration,
    `choices` its run-time ones (see parse_request). No voice: the default one, or eco mode's."""
    catalogue = service().catalogue
    settings = current_app.config["TTS_SETTINGS"]
    max_chars = min(settings.max_text_chars, getattr(settings, dialect.text_setting))
    parsed = parse_request(payload, voices=catalogue.names(), max_chars=max_chars, dialect=dialect, **choices)
    return catalogue.bind(parsed)
