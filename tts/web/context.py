"""What every route needs from the app it runs in: the service, the JSON body, the request model.

Both dialects (our /tts and OpenAI's /v1) parse requests through these, so a request is
validated and its voice resolved the same way whichever route it came in on.
"""

from __future__ import annotations

import codecs
import math
import zlib

from flask import current_app, request
from werkzeug.exceptions import RequestEntityTooLarge

from tts.errors import InvalidInput, PayloadTooLarge, UnsupportedEncoding, UnsupportedMediaType, shown
from tts.request import TTS, Dialect, SynthesisRequest, load_json_object, parse_request
from tts.service.jobs import Job
from tts.service.service import SynthesisService

SERVICE = "tts.service"


def service() -> SynthesisService:
    return current_app.extensions[SERVICE]


def poll_after(job: Job) -> int:
    """Seconds a polling client should wait before asking about an unfinished job again (Retry-After):
    its expected time left, rounded up, at least 1 (also when another replica holds it)."""
    expected = service().expected_seconds(job)
    return max(1, math.ceil(expected)) if expected is not None else 1


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
    return load_json_object(_as_utf8(_decoded(_whole_body())))


def _whole_body() -> bytes:
    """The body as it came, or 413. One without a Content-Length (chunked) is cut off at TTS_MAX_BODY_BYTES
    by werkzeug, not refused: its head was parsed as if whole (a 400 "not JSON", or a valid object with the
    rest dropped unread)."""
    body = request.get_data(cache=True)
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit is not None and len(body) >= limit and _more_came():
        raise RequestEntityTooLarge()   # answered by the one 413 handler (tts.web.errors)
    return body


def _more_came() -> bool:
    """Whether a byte follows the limit. This read is past werkzeug's guard, which makes a malformed or cut-off
    chunk a 400: here too (it escaped as a 500)."""
    try:
        return bool(request.environ["wsgi.input"].read(1))
    except (OSError, ValueError):
        raise InvalidInput("the chunked body is malformed or cut off", field="body") from None


CODINGS = ("gzip", "deflate")   # the Content-Encodings a body may come in (RFC 9110 §8.4.1); identity = none


def _decoded(raw: bytes) -> bytes:
    """The body without its Content-Encoding (gzip or deflate), held to TTS_MAX_BODY_BYTES once
    decoded too (a small bomb never inflates past it); another coding is a 415 naming the header."""
    coding = request.headers.get("Content-Encoding", "").strip().lower()
    if coding in ("", "identity"):
        return raw
    if coding not in (*CODINGS, "x-gzip"):
        raise UnsupportedEncoding(f"the body's Content-Encoding {shown(coding)} is not one this server decodes; "
                                  f"send it as is, or as {' or '.join(CODINGS)}", field="Content-Encoding")
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    inflater = zlib.decompressobj(wbits=zlib.MAX_WBITS | 32)   # gzip or zlib, told apart by their headers
    try:
        body = inflater.decompress(raw, limit + 1)
    except zlib.error:
        raise InvalidInput(f"the body is not valid {coding} data", field="body") from None
    if len(body) > limit:
        raise PayloadTooLarge(f"the body is larger than {limit} bytes once decoded", field="body")
    if not inflater.eof:
        raise InvalidInput(f"the body's {coding} data is cut short", field="body")
    return body


# Python's codecs that are no charset a client could mean (escape sequences, domain names, none)
_NOT_CHARSETS = ("unicode-escape", "raw-unicode-escape", "idna", "punycode", "undefined")


def _as_utf8(raw: bytes) -> bytes:
    """The body in UTF-8, decoded from the charset its Content-Type names, if another (JSON is UTF-8,
    RFC 8259, but a client saying charset=gbk means it): an unknown charset is a 415 naming the header."""
    charset = request.mimetype_params.get("charset", "utf-8").strip().lower()
    try:
        codec = codecs.lookup(charset).name
    except LookupError:
        codec = None
    if codec is None or codec in _NOT_CHARSETS:
        raise UnsupportedMediaType(f"unknown charset {shown(charset)}; send the body as UTF-8",
                                   field="Content-Type")
    if codec == "utf-8" or codec.startswith(("utf-16", "utf-32")):   # json finds UTF-16 and -32 by itself
        return raw
    try:
        return raw.decode(codec).encode("utf-8")
    except LookupError:   # a codec that is no text encoding (base64, rot13)
        raise UnsupportedMediaType(f"{shown(charset)} is not a text encoding; send the body as UTF-8",
                                   field="Content-Type") from None
    except ValueError:    # bytes that are not of that charset (or decode to lone surrogates)
        raise InvalidInput(f"the body is not {charset} text, as its Content-Type says", field="body") from None


def synthesis_request(payload: dict, dialect: Dialect = TTS, **choices) -> SynthesisRequest:
    """The shared request model with its voice resolved; `dialect` is the endpoint's declaration,
    `choices` its run-time ones (see parse_request). No voice: the default one, or eco mode's.
    A `model` naming one of our engines maps OpenAI's voice names to its voices (tts.catalogue)."""
    catalogue = service().catalogue
    settings = current_app.config["TTS_SETTINGS"]
    max_chars = min(settings.max_text_chars, getattr(settings, dialect.text_setting))
    parsed = parse_request(payload, voices=catalogue.names(), max_chars=max_chars, dialect=dialect, **choices)
    model = payload.get("model") if "model" in dialect.by_name else None   # validated by parse_request
    return catalogue.bind(parsed, engine=model if model in catalogue.engines else None)
