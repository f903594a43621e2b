"""Request ids, structured access log lines and HTTP metrics; GET /metrics for Prometheus.

One access line per request, written when its response has ended, so that it says what the
client got (tts_http_requests counts the same status). A whole response is logged as the view's
hooks finish it; a streamed one at the end of its body, with the bytes the server wrote and `ms` to
that end. A body that raised before its first byte is answered by the server with the app's
error instead (tts.web.server): its line has that status and the error's code. One that raised
later, or was closed before its end (the client went away or stopped reading), keeps the status
that was sent and says `"incomplete": true` (and the error's code, if any). A client that hung up
while its whole file was being made got nothing: its line says 499 (nginx's status for a request
its client closed), `"incomplete": true` and `"error": "client_closed_request"`. A request the app
never saw, answered by the server itself (400 or 414: it could not be parsed; 408: its headers
came too slowly; 431: they were too large; 503: the connection cap, at accept or mid-headers),
gets its line from the server (`log_unparsed`), under the request id its answer's X-Request-ID
carries, and is counted under the route "unparsed".
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from typing import Callable, Iterable, Iterator

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest
from prometheus_client.core import GaugeMetricFamily

from tts.errors import ClientGone

access_log = logging.getLogger("tts.access")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")
_LOG_ACCESS = "tts.access"   # app.extensions: the app's access line writer, which also counts it
CONNECTIONS = "tts.connections"   # app.extensions: the server's open connections by state (tts.web.server), when served
# HTTP's methods (RFC 9110, and PATCH): the metrics' method label is one of these or "other". A client may send any
# token as its method, and each one a label of its own was a new series kept for ever (memory, and every scrape).
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH"})


def new_request_id() -> str:
    """An id for a request that came without one of its own (or not one we keep)."""
    return uuid.uuid4().hex


def current_request_id() -> str | None:
    """The id of the request being answered (None outside a request, or before `start` ran): the access
    line's, for other lines about the same request."""
    return g.get("request_id")


def register_observability(app: Flask, registry: CollectorRegistry) -> None:
    requests_total = Counter("tts_http_requests", "HTTP requests by route, method and status.",
                             ["route", "method", "status"], registry=registry)
    latency = Histogram("tts_http_response_seconds", "Time to the response headers, by route.",
                        ["route"], registry=registry)

    def log_access(line: dict) -> None:
        method = line["method"] or ""
        requests_total.labels(line["route"], method if method in METHODS or not method else "other",
                              str(line["status"])).inc()
        access_log.info(json.dumps(line))

    app.extensions[_LOG_ACCESS] = log_access
    registry.register(_ConnectionStates(app))

    @app.before_request
    def start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _CLIENT_ID.match(incoming) else new_request_id()
        g.started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        request_id = current_request_id() or new_request_id()
        response.headers["X-Request-ID"] = request_id
        route = request.url_rule.rule if request.url_rule else "unmatched"
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        latency.labels(route).observe(seconds)
        line = {"request_id": request_id, "method": request.method, "path": request.path, "route": route,
                "status": response.status_code, "ms": round(seconds * 1000, 1),
                "bytes": response.content_length, "remote": request.remote_addr}
        if response.status_code == ClientGone.status:   # the client left before any answer: nothing sent
            line.update(bytes=0, incomplete=True, error=ClientGone.code)
        if response.is_streamed and request.method != "HEAD" and response.status_code not in (204, 304):
            response.response = LoggedBody(response.response, line, log_access,
                                           time.perf_counter() - seconds)
        else:
            log_access(line)
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)


class _ConnectionStates:
    """tts_http_connections{state}: the server's open connections, idle (no request begun), reading (a request's
    line or headers coming) or working (its request read); nothing before the server runs."""

    def __init__(self, app: Flask) -> None:
        self._app = app

    def collect(self) -> Iterator[GaugeMetricFamily]:
        states = self._app.extensions.get(CONNECTIONS)
        gauge = GaugeMetricFamily("tts_http_connections", "Open connections by state (idle, reading, working).",
                                  labels=["state"])
        for state, count in (states() if states else {}).items():
            gauge.add_metric([state], count)
        yield gauge


def log_unparsed(app: Flask, request_id: str, status: int, code: str, remote: str | None, sent: int, *,
                 method: str | None = None, path: str | None = None) -> None:
    """The access line of a request the server answered itself before the app saw it (tts.web.server), and its
    count (route "unparsed"): one it could not parse or refused at the connection cap (no method or path: what it
    sent may hold a user's text, or was never read) or whose headers came too slowly or were cut off to make room
    at the cap (its method and path without the query, if its request line had come); under
    `request_id`, the one its answer's X-Request-ID carries."""
    app.extensions[_LOG_ACCESS]({"request_id": request_id, "method": method, "path": path, "route": "unparsed",
                                 "status": status, "ms": None, "bytes": sent, "remote": remote, "error": code})


class LoggedBody:
    """A streamed response's body that writes its access line once, at its end: its last byte made,
    the error it raised, or the server closing it before either (the client went away). Its bytes are
    those of the chunks the server wrote: a chunk counts once the next is asked for (or the body ends),
    so one whose write failed (the server then closes the body) does not."""

    def __init__(self, body: Iterable, line: dict, log: Callable[[dict], None], started: float) -> None:
        self._body = body
        self._line = line
        self._log = log
        self._started = started
        self._sent = 0
        self._whole = False
        self._error: Exception | None = None
        self._logged = False

    def __iter__(self) -> Iterator:
        try:
            for chunk in self._body:
                yield chunk
                # asked for the next one: the server wrote this one whole (a failed write closes the body)
                self._sent += len(chunk) if isinstance(chunk, bytes) else len(chunk.encode())
        except Exception as error:
            self._error = error
            self._ended()
            raise
        self._whole = True
        self._ended()

    def close(self) -> None:
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._ended()

    def _ended(self) -> None:
        """Its end: the last byte made, a failure, or a close before either (one line, the first time)."""
        if not self._logged:
            self._logged = True
            self._log(self._outcome())

    def _outcome(self) -> dict:
        line = {**self._line, "ms": round((time.perf_counter() - self._started) * 1000, 1), "bytes": self._sent}
        if self._error is not None:
            from tts.web.errors import answered_with   # here: tts.web.errors imports this module
            status, line["error"] = answered_with(self._error)
            if not self._sent:   # the server answers the error instead (tts.web.server)
                line["status"], line["bytes"] = status, None
                return line
        if not self._whole:
            line["incomplete"] = True
        return line
