"""The embedded FastSpeech2 + MB-MelGAN voice, run for real (acoustic model on LiteRT, vocoder on onnxruntime)."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from tts.engines.base import EngineOptions
from tts.engines.embedded import HOP, EmbeddedEngine
from tts.engines.embedded_assets import locate
from tts.engines.tflite_graph import feed_random_uniform_from_inputs
from tts.frontend.phrase import Phrase

ROOT = Path(__file__).resolve().parents[1]
HELLO = Phrase(("jin1", "tian1", "tian1", "qi4", "hen3", "hao3"), (0, 1, 0, 1, 0, 0))


@pytest.fixture(scope="module")
def engine(engines):
    return engines["embedded"].model()


def audio(engine, phrase, **options):
    return np.concatenate(list(engine.synthesize(phrase, "baker", EngineOptions(**options))))


def test_the_engine_unpacks_and_packs_the_acoustic_model_once(monkeypatch):
    """Before, its two rewrites (noise as inputs, the cut to the symbol half) each unpacked and packed it."""
    calls = []
    pack, unpack = schema.ModelT.Pack, schema.ModelT.InitFromPackedBuf
    monkeypatch.setattr(schema.ModelT, "Pack", lambda self, builder: calls.append("pack") or pack(self, builder))
    monkeypatch.setattr(schema.ModelT, "InitFromPackedBuf",
                        classmethod(lambda cls, buffer, pos: calls.append("unpack") or unpack(buffer, pos)))
    EmbeddedEngine(locate(), threads=1).close()
    assert calls == ["unpack", "pack"]


def test_rewritten_acoustic_model_has_no_flex_ops_and_takes_noise_inputs():
    rewritten, names = feed_random_uniform_from_inputs(locate().acoustic.read_bytes())
    model = schema.ModelT.InitFromPackedBuf(rewritten, 0)
    used = {model.subgraphs[0].operators[i].opcodeIndex for i in range(len(model.subgraphs[0].operators))}
    assert not any(model.operatorCodes[i].customCode for i in used)
    assert len(names) == 2 and all("RandomUniform" in n for n in names)


def test_speech_is_24khz_float_and_not_silent(engine):
    samples = audio(engine, HELLO)
    assert engine.sample_rate == 24000
    assert samples.dtype == np.float32
    assert 0.05 < np.sqrt(np.mean(samples ** 2)) and np.abs(samples).max() <= 1.0
    assert 0.8 < len(samples) / 24000 < 2.5   # six syllables


def test_same_seed_gives_identical_audio_and_another_seed_differs(engine):
    first, again = audio(engine, HELLO, seed=7), audio(engine, HELLO, seed=7)
    other = audio(engine, HELLO, seed=8)
    assert np.array_equal(first, again)
    assert not np.array_equal(first, other)
    assert len(first) == len(other)   # noise changes the timbre, never the durations


def test_the_old_litert_vocoder_path_chunks_identically_to_one_pass():
    assets = locate()
    chunked = EmbeddedEngine(assets, threads=1, chunk_frames=40, runtime="litert")
    one_pass = EmbeddedEngine(assets, threads=1, chunk_frames=4096, runtime="litert")
    phrase = HELLO
    pieces = list(chunked.synthesize(phrase, "baker", EngineOptions()))
    assert len(pieces) > 2
    assert np.array_equal(np.concatenate(pieces), audio(one_pass, phrase))


def test_speed_two_halves_the_duration(engine):
    normal, fast = len(audio(engine, HELLO)), len(audio(engine, HELLO, speaking_rate=2.0))
    assert 0.4 < fast / normal < 0.6


def test_past_the_models_own_rate_the_audio_is_stretched_and_onsets_follow(engine):
    """Speed 3: the acoustic model speaks at MAX_MODEL_RATE (its durations collapse beyond), the
    audio is time-stretched to the rest, and each syllable's onset moves with it."""
    normal_onsets, fast_onsets = [], []
    normal = np.concatenate(list(engine.synthesize(HELLO, "baker", EngineOptions(), normal_onsets)))
    fast = np.concatenate(list(engine.synthesize(HELLO, "baker", EngineOptions(speaking_rate=3.0), fast_onsets)))
    assert len(fast) == pytest.approx(len(normal) / 3, abs=1)
    assert fast_onsets[-1] == (len(HELLO.syllables), len(fast))
    assert [s for s, _ in fast_onsets] == [s for s, _ in normal_onsets]
    assert all(abs(f - n / 3) <= 1 for (_, f), (_, n) in zip(fast_onsets, normal_onsets))
    assert np.sqrt(np.mean(fast ** 2)) > 0.8 * np.sqrt(np.mean(normal ** 2))
    # the mel for browser vocoding cannot be stretched as audio: its frames are squeezed instead
    assert engine.mel(HELLO, EngineOptions(speaking_rate=3.0)).shape[1] == round(len(normal) / HOP / 3)


@pytest.mark.parametrize("seed", [0, 1])
def test_a_phrase_ends_in_silence_not_in_a_murmur(engine, seed):
    """The model fills the closing eos symbol's frames with a murmur after the final silence
    (~10 dB under the speech here, heard as "…0.3度了"); the engine makes those frames silent."""
    from tts.frontend import analyze

    (phrase,) = analyze("我的体温是37.5度，比昨天低了0.3度。", 100, None)
    samples = audio(engine, phrase, seed=seed)
    level = lambda x: 20 * np.log10(np.sqrt(np.mean(x ** 2)))  # noqa: E731
    assert level(samples[-3600:]) < level(samples) - 40   # the last 150 ms (within the eos frames): was 17 dB under


def test_phrase_beyond_the_frame_limit_is_split_not_failed(engine):
    long = Phrase(("ma1", "ma5") * 200, (0, 1) * 200)   # ~400 syllables ≫ 2048 frames
    samples = audio(engine, long)
    assert len(samples) / 24000 > 60


def test_slow_speed_long_phrase_still_fits(engine):
    phrase = Phrase(("da4", "jia1", "hao3") * 30, (0, 0, 1) * 30)
    assert len(audio(engine, phrase, speaking_rate=0.25)) > len(audio(engine, phrase)) * 3


def test_folding_the_dilated_convolutions_changes_no_sample():
    from tts.engines.litert import LiteRTModel
    from tts.engines.tflite_graph import fold_dilated_convolutions

    original = locate().vocoder.read_bytes()
    folded, count = fold_dilated_convolutions(original)
    assert count == 9
    before, after = LiteRTModel(original, 1), LiteRTModel(folded, 1)
    rng = np.random.default_rng(3)
    for frames in (10, 11, 13, 27, 81, 100, 296):
        mel = (rng.standard_normal((1, frames, 80)) * 0.8).astype(np.float32)
        assert np.array_equal(before.run({"mels": mel}, ("Identity",))[0], after.run({"mels": mel}, ("Identity",))[0])


def test_a_single_syllable_at_top_speed_is_vocoded(engine):
    samples = audio(engine, Phrase(("a1",), (0,)), speaking_rate=4.0)
    assert 0 < len(samples) / 24000 < 0.5 and np.abs(samples).max() > 0.01


def test_a_closed_engine_refuses_work_with_a_clear_error():
    from tts.errors import EngineUnavailable

    closed = EmbeddedEngine(locate(), threads=1)
    closed.close()
    closed.close()   # twice is fine
    with pytest.raises(EngineUnavailable, match="closed"):
        audio(closed, HELLO)


def test_acoustic_calls_hand_out_what_the_server_decodes(engine):
    """Browser vocoding's input: per model call, the symbols' hidden states (float16, as on the wire)
    and frames per symbol (rate applied); decoding one gives the mel the server vocodes, bit for bit."""
    options = EngineOptions(speaking_rate=0.8, seed=3)
    (call,) = engine.acoustic_calls(HELLO, options)
    symbols = call.hidden.shape[1]
    assert call.hidden.dtype == np.float16 and call.hidden.shape == (1, symbols, 256)
    assert call.durations.dtype == np.int32 and call.durations.shape == (1, symbols) and call.stretch == 1.0
    mel = engine.decode(call)
    assert mel.shape == (1, call.frames, 80)
    assert np.array_equal(mel, engine.mel(HELLO, options))
    assert engine.decoder_file.name == "fastspeech2_decoder.onnx" and engine.decoder_file.is_file()


def test_a_long_phrase_comes_as_several_calls_each_within_the_frame_limit(engine):
    from tts.engines.embedded import MAX_FRAMES

    calls = list(engine.acoustic_calls(Phrase(("ma1", "ma5") * 200, (0, 1) * 200), EngineOptions()))
    assert len(calls) > 1 and all(call.frames <= MAX_FRAMES for call in calls)


def test_where_int8_products_saturate_the_decoder_runs_uint8_weights_with_the_same_mels(engine):
    """On x86 without VNNI onnxruntime's uint8 × int8 kernels saturate pairs of products in int16
    (this file's weights reach it), so there the engine stores the weights as uint8 + 128: exact
    there, and the same mels as the file (and the page) everywhere."""
    from tts.engines.embedded import _OnnxDecoder, integer_products_saturate

    signed, unsigned = (_OnnxDecoder(engine.decoder_file, flag) for flag in (False, True))
    for options in (EngineOptions(), EngineOptions(speaking_rate=0.7, seed=4)):
        (call,) = engine.acoustic_calls(HELLO, options)
        assert np.array_equal(signed(call.hidden, call.durations), unsigned(call.hidden, call.durations))
    assert integer_products_saturate("x86_64", "flags : fpu sse avx2 fma avx512f avx512bw")
    assert not integer_products_saturate("x86_64", "flags : fpu sse avx2 fma avx512f avx512_vnni")
    assert not integer_products_saturate("x86_64", "flags : fpu sse avx2 avx_vnni")
    assert not integer_products_saturate("aarch64", "Features : fp asimd asimddp")


WARM_UP = """
import os
from tts.config import Settings
from tts.engines import declare_engines
from tts.request import SynthesisRequest
from tts.synthesizer import Synthesizer
os.write(2, b"before\\n")
chunks = list(Synthesizer(declare_engines(Settings(vocoder_runtime="{runtime}"))).stream(SynthesisRequest("你好。", "baker")))
os.write(2, b"after %d\\n" % len(chunks))
"""


@pytest.mark.parametrize("runtime", ["onnxruntime", "litert"])
def test_loading_and_warming_up_print_nothing_outside_the_log(runtime):
    """LiteRT's own notice on creating its CPU delegate (written to fd 2 by the library, once per process)
    is kept off stderr; what else is written there meanwhile still comes out, in its order."""
    done = subprocess.run([sys.executable, "-c", WARM_UP.replace("{runtime}", runtime)], cwd=ROOT,
                          capture_output=True, timeout=300)
    assert done.returncode == 0, done.stderr.decode()[-2000:]
    assert done.stderr.decode().splitlines() == ["before", "after 1"] and b"XNNPACK" not in done.stderr
