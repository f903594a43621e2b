"""What eco mode means, decided here and nowhere else.

Eco mode is the listener asking for speech at the least energy. The server honours it in
three ways, all derived from this module:
- the voice: a request that names no voice gets the cheapest engine's voice (the engines
  declare their measured CPU per second of audio); a voice the client names is kept;
- the output: 16 kHz unless the request names a sample rate (fewer bytes to resample,
  encode and send);
- the path: engines take their cheapest way to the same samples (the embedded voice
  vocodes in longer chunks). Since the samples are the same, eco is not part of a phrase's
  cache key: eco and normal requests share cached phrases at the same output rate.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Iterable

from tts.engines.base import EngineInfo, EngineOptions, Voice

ECO_SAMPLE_RATE = 16000


def eco_voice(engines: Iterable[EngineInfo]) -> Voice:
    """The first voice of the engine that spends the least CPU per second of audio."""
    cheapest = min((e for e in engines if e.voices), key=lambda e: e.cpu_per_audio_second)
    return cheapest.voices[0]


def output_rate(requested: int | None, eco: bool, engine_rate: int) -> int:
    """The sample rate a request's audio is delivered at."""
    if requested is not None:
        return requested
    return ECO_SAMPLE_RATE if eco else engine_rate


def engine_options(speaking_rate: float, seed: int, eco: bool) -> EngineOptions:
    return EngineOptions(speaking_rate=speaking_rate, seed=seed, cheapest=eco)


def same_samples(options: EngineOptions) -> EngineOptions:
    """The options as far as they change the samples (for cache keys): the path does not."""
    return replace(options, cheapest=False)
