"""The Kokoro voices inside the server: listed at once, loaded on first use, spoken through the API."""

import pytest

from helpers import decode
from tts.config import Settings
from tts.engines import LazyEngine, load_engines
from tts.errors import EngineUnavailable
from tts.engines.base import EngineOptions
from tts.frontend.phrase import Phrase

KOKORO_VOICES = {"zf_xiaobei", "zf_xiaoni", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi", "zm_yunxia", "zm_yunyang"}


def test_kokoro_voices_are_listed_without_loading_the_model(tmp_path):
    engines = load_engines(Settings(kokoro_dir=str(tmp_path)))
    kokoro = engines["kokoro"]
    assert isinstance(kokoro, LazyEngine) and not kokoro.loaded
    assert {v.id for v in kokoro.voices} == KOKORO_VOICES
    assert not any(tmp_path.iterdir())   # not even joined yet


def test_kokoro_can_be_switched_off():
    assert "kokoro" not in load_engines(Settings(kokoro=False))


def test_an_unwritable_model_directory_is_a_clear_engine_error(tmp_path):
    blocked = tmp_path / "file"
    blocked.write_text("not a directory")
    engine = load_engines(Settings(kokoro_dir=str(blocked / "kokoro")))["kokoro"]
    with pytest.raises(EngineUnavailable, match="Kokoro voices are not available"):
        list(engine.synthesize(Phrase(("ni3", "hao3"), (0, 0), text="你好。"), "zf_xiaobei", EngineOptions()))


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
