"""An error the app raises out of a response's body before its first byte, through the real gevent server
on a loopback port: the server answers it as the app would (tts.web.server.Handler._answer_error)."""

from __future__ import annotations

import pytest
from gevent import socket

from fakes import tone_app
from live import served_in_process
from tts.errors import ResultLost

PAGE = "https://app.example.com"


@pytest.fixture(name="address", scope="module")
def cors_server():
    with tone_app(cors_origins=PAGE) as app:
        def lost():   # a kept result whose file went between the job's look and the first read
            raise ResultLost("this result's file is gone from the server; send the request again")
            yield b""

        app.add_url_rule("/lost", "lost", lambda: app.response_class(lost()))
        with served_in_process(app) as address:
            yield address


def get(address, path: str, origin: str) -> tuple[str, dict[str, str]]:
    """The status line and headers (lower-case names) of GET `path` sent with `origin`."""
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: {origin}\r\nConnection: close\r\n\r\n"
                     .encode("latin-1"))
        response = b""
        while data := sock.recv(65536):
            response += data
    status, *lines = response.partition(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
    return status, {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines)}


def test_an_error_raised_before_the_first_byte_may_be_read_by_a_listed_origins_page(address):
    """It came without CORS headers: the page saw a network error, not the 410 telling it to send again."""
    status, headers = get(address, "/lost", PAGE)
    assert status.startswith("HTTP/1.1 410")
    assert headers["access-control-allow-origin"] == PAGE and "Origin" in headers["vary"]
    assert "X-Request-ID" in headers["access-control-expose-headers"] and headers["x-request-id"]


def test_to_another_origin_it_says_only_that_it_differs_by_origin(address):
    status, headers = get(address, "/lost", "https://elsewhere.example.com")
    assert status.startswith("HTTP/1.1 410") and "access-control-allow-origin" not in headers
    assert "Origin" in headers["vary"]
