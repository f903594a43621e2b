"""Typed errors of every layer; tts.web.errors maps them to HTTP in one place.

Each error knows its HTTP status and a stable machine-readable code, so the web layer
never guesses and clients can branch on `code` rather than on message text.
"""

from __future__ import annotations

import json
import math
from typing import Any, Mapping

SHOWN_CHARS = 40   # of a client's value quoted in an error message


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


class UnknownField(InvalidInput):
    """A field the endpoint does not take (often a misspelling): named, never silently ignored."""

    code = "unknown_field"


class NothingToSay(InvalidInput):
    """The text holds nothing a voice reads: blank, only punctuation, or only scripts no voice has."""

    code = "nothing_to_say"


class InvalidMarkup(InvalidInput):
    """A mistake in the text's SSML or inline pinyin; the message says which and where."""

    code = "invalid_markup"


class PayloadTooLarge(TTSError):
    status = 413
    code = "payload_too_large"


class UnsupportedMediaType(TTSError):
    """A body sent under another media type than JSON's (a form, text/plain, none)."""

    status = 415
    code = "unsupported_media_type"


class UnsupportedEncoding(UnsupportedMediaType):
    """A body in a Content-Encoding the server does not decode (answered with Accept-Encoding, RFC 7694)."""


class AudioTooLong(TTSError):
    """The request would make more audio than one request may (TTS_MAX_AUDIO_SECONDS).

    Well-formed but more than the server will do for one request, hence 422 rather than 400;
    not 413, which is about the body's size (and closes the connection).
    """

    status = 422
    code = "audio_too_long"


class RetryLater(TTSError):
    """Refused for now; the client may send again after `retry_after` s (the Retry-After header)."""

    def __init__(self, message: str, *, retry_after: int, field: str | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = max(1, int(retry_after))


class Busy(RetryLater):
    """The server cannot take this now (503 + Retry-After)."""

    status = 503
    code = "unavailable"


class QueueFull(Busy):
    """The bounded queue has no room."""

    code = "queue_full"


class StoreFull(Busy):
    """The job store has no room for another async result until one is fetched or expires."""

    code = "job_store_full"


class WarmingUp(Busy):
    """The worker is still loading the voices it starts with."""

    code = "warming_up"


class ShuttingDown(Busy):
    """The server is draining before it stops: it finishes what it accepted, takes nothing new."""

    code = "shutting_down"


class WorkerStalled(Busy):
    """A model call stopped progressing (or ran away past its time limit); the worker takes nothing until it returns."""

    code = "worker_stalled"


class MemoryFull(Busy):
    """The process is above its memory limit while work runs: new work waits until that is done."""

    code = "memory_full"


class DiskFull(Busy):
    """The temporary directory where long results spill (TMPDIR) has no room or cannot be written:
    the work that needed it fails, and what fits in memory goes on."""

    code = "disk_full"


class JobNotFound(TTSError):
    status = 404
    code = "job_not_found"


class JobExpired(TTSError):
    """A job that existed and is no longer kept (its TTL passed, or its fetched result made room): 410, for a
    while (tts.service.jobs.GONE_SECONDS); the message says when it went. Unknown ids stay 404."""

    status = 410
    code = "job_expired"


class ResultLost(TTSError):
    """A kept result whose file the server lost (something outside it removed it, e.g. /tmp aging): gone for
    good, nothing the client did (410, not a 5xx: sending the request again is the only remedy)."""

    status = 410
    code = "result_lost"


class ModelNotFound(TTSError):
    """GET /v1/models/<id> for a model this server does not offer."""

    status = 404
    code = "model_not_found"


class RangeNotSatisfiable(TTSError):
    """A byte range that starts past the end of the audio (answered with Content-Range: bytes */length)."""

    status = 416
    code = "range_not_satisfiable"

    def __init__(self, message: str, *, length: int) -> None:
        super().__init__(message, field="Range")
        self.length = length


class ClientGone(TTSError):
    """The client hung up before its (whole) answer was ready: nobody received anything. Logged, never
    sent: 499 is nginx's status for a request its client closed (tts.web.observability)."""

    status = 499
    code = "client_closed_request"


class JobNotReady(TTSError):
    """The job exists but has no audio (yet, or it failed); one not done yet says when to ask again
    (`retry_after` s, the Retry-After header)."""

    status = 409
    code = "job_not_ready"

    def __init__(self, message: str, *, field: str | None = None, retry_after: int | None = None) -> None:
        super().__init__(message, field=field)
        self.retry_after = retry_after


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


def shown(value: Any) -> str:
    """A value as JSON, short, and safe to log or send back (lone surrogates escaped)."""
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, int) and not isinstance(value, bool) and value.bit_length() > 64:
        return "a very large number"
    if isinstance(value, float) and not math.isfinite(value):   # JSON has no NaN: a literal beyond float range
        return "a number too large to hold"
    text = json.dumps(value, ensure_ascii=False, default=lambda v: type(v).__name__)
    text = text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text if len(text) <= SHOWN_CHARS else text[:SHOWN_CHARS - 4] + "…" + text[-1]
