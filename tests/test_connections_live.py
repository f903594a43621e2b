"""Connection hygiene against `python app.py`: every phase of a connection has a deadline and
their number a cap, so slow or idle clients cannot take the server (tts/web/server.py)."""

from __future__ import annotations

import json
import os
import resource
import selectors
import signal
import socket
import struct
import time

import pytest
import requests

from live import LiveServer
from sandbox import children_run
from tts.web.server import DESCRIPTOR_RESERVE, DESCRIPTORS_PER_CONNECTION

pytestmark = pytest.mark.live

HEADER_TIMEOUT = 2
BODY_TIMEOUT = 2
KEEPALIVE_TIMEOUT = 2
SEND_TIMEOUT = 3
SLACK = 8   # generous, for a loaded 2-core machine: what is asserted is "closed", not a latency


@pytest.fixture(scope="module")
def server():
    """Short deadlines, so the tests wait seconds, not minutes."""
    server = LiveServer(TTS_HEADER_TIMEOUT_SECONDS=str(HEADER_TIMEOUT), TTS_BODY_TIMEOUT_SECONDS=str(BODY_TIMEOUT),
                        TTS_KEEPALIVE_TIMEOUT_SECONDS=str(KEEPALIVE_TIMEOUT),
                        TTS_SEND_TIMEOUT_SECONDS=str(SEND_TIMEOUT), TTS_CACHE_MB="0")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def connect(server, timeout: float = 10) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=timeout)


def read_until_closed(sock: socket.socket, deadline: float) -> tuple[bytes, bool]:
    """Everything the server sends until it closes (True) or the deadline passes (False)."""
    data = b""
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            chunk = sock.recv(65536)
        except socket.timeout:
            break
        except ConnectionResetError:
            return data, True
        if not chunk:
            return data, True
        data += chunk
    return data, False


def read_response(sock: socket.socket) -> bytes:
    """One whole response (with a Content-Length) from a connection that stays open."""
    response = b""
    while b"\r\n\r\n" not in response:
        response += sock.recv(65536)
    _, headers, body = head_and_body(response)
    while len(body) < int(headers["content-length"]):
        body += sock.recv(65536)
    return response.partition(b"\r\n\r\n")[0] + b"\r\n\r\n" + body


def head_and_body(response: bytes) -> tuple[str, dict, bytes]:
    head, _, body = response.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in lines[1:])}
    return lines[0], headers, body


def unparsed_count(server, status: int) -> float:
    """tts_http_requests of requests the server answered itself with `status` (route "unparsed")."""
    metrics = requests.get(f"{server.url}/metrics", timeout=10).text
    return sum(float(line.rpartition(" ")[2]) for line in metrics.splitlines()   # by method (none, if unread)
               if line.startswith("tts_http_requests_total{") and f'route="unparsed",status="{status}"' in line)


def connection_states(server) -> dict[str, float]:
    """tts_http_connections by state, as /metrics reports them (the scrape's own connection is working)."""
    metrics = requests.get(f"{server.url}/metrics", timeout=10).text
    return {line.partition('state="')[2].partition('"')[0]: float(line.rpartition(" ")[2])
            for line in metrics.splitlines() if line.startswith("tts_http_connections{")}


def healthy(server) -> bool:
    return requests.get(f"{server.url}/healthz", timeout=5).status_code == 200


def test_slowloris_connections_are_closed_within_the_header_timeout(server):
    """300 clients that send a header line every half second and never finish: each gets a 408 and is closed."""
    selector = selectors.DefaultSelector()
    started = time.monotonic()
    socks = []
    for _ in range(300):
        opened = time.monotonic()   # before connecting: the server's deadline cannot start earlier
        sock = connect(server)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        sock.setblocking(False)
        selector.register(sock, selectors.EVENT_READ, {"data": b"", "opened": opened})
        socks.append(sock)
    closed, probes = {}, []
    deadline = started + HEADER_TIMEOUT + SLACK
    next_trickle = time.monotonic()
    while len(closed) < len(socks) and time.monotonic() < deadline:
        if time.monotonic() >= next_trickle:
            for sock in socks:
                if sock not in closed:
                    try:
                        sock.send(b"X-Slow: 1\r\n")
                    except OSError:
                        pass
            probes.append(healthy(server))
            next_trickle = time.monotonic() + 0.5
        for key, _ in selector.select(timeout=0.1):
            state = key.data
            try:
                chunk = key.fileobj.recv(65536)
            except ConnectionResetError:
                chunk = b""
            state["data"] += chunk
            if not chunk:
                closed[key.fileobj] = (time.monotonic() - state["opened"], state["data"])
                selector.unregister(key.fileobj)
    for sock in socks:
        sock.close()
    selector.close()
    assert len(closed) == 300, f"{300 - len(closed)} slow connections still open after {HEADER_TIMEOUT + SLACK} s"
    lifetimes = [lifetime for lifetime, _ in closed.values()]
    assert min(lifetimes) >= HEADER_TIMEOUT * 0.9   # the deadline, not something sooner, closed them
    assert all(data.startswith(b"HTTP/1.1 408 ") for _, data in closed.values())
    assert probes and all(probes)   # /healthz answered throughout


def test_a_413_closes_the_connection_without_reading_the_body(server):
    sock = connect(server)
    sock.sendall(b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100000000\r\n\r\n" + b"{" * 4096)
    response, closed = read_until_closed(sock, time.monotonic() + SLACK)
    sock.close()
    status, headers, body = head_and_body(response)
    assert status.startswith("HTTP/1.1 413 ")
    assert headers["connection"] == "close" and json.loads(body)["error"]["code"] == "payload_too_large"
    assert closed   # without waiting for the 100 MB the client announced


def test_a_client_that_sends_its_whole_oversized_body_before_reading_gets_the_413(server):
    """Most clients send the whole body, then read: closing with it unread reset the connection, and
    the 413 with it (a kept-alive requests session lost it every time)."""
    session = requests.Session()
    body = json.dumps({"text": "好" * 300_000}).encode()   # 1.8 MB, over the 256 KB limit
    for path in ("/tts", "/tts/hidden", "/v1/audio/speech") * 3:
        assert session.get(f"{server.url}/healthz", timeout=10).status_code == 200   # a kept-alive connection
        response = session.post(f"{server.url}{path}", data=body, headers={"Content-Type": "application/json"},
                                timeout=30)
        assert response.status_code == 413 and response.headers["Content-Type"] == "application/json"


def test_a_chunked_body_past_the_limit_gets_413_not_its_head_parsed_as_if_whole(server):
    """Without a Content-Length the body was cut off at TTS_MAX_BODY_BYTES and its head parsed: a 400 "not
    JSON", or a valid object with the rest dropped unread."""
    def body():
        yield b'{"text": "'
        for _ in range(20):
            yield "好".encode() * 10_000   # 600 KB in all, over the 256 KB limit
        yield b'"}'
    response = requests.post(f"{server.url}/tts", data=body(), headers={"Content-Type": "application/json"},
                             timeout=30)
    assert response.status_code == 413 and response.json()["error"]["code"] == "payload_too_large"
    within = requests.post(f"{server.url}/tts", data=iter([b'{"text": ', '"你好。"}'.encode()]),
                           headers={"Content-Type": "application/json"}, timeout=60)
    assert within.status_code == 200 and within.content[:4] == b"RIFF"   # chunked and within it: served


def test_a_malformed_chunk_right_after_the_limit_is_a_400_like_one_within_it(server):
    """The read that looks past the limit is beyond werkzeug's guard: a bad chunk-size line there escaped as
    a 500 with a traceback (within the limit the same bytes are werkzeug's 400)."""
    limit = 262_144   # TTS_MAX_BODY_BYTES' default: the first chunk fills it exactly
    sock = connect(server)
    sock.sendall(b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Transfer-Encoding: chunked\r\n\r\n" + f"{limit:x}\r\n".encode() + b" " * limit + b"\r\nzz\r\n")
    response, _ = read_until_closed(sock, time.monotonic() + SLACK)
    sock.close()
    line, headers, body = head_and_body(response)
    assert line.startswith("HTTP/1.1 400 ") and json.loads(body)["error"]["field"] == "body"


@pytest.mark.parametrize("request_line, status, code", [
    (b"GET /tts?text=" + b"%E5%A5%BD" * 1000 + b" HTTP/1.1", "414", "uri_too_long"),
    (b"GET / HTTP/1.1 extra", "400", "bad_request"),
    (b"GARBAGE", "400", "bad_request"),
])
def test_requests_gevent_cannot_parse_get_the_json_error_shape(server, request_line, status, code):
    """Their access line's request id was never sent (README: every response has one), nor were they counted."""
    counted = unparsed_count(server, int(status))
    sock = connect(server)
    sock.sendall(request_line + b"\r\nHost: 127.0.0.1\r\n\r\n")
    response, closed = read_until_closed(sock, time.monotonic() + SLACK)
    sock.close()
    line, headers, body = head_and_body(response)
    assert line.startswith(f"HTTP/1.1 {status} ") and headers["content-type"] == "application/json"
    assert json.loads(body)["error"]["code"] == code and closed
    access = json.loads(server.log_tail().rpartition(" tts.access: ")[2].splitlines()[0])   # it had none before
    assert (access["status"], access["error"], access["path"], access["route"]) == (int(status), code, None, "unparsed")
    assert access["request_id"] == headers["x-request-id"] and access["bytes"] == len(response)
    assert unparsed_count(server, int(status)) == counted + 1


@pytest.mark.parametrize("request_line, status", [(b"GARBAGE", 400), (b"GET /" + b"a" * 9000 + b" HTTP/1.1", 414)])
def test_junk_from_a_client_that_resets_at_once_gets_an_access_line_and_no_traceback(server, request_line, status):
    """A scanner sends junk and resets: the answer cannot be sent, the access line is still written."""
    start = len(server.log_tail(10**9))
    sock = connect(server)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    sock.sendall(request_line + b"\r\n\r\n")
    sock.close()   # an RST at once, before the server answers
    deadline = time.monotonic() + SLACK
    while " tts.access: " not in server.log_tail(10**9)[start:] and time.monotonic() < deadline:
        time.sleep(0.05)
    assert healthy(server)   # after a request that follows, a traceback would be in the log too
    log = server.log_tail(10**9)[start:]
    lines = [json.loads(line.partition(" tts.access: ")[2]) for line in log.splitlines() if " tts.access: " in line]
    assert [(line["status"], line["route"]) for line in lines][:1] == [(status, "unparsed")]
    assert "failed with" not in log and "Traceback" not in log


@pytest.mark.parametrize("lines, size", [(60, 2000), (101, 10)], ids=["past 64 KB", "past 100 lines"])
def test_headers_past_their_bound_get_431_with_an_access_line_and_no_traceback(server, lines, size):
    """Before: up to 100 lines of 64 KB each (~6 MB held per connection until the header timeout), and a
    traceback in the log for the 101st line."""
    start = len(server.log_tail(10**9))
    counted = unparsed_count(server, 431)
    sock = connect(server)
    sock.sendall(b"GET /healthz?text=x HTTP/1.1\r\nHost: 127.0.0.1\r\n" +
                 b"".join(b"X-Filler-%d: %s\r\n" % (i, b"a" * size) for i in range(lines)) + b"\r\n")
    response, closed = read_until_closed(sock, time.monotonic() + SLACK)
    sock.close()
    status, headers, body = head_and_body(response)
    assert status.startswith("HTTP/1.1 431 ") and closed
    assert json.loads(body)["error"]["code"] == "headers_too_large"
    access = access_line(server, headers["x-request-id"])
    assert (access["status"], access["route"], access["method"], access["path"]) == (431, "unparsed", "GET", "/healthz")
    assert unparsed_count(server, 431) == counted + 1
    assert "Traceback" not in server.log_tail(10**9)[start:]


def test_a_body_that_does_not_arrive_in_time_gets_408_and_the_connection_closes(server):
    sock = connect(server)
    started = time.monotonic()
    sock.sendall(b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: 100\r\n\r\n{\"text\":")
    response, closed = read_until_closed(sock, started + BODY_TIMEOUT + SLACK)
    sock.close()
    status, headers, body = head_and_body(response)
    assert status.startswith("HTTP/1.1 408 ") and headers["connection"] == "close"
    assert json.loads(body)["error"] == {"code": "request_timeout", "message": "the request body did not arrive in time",
                                        "field": "body"}
    assert closed and time.monotonic() - started >= BODY_TIMEOUT * 0.9


def test_a_kept_alive_connection_serves_requests_then_closes_when_idle(server):
    sock = connect(server)
    for _ in range(2):
        idle_since = time.monotonic()   # the server's idle time cannot start before its last request was sent
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        assert read_response(sock).startswith(b"HTTP/1.1 200 ")
    response, closed = read_until_closed(sock, idle_since + KEEPALIVE_TIMEOUT + SLACK)
    sock.close()
    assert closed and response == b""   # closed quietly: there was no request to answer
    assert time.monotonic() - idle_since >= KEEPALIVE_TIMEOUT * 0.9


def test_a_client_that_stops_reading_its_response_is_dropped(server):
    """~100 s of 48 kHz wav (~9 MB, more than the socket buffers hold) to a client that reads nothing."""
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect(("127.0.0.1", server.port))
    body = json.dumps({"text": "今天天气很好，我们去公园散步吧。" * 6, "sample_rate": 48000, "speed": 0.25}).encode()
    sock.sendall(b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 b"Content-Length: %d\r\n\r\n%s" % (len(body), body))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline and "it read nothing for" not in server.log_tail():
        time.sleep(0.2)
    response, closed = read_until_closed(sock, time.monotonic() + SLACK)
    sock.close()
    _, headers, audio = head_and_body(response)
    assert closed and len(audio) < int(headers["content-length"])   # cut off, not delivered


def systemds_default_limit() -> None:
    """Run in the child: 1,024 descriptors, soft and hard (LimitNOFILE=1024: the server cannot raise it)."""
    resource.setrlimit(resource.RLIMIT_NOFILE, (1024, 1024))


def enough_descriptors_here(count: int) -> None:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft < count:
        resource.setrlimit(resource.RLIMIT_NOFILE, (count, max(hard, count)))   # root may raise the hard limit


def open_descriptors(pid: int) -> int:
    return len(os.listdir(f"/proc/{pid}/fd"))


def test_health_answers_while_more_idle_connections_are_attempted_than_the_server_has_descriptors(monkeypatch):
    """Under a 1,024-descriptor limit, 1,100 connections that send nothing: the oldest idle ones make room."""
    enough_descriptors_here(4096)
    with children_run(monkeypatch, systemds_default_limit):
        server = LiveServer(TTS_HEADER_TIMEOUT_SECONDS="120", TTS_CACHE_MB="0")   # eviction, not timeouts, at work
    socks, probes = [], []
    try:
        server.wait_ready()
        for i in range(1100):
            socks.append(socket.create_connection(("127.0.0.1", server.port), timeout=10))
            if i % 100 == 99:
                probes.append(healthy(server))
        descriptors = open_descriptors(server.pid)
        probes += [healthy(server) for _ in range(5)]
        speech = requests.post(f"{server.url}/tts", json={"text": "你好。"}, timeout=60)
        evicted = len(closed_by_server(socks))
    finally:
        for sock in socks:
            sock.close()
        server.stop()
    assert all(probes) and len(probes) == 16
    assert speech.status_code == 200 and speech.content[:4] == b"RIFF"
    assert descriptors < 1024
    assert evicted >= 1100 - (1024 - DESCRIPTOR_RESERVE) // DESCRIPTORS_PER_CONNECTION   # the longest waiting made room


def test_a_full_descriptor_table_pauses_accepting_with_one_warning_and_serves_once_it_has_room():
    """Something else took the descriptors (the limit lowered under the running server here): gevent logged a
    traceback for every try, one a second for as long as it lasted."""
    server = LiveServer(TTS_CACHE_MB="0", TTS_KOKORO="0")
    socks = []
    try:
        server.wait_ready()
        soft, hard = resource.prlimit(server.pid, resource.RLIMIT_NOFILE)
        start = len(server.log_tail(10**9))
        resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (open_descriptors(server.pid) + 2, hard))
        socks = [connect(server) for _ in range(6)]   # queued by the kernel; two taken, then accept() fails
        deadline = time.monotonic() + SLACK
        while "cannot accept connections" not in server.log_tail(10**9)[start:] and time.monotonic() < deadline:
            time.sleep(0.1)
        time.sleep(2)   # it tries again several times meanwhile
        starved = server.log_tail(10**9)[start:]
        resource.prlimit(server.pid, resource.RLIMIT_NOFILE, (soft, hard))
        waiting = socks[-1]   # still in the listen queue: answered once there is room
        waiting.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
        response, _ = read_until_closed(waiting, time.monotonic() + SLACK)
    finally:
        for sock in socks:
            sock.close()
        server.stop()
    assert "cannot accept connections: Too many open files" in starved   # once an episode (a probe's connection
    assert "Traceback" not in starved and "failed with OSError" not in starved   # closing may end one at once)
    assert response.startswith(b"HTTP/1.1 200 ")


def closed_by_server(socks: list[socket.socket], wait: float = 1.0) -> list[socket.socket]:
    """The sockets the server has closed (readable, and what there is to read is the end)."""
    selector = selectors.DefaultSelector()
    for sock in socks:
        selector.register(sock, selectors.EVENT_READ)
    readable = [key.fileobj for key, _ in selector.select(timeout=wait)]
    selector.close()
    closed = []
    for sock in readable:
        sock.setblocking(False)
        try:
            if sock.recv(1) == b"":
                closed.append(sock)
        except ConnectionResetError:
            closed.append(sock)
        except BlockingIOError:
            pass
    return closed


@pytest.fixture(scope="module")
def tiny_server():
    server = LiveServer(TTS_MAX_CONNECTIONS="3", TTS_BODY_TIMEOUT_SECONDS="60", TTS_CACHE_MB="0")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def test_at_the_cap_the_connection_waiting_longest_makes_room(tiny_server):
    idle = [connect(tiny_server) for _ in range(3)]
    time.sleep(0.2)   # let the server accept them in order
    assert healthy(tiny_server)
    closed = closed_by_server(idle)
    for sock in idle:
        sock.close()
    assert closed == [idle[0]]


def refused_at_the_cap(server, headers: bytes = b"") -> tuple[bytes, bool]:
    """What a new connection gets while every one of the cap's connections is inside a request (its headers
    in, its body awaited), and whether the server closed it; its request has `headers` besides Host."""
    busy = []
    for _ in range(3):
        sock = connect(server)
        sock.sendall(b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100\r\n\r\n")
        busy.append(sock)
    time.sleep(0.5)
    extra = connect(server)
    extra.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n" + headers + b"\r\n")
    response, closed = read_until_closed(extra, time.monotonic() + SLACK)
    extra.close()
    for sock in busy:
        sock.close()
    return response, closed


def serving_again(server) -> bool:
    """Whether /healthz answers within SLACK seconds (once the connections that filled the cap are gone)."""
    deadline = time.monotonic() + SLACK
    while time.monotonic() < deadline:
        try:
            if healthy(server):
                return True
        except requests.RequestException:
            pass
        time.sleep(0.1)
    return False


def access_line(server, request_id: str) -> dict:
    """The access line written under `request_id` (the log's last one with it)."""
    lines = [json.loads(line.partition(" tts.access: ")[2]) for line in server.log_tail(10**6).splitlines()
             if " tts.access: " in line]
    return [line for line in lines if line["request_id"] == request_id][-1]


def test_at_the_cap_with_every_connection_busy_a_new_one_gets_503_at_once(tiny_server):
    response, closed = refused_at_the_cap(tiny_server)
    status, headers, body = head_and_body(response)
    assert status.startswith("HTTP/1.1 503 ") and headers["retry-after"] == "1" and closed
    assert json.loads(body)["error"]["code"] == "too_many_connections"
    assert serving_again(tiny_server)


def test_a_connection_refused_at_the_cap_gets_a_request_id_an_access_line_and_a_count(tiny_server):
    """The one answer that had none of the three (no request was read)."""
    counted = unparsed_count(tiny_server, 503)
    response, _ = refused_at_the_cap(tiny_server)
    request_id = head_and_body(response)[1]["x-request-id"]
    access = access_line(tiny_server, request_id)
    assert (access["status"], access["error"], access["route"], access["method"], access["path"]) == \
        (503, "too_many_connections", "unparsed", None, None)
    assert access["bytes"] == len(response) and access["remote"] == "127.0.0.1"
    assert serving_again(tiny_server) and unparsed_count(tiny_server, 503) == counted + 1


def test_a_connection_closed_mid_headers_to_make_room_gets_the_503_with_its_access_line(tiny_server):
    """At the cap, the connection waiting longest is closed for a new one; one whose headers had begun to come
    is told why (503, Retry-After), under a request id its access line has, with its path but not its query."""
    counted = unparsed_count(tiny_server, 503)
    slow = connect(tiny_server)
    slow.sendall("GET /tts?text=不该进日志 HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())   # its headers never end
    idle = [connect(tiny_server) for _ in range(2)]
    time.sleep(0.2)   # let the server accept them in order
    assert healthy(tiny_server)   # a fourth connection: the slow one waited longest
    response, closed = read_until_closed(slow, time.monotonic() + SLACK)
    for sock in [slow, *idle]:
        sock.close()
    status, headers, body = head_and_body(response)
    assert status.startswith("HTTP/1.1 503 ") and headers["retry-after"] == "1" and closed
    assert json.loads(body)["error"]["code"] == "too_many_connections"
    access = access_line(tiny_server, headers["x-request-id"])
    assert (access["status"], access["route"], access["method"], access["path"]) == (503, "unparsed", "GET", "/tts")
    assert "不该进日志" not in tiny_server.log_tail(10**6)
    assert unparsed_count(tiny_server, 503) == counted + 1


def test_a_connection_closed_mid_headers_to_make_room_while_still_sending_gets_its_503_and_a_clean_close(tiny_server):
    """It was closed at once, with what the client still sent unread: the kernel reset the connection, and a
    client still sending its headers lost the 503 (and its request id) to the reset."""
    slow = connect(tiny_server)
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n")   # its headers keep coming, slowly
    idle = [connect(tiny_server) for _ in range(2)]
    time.sleep(0.2)   # let the server accept them in order
    assert healthy(tiny_server)   # a fourth connection: the slow one waited longest
    response, deadline = b"", time.monotonic() + SLACK
    selector = selectors.DefaultSelector()
    selector.register(slow, selectors.EVENT_READ)
    while not response.endswith(b"}") and time.monotonic() < deadline:   # the JSON answer, whole
        slow.sendall(b"X-Still-Coming: 1\r\n")
        if selector.select(0.05):
            response += slow.recv(65536)
    for _ in range(3):
        slow.sendall(b"X-Still-Coming: 1\r\n")   # the client has not noticed yet
    slow.shutdown(socket.SHUT_WR)
    try:
        end = slow.recv(65536)
    except ConnectionResetError:
        end = None
    for sock in [slow, *idle]:
        sock.close()
    assert head_and_body(response)[0].startswith("HTTP/1.1 503 ") and end == b""   # answered, then a clean close


def test_headers_that_never_end_get_an_access_line_with_the_path_but_not_the_query(server):
    """A 408 the server answers itself had no access line (only an info line before), then one under an id
    its answer did not carry, and no count."""
    counted = unparsed_count(server, 408)
    sock = connect(server)
    sock.sendall("GET /tts?text=不该进日志 HTTP/1.1\r\nHost: 127.0.0.1\r\n".encode())   # and no blank line: never ends
    response, closed = read_until_closed(sock, time.monotonic() + HEADER_TIMEOUT + SLACK)
    sock.close()
    assert response.startswith(b"HTTP/1.1 408 ") and closed
    log = server.log_tail()
    access = json.loads(log.rpartition(" tts.access: ")[2].splitlines()[0])
    assert (access["status"], access["error"], access["method"], access["path"]) == (408, "request_timeout", "GET", "/tts")
    assert access["request_id"] == head_and_body(response)[1]["x-request-id"]
    assert unparsed_count(server, 408) == counted + 1
    assert "不该进日志" not in log and "%E4%B8%8D" not in log


def test_a_request_whose_headers_are_still_coming_at_shutdown_is_told_the_server_is_stopping():
    """It was answered 503 too_many_connections ("no room for another connection"): not why it was closed; and
    without CORS headers, so a page of a listed origin saw a network error instead."""
    server = LiveServer(TTS_CACHE_MB="0", TTS_KOKORO="0", TTS_CORS_ORIGINS="https://app.example")
    try:
        server.wait_ready()
        sock = connect(server)
        sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\nOrigin: https://app.example\r\n")   # no end
        deadline = time.monotonic() + SLACK
        while connection_states(server).get("reading") != 1:   # the server has begun to read it
            assert time.monotonic() < deadline, "the server never began to read the request"
            time.sleep(0.05)
        server.process.send_signal(signal.SIGTERM)
        response, closed = read_until_closed(sock, time.monotonic() + SLACK)
        sock.close()
        exit_code = server.process.wait(30)
    finally:
        server.stop()
    status, headers, body = head_and_body(response)
    assert status.startswith("HTTP/1.1 503 ") and closed and exit_code == 0
    assert json.loads(body)["error"]["code"] == "shutting_down" and int(headers["retry-after"]) >= 1
    assert headers["access-control-allow-origin"] == "https://app.example"
