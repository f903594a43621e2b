"""Slow readers of long results cannot run the server out of descriptors (tts.web.server.DESCRIPTORS_PER_CONNECTION):
each may hold its socket and, while its answer is sent, up to two files (a result past the memory bound, its
encoding), and the connection cap counts them all, so accept() never fails and every client gets an answer."""

from __future__ import annotations

import json
import resource
import socket
import time

import pytest
import requests

from live import LiveServer
from sandbox import children_run
from test_connections_live import SLACK

pytestmark = pytest.mark.live

LIMIT = 128   # descriptors, soft and hard: the server cannot raise it
READERS = 64  # old cap (LIMIT - 64): each holding two descriptors, ~44 of them took the whole table


def low_limit() -> None:
    """Run in the child."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (LIMIT, LIMIT))


def first_line(sock: socket.socket, deadline: float) -> bytes:
    """The response's status line (b"" when none came before the deadline or the connection closed)."""
    data = b""
    while b"\r\n" not in data and time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(4096)
        except (socket.timeout, ConnectionResetError):
            break
        if not chunk:
            break
        data += chunk
    return data.partition(b"\r\n")[0]


def test_slow_readers_of_long_results_never_exhaust_the_descriptors(monkeypatch):
    """With 64 descriptors spare and two held per slow reader of a result past the memory bound (its socket and
    the file its samples spilled to), ~44 readers took the whole table under a limit of 128: accept() failed, so
    clients waited unanswered, and results could not spill ("Too many open files": 503 disk_full)."""
    with children_run(monkeypatch, low_limit):
        server = LiveServer(TTS_CACHE_MB="64", TTS_KOKORO="0", TTS_SEND_TIMEOUT_SECONDS="120")
    body = json.dumps({"text": "今天天气很好，我们去公园散步吧。" * 10, "speed": 0.25}).encode()   # ~6.5 MB of wav:
    request = (b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"   # more than the
               b"Content-Length: %d\r\n\r\n%s" % (len(body), body))                       # socket buffers hold
    readers = []
    try:
        server.wait_ready()
        first = requests.post(f"{server.url}/tts", data=body, headers={"Content-Type": "application/json"},
                              timeout=300)   # made once: the others come from the sentence cache
        assert first.status_code == 200 and len(first.content) > 6 << 20
        start = len(server.log_tail(10**9))
        answers = []
        for _ in range(READERS):   # each reads its status line, then nothing
            sock = socket.socket()
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
            sock.connect(("127.0.0.1", server.port))
            sock.sendall(request)
            readers.append(sock)
            answers.append(first_line(sock, time.monotonic() + 3 * SLACK))   # a loaded machine: generous
        log = server.log_tail(10**9)[start:]
    finally:
        for sock in readers:
            sock.close()
        server.stop()
    statuses = [answer[9:12].decode() for answer in answers]
    assert "Too many open files" not in log and "cannot accept connections" not in log
    assert set(statuses) <= {"200", "503"} and statuses.count("200") >= 16, statuses   # every one answered
