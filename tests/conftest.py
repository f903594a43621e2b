"""Shared fixtures: the real embedded voice, an app on it, and a live gevent server process."""

from __future__ import annotations

import pytest

from tts.config import Settings
from tts.engines import load_engines
from tts.synthesizer import Synthesizer
from tts.web import create_app

from helpers import LiveServer


@pytest.fixture(scope="session")
def engines():
    return load_engines(Settings())


@pytest.fixture(scope="session")
def synthesizer(engines):
    return Synthesizer(engines)


@pytest.fixture(scope="session")
def app(synthesizer):
    app = create_app(Settings(queue_size=4, max_text_chars=3000, max_body_bytes=64 * 1024),
                     synthesizer_factory=lambda: synthesizer)
    app.config["TESTING"] = True
    assert app.extensions["tts.service"].wait_ready(60)
    return app


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture(scope="module")
def live_server():
    """A server whose queue holds two requests (one running, one waiting)."""
    server = LiveServer(TTS_QUEUE_SIZE="2", TTS_JOB_TTL_SECONDS="60")
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()
