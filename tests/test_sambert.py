"""The optional ModelScope Sambert engine: preflight checks and the worker protocol (fake pipeline)."""

import json
import sys

import numpy as np
import pytest

from helpers import ROOT
from tts.engines.base import EngineInfo, EngineOptions
from tts.engines.lifecycle import ManagedEngine
from tts.engines.sambert import SambertEngine, preflight
from tts.errors import EngineUnavailable, InvalidInput, SynthesisFailed
from tts.frontend.phrase import Phrase
from tts.request import SynthesisRequest
from tts.synthesizer import Synthesizer

TESTS = str(ROOT / "tests")
PHRASE = Phrase(("ni3", "hao3"), (0, 0), text="你好")


@pytest.fixture()
def model_dir(tmp_path):
    (tmp_path / "configuration.json").write_text("{}")
    (tmp_path / "resource.zip").write_bytes(b"PK")
    (tmp_path / "voices").mkdir()
    (tmp_path / "voices" / "voices.json").write_text(json.dumps({"voices": ["zhitian_emo", "zhizhe_emo"]}))
    for voice in ("zhitian_emo", "zhizhe_emo"):
        for part in ("am", "voc"):
            (tmp_path / "voices" / voice / part).mkdir(parents=True)
    return tmp_path


def managed(declared):
    return ManagedEngine(EngineInfo.of(declared), declared.load, shutdown=declared.close)


def fake_engine(model_dir, factory="fake_sambert:factory"):
    return SambertEngine(sys.executable, str(model_dir), factory=factory, env={"PYTHONPATH": TESTS},
                         check_packages=False)


def test_preflight_names_a_missing_model_directory(tmp_path):
    assert preflight(sys.executable, str(tmp_path / "nope"), check_packages=False) == [
        f"TTS_SAMBERT_MODEL_DIR={tmp_path / 'nope'} is not a directory (download the model there beforehand)"]


def test_preflight_names_each_missing_model_file(model_dir):
    (model_dir / "resource.zip").unlink()
    (model_dir / "voices" / "zhizhe_emo" / "voc").rmdir()
    assert preflight(sys.executable, str(model_dir), check_packages=False) == [
        f"{model_dir / 'resource.zip'} is missing", f"{model_dir / 'voices' / 'zhizhe_emo' / 'voc'} is missing"]


def test_preflight_names_a_missing_interpreter(model_dir):
    assert preflight("/nonexistent/python3.10", str(model_dir)) == [
        "TTS_SAMBERT_PYTHON=/nonexistent/python3.10 is not an executable interpreter"]


def test_preflight_names_the_wrong_python_and_missing_packages(model_dir):
    problems = preflight(sys.executable, str(model_dir))
    assert any("Python 3.11" in p and "3.8 and 3.10" in p for p in problems)
    assert any("cannot import modelscope" in p for p in problems)
    assert any("cannot import ttsfrd" in p for p in problems)


def test_preflight_recognises_the_empty_ttsfrd_placeholder(model_dir, tmp_path, monkeypatch):
    fake_site = tmp_path / "site"
    for package in ("modelscope", "ttsfrd"):
        (fake_site / package).mkdir(parents=True)
        (fake_site / package / "__init__.py").write_text("")
    monkeypatch.setenv("PYTHONPATH", str(fake_site))
    problems = preflight(sys.executable, str(model_dir))
    assert any("empty PyPI placeholder" in p for p in problems)
    assert not any("cannot import" in p for p in problems)


def test_engine_refuses_to_start_and_lists_every_problem(tmp_path):
    with pytest.raises(EngineUnavailable, match="is not a directory"):
        SambertEngine(sys.executable, str(tmp_path / "nope"))


def test_worker_start_failure_is_reported(model_dir):
    declared = fake_engine(model_dir, factory="fake_sambert:broken_factory")
    try:
        with pytest.raises(EngineUnavailable, match="am/ckpt"):
            declared.load()
    finally:
        declared.close()


def test_voices_come_from_the_model_directory(model_dir):
    engine = fake_engine(model_dir)
    try:
        assert [(v.id, v.gender) for v in engine.voices] == [("zhitian_emo", "female"), ("zhizhe_emo", "male")]
    finally:
        engine.close()


def test_synthesis_goes_through_the_worker_and_survives_a_bad_request(model_dir):
    declared = fake_engine(model_dir)
    engine = declared.load()
    try:
        (audio,) = list(engine.synthesize(PHRASE, "zhitian_emo", EngineOptions()))
        assert audio.dtype == np.float32 and len(audio) == int(0.2 * 16000 * 2)
        with pytest.raises(SynthesisFailed, match="rejected"):
            list(engine.synthesize(Phrase(("huai4",), (0,), text="坏"), "zhitian_emo", EngineOptions()))
        assert len(list(engine.synthesize(PHRASE, "zhizhe_emo", EngineOptions()))[0]) > 0
    finally:
        declared.close()


@pytest.mark.parametrize("field, value", [("speed", 1.5), ("pitch", 2.0)])
def test_speed_and_pitch_are_refused_naming_the_field(model_dir, engines, field, value):
    declared = fake_engine(model_dir)
    try:
        synthesizer = Synthesizer({**engines, "sambert": managed(declared)})
        with pytest.raises(InvalidInput) as error:
            synthesizer.catalogue.bind(SynthesisRequest(text="你好。", voice="zhitian_emo", **{field: value}))
        assert error.value.field == field
    finally:
        declared.close()


def test_synthesizer_routes_sambert_voices_to_it_at_16khz(model_dir, engines):
    engine = fake_engine(model_dir)
    try:
        synthesizer = Synthesizer({**engines, "sambert": managed(engine)})
        samples, rate = synthesizer.synthesize(SynthesisRequest(text="今天很好。", voice="zhitian_emo"))
        assert rate == 16000 and len(samples) > 0.2 * 16000 * 4
    finally:
        engine.close()


def test_a_misconfigured_optional_engine_is_left_out_with_its_reason(tmp_path, caplog):
    from tts.config import Settings
    from tts.engines import declare_engines

    engines = declare_engines(Settings(sambert_python=sys.executable, sambert_model_dir=str(tmp_path / "none")))
    assert "sambert" not in engines and "embedded" in engines
    assert "is not a directory" in caplog.text


def test_sambert_gets_whole_sentences_with_their_text(model_dir, engines):
    engine = fake_engine(model_dir)
    try:
        synthesizer = Synthesizer({**engines, "sambert": managed(engine)})
        text = "今天天气很好，我们一起去公园散步，然后去看电影，晚上再回家吃饭。"
        plan = synthesizer.plan(SynthesisRequest(text=text, voice="zhitian_emo"))
        assert [p.text for p in plan.phrases] == [text]
    finally:
        engine.close()
