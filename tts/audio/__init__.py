"""Audio as the synthesizer hands it out, and what happens to it on the way to a client."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from tts.captions import Caption

PCM16_SCALE = np.float32(32767.0)   # full scale of the 16-bit grid every format ends on


@dataclass(frozen=True)
class AudioChunk:
    """A run of float32 mono samples in [-1, 1]; `phrase` counts phrases from 0. `captions`:
    the captions that became known with this chunk (times from the start of the whole audio;
    one may describe audio of a later chunk)."""

    samples: np.ndarray
    sample_rate: int
    phrase: int
    captions: tuple["Caption", ...] = ()

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate


def quantize(samples: np.ndarray) -> np.ndarray:
    """float audio → int16 steps (little-endian), clipped and rounded exactly as every encoder does."""
    return (np.clip(samples, -1.0, 1.0) * PCM16_SCALE).round().astype("<i2")


def dequantize(steps: np.ndarray) -> np.ndarray:
    return steps.astype(np.float32) / PCM16_SCALE
