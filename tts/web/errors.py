"""Every error → HTTP status and one JSON shape, in one place.

Our routes answer {"error": {"code", "message", "field"}}; the OpenAI-dialect routes
(/v1/...) answer OpenAI's {"error": {"message", "type", "param", "code"}} so its clients
show the message.
"""

from __future__ import annotations

import logging

from flask import Flask, jsonify, request
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tts.errors import RetryLater, TTSError, Unauthorized

log = logging.getLogger(__name__)

_OPENAI_TYPES = {400: "invalid_request_error", 401: "invalid_request_error", 404: "invalid_request_error",
                 408: "invalid_request_error", 413: "invalid_request_error", 421: "invalid_request_error",
                 429: "rate_limit_error", 503: "server_error"}


def error_response(status: int, code: str, message: str, field: str | None = None):
    if request.blueprint == "openai":
        body = {"message": message, "type": _OPENAI_TYPES.get(status, "server_error"), "param": field, "code": code}
    else:
        body = {"code": code, "message": message, "field": field}
    response = jsonify({"error": body})
    response.status_code = status
    return response


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(TTSError)
    def typed_error(error: TTSError):
        response = error_response(error.status, error.code, error.message, error.field)
        if isinstance(error, RetryLater):
            response.headers["Retry-After"] = str(error.retry_after)
        if isinstance(error, Unauthorized):
            response.headers["WWW-Authenticate"] = "Bearer"
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        return error_response(413, "payload_too_large", f"the body is larger than {limit} bytes", "body")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        return error_response(error.code or 500, code, error.description or error.name)

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        return error_response(500, "internal_error", "the server failed; see its log")
