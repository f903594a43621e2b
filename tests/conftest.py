"""Shared fixtures: the real embedded voice, an app on it, a live gevent server process, a real Redis.

Tests are sorted into tiers by what they start, so `pytest -m "not live and not redis and not
browser and not bench and not heavy"` (the fast tier) needs no system service and runs in about
a minute: a test that uses a live server fixture is marked `live`, one that uses Redis `redis`,
everything in tests/browser `browser`; test_bench.py is `bench`, and a module or test that
starts servers of its own marks itself. `heavy` is for tests that run the real models at length
(each takes seconds of CPU; ./run.sh test runs them all the same): every test that asks a Kokoro
voice for speech (Kokoro speaks at ~0.4 of real time, and loading it costs ~5 s and 330 MB), one
that joins the Kokoro model itself, the CLI as a process, and the few others listed in `_HEAVY`.
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
from tts.engines.kokoro import KokoroEngine
from tts.synthesizer import Synthesizer
from tts.web import create_app, shutdown

_TIER_FIXTURES = {"live_server": "live", "redis_server": "redis", "shared_redis": "redis", "kokoro_model": "heavy"}
_KOKORO_VOICES = tuple(voice.id for voice in KokoroEngine.voices)
# Modules and tests that run the real models at length (measured with --durations: seconds each).
_HEAVY = {
    "test_cli.py",                     # `python -m tts ...` as a process: each loads the voice
    "test_embedded_vocoder.py",        # rebuilds the ONNX vocoder, vocodes every chunking of real mels
    "test_embedded_engine.py::test_slow_speed_long_phrase_still_fits",
    "test_embedded_engine.py::test_folding_the_dilated_convolutions_changes_no_sample",
    "test_embedded_engine.py::test_phrase_beyond_the_frame_limit_is_split_not_failed",
    "test_embedded_engine.py::test_the_old_litert_vocoder_path_chunks_identically_to_one_pass",
    "test_kokoro_wiring.py::test_a_kokoro_voice_speaks_through_tts",
    "test_kokoro_wiring.py::test_an_idle_kokoro_gives_its_memory_back_and_reloads_on_next_use",
    "test_kokoro_wiring.py::test_the_worker_unloads_an_idle_kokoro_between_jobs",
    "test_kokoro_wiring.py::test_kokoro_stays_loaded_when_idle_unloading_is_off",
    "test_fuzz_http.py::test_any_tts_body_gets_a_documented_answer",      # hundreds of real syntheses
    "test_fuzz_http.py::test_any_openai_body_gets_a_documented_answer",
    "test_phrase_table.py::test_pypinyin_answers_as_with_its_own_dictionary",   # all 47,111 phrases
    "test_lexicon.py::test_built_tables_load_from_any_directory",              # builds the tables
    # minutes of speech slowed by nested <prosody> rates, on both engines
    "test_bad_input.py::test_bad_input_is_a_4xx_naming_the_field_never_a_5xx_nor_silence[nested prosody rates",
}


@pytest.fixture(autouse=True, scope="session")
def no_memory_limit_from_the_machine():
    """The memory bound's default is the limit of the cgroup the process runs in (tts.service.memory):
    the machine running the tests must not decide their verdict, so neither the apps built here nor
    the servers started as processes take one (tests of the bound pass their own)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("tts.service.memory.cgroup_limit", lambda *args, **kwargs: None)
        patch.setenv("TTS_MEMORY_LIMIT_MB", "-1")
        yield


def pytest_collection_modifyitems(items):
    for item in items:
        if item.path.parent.name == "browser":
            item.add_marker("browser")
        for fixture, tier in _TIER_FIXTURES.items():
            if fixture in item.fixturenames:
                item.add_marker(tier)
        if _heavy(item):
            item.add_marker("heavy")


def _heavy(item) -> bool:
    """Listed in _HEAVY (a module, a test, or the start of a parametrized test's name), or
    parametrized with a Kokoro voice."""
    test = f"{item.path.name}::{item.originalname}"
    if item.path.name in _HEAVY or test in _HEAVY or any(
            "[" in entry and f"{item.path.name}::{item.name}".startswith(entry) for entry in _HEAVY):
        return True
    params = getattr(item, "callspec", None)
    return params is not None and any(value in _KOKORO_VOICES for value in params.params.values()
                                      if isinstance(value, str))


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
    of repeated texts and count queue slots (tests of reuse start servers of their own). A short
    drain: at the end of a module nobody will fetch the async results its tests left (the drain
    itself is tested on servers of their own, tests/test_shutdown_live.py).
    """
    server = LiveServer(TTS_QUEUE_SIZE="2", TTS_JOB_TTL_SECONDS="60", TTS_CACHE_MB="0", TTS_SINGLEFLIGHT="0",
                        TTS_DRAIN_SECONDS="2")
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
        self._start()

    def restart(self) -> None:
        """Start it again on its port, empty (after `stop`): Redis back from an outage, its data lost."""
        self._start()

    def _start(self) -> None:
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
