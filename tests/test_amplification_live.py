"""Clients that ask for a lot and never read cannot take the server's memory: results are held as
16-bit samples, spooled to disk past a small size and sent in blocks, so four such clients cost
the process little, with Kokoro loaded (as the shipped memory caps assume)."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest
import requests

from live import LiveServer

pytestmark = pytest.mark.live
SENTENCE = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，大家都很开心。"
CLIENTS = 4
BOUND_MB = 250


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


def ask_and_never_read(server, body: dict) -> socket.socket:
    payload = json.dumps(body).encode()
    sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.sendall(f"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                 f"Content-Length: {len(payload)}\r\n\r\n".encode() + payload)
    return sock


def test_four_clients_that_never_read_long_results_cost_little_memory():
    # ~290 s of speech each at 48 kHz: held as float32 and encoded whole, ~80 MB a client
    server = LiveServer(TTS_KOKORO_PRELOAD="1", TTS_CACHE_MB="0", TTS_SINGLEFLIGHT="0",
                        TTS_SEND_TIMEOUT_SECONDS="600").wait_ready()
    try:
        assert requests.post(f"{server.url}/tts", json={"text": "你好。", "voice": "zf_xiaobei"},
                             timeout=60).status_code == 200
        before = rss_mb(server.pid)
        peak, done = before, threading.Event()

        def sample():
            nonlocal peak
            while not done.is_set():
                peak = max(peak, rss_mb(server.pid))
                time.sleep(0.1)

        sampler = threading.Thread(target=sample)
        sampler.start()
        sockets = [ask_and_never_read(server, {"text": SENTENCE * 40, "sample_rate": 48000, "seed": i})
                   for i in range(CLIENTS)]
        try:
            deadline = time.monotonic() + 300
            time.sleep(1)
            while requests.get(f"{server.url}/readyz", timeout=10).json()["queue_depth"]:
                assert time.monotonic() < deadline
                time.sleep(0.5)
            time.sleep(2)   # every result synthesized; the responses wait on clients that do not read
        finally:
            done.set()
            sampler.join()
            for sock in sockets:
                sock.close()
        assert peak - before < BOUND_MB, f"RSS rose {peak - before:.0f} MB over {before:.0f} MB"
        assert requests.get(f"{server.url}/healthz", timeout=10).status_code == 200
    finally:
        server.stop()
