"""Every error → HTTP status and one JSON shape, in one place; each logged as one line.

Our routes answer {"error": {"code", "message", "field"}}; the OpenAI-dialect routes
(/v1/...) answer OpenAI's {"error": {"message", "type", "param", "code"}} so its clients
show the message. A 4xx is the client's mistake: one log line (JSON, with the request id),
never a traceback. Only an error nobody expected (a bug) logs its traceback.
"""

from __future__ import annotations

import json
import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, RequestEntityTooLarge

from tts.errors import RangeNotSatisfiable, TTSError, Unauthorized, UnknownField, UnsupportedEncoding
from tts.web.context import CODINGS
from tts.request import CAPTIONED, OPENAI, Dialect
from tts.web.observability import current_request_id

log = logging.getLogger(__name__)


def openai_type(status: int) -> str:
    """OpenAI's error type for a status: the client's mistake, its rate, or the server's trouble."""
    return "server_error" if status >= 500 else "rate_limit_error" if status == 429 else "invalid_request_error"


def _without_v1() -> bool:
    """A path of OpenAI's API without its /v1 (none is a route of ours): what its client asks for when the
    base_url lacks /v1 (/audio/speech, /audio/transcriptions, /models, /models/<id>, …)."""
    path = request.path.rstrip("/")
    return path == "/models" or path.startswith(("/models/", "/audio/"))


def _openai_dialect() -> bool:
    """A /v1/ route's request, also one no route matched (a path or method OpenAI's client got wrong,
    or one of its routes without /v1: a base_url missing it)."""
    return request.blueprint == "openai" or request.path.startswith("/v1/") or _without_v1()


def _named_dialect() -> Dialect | None:
    """The dialect a client of this route names fields in, where it differs from the request's attributes
    (synthesis names `text` what OpenAI's and Kokoro-FastAPI's clients send as `input`)."""
    if _openai_dialect():
        return OPENAI
    return CAPTIONED if request.endpoint == "captions.captioned_speech" else None


def answered_with(error: Exception) -> tuple[int, str]:
    """The status and code the app answers `error` with: the one mapping the handlers below use, and the
    access line and tts_http_requests too (tts.web.observability), so both say what the client got."""
    if isinstance(error, TTSError):
        return error.status, error.code
    if isinstance(error, RequestEntityTooLarge):   # werkzeug names it "Request Entity Too Large"
        return 413, "payload_too_large"
    if isinstance(error, HTTPException):
        return error.code or 500, (error.name or "error").lower().replace(" ", "_")
    return 500, "internal_error"


def error_response(status: int, code: str, message: str, field: str | None = None):
    _log(status, code, message, field)
    if _openai_dialect():
        body = {"message": message, "type": openai_type(status), "param": field, "code": code}
    else:
        body = {"code": code, "message": message, "field": field}
    response = jsonify({"error": body})
    response.status_code = status
    return response


def _log(status: int, code: str, message: str, field: str | None) -> None:
    """One line per error answered: what the client was told, under its request id."""
    line = json.dumps({"request_id": current_request_id(), "method": request.method, "path": request.path,
                       "status": status, "code": code, "field": field, "message": message}, ensure_ascii=False)
    log.log(logging.WARNING if status >= 500 else logging.INFO, "%s", line)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(TTSError)
    def typed_error(error: TTSError):
        field = error.field
        dialect = _named_dialect()
        if dialect and not isinstance(error, UnknownField):
            field = dialect.wire_name(field)   # synthesis names the request's attributes: text → input
        response = error_response(*answered_with(error), error.message, field)
        if getattr(error, "retry_after", None):   # refused for now (RetryLater), or a job not done yet
            response.headers["Retry-After"] = str(error.retry_after)
        if isinstance(error, RangeNotSatisfiable):
            response.headers["Content-Range"] = f"bytes */{error.length}"
        if isinstance(error, Unauthorized):
            response.headers["WWW-Authenticate"] = "Bearer"
        if isinstance(error, UnsupportedEncoding):
            response.headers["Accept-Encoding"] = ", ".join(CODINGS)
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return error_response(*answered_with(error), f"the body is larger than {limit} bytes", "body")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        message = error.description or error.name
        if error.code == 404 and _without_v1():
            message = f"{message} OpenAI's routes are under /v1: set the client's base_url to http://<host>:<port>/v1"
        response = error_response(*answered_with(error), message)
        if isinstance(error, MethodNotAllowed) and error.valid_methods:   # a 405 says which methods the route takes
            response.headers["Allow"] = ", ".join(sorted(error.valid_methods))
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(*answered_with(error), "the server failed; see its log")
