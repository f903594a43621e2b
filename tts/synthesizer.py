"""Text → audio chunks, phrase by phrase: the library the CLI, the bench and the server share.

`Synthesizer.stream` yields audio as soon as the engine makes it, so a caller can start
sending before the whole text is done; joined, the chunks are the utterance. When the
request needs work on whole phrases (another sample rate, pitch, volume) the phrase is
gathered first: a phrase ends in silence, so per-phrase processing leaves no seams.
"""

from __future__ import annotations

import logging
import time
from typing import Iterator, Mapping

import numpy as np

from tts.audio import AudioChunk
from tts.audio.effects import apply_gain, pitch_factor
from tts.audio.resample import resample
from tts.engines.base import Engine, EngineOptions, Voice
from tts.errors import InvalidInput
from tts.frontend import analyze
from tts.request import SynthesisRequest

log = logging.getLogger(__name__)


class Synthesizer:
    """Owns warm engines, keyed by name; not thread-safe: one worker drives it."""

    def __init__(self, engines: Mapping[str, Engine]) -> None:
        self._engines = dict(engines)

    @property
    def voices(self) -> list[Voice]:
        return [v for engine in self._engines.values() for v in engine.voices]

    def engine_for(self, voice: str) -> Engine:
        for engine in self._engines.values():
            if any(v.id == voice for v in engine.voices):
                return engine
        raise InvalidInput(f"unknown voice {voice!r}", field="voice")

    def stream(self, request: SynthesisRequest) -> Iterator[AudioChunk]:
        engine = self.engine_for(request.voice)
        phrases = analyze(request.text, engine.max_syllables)
        if not phrases:
            raise InvalidInput("'text' has nothing speakable in it", field="text")
        rate = request.output_rate(engine.sample_rate)
        factor = pitch_factor(request.pitch)
        options = EngineOptions(speed=request.speed / float(factor), seed=request.seed)
        source_rate = engine.sample_rate * factor
        whole_phrases = source_rate != rate or request.volume != 0.0
        started = time.perf_counter()
        for index, phrase in enumerate(phrases):
            audio = engine.synthesize(phrase, request.voice, options)
            if whole_phrases:
                samples = resample(np.concatenate(list(audio)), source_rate, rate)
                audio = iter([apply_gain(samples, request.volume) if request.volume else samples])
            for samples in audio:
                yield AudioChunk(samples, rate, index)
            if index < len(phrases) - 1 and phrase.pause_ms:
                yield AudioChunk(np.zeros(rate * phrase.pause_ms // 1000, np.float32), rate, index)
        log.debug("synthesized %d phrases in %.3f s", len(phrases), time.perf_counter() - started)

    def synthesize(self, request: SynthesisRequest) -> tuple[np.ndarray, int]:
        """The whole utterance at once: (samples, sample rate)."""
        chunks = list(self.stream(request))
        return np.concatenate([c.samples for c in chunks]), chunks[0].sample_rate
