"""Text → audio chunks, phrase by phrase: the library the CLI, the bench and the server share.

`Synthesizer.stream` yields audio as soon as the engine makes it, so a caller can start
sending before the whole text is done; joined, the chunks are the utterance. When the
request needs work on whole phrases (another sample rate, pitch, volume) the phrase is
gathered first: a phrase ends in silence, so per-phrase processing leaves no seams.

Every phrase's audio is put on the 16-bit grid every format ends on, so a phrase kept as
int16 in a cache comes back bit-identical to a fresh synthesis. A cache is keyed by
`phrase_key`: everything that changes a phrase's samples, nothing else. The two steps,
`plan` (frontend and keys) and `render` (engine), are public so that a caller can do the
cache's I/O itself between them, on another thread (the service does it on the gevent hub).
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import logging
import time
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Iterator, Mapping, Protocol

import numpy as np

from tts.audio import AudioChunk
from tts.audio.effects import apply_gain, pitch_factor
from tts.audio.encode import to_pcm16
from tts.audio.resample import resample
from tts.engines import LazyEngine
from tts.engines.base import Engine, EngineOptions, Voice
from tts.errors import InvalidInput
from tts.frontend import Phrase, analyze
from tts.frontend.estimate import check_budget
from tts.request import SynthesisRequest

log = logging.getLogger(__name__)

PCM16_SCALE = np.float32(32767.0)   # full scale of tts.audio.encode.to_pcm16
PIPELINE_VERSION = 1                # bump when resample/pitch/volume/quantization change


def quantize(samples: np.ndarray) -> np.ndarray:
    """float audio → int16 steps, rounded exactly as the encoders round it."""
    return np.frombuffer(to_pcm16(samples), "<i2")


def dequantize(steps: np.ndarray) -> np.ndarray:
    return steps.astype(np.float32) / PCM16_SCALE


def phrase_key(phrase: Phrase, *, engine: Engine, voice: str, options: EngineOptions,
               pitch: float, volume: float, rate: int) -> str:
    """Content address of one phrase's final samples.

    Every field of the phrase counts (an engine may read any of them, Kokoro reads the
    text's final mark), as do the engine and its model version, the voice, the engine
    options (speed after pitch compensation, seed), pitch, volume and output rate.
    """
    same_audio = dataclasses.replace(options, eco=False)   # eco changes the path, not the samples
    parts = [PIPELINE_VERSION, engine.name, engine.version, voice, dataclasses.astuple(phrase),
             dataclasses.astuple(same_audio), pitch, volume, rate]
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"))
    return hashlib.blake2b(text.encode(), digest_size=16).hexdigest()


class PhraseCache(Protocol):
    """Phrase audio by key, as int16 little-endian bytes."""

    def get_many(self, keys: list[str]) -> dict[str, bytes]: ...

    def put(self, key: str, data: bytes) -> None: ...


@dataclass
class Plan:
    """What `render` needs for one request, decided once: phrases, their keys, the audio chain."""

    engine: Engine
    voice: str
    phrases: list[Phrase]
    keys: list[str]
    options: EngineOptions
    source_rate: Fraction | int
    rate: int
    volume: float
    made: dict[str, bytes] = field(default_factory=dict)   # new phrase audio, for the cache

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
    """Owns warm engines, keyed by name; not thread-safe: one worker drives it."""

    def __init__(self, engines: Mapping[str, Engine], cache: PhraseCache | None = None, *,
                 max_audio_seconds: float | None = None) -> None:
        self._engines = dict(engines)
        self._cache = cache
        self._max_audio_seconds = max_audio_seconds   # per request (None = no limit)

    @property
    def voices(self) -> list[Voice]:
        return [v for engine in self._engines.values() for v in engine.voices]

    def release_due(self) -> float | None:
        """Seconds until an idle engine may be unloaded; None when none is waiting for that."""
        due = [d for e in self._engines.values() if isinstance(e, LazyEngine) and (d := e.release_due()) is not None]
        return min(due, default=None)

    def release_idle(self) -> None:
        """Unload every engine idle for long enough (between jobs, on the worker thread)."""
        for engine in self._engines.values():
            if isinstance(engine, LazyEngine):
                engine.release_if_idle()

    def engine_for(self, voice: str) -> Engine:
        for engine in self._engines.values():
            if any(v.id == voice for v in engine.voices):
                return engine
        raise InvalidInput(f"unknown voice {voice!r}", field="voice")

    def stream(self, request: SynthesisRequest) -> Iterator[AudioChunk]:
        """The utterance chunk by chunk, through this synthesizer's cache if it has one."""
        plan = self.plan(request)
        found = self._cache.get_many(plan.lookup_keys()) if self._cache is not None else None
        for chunk in self.render(plan, found):
            yield chunk
            self._store(plan)
        self._store(plan)

    def _store(self, plan: Plan) -> None:
        if self._cache is not None:
            for key, data in plan.take_made().items():
                self._cache.put(key, data)

    def plan(self, request: SynthesisRequest) -> Plan:
        """Run the frontend and key every phrase (raises InvalidInput when nothing is speakable,
        AudioTooLong when it would make more audio than one request may)."""
        engine = self.engine_for(request.voice)
        phrases = analyze(request.text, engine.max_syllables, engine.lead_in_syllables)
        if not phrases:
            raise InvalidInput("'text' has nothing speakable in it", field="text")
        check_budget(phrases, request.speed, self._max_audio_seconds)
        rate = request.output_rate(engine.sample_rate)
        factor = pitch_factor(request.pitch)
        options = EngineOptions(speed=request.speed / float(factor), seed=request.seed, eco=request.eco)
        keys = [phrase_key(p, engine=engine, voice=request.voice, options=options, pitch=request.pitch,
                           volume=request.volume, rate=rate) for p in phrases]
        return Plan(engine, request.voice, phrases, keys, options, engine.sample_rate * factor, rate, request.volume)

    def render(self, plan: Plan, found: Mapping[str, bytes] | None = None) -> Iterator[AudioChunk]:
        """Audio for a plan. `found` holds cached phrase audio by key; None = no caching at all.

        With caching, each phrase made here lands in `plan.made` once its audio is complete,
        and a phrase repeated within the text is made only once.
        """
        started = time.perf_counter()
        known = None if found is None else dict(found)
        last = len(plan.phrases) - 1
        for index, (phrase, key) in enumerate(zip(plan.phrases, plan.keys)):
            if known is not None and key in known:
                yield AudioChunk(dequantize(np.frombuffer(known[key], "<i2")), plan.rate, index)
            else:
                pieces = []
                for samples in self._phrase_audio(plan, phrase):
                    steps = quantize(samples)
                    pieces.append(steps)
                    yield AudioChunk(dequantize(steps), plan.rate, index)
                if known is not None:
                    whole = np.concatenate(pieces) if pieces else np.zeros(0, "<i2")
                    known[key] = plan.made[key] = whole.tobytes()
            if index < last and phrase.pause_ms:
                yield AudioChunk(np.zeros(plan.rate * phrase.pause_ms // 1000, np.float32), plan.rate, index)
        log.debug("rendered %d phrases in %.3f s", len(plan.phrases), time.perf_counter() - started)

    @staticmethod
    def _phrase_audio(plan: Plan, phrase: Phrase) -> Iterator[np.ndarray]:
        """The engine's chunks, gathered into one when the phrase needs resampling or gain."""
        audio = plan.engine.synthesize(phrase, plan.voice, plan.options)
        if plan.source_rate == plan.rate and plan.volume == 0.0:
            yield from audio
            return
        samples = resample(np.concatenate(list(audio)), plan.source_rate, plan.rate)
        yield apply_gain(samples, plan.volume) if plan.volume else samples

    def synthesize(self, request: SynthesisRequest) -> tuple[np.ndarray, int]:
        """The whole utterance at once: (samples, sample rate)."""
        chunks = list(self.stream(request))
        return np.concatenate([c.samples for c in chunks]), chunks[0].sample_rate
