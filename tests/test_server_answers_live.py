"""On the wire, against `python app.py`: a job's status revalidates (ETag, 304, also for HEAD), and the answers the server makes itself (408, 431, the 503s at the connection cap) can be
read by a page of a listed origin (CORS headers), as the app's own answers can."""

from __future__ import annotations

import json
import time

import pytest
import requests

from test_connections_live import SLACK, connect, connection_states, head_and_body, read_until_closed, refused_at_the_cap, serving_again

pytestmark = pytest.mark.live

ORIGIN = "https://app.example"
HEADER_TIMEOUT = 5   # the 408 tests wait it out; the eviction test must make room within it (a few requests)


@pytest.fixture(scope="module")
def server():
    """At most three connections, short header deadlines, one listed origin; jobs kept for the default TTL (an hour:
    no stall of a loaded machine turns a finished job's 304 into a 410 between two requests); a short drain (the cap
    tests leave connections open, and the default 20 s drain made its teardown the suite's slowest)."""
    from live import LiveServer

    server = LiveServer(TTS_CORS_ORIGINS=ORIGIN, TTS_MAX_CONNECTIONS="3", TTS_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT),
                        TTS_BODY_TIMEOUT_SECONDS="60", TTS_KOKORO="0", TTS_DRAIN_SECONDS="2")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def finished(server) -> dict:
    job = requests.post(f"{server.url}/tts", json={"text": "你好。", "async": True}, timeout=30).json()
    deadline = time.monotonic() + 60
    while requests.get(server.url + job["links"]["self"], timeout=10).json()["status"] != "done":
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return job


def test_a_polled_status_the_client_holds_is_a_304_without_a_body_on_a_kept_alive_connection(server):
    """Every poll sent the whole document again, and `no-store` meant no client ever asked with If-None-Match."""
    url = server.url + finished(server)["links"]["self"]
    with requests.Session() as session:
        first = session.get(url, timeout=10)
        etag = first.headers["ETag"]
        assert first.headers["Cache-Control"] == "no-cache" and etag.startswith('"') and etag.endswith('"')
        again = session.get(url, headers={"If-None-Match": etag}, timeout=10)
        head = session.head(url, headers={"If-None-Match": etag}, timeout=10)
        plain_head = session.head(url, timeout=10)
        other = session.get(url, headers={"If-None-Match": '"another"'}, timeout=10)
    assert again.status_code == head.status_code == 304 and again.content == head.content == b""
    assert again.headers["ETag"] == head.headers["ETag"] == plain_head.headers["ETag"] == etag
    assert again.headers["Cache-Control"] == "no-cache" and "Content-Length" not in again.headers
    assert plain_head.status_code == 200 and other.status_code == 200 and other.content == first.content


def test_a_running_jobs_status_changes_its_etag_as_it_changes(server):
    body = {"text": "今天天气很好，我们去公园散步吧。" * 8, "speed": 0.5, "async": True}   # seconds of work
    job = requests.post(f"{server.url}/tts", json=body, timeout=30).json()
    url = server.url + job["links"]["self"]
    seen = {}
    deadline = time.monotonic() + 60
    while True:
        response = requests.get(url, timeout=10)
        seen[response.headers["ETag"]] = response.content
        if response.json()["status"] == "done":
            break
        assert time.monotonic() < deadline
        time.sleep(0.02)
    assert len(set(seen.values())) == len(seen) >= 2   # one ETag per document, and the document changed


def cors_of(response: bytes) -> str | None:
    return head_and_body(response)[1].get("access-control-allow-origin")


@pytest.mark.parametrize("origin, allowed", [(ORIGIN, ORIGIN), ("https://elsewhere.example", None)])
def test_a_408_to_headers_that_never_end_can_be_read_by_a_listed_origin(server, origin, allowed):
    sock = connect(server)
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {origin}\r\n".encode())   # never ends
    response, closed = read_until_closed(sock, time.monotonic() + HEADER_TIMEOUT + SLACK)
    sock.close()
    assert response.startswith(b"HTTP/1.1 408 ") and closed and cors_of(response) == allowed
    assert head_and_body(response)[1]["vary"] == "Origin"
    if allowed:
        assert "Retry-After" in head_and_body(response)[1]["access-control-expose-headers"]


def test_a_431_can_be_read_by_a_listed_origin(server):
    sock = connect(server)
    sock.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n".encode() +
                 b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * 4000) for i in range(20)) + b"\r\n")
    response, closed = read_until_closed(sock, time.monotonic() + SLACK)
    sock.close()
    assert response.startswith(b"HTTP/1.1 431 ") and closed and cors_of(response) == ORIGIN


def test_a_connection_closed_mid_headers_to_make_room_can_be_read_by_a_listed_origin(server):
    slow = connect(server)
    slow.sendall(f"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {ORIGIN}\r\n".encode())   # still coming
    deadline = time.monotonic() + SLACK
    while connection_states(server).get("reading") != 1:   # accepted first: it has waited longest (the scrape's
        assert time.monotonic() < deadline, "the server never began to read the request"   # own connection ends)
        time.sleep(0.05)
    idle = [connect(server) for _ in range(2)]   # accepted after it (one listen queue, in order)
    assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200   # the slow one waited longest
    response, closed = read_until_closed(slow, time.monotonic() + SLACK)
    for sock in [slow, *idle]:
        sock.close()
    assert response.startswith(b"HTTP/1.1 503 ") and closed and cors_of(response) == ORIGIN
    assert json.loads(head_and_body(response)[2])["error"]["code"] == "too_many_connections"


def test_a_connection_refused_at_the_cap_can_be_read_by_a_listed_origin(server):
    response, closed = refused_at_the_cap(server, f"Origin: {ORIGIN}\r\n".encode())
    assert response.startswith(b"HTTP/1.1 503 ") and closed and cors_of(response) == ORIGIN
    assert serving_again(server)
