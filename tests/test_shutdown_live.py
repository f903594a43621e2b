"""SIGTERM drains the real server: what was accepted finishes (or fails visibly), nothing new is
taken meanwhile, and the process exits 0."""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from helpers import decode
from live import LiveServer

pytestmark = pytest.mark.live
SENTENCE = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，大家都很开心。"


def post(server, body, **kwargs):
    return requests.post(f"{server.url}/tts", json=body, timeout=120, **kwargs)


def streamed(server, body) -> bytes:
    with post(server, {**body, "stream": True}, stream=True) as response:
        assert response.status_code == 200
        return b"".join(response.iter_content(4096))


def wait_for(condition, timeout=60):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline
        time.sleep(0.05)


def test_sigterm_lets_sync_streaming_and_async_work_finish_then_exits_zero():
    server = LiveServer(TTS_DRAIN_SECONDS="60", TTS_CACHE_MB="0", TTS_SINGLEFLIGHT="0").wait_ready()
    try:
        with ThreadPoolExecutor(3) as pool:
            whole = pool.submit(post, server, {"text": SENTENCE * 3})
            stream = pool.submit(streamed, server, {"text": SENTENCE * 2})
            wait_for(lambda: requests.get(f"{server.url}/readyz", timeout=5).json()["queue_depth"] >= 2)
            job = post(server, {"text": SENTENCE, "async": True}).json()
            stopped = threading.Thread(target=server.terminate, args=(120,))
            stopped.start()
            wait_for(lambda: requests.get(f"{server.url}/readyz", timeout=5).status_code == 503)
            refused = post(server, {"text": "太晚了。"})
            assert refused.status_code == 503 and refused.json()["error"]["code"] == "shutting_down"
            assert int(refused.headers["Retry-After"]) >= 1
            wait_for(lambda: requests.get(server.url + job["links"]["self"], timeout=5).json()["status"] == "done")
            audio = requests.get(server.url + job["links"]["audio"], timeout=30)
            assert audio.status_code == 200 and len(decode(audio.content)[0]) > 24000
            assert whole.result().status_code == 200 and len(decode(whole.result().content)[0]) > 5 * 24000
            assert len(decode(stream.result())[0]) > 5 * 24000
        stopped.join(120)
        assert server.process.returncode == 0
    finally:
        server.stop()


def cut_short(server, body, began: threading.Event) -> bool:
    """A stream that began, then ended without the chunked terminator (HTTP's "incomplete")."""
    with post(server, {**body, "stream": True}, stream=True) as response:
        assert response.status_code == 200
        try:
            for _ in response.iter_content(4096):
                began.set()
        except requests.exceptions.ChunkedEncodingError:
            return True
    return False


def test_work_left_when_the_drain_time_runs_out_fails_visibly():
    server = LiveServer(TTS_DRAIN_SECONDS="1", TTS_CACHE_MB="0", TTS_SINGLEFLIGHT="0").wait_ready()
    try:
        with ThreadPoolExecutor(3) as pool:
            running = pool.submit(post, server, {"text": SENTENCE * 40})
            waiting = pool.submit(post, server, {"text": SENTENCE * 30})
            began = threading.Event()
            stream = pool.submit(cut_short, server, {"text": SENTENCE * 40}, began)
            wait_for(lambda: requests.get(f"{server.url}/readyz", timeout=5).json()["queue_depth"] == 3)
            wait_for(began.is_set)
            assert server.terminate(60) == 0
            for response in (running.result(), waiting.result()):
                assert response.status_code == 503 and response.json()["error"]["code"] == "shutting_down"
            assert stream.result()   # never a short file passing for the whole
        assert "pywsgi" not in server.log_tail(50000)   # cut short on purpose: no traceback
    finally:
        server.stop()


def test_a_second_sigterm_ends_the_drain_at_once_and_still_exits_zero():
    """An operator's Ctrl-C twice: before, the second did nothing, and the drain ran its full time
    (here waiting 300 s for a result nobody fetches)."""
    server = LiveServer(TTS_DRAIN_SECONDS="300").wait_ready()
    try:
        job = post(server, {"text": "没人来取。", "async": True}).json()
        wait_for(lambda: requests.get(server.url + job["links"]["self"], timeout=5).json()["status"] == "done")
        server.process.send_signal(signal.SIGTERM)
        wait_for(lambda: requests.get(f"{server.url}/readyz", timeout=5).status_code == 503)
        assert server.terminate(60) == 0   # the second
        log = server.log_tail(1 << 20)
    finally:
        server.stop()
    assert "asked again" in log and "1 async results nobody fetched" in log
