"""Every error → HTTP status and one JSON shape: {"error": {"code", "message", "field"}}."""

from __future__ import annotations

import logging

from flask import Flask, jsonify
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from tts.errors import QueueFull, TTSError

log = logging.getLogger(__name__)


def error_body(code: str, message: str, field: str | None = None):
    return jsonify({"error": {"code": code, "message": message, "field": field}})


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(TTSError)
    def typed_error(error: TTSError):
        response = error_body(error.code, error.message, error.field)
        response.status_code = error.status
        if isinstance(error, QueueFull):
            response.headers["Retry-After"] = str(error.retry_after)
        return response

    @app.errorhandler(RequestEntityTooLarge)
    def too_large(error: RequestEntityTooLarge):
        limit = app.config.get("MAX_CONTENT_LENGTH")
        response = error_body("payload_too_large", f"the body is larger than {limit} bytes", "body")
        response.status_code = 413
        return response

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        code = (error.name or "error").lower().replace(" ", "_")
        response = error_body(code, error.description or error.name)
        response.status_code = error.code or 500
        return response

    @app.errorhandler(Exception)
    def unexpected(error: Exception):
        log.exception("unhandled error")
        response = error_body("internal_error", "the server failed; see its log")
        response.status_code = 500
        return response
