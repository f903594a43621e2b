"""Text → audio chunks, phrase by phrase: the library the server, the CLI, the tests and the bench share.

One loop turns a request into audio, and every caller runs it (`Rendering`):

    plan (frontend, keys) → look up cached phrases → render the rest (engine, effects) → store new phrases

The CPU steps (plan, render) go through a `work` function the caller chooses: the service
runs them on its worker thread, the CLI calls them in place. The cache I/O (look up,
store) runs on the caller's own thread, so a cache shared with other requests (Redis
included) is only ever touched from the gevent hub in the server.

Audio comes as soon as the engine makes it, so a caller can start sending before the
whole text is done. The voice's loudness calibration goes on each chunk as it comes (a
constant gain with a sample-local soft knee: tts.audio.effects.calibrate), so it never holds
the first sound back. When the request needs work on whole phrases (another sample rate,
pitch, the listener's own volume with its per-phrase peak limiter) the phrase is gathered
first: a phrase ends in silence, so per-phrase processing leaves no seams. Every phrase's audio is put on the 16-bit grid every format
ends on, so a phrase kept as int16 in a cache comes back bit-identical to a fresh
synthesis. A cache is keyed by `phrase_key`: everything that changes a phrase's samples,
nothing else.

Captions ride on the chunks: an engine that knows its durations reports each syllable's
start (tts.engines.base.Onsets), which is placed here on the delivered audio's time line
(after resampling, with the pauses between phrases) and handed out as soon as a caption's
end is known. A cached phrase keeps its onsets next to its samples, so it captions exactly
like a fresh one.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import struct
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Callable, Iterator, Mapping, Protocol, TypeVar

import numpy as np

from tts import eco
from tts.audio import AudioChunk, dequantize, quantize
from tts.captions import PhraseTimer, Unit, phrase_units
from tts.audio.effects import apply_gain, calibrate, pitch_factor
from tts.audio.resample import resample
from tts.config import Settings, SettingsError
from tts.engines import declare_engines
from tts.engines.base import EngineOptions, Onsets
from tts.catalogue import UnknownDefaultVoice, VoiceCatalogue
from tts.engines.lifecycle import ManagedEngine
from tts.errors import AudioTooLong, NothingToSay
from tts.frontend import Phrase, analyze_text, load as load_frontend
from tts.frontend.estimate import check_budget
from tts.request import SynthesisRequest

log = logging.getLogger(__name__)
T = TypeVar("T")

PIPELINE_VERSION = 4   # bump when resample/pitch/volume/quantization or the cached layout change
OVERRUN = 1.5          # a rendering may exceed the audio budget by this factor before it is stopped


def phrase_key(phrase: Phrase, *, engine: ManagedEngine, voice: str, options: EngineOptions,
               pitch: float, calibration: float, volume: float, output_rate: int) -> str:
    """Content address of one phrase's final samples.

    Every field of the phrase counts (an engine may read any of them, Kokoro reads the
    text's final mark), as do the engine and its model version, the voice, the engine
    options that change samples (speaking rate after pitch compensation, seed), pitch,
    the voice's calibration gain, the request's volume and output rate.
    """
    parts = [PIPELINE_VERSION, engine.info.name, engine.info.version, voice, dataclasses.astuple(phrase),
             dataclasses.astuple(options), pitch, calibration, volume, output_rate]
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


class PhraseCache(Protocol):
    """Phrase audio by key, as bytes (`pack_phrase`: its onsets, then int16 little-endian samples)."""

    def get_many(self, keys: list[str]) -> dict[str, bytes]: ...

    def put(self, key: str, data: bytes) -> None: ...


def pack_phrase(steps: np.ndarray, onsets: Onsets) -> bytes:
    """A phrase for the cache: how many onsets, the (syllable, sample) pairs, the int16 samples."""
    pairs = np.array(onsets, "<i4").reshape(-1)
    return struct.pack("<I", len(onsets)) + pairs.tobytes() + steps.astype("<i2").tobytes()


def unpack_phrase(data: bytes) -> tuple[np.ndarray, Onsets]:
    """`pack_phrase` undone: the int16 samples and the onsets."""
    (count,) = struct.unpack_from("<I", data)
    pairs = np.frombuffer(data, "<i4", count * 2, 4).reshape(-1, 2)
    return np.frombuffer(data, "<i2", offset=4 + 8 * count), [(int(a), int(b)) for a, b in pairs]


@dataclass
class Plan:
    """What `render` needs for one request, decided once: phrases, their keys, the audio chain."""

    engine: ManagedEngine
    voice: str
    phrases: list[Phrase]
    keys: list[str]
    options: EngineOptions
    engine_rate: Fraction | int   # the rate the engine's samples are read at (pitch shift: faster)
    output_rate: int              # the rate the audio is delivered at
    calibration: float            # dB of the voice's calibration gain: every chunk, soft knee
    volume: float                 # dB of the request's own gain: whole phrases, peak limiter
    max_seconds: float | None = None   # the request's audio budget; None = no limit
    omitted: tuple[str, ...] = ()      # tokens of the text no voice can say (other scripts): reported, not read
    made: dict[str, bytes] = field(default_factory=dict)   # new phrase audio, for the cache
    units: list[list[Unit]] = field(default_factory=list)  # each phrase's captions-to-be

    def lookup_keys(self) -> list[str]:
        """Each phrase key once, in a stable order."""
        return sorted(set(self.keys))

    def cache_status(self, found: Mapping[str, bytes]) -> str:
        """hit = every phrase from cache, miss = none, partial otherwise."""
        cached = sum(key in found for key in self.keys)
        return "hit" if cached == len(self.keys) else "miss" if cached == 0 else "partial"

    def take_made(self) -> dict[str, bytes]:
        made, self.made = self.made, {}
        return made


class Synthesizer:
    """Owns the engines and the voice catalogue; not thread-safe: one worker drives it."""

    def __init__(self, engines: Mapping[str, ManagedEngine], *, default_voice: str = "baker",
                 max_audio_seconds: float | None = None) -> None:
        self.catalogue = VoiceCatalogue(engines, default_voice)
        self.engines = self.catalogue.engines
        self._max_audio_seconds = max_audio_seconds

    @classmethod
    def from_settings(cls, settings: Settings) -> "Synthesizer":
        """The engines the settings ask for (declared, not loaded yet) behind one synthesizer (raises
        SettingsError naming TTS_DEFAULT_VOICE when no engine offers that voice)."""
        engines = declare_engines(settings)
        try:
            return cls(engines, default_voice=settings.default_voice, max_audio_seconds=settings.max_audio_seconds)
        except UnknownDefaultVoice as error:
            raise SettingsError(f"TTS_DEFAULT_VOICE: {error}") from None

    @staticmethod
    def load_frontend() -> None:
        """Read the frontend's data now (the worker's warm-up): no request pays for it."""
        load_frontend()

    def plan(self, request: SynthesisRequest) -> Plan:
        """Run the frontend and key every phrase (raises NothingToSay when nothing is speakable,
        AudioTooLong when it would make more audio than one request may)."""
        request = self.catalogue.bind(request) if request.voice is None else request
        engine = self.catalogue.engine(request.voice)
        info = engine.info
        analysis = analyze_text(request.text, info.max_syllables, info.lead_in_syllables)
        phrases = analysis.phrases
        if not phrases:
            unread = f" (no voice reads: {' '.join(analysis.omitted)[:80]})" if analysis.omitted else ""
            raise NothingToSay(f"the text has nothing speakable in it{unread}", field="text")
        check_budget(phrases, request.speed, self._max_audio_seconds)
        output_rate = eco.output_rate(request.sample_rate, request.eco, info.sample_rate)
        factor = pitch_factor(request.pitch)
        options = EngineOptions(speaking_rate=request.speed / float(factor), seed=request.seed)
        calibration = self.catalogue.calibration_db(request.voice)
        keys = [phrase_key(p, engine=engine, voice=request.voice, options=options, pitch=request.pitch,
                           calibration=calibration, volume=request.volume, output_rate=output_rate)
                for p in phrases]
        return Plan(engine, request.voice, phrases, keys, options, info.sample_rate * factor, output_rate,
                    calibration, request.volume, self._max_audio_seconds, analysis.omitted, units=phrase_units(phrases))

    def render(self, plan: Plan, found: Mapping[str, bytes] | None = None) -> Iterator[AudioChunk]:
        """Audio for a plan. `found` holds cached phrase audio by key; None = no caching at all.

        With caching, each phrase made here lands in `plan.made` once its audio is complete,
        and a phrase repeated within the text is made only once. A rendering that runs past
        its audio budget by half again (the plan's estimate was wrong) is stopped.
        """
        started = time.perf_counter()
        known = None if found is None else dict(found)
        limit = None if plan.max_seconds is None else plan.max_seconds * OVERRUN * plan.output_rate
        made = 0
        for chunk in self._chunks(plan, known):
            made += len(chunk.samples)
            if limit is not None and made > limit:
                raise AudioTooLong(f"the audio ran past {plan.max_seconds * OVERRUN:.0f} s, over the limit of "
                                   f"{plan.max_seconds:.0f} s per request; send less text", field="text")
            yield chunk
        log.debug("rendered %d phrases in %.3f s", len(plan.phrases), time.perf_counter() - started)

    def _chunks(self, plan: Plan, known: dict[str, bytes] | None) -> Iterator[AudioChunk]:
        last = len(plan.phrases) - 1
        position = 0   # samples delivered so far: where the phrase starts on the captions' time line
        for index, (phrase, key) in enumerate(zip(plan.phrases, plan.keys)):
            pause = plan.output_rate * phrase.pause_ms // 1000 if index < last else 0
            timer = PhraseTimer(plan.units[index], len(phrase.syllables), position, plan.output_rate)
            if known is not None and key in known:
                steps, onsets = unpack_phrase(known[key])
                position += len(steps)
                yield AudioChunk(dequantize(steps), plan.output_rate, index, tuple(timer.ready(onsets)))
            else:
                pieces, onsets = [], []
                for samples in self._phrase_audio(plan, phrase, onsets):
                    steps = quantize(samples)
                    pieces.append(steps)
                    position += len(steps)
                    yield AudioChunk(dequantize(steps), plan.output_rate, index, tuple(timer.ready(onsets)))
                if known is not None:
                    whole = np.concatenate(pieces) if pieces else np.zeros(0, "<i2")
                    known[key] = plan.made[key] = pack_phrase(whole, onsets)
            if pause:
                position += pause
                yield AudioChunk(np.zeros(pause, np.float32), plan.output_rate, index)

    @staticmethod
    def _phrase_audio(plan: Plan, phrase: Phrase, onsets: Onsets) -> Iterator[np.ndarray]:
        """The engine's chunks, each calibrated as it comes, gathered into one when the phrase needs
        resampling or the request's volume; `onsets` gets the engine's, on the delivered samples."""
        audio = plan.engine.synthesize(phrase, plan.voice, plan.options, onsets)
        if plan.calibration:
            audio = (calibrate(samples, plan.calibration) for samples in audio)
        if plan.engine_rate == plan.output_rate and plan.volume == 0.0:
            yield from audio
            return
        samples = resample(np.concatenate(list(audio)), plan.engine_rate, plan.output_rate)
        scale = Fraction(plan.output_rate) / Fraction(plan.engine_rate)
        onsets[:] = [(s, min(round(at * scale), len(samples))) for s, at in onsets[:-1]] + \
            [(s, len(samples)) for s, _ in onsets[-1:]]   # the end is the resampled phrase's end
        yield apply_gain(samples, plan.volume) if plan.volume else samples

    def stream(self, request: SynthesisRequest, cache: PhraseCache | None = None) -> Iterator[AudioChunk]:
        """The utterance chunk by chunk, in this thread (the CLI's and the bench's way)."""
        rendering = Rendering(self, request, cache)
        try:
            yield from rendering
        finally:
            rendering.close()

    def synthesize(self, request: SynthesisRequest, cache: PhraseCache | None = None) -> tuple[np.ndarray, int]:
        """The whole utterance at once: (samples, sample rate)."""
        chunks = list(self.stream(request, cache))
        return np.concatenate([c.samples for c in chunks]), chunks[0].sample_rate


def _here(function: Callable[..., T], *args) -> T:
    return function(*args)


class Rendering:
    """One request's way through plan → look up → render → store, a chunk at a time.

    `work` runs the CPU steps (the service passes its worker thread; the default runs them
    here); the cache is read and written on the calling thread. `cpu_clock` measures what
    the work costs (the service counts only its worker's threads; by default the whole
    process), summed in `cpu_seconds`.
    """

    def __init__(self, synthesizer: Synthesizer, request: SynthesisRequest, cache: PhraseCache | None = None,
                 work: Callable[..., T] = _here, cpu_clock: Callable[[], float] = time.process_time) -> None:
        self._synthesizer = synthesizer
        self._request = request
        self._cache = cache
        self._work = work
        self._clock = cpu_clock
        self._chunks: Iterator[AudioChunk] | None = None
        self.plan: Plan | None = None
        self.hits = self.misses = 0
        self.cached: frozenset[str] = frozenset()   # the phrase keys the cache held at the start
        self.cpu_seconds = 0.0

    def begin(self) -> Plan:
        """Plan, then look up the cached phrases; returns the plan."""
        plan = self._timed(self._synthesizer.plan, self._request)
        found = None
        if self._cache is not None:
            found = self._cache.get_many(plan.lookup_keys())
            self.cached = frozenset(found)
            self.hits = sum(key in found for key in plan.keys)
            self.misses = len(plan.keys) - self.hits
        self.cache_status = plan.cache_status(found or {})
        self._chunks = self._synthesizer.render(plan, found)
        self.plan = plan
        return plan

    def next_chunk(self) -> AudioChunk | None:
        """The next chunk of audio (None at the end); each phrase made is stored once complete."""
        if self._chunks is None:
            self.begin()
        chunk = self._timed(next, self._chunks, None)
        if self._cache is not None:
            for key, data in self.plan.take_made().items():
                self._cache.put(key, data)
        return chunk

    def __iter__(self) -> Iterator[AudioChunk]:
        while (chunk := self.next_chunk()) is not None:
            yield chunk

    def close(self) -> None:
        """Stop the engine's generator (it may hold a model call's state)."""
        chunks, self._chunks = self._chunks, None
        if chunks is not None:
            self._work(chunks.close)

    def _timed(self, function: Callable[..., T], *args) -> T:
        started = self._clock()
        try:
            return self._work(function, *args)
        finally:
            self.cpu_seconds += self._clock() - started
