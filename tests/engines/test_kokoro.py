"""The Kokoro engine on the real model, joined from the installed PyPI parts."""

from __future__ import annotations

import shutil

import numpy as np
import pytest

from tts.engines.base import EngineOptions
from tts.engines.kokoro import DEFAULT_VOICES_DIR, SAMPLE_RATE, KokoroEngine, ModelFileError, trim_silence
from tts.engines.kokoro_model import MODEL_FILENAME, MODEL_SHA256, ModelPartError, assemble, main
from tts.engines.kokoro_phonemes import EDGE, ENGLISH, phrase_phonemes, phrase_pieces, token_roles
from tts.frontend import analyze
from tts.frontend.phrase import Phrase

SENTENCE = "我们一起去公园散步吧。"          # 10 syllables, one model call
FIRST = "今天天气很好，我们去散步吧。"       # a first sentence the lead-in cuts at its comma
SHORT = "我们去散步吧。"                    # to keep the per-voice test cheap


@pytest.fixture(scope="session")
def kokoro_model(tmp_path_factory):
    return assemble(tmp_path_factory.mktemp("kokoro-model"))


@pytest.fixture(scope="module")
def engine(kokoro_model):
    return KokoroEngine(kokoro_model, DEFAULT_VOICES_DIR, threads=2)


def phrases_of(text: str) -> list[Phrase]:
    """As the synthesizer makes them for Kokoro, the first sentence cut for early audio."""
    return analyze(text, KokoroEngine.max_syllables, KokoroEngine.lead_in_syllables)


def only_phrase(text: str) -> Phrase:
    """One sentence as one phrase, as any sentence after the first."""
    (phrase,) = analyze(text, KokoroEngine.max_syllables, None)
    return phrase


@pytest.fixture(scope="module")
def phrase():
    return only_phrase(SENTENCE)


@pytest.fixture(scope="module")
def chunks(engine, phrase):
    """The sentence once at normal speed, shared by the tests that only inspect it."""
    return list(engine.synthesize(phrase, "zm_yunxi", EngineOptions()))


def speech(engine, phrase, voice="zm_yunxi", speaking_rate=1.0) -> np.ndarray:
    chunks = list(engine.synthesize(phrase, voice, EngineOptions(speaking_rate=speaking_rate)))
    assert chunks and all(c.dtype == np.float32 and c.ndim == 1 for c in chunks)
    return np.concatenate(chunks)


def test_engine_describes_itself(engine):
    assert (engine.name, engine.sample_rate) == ("kokoro", SAMPLE_RATE)
    assert engine.version.startswith("kokoro-v1.0-int8-6e742170d309")
    assert len(engine.voices) == 8
    assert {v.gender for v in engine.voices if v.id.startswith("zf_")} == {"female"}
    assert {v.gender for v in engine.voices if v.id.startswith("zm_")} == {"male"}
    assert all(v.engine == "kokoro" and v.language == "zh-CN" for v in engine.voices)
    assert 40 <= engine.max_syllables <= 60


@pytest.mark.parametrize("voice", [
    "zf_xiaobei", "zf_xiaoni", "zf_xiaoxiao", "zf_xiaoyi", "zm_yunjian", "zm_yunxi", "zm_yunxia", "zm_yunyang",
])
def test_every_voice_speaks(engine, voice):
    phrase = only_phrase(SHORT)
    audio = speech(engine, phrase, voice)
    seconds = len(audio) / SAMPLE_RATE
    assert 0.12 * len(phrase.syllables) < seconds < 0.4 * len(phrase.syllables)
    assert np.abs(audio).max() <= 1.0
    assert np.sqrt(np.mean(audio ** 2)) > 0.02


def test_a_sentence_is_one_model_call(chunks):
    (audio,) = chunks    # every call pays ~1 s of padding silence: never cut further in the engine
    assert audio.dtype == np.float32 and audio.any()


def test_the_cut_head_of_a_first_sentence_ends_with_a_comma_pause(engine):
    head, tail = phrases_of(FIRST)
    assert head.syllables[-1] == "hao3" and head.continues and not tail.continues
    speech_part, pause = engine.synthesize(head, "zm_yunxi", EngineOptions())
    assert speech_part.any() and not pause.any() and 0.1 < len(pause) / SAMPLE_RATE < 0.2


def test_padding_silence_is_trimmed(chunks):
    audio = np.concatenate(chunks)
    edge = SAMPLE_RATE // 10
    assert np.abs(audio[:edge]).max() > 0.01 and np.abs(audio[-edge:]).max() > 0.01
    assert len(trim_silence(np.zeros(SAMPLE_RATE, dtype=np.float32))) == 0


def test_speed_is_a_rate(engine, phrase, chunks):
    normal, fast = sum(map(len, chunks)), len(speech(engine, phrase, speaking_rate=2.0))
    assert 0.4 < fast / normal < 0.65


def test_speed_may_be_one_per_token_and_a_constant_one_is_the_calls_speed(engine):
    ids = engine.token_ids("ni↓xau↓.")
    scalar, frames = engine.infer_timed(ids, "zf_xiaobei", 0.8)
    vector, same_frames = engine.infer_timed(ids, "zf_xiaobei", np.full(len(ids) + 2, 0.8, dtype=np.float32))
    assert np.array_equal(scalar, vector) and np.array_equal(frames, same_frames)
    with pytest.raises(ValueError, match="speeds"):
        engine.infer_timed(ids, "zf_xiaobei", np.ones(len(ids), dtype=np.float32))   # the pads need theirs


def test_english_words_are_said_slower_than_the_mandarin_around_them(engine):
    phrase = only_phrase("我在听Taylor Swift的歌。")
    speeds = engine.token_speeds(phrase, phrase_pieces(phrase), 1.2)   # the request's, English tokens at 0.85 of it
    roles = np.array(["pad", *token_roles(phrase, phrase_pieces(phrase)), "pad"])
    assert speeds.shape == (len(phrase_phonemes(phrase)) + 2,) and speeds.dtype == np.float32
    assert np.allclose(speeds[roles == ENGLISH], 1.2 * 0.85) and set(speeds[roles != ENGLISH]) == {np.float32(1.2)}
    assert engine.token_speeds(only_phrase(SHORT), [], 1.2) == 1.2   # no English: one speed for the call
    ids = engine.token_ids(phrase_phonemes(phrase))
    plain, slowed = engine.infer_timed(ids, "zf_xiaobei", 1.2)[1], engine.infer_timed(ids, "zf_xiaobei", speeds)[1]
    assert np.array_equal(plain[roles != ENGLISH], slowed[roles != ENGLISH])   # the Mandarin keeps its frames
    assert 1.05 < slowed[roles == ENGLISH].sum() / plain[roles == ENGLISH].sum() < 1.3


def test_the_edges_around_english_may_have_their_own_speed(engine, monkeypatch):
    monkeypatch.setattr(engine, "english_speed", 1.0)
    phrase = only_phrase("我在听Taylor Swift的歌。")
    assert engine.token_speeds(phrase, phrase_pieces(phrase), 1.0) == 1.0   # both multiples 1.0: one speed per call
    monkeypatch.setattr(engine, "edge_speed", 0.5)
    speeds = engine.token_speeds(phrase, phrase_pieces(phrase), 1.0)
    roles = np.array(["pad", *token_roles(phrase, phrase_pieces(phrase)), "pad"])
    assert set(speeds[roles == EDGE]) == {0.5} and set(speeds[roles != EDGE]) == {1.0}


def test_empty_phrase_yields_nothing(engine):
    assert list(engine.synthesize(Phrase((), ()), "zf_xiaoxiao", EngineOptions())) == []


def test_missing_model_names_file_and_hash(tmp_path):
    missing = tmp_path / MODEL_FILENAME
    with pytest.raises(ModelFileError) as info:
        KokoroEngine(missing, DEFAULT_VOICES_DIR)
    assert (info.value.path, info.value.expected_sha256, info.value.actual_sha256) == (missing, MODEL_SHA256, None)
    assert str(missing) in str(info.value) and MODEL_SHA256 in str(info.value)


def test_corrupt_model_names_file_and_hashes(kokoro_model, tmp_path):
    corrupt = tmp_path / MODEL_FILENAME
    shutil.copyfile(kokoro_model, corrupt)
    with open(corrupt, "r+b") as f:
        f.seek(1_000_000)
        byte = f.read(1)
        f.seek(1_000_000)
        f.write(bytes([byte[0] ^ 0xFF]))
    with pytest.raises(ModelFileError) as info:
        KokoroEngine(corrupt, DEFAULT_VOICES_DIR)
    assert info.value.actual_sha256 not in (None, MODEL_SHA256)
    assert str(corrupt) in str(info.value) and MODEL_SHA256 in str(info.value)


def test_assemble_command_is_idempotent(kokoro_model, capsys):
    before = kokoro_model.stat().st_mtime_ns
    main(["--dest", str(kokoro_model.parent)])
    assert capsys.readouterr().out.strip() == str(kokoro_model)
    assert kokoro_model.stat().st_mtime_ns == before


def test_assemble_refuses_an_altered_part(tmp_path, monkeypatch):
    fake = tmp_path / "part.bin"
    fake.write_bytes(b"not the model")
    monkeypatch.setattr("tts.engines.kokoro_model.part_path", lambda dist: (fake, "0" * 64))
    with pytest.raises(ModelPartError, match="RECORD"):
        assemble(tmp_path / "out")
    assert not any((tmp_path / "out").iterdir())
