"""The Kokoro voices inside the server: listed at once, loaded on first use, spoken through the API."""

import re
import time

import gevent
import pytest

from helpers import decode
from tts.config import Settings
from tts.engines import declare_engines
from tts.engines import lifecycle
from tts.engines.lifecycle import DECLARED, LOADED
from tts.synthesizer import Synthesizer
from tts.web import create_app
from tts.errors import EngineUnavailable
from tts.engines.base import EngineOptions
from tts.frontend.phrase import Phrase

KOKORO_VOICES = {"zf_xiaobei", "zf_xiaoni", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi", "zm_yunxia", "zm_yunyang"}


def test_kokoro_voices_are_listed_without_loading_the_model(tmp_path):
    engines = declare_engines(Settings(kokoro_dir=str(tmp_path)))
    kokoro = engines["kokoro"]
    assert kokoro.state == DECLARED
    assert {v.id for v in kokoro.info.voices} == KOKORO_VOICES
    assert not any(tmp_path.iterdir())   # not even joined yet


def test_kokoro_can_be_switched_off():
    assert "kokoro" not in declare_engines(Settings(kokoro=False))


def test_an_unwritable_model_directory_is_named_in_the_log_and_the_client_hears_only_why(tmp_path, caplog):
    """The client's 503 carried TTS_KOKORO_DIR=<the server's path> and the errno's text with the path again."""
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    engine = declare_engines(Settings(kokoro_dir=str(blocked / "kokoro")))["kokoro"]
    with pytest.raises(EngineUnavailable) as raised:
        list(engine.synthesize(Phrase(("ni3", "hao3"), (0, 0), text="你好。"), "zf_xiaobei", EngineOptions()))
    assert raised.value.message == ("the Kokoro voices are not available: the server cannot prepare their model "
                                    "(the server's log says more); the other voices are")
    assert re.search(rf"Kokoro voices are not available: .*{tmp_path}.* \(the model is joined in "
                     rf"TTS_KOKORO_DIR={blocked}/kokoro, writable until it is there\)", caplog.text)


def test_voices_endpoint_lists_all_nine_with_gender(client):
    voices = {v["id"]: v for v in client.get("/v1/audio/voices").get_json()["voices"]}
    assert set(voices) == KOKORO_VOICES | {"baker"}
    assert voices["zm_yunxi"]["gender"] == "male" and voices["zf_xiaoyi"]["engine"] == "kokoro"
    assert "ash" in voices["zm_yunjian"]["openai_aliases"]   # OpenAI male names spread over male voices


def test_a_kokoro_voice_speaks_through_tts(client):
    response = client.post("/tts", json={"text": "今天天气很好，我们去散步吧。", "voice": "zm_yunxi"})
    assert response.status_code == 200
    samples, rate = decode(response.data)
    assert rate == 24000 and 1.5 < len(samples) / rate < 6


def resident_mb() -> float:
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith("VmRSS")) / 1024


HELLO = Phrase(("ni3", "hao3"), (0, 0), text="你好。")


class StoppedClock:
    """The engine's clock, moved by hand: idle time does not depend on how loaded the machine is."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now

    perf_counter = staticmethod(time.perf_counter)


def test_an_idle_kokoro_gives_its_memory_back_and_reloads_on_next_use(monkeypatch):
    clock = StoppedClock()
    monkeypatch.setattr(lifecycle, "time", clock)
    kokoro = declare_engines(Settings(kokoro_idle_seconds=1))["kokoro"]
    list(kokoro.synthesize(HELLO, "zf_xiaobei", EngineOptions()))
    assert kokoro.state == LOADED and kokoro.release_due() == 1
    clock.now += 0.9
    assert not kokoro.unload_if_idle()          # used under a second ago
    clock.now += 0.2
    before = resident_mb()
    assert kokoro.unload_if_idle() and kokoro.state != LOADED and kokoro.release_due() is None
    assert before - resident_mb() > 150          # the session and its arena, back to the system
    assert any(c.any() for c in kokoro.synthesize(HELLO, "zf_xiaobei", EngineOptions()))


def test_kokoro_stays_loaded_when_idle_unloading_is_off():
    kokoro = declare_engines(Settings(kokoro_idle_seconds=0))["kokoro"]
    list(kokoro.synthesize(HELLO, "zf_xiaobei", EngineOptions()))
    assert kokoro.release_due() is None and not kokoro.unload_if_idle() and kokoro.state == LOADED


def test_the_worker_unloads_an_idle_kokoro_between_jobs():
    synthesizer = Synthesizer(declare_engines(Settings(kokoro_idle_seconds=1)))
    app = create_app(Settings(), synthesizer=synthesizer)
    assert app.extensions["tts.service"].wait_ready(60)
    kokoro = synthesizer.catalogue.engine("zf_xiaobei")
    client = app.test_client()
    assert client.post("/tts", json={"text": "你好。", "voice": "zf_xiaobei"}).status_code == 200
    assert kokoro.state == LOADED
    deadline = time.monotonic() + 30             # the worker waits on its queue, then unloads
    while kokoro.state == LOADED:
        assert time.monotonic() < deadline
        gevent.sleep(0.1)
    assert client.post("/tts", json={"text": "再见。", "voice": "zf_xiaobei"}).status_code == 200
    assert kokoro.state == LOADED
