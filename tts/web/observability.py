"""Request ids, structured access log lines and HTTP metrics; GET /metrics for Prometheus."""

from __future__ import annotations

import json
import logging
import re
import time
import uuid

from flask import Flask, Response, g, request
from prometheus_client import CONTENT_TYPE_LATEST, CollectorRegistry, Counter, Histogram, generate_latest

access_log = logging.getLogger("tts.access")
_CLIENT_ID = re.compile(r"^[A-Za-z0-9._-]{1,64}$")


def register_observability(app: Flask, registry: CollectorRegistry) -> None:
    requests_total = Counter("tts_http_requests", "HTTP requests by route, method and status.",
                             ["route", "method", "status"], registry=registry)
    latency = Histogram("tts_http_response_seconds", "Time to the response headers, by route.",
                        ["route"], registry=registry)

    @app.before_request
    def start() -> None:
        incoming = request.headers.get("X-Request-ID", "")
        g.request_id = incoming if _CLIENT_ID.match(incoming) else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def finish(response: Response) -> Response:
        request_id = g.get("request_id") or uuid.uuid4().hex
        response.headers["X-Request-ID"] = request_id
        route = request.url_rule.rule if request.url_rule else "unmatched"
        seconds = time.perf_counter() - g.get("started", time.perf_counter())
        requests_total.labels(route, request.method, str(response.status_code)).inc()
        latency.labels(route).observe(seconds)
        access_log.info(json.dumps({
            "request_id": request_id, "method": request.method, "path": request.path, "route": route,
            "status": response.status_code, "ms": round(seconds * 1000, 1),
            "bytes": response.content_length, "remote": request.remote_addr,
        }))
        return response

    @app.get("/metrics")
    def metrics() -> Response:
        return Response(generate_latest(registry), mimetype=CONTENT_TYPE_LATEST)
