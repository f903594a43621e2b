"""What every synthesis engine declares and offers: a declaration known without loading
anything, and a loaded model that turns phrases into audio chunks.

An engine's declaration (`EngineInfo`: name, voices, limits, sample rate, cost) is read at
start, so the server can list and validate voices before any model is in memory. Load-time
settings (model files, threads) go to the model's constructor; per-call choices travel in
`EngineOptions`, validated before they get here. The life cycle (load, idle unload, close)
is tts.engines.lifecycle's job, the same for every engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Protocol

import numpy as np

from tts.frontend.phrase import Phrase


@dataclass(frozen=True)
class Voice:
    id: str            # stable id used in requests ("baker", "zf_xiaobei")
    engine: str        # engine name ("embedded", "kokoro")
    name: str          # human name, Chinese allowed
    gender: str        # "female" | "male"
    language: str      # BCP-47, "zh-CN"
    description: str   # "中文 / English": the page shows the part before " / "
    calibration_db: float = 0.0   # constant gain to the common loudness (tts.audio.loudness.TARGET_LUFS), before `volume`


@dataclass(frozen=True)
class EngineOptions:
    """Per-call choices, decided by the synthesizer.

    speaking_rate: how fast the engine speaks, 2.0 = half the duration. It is the request's
        speed divided by the pitch shift's resampling factor (resampling changes the tempo
        too), so it is not the user's speed unless pitch is 0.
    seed: for engines with a random part; same seed, same audio.
    """

    speaking_rate: float = 1.0
    seed: int = 0


@dataclass(frozen=True)
class EngineInfo:
    """What an engine offers, known before its model loads."""

    name: str
    version: str                    # changes whenever the same phrase would sound different (cache keys)
    sample_rate: int
    voices: tuple[Voice, ...]
    max_syllables: int | None       # longest phrase one call accepts (the frontend splits below it); None: whole sentences
    lead_in_syllables: int | None   # longest first piece of a long first sentence (early audio); None: no cut
    cpu_per_audio_second: float     # measured cost (python -m tts.bench): eco picks the cheapest engine
    rate_control: bool              # honours EngineOptions.speaking_rate (without it: no speed, no pitch)

    @classmethod
    def of(cls, engine: type) -> "EngineInfo":
        """The declaration an engine class carries as class attributes."""
        return cls(engine.name, engine.version, engine.sample_rate, tuple(engine.voices), engine.max_syllables,
                   engine.lead_in_syllables, engine.cpu_per_audio_second, engine.rate_control)


Onsets = list[tuple[int, int]]
"""(syllable index in the phrase, sample where that syllable starts in the phrase's audio),
in order: what an engine's own durations say about timing (captions)."""


class Model(Protocol):
    """A loaded engine. Not thread-safe: only the worker thread calls it.

    A model whose class sets `timed = True` also takes `onsets=` in `synthesize`: a list it
    extends with each syllable's start, before yielding the audio that holds it. Others are
    called without it (the synthesizer then spreads a phrase's syllables evenly).
    """

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions) -> Iterator[np.ndarray]:
        """Yield float32 mono audio in [-1, 1] at the engine's sample rate, in order, for one phrase.

        `voice` is one of the engine's declared voices (checked before it gets here). Chunks
        come as soon as they are ready (for streaming); joined they are the phrase's audio,
        without the trailing pause (the synthesizer adds that).
        """
        ...

    def close(self) -> None:
        """Free what the model holds (sessions, child processes); it is not used afterwards."""
        ...
