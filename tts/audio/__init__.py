"""Audio as the synthesizer hands it out, and what happens to it on the way to a client."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class AudioChunk:
    """A run of float32 mono samples in [-1, 1]; `phrase` counts phrases from 0."""

    samples: np.ndarray
    sample_rate: int
    phrase: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate
