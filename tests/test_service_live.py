"""The bounded queue and the worker thread, against `python app.py` on a loopback port."""

import json
import re
import socket
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from live import LiveServer

LONG = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，大家都很开心。" * 12   # ~30 s of speech


def post(server, body, timeout=120):
    return requests.post(f"{server.url}/tts", json=body, timeout=timeout)


def test_full_queue_answers_503_with_retry_after_at_once(live_server):
    with ThreadPoolExecutor(2) as pool:
        running = pool.submit(post, live_server, {"text": LONG})
        waiting = pool.submit(post, live_server, {"text": LONG})
        time.sleep(0.5)   # both admitted: one running, one waiting; the queue (2) is full
        started = time.monotonic()
        rejected = post(live_server, {"text": "你好。"})
        rejected_in = time.monotonic() - started
        assert rejected.status_code == 503
        assert rejected.json()["error"]["code"] == "queue_full"
        assert int(rejected.headers["Retry-After"]) >= 1
        first_done = running.result()
        job_seconds = time.monotonic() - started
        assert waiting.result().status_code == 200 and first_done.status_code == 200
    assert rejected_in < job_seconds / 10   # answered long before any slot freed


def test_health_answers_while_the_worker_synthesizes(live_server):
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(post, live_server, {"text": LONG})
        time.sleep(0.3)
        latencies = []
        while not busy.done():
            started = time.monotonic()
            assert requests.get(f"{live_server.url}/healthz", timeout=5).status_code == 200
            latencies.append(time.monotonic() - started)
            time.sleep(0.05)
        synthesis_seconds = busy.result().elapsed.total_seconds()
    assert len(latencies) > 5
    # Blocked by inference, a health check would wait for the synthesis: it waits a small part of it.
    assert sorted(latencies)[len(latencies) // 2] < synthesis_seconds / 20
    assert max(latencies) < synthesis_seconds / 5


def test_every_accepted_async_job_finishes(live_server):
    accepted, rejected = [], 0
    for _ in range(6):
        response = post(live_server, {"text": "春天来了，花儿都开了。", "async": True})
        if response.status_code == 202:
            accepted.append(response.json()["links"]["self"])
        else:
            assert response.status_code == 503
            rejected += 1
    assert accepted and rejected   # six at once overflow a queue of two
    deadline = time.monotonic() + 60
    for link in accepted:
        while (status := requests.get(live_server.url + link, timeout=5).json()["status"]) not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.1)
        assert status == "done"
        assert requests.get(live_server.url + link + "/audio", timeout=5).status_code == 200


def test_queued_job_reports_its_position(live_server):
    with ThreadPoolExecutor(1) as pool:
        busy = pool.submit(post, live_server, {"text": LONG[:200]})
        time.sleep(0.3)
        queued = post(live_server, {"text": "你好。", "async": True}).json()
        # shortest work first: it takes the next turn; its estimate is tiny, but a queued job never reads 0
        assert queued["status"] == "queued" and queued["position"] == 1 and queued["expected_seconds"] >= 0.1
        status = requests.get(live_server.url + queued["links"]["self"], timeout=5).json()
        assert status["position"] in (0, 1)
        assert busy.result().status_code == 200


# -- fair turns and cancel, with the real embedded voice -----------------------------------------
SHORT = "明天见。"


def metric(server, name: str, labels: str = "") -> float:
    body = requests.get(f"{server.url}/metrics", timeout=5).text
    match = re.search(rf"^{re.escape(name)}{re.escape(labels)} (\S+)$", body, re.M)
    return float(match.group(1)) if match else 0.0


def timed_post(server, body) -> tuple[float, float, requests.Response]:
    started = time.monotonic()
    response = post(server, body)
    return started, time.monotonic(), response


def test_a_short_request_sent_behind_a_long_one_finishes_first(live_server):
    with ThreadPoolExecutor(2) as pool:
        long = pool.submit(timed_post, live_server, {"text": LONG[:600]})
        time.sleep(0.5)   # the long one is being synthesized
        short_sent, short_done, short = timed_post(live_server, {"text": SHORT})
        long_sent, long_done, long_response = long.result()
    assert short.status_code == 200 and long_response.status_code == 200
    assert short_done < long_done                                  # it did not wait for the long one
    assert short_done - short_sent < (long_done - long_sent) / 5   # its latency is a small part of the long one's


def test_deleting_a_running_job_frees_its_slot_at_once_and_stops_it_within_a_phrase(live_server):
    audio_before = metric(live_server, "tts_audio_seconds_total")
    accepted = post(live_server, {"text": LONG, "async": True}).json()
    assert accepted["expected_seconds"] > 0
    link = live_server.url + accepted["links"]["self"]
    while requests.get(link, timeout=5).json()["status"] != "running":
        time.sleep(0.01)
    deleted = requests.delete(link, timeout=5)
    assert deleted.status_code == 204 and deleted.content == b""
    assert requests.get(f"{live_server.url}/readyz", timeout=5).json()["queue_depth"] == 0
    assert requests.get(link, timeout=5).status_code == 404
    assert requests.delete(link, timeout=5).status_code == 404
    deadline = time.monotonic() + 30
    while (made := metric(live_server, "tts_audio_seconds_total") - audio_before) == 0:
        assert time.monotonic() < deadline, "the deleted job never ended"
        time.sleep(0.05)
    assert made < 0.05 * len(LONG) * 0.18   # a few phrases of a text that speaks for minutes


def test_a_streaming_client_that_hangs_up_stops_the_work_within_a_phrase(live_server):
    audio_before = metric(live_server, "tts_audio_seconds_total")
    payload = json.dumps({"text": LONG * 2, "stream": True, "format": "pcm"}).encode()
    with socket.create_connection(("127.0.0.1", live_server.port), timeout=30) as sock:
        sock.sendall(b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: %d\r\n\r\n" % len(payload) + payload)
        assert b"200 OK" in sock.recv(4096)   # the first audio is flowing
    assert requests.get(f"{live_server.url}/readyz", timeout=5).json()["queue_depth"] <= 1
    deadline = time.monotonic() + 30
    while (made := metric(live_server, "tts_audio_seconds_total") - audio_before) == 0:
        assert time.monotonic() < deadline, "the abandoned stream never ended"
        time.sleep(0.05)
    assert made < 0.05 * len(LONG * 2) * 0.18


@pytest.mark.live
def test_above_its_memory_limit_a_busy_server_refuses_new_work_with_503_and_finishes_what_it_runs():
    server = LiveServer(TTS_MEMORY_LIMIT_MB="50", TTS_CACHE_MB="0")   # below what it needs at rest
    try:
        server.wait_ready()
        assert post(server, {"text": "你好。"}).status_code == 200   # idle: taken (a refusal could not lower it)
        accepted = post(server, {"text": LONG[:len(LONG) // 4], "async": True})   # ~8 s of speech: still running next
        refused = post(server, {"text": "你好。"})
        assert accepted.status_code == 202
        assert refused.status_code == 503 and refused.json()["error"]["code"] == "memory_full"
        assert int(refused.headers["Retry-After"]) >= 1
        job = f"{server.url}{accepted.json()['links']['self']}"
        deadline = time.monotonic() + 120
        while (status := requests.get(job, timeout=10).json()["status"]) not in ("done", "failed"):
            assert time.monotonic() < deadline
            time.sleep(0.2)
        assert status == "done" and "is above the limit of 50 MB with nothing running" in server.log_tail(20000)
    finally:
        server.stop()
