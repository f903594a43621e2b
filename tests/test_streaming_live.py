"""Streaming over HTTP: first bytes early, and a client that leaves cancels the work."""

import json
import re
import socket
import time

import requests

from helpers import decode

TEXT_200 = ("今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，小鸟在树上唱歌。" * 6)[:200]
LONG = TEXT_200 * 10


def metric(server, name: str, labels: str = "") -> float:
    body = requests.get(f"{server.url}/metrics", timeout=5).text
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", body, re.M)
    return float(match.group(1)) if match else 0.0


def test_stream_delivers_first_bytes_well_before_the_last(live_server):
    started = time.monotonic()
    with requests.post(f"{live_server.url}/tts", json={"text": TEXT_200 * 3, "stream": True}, stream=True,
                       timeout=120) as response:
        assert response.status_code == 200
        assert response.headers.get("Transfer-Encoding") == "chunked"
        chunks = response.iter_content(chunk_size=None)
        first = next(chunks)
        first_at = time.monotonic() - started
        body = first + b"".join(chunks)
        last_at = time.monotonic() - started
    samples, rate = decode(body)
    assert rate == 24000 and len(samples) / rate > 90
    assert first_at < last_at / 5


def test_streamed_wav_equals_the_whole_file_but_for_its_header(live_server):
    body = {"text": "春天来了，花儿都开了。", "format": "wav"}
    whole = requests.post(f"{live_server.url}/tts", json=body, timeout=60).content
    streamed = requests.post(f"{live_server.url}/tts", json={**body, "stream": True}, timeout=60).content
    assert streamed[44:] == whole[44:] and streamed[:4] == b"RIFF"


def send_then_hang_up(server, payload: bytes, wait_for_headers: bool, request_id: str = "") -> None:
    request = (f"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
               + (f"X-Request-ID: {request_id}\r\n" if request_id else "")
               + f"Content-Length: {len(payload)}\r\n\r\n").encode()
    with socket.create_connection(("127.0.0.1", server.port), timeout=30) as sock:
        sock.sendall(request + payload)
        if wait_for_headers:
            assert b"200 OK" in sock.recv(4096)   # headers and the first audio are flowing
        else:
            time.sleep(0.5)                        # the synthesis has begun; nothing is sent before its end


def assert_cancelled_and_freed(server, cancelled_before: float) -> None:
    deadline = time.monotonic() + 30
    while metric(server, "tts_jobs_total", '{outcome="cancelled"}') <= cancelled_before:
        assert time.monotonic() < deadline, "the job was not cancelled"
        time.sleep(0.1)
    assert requests.get(f"{server.url}/readyz", timeout=5).json()["queue_depth"] == 0


def access_line(server, request_id: str) -> dict:
    """The access line of `request_id`, once it is written (at the end of the response)."""
    deadline = time.monotonic() + 30
    while True:
        for line in server.log_tail(200_000).splitlines():
            head, _, access = line.partition(" tts.access: ")
            if access and json.loads(access)["request_id"] == request_id:
                return json.loads(access)
        assert time.monotonic() < deadline, "no access line"
        time.sleep(0.1)


def departures(server) -> list[str]:
    """The log's lines about clients that left."""
    return [line for line in server.log_tail(200_000).splitlines() if "went away" in line or "hung up" in line]


def test_client_disconnect_cancels_the_rest_of_the_synthesis(live_server):
    cancelled_before, said_before = metric(live_server, "tts_jobs_total", '{outcome="cancelled"}'), departures(live_server)
    send_then_hang_up(live_server, ('{"text": "%s", "stream": true, "format": "pcm"}' % LONG).encode(), True,
                      "left-mid-stream")
    assert_cancelled_and_freed(live_server, cancelled_before)
    access = access_line(live_server, "left-mid-stream")
    assert access["status"] == 200 and access["incomplete"] is True
    said = departures(live_server)[len(said_before):]   # one event, one line, under the access line's id
    assert len(said) == 1 and "left-mid-stream" in said[0], said


def test_a_client_waiting_for_a_whole_file_that_hangs_up_cancels_it_too(live_server):
    cancelled_before, said_before = metric(live_server, "tts_jobs_total", '{outcome="cancelled"}'), departures(live_server)
    send_then_hang_up(live_server, ('{"text": "%s"}' % LONG).encode(), False, "left-waiting")
    assert_cancelled_and_freed(live_server, cancelled_before)
    access = access_line(live_server, "left-waiting")   # nobody got a 409: the client left (nginx's 499)
    assert (access["status"], access["error"], access["incomplete"]) == (499, "client_closed_request", True)
    said = departures(live_server)[len(said_before):]
    assert len(said) == 1 and "left-waiting" in said[0] and "job_not_ready" not in live_server.log_tail(200_000), said
