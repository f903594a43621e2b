"""The bounded queue and the worker thread, against `python app.py` on a loopback port."""

import time
from concurrent.futures import ThreadPoolExecutor

import requests

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
        assert queued["status"] == "queued" and queued["position"] == 1
        status = requests.get(live_server.url + queued["links"]["self"], timeout=5).json()
        assert status["position"] in (0, 1)
        assert busy.result().status_code == 200
