"""Typed errors of every layer; tts.web.errors maps them to HTTP in one place.

Each error knows its HTTP status and a stable machine-readable code, so the web layer
never guesses and clients can branch on `code` rather than on message text.
"""

from __future__ import annotations


class TTSError(Exception):
    status = 500
    code = "internal_error"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


class InvalidInput(TTSError):
    """A request field is missing, of the wrong type or out of range."""

    status = 400
    code = "invalid_request"


class PayloadTooLarge(TTSError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(TTSError):
    status = 415
    code = "unsupported_media_type"


class RetryLater(TTSError):
    """Refused for now; the client may send again after `retry_after` s (the Retry-After header)."""

    def __init__(self, message: str, *, retry_after: int) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class QueueFull(RetryLater):
    """The bounded queue has no room."""

    status = 503
    code = "queue_full"


class JobNotFound(TTSError):
    status = 404
    code = "job_not_found"


class JobNotReady(TTSError):
    """The job exists but has no audio (yet, or it failed)."""

    status = 409
    code = "job_not_ready"


class EngineUnavailable(TTSError):
    """A model's files are missing or broken; the message says which and how to fix it."""

    status = 503
    code = "engine_unavailable"


class SynthesisFailed(TTSError):
    status = 500
    code = "synthesis_failed"


class Unauthorized(TTSError):
    """No API key, or not one of ours: the message never says which."""

    status = 401
    code = "unauthorized"


class RequestTimeout(TTSError):
    """The client did not send its request body in time."""

    status = 408
    code = "request_timeout"


class MisdirectedRequest(TTSError):
    """The Host header names a host this server does not serve (DNS rebinding, or a misconfiguration)."""

    status = 421
    code = "misdirected_request"


class RateLimited(RetryLater):
    """The client sent more syntheses than its rate allows."""

    status = 429
    code = "rate_limited"
