"""What every synthesis engine offers: load once, then phrase → audio chunks.

Load-time settings (model files, threads) go to the engine's constructor; per-call
choices travel in `EngineOptions`, validated before they get here.
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
    description: str


@dataclass(frozen=True)
class EngineOptions:
    """Per-call choices. speed is a rate: 2.0 = twice as fast (half the duration)."""

    speed: float = 1.0
    seed: int = 0          # for engines with a random part; same seed, same audio
    eco: bool = False      # take the cheapest path; engines keep the audio the same


class Engine(Protocol):
    name: str
    version: str           # changes whenever the same phrase would sound different (cache keys use it)
    sample_rate: int
    voices: tuple[Voice, ...]
    max_syllables: int | None   # longest phrase one call accepts (frontend splits below it); None: whole sentences
    lead_in_syllables: int | None   # longest first piece of a long first sentence (early audio); None: no cut

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions) -> Iterator[np.ndarray]:
        """Yield float32 mono audio in [-1, 1] at `sample_rate`, in order, for one phrase.

        Chunks come as soon as they are ready (for streaming); joined they are the
        phrase's audio, without the trailing pause (the synthesizer adds that).
        """
        ...
