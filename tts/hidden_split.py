"""Until the embedded engine runs its acoustic model in two halves itself: each acoustic call's
per-symbol half (tflite tensor `add_1` and the durations) from a LiteRT graph cut at that tensor,
and the frame-rate half as an ONNX graph file for the page. Temporary glue (det19 moves this
into tts/engines/embedded.py), kept out of the engine's file."""

from __future__ import annotations

import hashlib
import threading
import weakref
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from tts.engines import embedded
from tts.engines.base import EngineOptions
from tts.engines.embedded_assets import locate
from tts.engines.embedded_decoder import SPLIT, build_model
from tts.engines.tflite_graph import feed_random_uniform_from_inputs, keep_outputs
from tts.errors import SynthesisFailed
from tts.frontend.phrase import Phrase

DECODER_NAME = "fastspeech2_decoder_float_page19.onnx"   # not det19's name: the cache is shared
_halves: "weakref.WeakKeyDictionary[object, embedded._LiteRTModel]" = weakref.WeakKeyDictionary()
_lock = threading.Lock()


@dataclass(frozen=True)
class Call:
    hidden: np.ndarray        # float32 [symbols, 256]
    durations: np.ndarray     # int32 [symbols]
    silent_from: int
    squeeze: float
    piece: Phrase
    options: EngineOptions


def decode(model, call: Call) -> np.ndarray:
    """The call's mel as the server's own audio has it ([1, T, 80], squeezed when faster than the model)."""
    return model.mel(call.piece, call.options)


def _symbol_half(model) -> "embedded._LiteRTModel":
    with _lock:
        if model not in _halves:
            content, _ = feed_random_uniform_from_inputs(locate().acoustic.read_bytes())
            _halves[model] = embedded._LiteRTModel(keep_outputs(content, [SPLIT, "Identity_2"]), 1)
        return _halves[model]


def hidden_calls(model, phrase: Phrase, options: EngineOptions) -> Iterator[Call]:
    """The calls `model.mels` would make for the phrase, each as the decoder's input."""
    for piece in model._fitting(phrase, options.speaking_rate):
        call = _call(model, piece, options)
        if call is not None:
            yield call
        elif len(piece.syllables) < 2:
            raise SynthesisFailed("one syllable exceeded the model's frame limit")
        else:
            for half in piece.split():
                yield from hidden_calls(model, half, options)


def _call(model, phrase: Phrase, options: EngineOptions) -> Call | None:
    layout, _ = model._symbols.layout(phrase)
    ids = np.array([layout], dtype=np.int32)
    noise = model._noise(ids, options.seed)
    rate, squeeze = embedded._rates(phrase, options)
    feeds = {"input_ids": ids, "speaker_ids": np.zeros(1, np.int32),
             "speed_ratios": np.array([1.0 / rate], np.float32), "f0_ratios": np.ones(1, np.float32),
             "energy_ratios": np.ones(1, np.float32)}
    feeds.update({name: next(noise) for name in model._noise_inputs})
    hidden, durations = _symbol_half(model).run(feeds, (SPLIT, "Identity_2"))
    durations = np.asarray(durations[0], np.int32)
    if durations.sum() > embedded.MAX_FRAMES:
        return None
    return Call(np.array(hidden[0]), durations, int(durations[:-1].sum()), squeeze, phrase, options)


def decoder_file(directory: str | Path) -> tuple[Path, str]:
    """The frame-rate half as an ONNX file in `directory` (built from the wheel once), and its sha256."""
    path = Path(directory) / DECODER_NAME
    if not path.is_file():
        path.parent.mkdir(parents=True, exist_ok=True)
        partial = path.with_suffix(".partial")
        partial.write_bytes(build_model(locate().acoustic.read_bytes(), int8=False).SerializeToString())
        partial.replace(path)
    return path, hashlib.sha256(path.read_bytes()).hexdigest()
