"""Shared fixtures: the real embedded voice, an app on it, a live gevent server process, a real Redis.

Tests are sorted into tiers by what they start, so `pytest -m "not live and not redis and not
browser and not bench"` (the fast tier) needs no system service: a test that uses a live
server fixture is marked `live`, one that uses Redis `redis`, everything in tests/browser
`browser`; test_bench.py is `bench`, and a module or test that starts servers of its own marks
itself.
"""

from __future__ import annotations

import shutil
import subprocess
import time

import pytest
import redis

from live import LiveServer, free_port
from tts.config import Settings
from tts.engines import declare_engines
from tts.synthesizer import Synthesizer
from tts.web import create_app, shutdown

_TIER_FIXTURES = {"live_server": "live", "redis_server": "redis", "shared_redis": "redis"}


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker("browser")
        for fixture, tier in _TIER_FIXTURES.items():
            if fixture in item.fixturenames:
                item.add_marker(tier)


@pytest.fixture(scope="session")
def engines():
    return declare_engines(Settings())


@pytest.fixture(scope="session")
def synthesizer(engines):
    return Synthesizer(engines)


@pytest.fixture(scope="session")
def app(synthesizer):
    app = create_app(Settings(queue_size=4, max_text_chars=3000, max_body_bytes=64 * 1024),
                     synthesizer=synthesizer)
    app.config["TESTING"] = True
    assert app.extensions["tts.service"].wait_ready(60)
    yield app
    shutdown(app)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live_server():
    """A server whose queue holds two requests (one running, one waiting).

    No cache and no singleflight: the queue, streaming and cancel tests time real syntheses
    of repeated texts and count queue slots (tests of reuse start servers of their own).
    """
    server = LiveServer(TTS_QUEUE_SIZE="2", TTS_JOB_TTL_SECONDS="60", TTS_CACHE_MB="0", TTS_SINGLEFLIGHT="0")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


class RedisServer:
    """A real redis-server on a free loopback port, without persistence."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.client = redis.Redis(port=self.port)
        deadline = time.monotonic() + 10
        while True:
            try:
                self.client.ping()
                return
            except redis.ConnectionError:
                if time.monotonic() > deadline or self.process.poll() is not None:
                    self.stop()
                    raise RuntimeError("redis-server did not start")
                time.sleep(0.02)

    def stop(self) -> None:
        self.client.close()
        self.process.terminate()
        self.process.wait(10)


def _redis_server():
    if shutil.which("redis-server") is None:
        pytest.fail("redis-server is not installed: run tests/setup-system.sh", pytrace=False)
    server = RedisServer()
    yield server
    server.stop()


@pytest.fixture()
def redis_server():
    """A Redis of the test's own (it may stop it); stopped after the test."""
    yield from _redis_server()


@pytest.fixture(scope="module")
def shared_redis():
    """One Redis for a module's servers; stopped after the module."""
    yield from _redis_server()
