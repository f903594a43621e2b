"""What eco mode means, decided here and nowhere else.

Eco mode is the listener asking for speech at the least energy. The server honours it in
two ways, both derived from this module:
- the voice: a request that names no voice gets the cheapest engine's voice (the engines
  declare their measured CPU per second of audio: Kokoro's is ~20× the embedded voice's);
  a voice the client names is kept;
- the output: 16 kHz unless the request names a sample rate (a third fewer bytes to encode,
  send and store).
No engine has a cheaper way to the same samples (measured: the embedded vocoder's longer
chunks cost more, python -m tts.bench chunks), so eco is not an engine option; an eco
request shares cached phrases with any other request at the same voice and output rate.
"""

from __future__ import annotations

from typing import Iterable

from tts.engines.base import EngineInfo, Voice

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
