"""The request line as clients send it, through the real gevent server on a loopback port.

curl and browsers' address bars send a query's UTF-8 bytes raw (`?text=你好`), not percent-encoded.
gevent splits the request line at whitespace with `str.split()`, which on the latin-1 decoded line
also splits at U+0085 and U+00A0: every character whose UTF-8 holds the byte 0x85 or 0xA0 (你 is
e4 bd a0) was refused as "not valid HTTP/1.1" with an error logged. The server takes them as the
percent-encoded bytes they stand for (tts.web.server.Handler.read_request).
"""

from __future__ import annotations

import logging

import pytest
from gevent import socket

from live import served_in_process


@pytest.fixture(scope="module")
def address(app):
    with served_in_process(app) as address:
        yield address


def send(address, target: bytes) -> tuple[bytes, bytes]:
    """GET `target` as its bytes, on a connection of its own: the status line and the body."""
    with socket.create_connection(address, timeout=30) as sock:
        sock.sendall(b"GET " + target + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        response = b""
        while data := sock.recv(65536):
            response += data
    head, _, body = response.partition(b"\r\n\r\n")
    return head.split(b"\r\n")[0], body


@pytest.mark.parametrize("text", ["你好", "先生", "\u00a0好"])   # e4 bd a0; e5 85 88; c2 a0 (a no-break space)
def test_raw_utf8_in_the_query_is_read_as_the_percent_encoded_text(address, text, caplog):
    quoted = "".join(f"%{b:02X}" for b in text.encode("utf-8")).encode("ascii")
    with caplog.at_level(logging.ERROR, logger="gevent"):
        status, body = send(address, b"/tts?voice=baker&format=wav&text=" + text.encode("utf-8") + "世界。".encode("utf-8"))
    assert status.startswith(b"HTTP/1.1 200") and body[:4] == b"RIFF"
    assert send(address, b"/tts?voice=baker&format=wav&text=" + quoted + "世界。".encode("utf-8"))[1] == body
    assert not caplog.records


def test_raw_utf8_in_the_path_finds_no_route_but_is_not_malformed(address):
    status, body = send(address, "/你好".encode("utf-8"))
    assert status.startswith(b"HTTP/1.1 404") and b'"error"' in body
