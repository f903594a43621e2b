"""The embedded vocoder rebuilt as ONNX from the wheel's weights: the same network as the shipped
tflite, built once at set-up, verified at start, chunked exactly like one pass."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import onnxruntime as ort
import pytest
from onnx import numpy_helper

from helpers import snr_db

from tts.config import Settings
from tts.engines import declare_engines, embedded_decoder, embedded_vocoder
from tts.engines.base import EngineOptions
from tts.engines.embedded import TAIL_CONTEXT_FRAMES, TAIL_WINDOW_FRAMES, EmbeddedEngine, _spans
from tts.engines.embedded_assets import locate
from tts.engines.litert import LiteRTModel
from tts.errors import EngineUnavailable
from tts.frontend import analyze

ROOT = Path(__file__).resolve().parents[1]
SENTENCES = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了。一二三四五六七八九十。"


@pytest.fixture(scope="module")
def tflite():
    return locate().vocoder.read_bytes()


@pytest.fixture(scope="module")
def mels(engines):
    """Real mels from the acoustic model, one per phrase (120–300 frames)."""
    engine = engines["embedded"].model()
    return [engine.mel(phrase, EngineOptions()) for phrase in analyze(SENTENCES)]


@pytest.fixture(scope="module")
def litert(tflite):
    model = LiteRTModel(tflite, 1)
    return lambda mel: model.run({"mels": mel}, ("Identity",))[0].reshape(-1)


def session(model):
    return ort.InferenceSession(model.SerializeToString(), providers=["CPUExecutionProvider"])


def test_int8_faithful_rebuild_matches_litert_on_real_mels(tflite, mels, litert):
    rebuilt = session(embedded_vocoder.build_model(tflite, "full", int8_subbands=True))
    for mel in mels:
        assert snr_db(litert(mel), rebuilt.run(None, {"mel": mel})[0][0]) >= 55


def test_float_rebuild_differs_from_litert_only_by_the_subband_rounding(tflite, mels, litert):
    """The shipped graph rounds 4 sub-bands to steps of 1/128 before PQMF synthesis. That error
    (≤ half a step per sample, variance step²/12) passes through the synthesis filter only, so it
    bounds the difference: the maximum by the filter's L1 norm per output phase, the RMS by its energy."""
    model = embedded_vocoder.build_model(tflite, "full")
    kernel = next(numpy_helper.to_array(t) for t in model.graph.initializer if t.name == "pqmf_kernel")
    phases = [kernel[:, 0, phase::4].astype(np.float64) for phase in range(4)]
    step = 1 / 128
    max_error = step / 2 * max(np.abs(p).sum() for p in phases)
    rms_error = np.sqrt(np.mean([step ** 2 / 12 * (p ** 2).sum() for p in phases]))
    rebuilt = session(model)
    for mel in mels:
        difference = rebuilt.run(None, {"mel": mel})[0][0] - litert(mel)
        assert np.abs(difference).max() <= max_error
        assert np.sqrt(np.mean(difference ** 2)) <= rms_error
        assert np.sqrt(np.mean(difference ** 2)) > rms_error / 4   # it is the rounding, and it is gone


def test_head_then_tail_is_the_full_graph(tflite, mels):
    full, head, tail = (session(embedded_vocoder.build_model(tflite, part)) for part in ("full", "head", "tail"))
    for mel in mels:
        features = head.run(None, {"mel": mel})[0]
        assert features.shape == (1, 192, 3 * mel.shape[1])
        audio = tail.run(None, {"features": features})[0]
        assert audio.shape == (1, 300 * mel.shape[1])
        assert np.array_equal(audio, full.run(None, {"mel": mel})[0])


@pytest.mark.parametrize("threads", [1, 2])
def test_chunked_vocoding_is_identical_to_one_pass_for_any_chunk_size(mels, threads):
    engine = EmbeddedEngine(locate(), threads=threads)
    for mel in mels:
        one_pass = np.concatenate(list(engine.vocode(mel, 4096)))
        assert len(one_pass) == 300 * mel.shape[1]
        for chunk in (1, 7, 32, 64, 100, 256):
            pieces = list(engine.vocode(mel, chunk))
            assert len(pieces) == -(-mel.shape[1] // chunk)
            assert np.array_equal(np.concatenate(pieces), one_pass)


def test_tail_windows_cover_every_frame_once_with_context_and_a_minimum_length():
    for frames in (1, 16, 31, 32, 33, 100, 257, 2048):
        for chunk in (1, 5, 32, 128, 256, 4096):
            spans = list(_spans(frames, chunk, TAIL_CONTEXT_FRAMES, TAIL_WINDOW_FRAMES))
            assert [s for _, s, _, _ in spans] == list(range(0, frames, chunk))
            assert spans[-1][2] == frames
            for left, start, end, right in spans:
                assert 0 <= left <= start < end <= right <= frames
                assert start - left >= min(TAIL_CONTEXT_FRAMES, start)
                assert right - end >= min(TAIL_CONTEXT_FRAMES, frames - end)
                assert right - left >= min(TAIL_WINDOW_FRAMES, frames)


def test_a_missing_decoder_or_vocoder_file_stops_the_server_start_with_its_name(tmp_path):
    for missing in ("fastspeech2_decoder.onnx", "mb_melgan_head.onnx"):
        with pytest.raises(EngineUnavailable) as error:
            declare_engines(Settings(vocoder_dir=str(tmp_path), kokoro=False))
        assert str(tmp_path / missing) in error.value.message
        assert "run.sh" in error.value.message
        embedded_decoder.build(tmp_path)


def test_an_altered_vocoder_file_stops_the_engine_with_its_name_and_hashes(tmp_path):
    embedded_decoder.build(tmp_path)
    head, tail = embedded_vocoder.build(tmp_path)
    data = bytearray(tail.read_bytes())
    data[len(data) // 2] ^= 1   # one flipped bit in a weight: would load fine and only sound wrong
    tail.write_bytes(bytes(data))
    with pytest.raises(EngineUnavailable) as error:
        EmbeddedEngine(locate(), vocoder_dir=tmp_path)
    assert str(tail) in error.value.message
    assert embedded_vocoder.FILES["tail"][1] in error.value.message


def test_setup_builds_the_files_once_then_reuses_them_and_repairs_a_broken_one(tmp_path):
    def setup() -> list[Path]:
        """What ./run.sh runs at every start."""
        output = subprocess.run([sys.executable, "-m", "tts.engines.embedded_vocoder", "--dest", str(tmp_path)],
                                cwd=ROOT, capture_output=True, text=True, check=True)
        return [Path(line) for line in output.stdout.split()]

    def identity(path: Path) -> tuple[int, int]:
        return os.stat(path).st_ino, os.stat(path).st_mtime_ns

    head, tail = setup()
    assert head.parent == tail.parent == tmp_path
    built = {path: identity(path) for path in (head, tail)}
    assert setup() == [head, tail]
    assert {path: identity(path) for path in (head, tail)} == built   # not rewritten
    tail.write_bytes(b"broken")
    setup()
    assert embedded_vocoder.verified(tmp_path) == (head, tail)
    assert identity(head) == built[head] and identity(tail) != built[tail]
