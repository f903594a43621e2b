"""What operators use: metrics, request ids, access log lines, and the API description."""

import json
import re
import logging
import re

import pytest


def test_metrics_expose_queue_synthesis_audio_rtf_and_process(client):
    client.post("/tts", json={"text": "你好。"}).get_data()   # counted at the response's end (its audio is streamed)
    body = client.get("/metrics").get_data(as_text=True)
    for name in ("tts_queue_depth", "tts_queue_wait_seconds_bucket", "tts_synthesis_seconds_count",
                 "tts_audio_seconds_total", "tts_real_time_factor_bucket", 'tts_jobs_total{outcome="done"}',
                 'tts_http_requests_total{method="POST",route="/tts",status="200"}',
                 "process_cpu_seconds_total", "process_resident_memory_bytes"):
        assert name in body, name


def test_rejections_are_counted(client):
    client.post("/tts", json={"text": "你好", "speed": 9})
    body = client.get("/metrics").get_data(as_text=True)
    assert 'tts_http_requests_total{method="POST",route="/tts",status="400"}' in body


def test_a_made_up_method_is_counted_as_other_not_as_a_series_of_its_own(client, caplog):
    """Each method a client made up was a new tts_http_requests series, kept for ever: memory, and scrape size."""
    with caplog.at_level(logging.INFO, logger="tts.access"):
        for index in range(20):
            assert client.open("/healthz", method=f"M{index:05d}").status_code == 405
    body = client.get("/metrics").get_data(as_text=True)
    methods = set(re.findall(r'^tts_http_requests_total\{method="([^"]*)"', body, re.M))
    assert "other" in methods and not any(method.startswith("M0") for method in methods)
    assert 'tts_http_requests_total{method="other",route="unmatched",status="405"} 20.0' in body
    line = json.loads([r for r in caplog.records if r.name == "tts.access"][-1].getMessage())
    assert line["method"] == "M00019"   # the log line says what was sent


def test_every_response_carries_a_request_id(client):
    generated = client.get("/healthz").headers["X-Request-ID"]
    assert len(generated) == 32
    assert client.get("/healthz", headers={"X-Request-ID": "abc-123"}).headers["X-Request-ID"] == "abc-123"
    assert client.get("/healthz", headers={"X-Request-ID": "bad id;"}).headers["X-Request-ID"] != "bad id;"


def test_access_log_line_is_json_with_the_request_id(client, caplog):
    with caplog.at_level(logging.INFO, logger="tts.access"):
        response = client.get("/healthz", headers={"X-Request-ID": "trace-7"})
    line = json.loads([r for r in caplog.records if r.name == "tts.access"][-1].getMessage())
    assert line["request_id"] == "trace-7" and line["status"] == response.status_code and line["route"] == "/healthz"


def test_docs_describe_every_route(app, client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    described = {(path, method) for path, item in spec["paths"].items() for method in item}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static":
            continue
        path = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", rule.rule)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            assert (path, method.lower()) in described, f"{method} {path} is not in the OpenAPI spec"


def test_the_document_is_served_as_json(client):
    assert client.get("/openapi.json").get_json()["openapi"] == "3.1.0"
