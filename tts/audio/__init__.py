"""Audio as the synthesizer hands it out, and what happens to it on the way to a client."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

PCM16_SCALE = np.float32(32767.0)   # full scale of the 16-bit grid every format ends on


@dataclass(frozen=True)
class AudioChunk:
    """A run of float32 mono samples in [-1, 1]; `phrase` counts phrases from 0."""

    samples: np.ndarray
    sample_rate: int
    phrase: int

    @property
    def seconds(self) -> float:
        return len(self.samples) / self.sample_rate


def quantize(samples: np.ndarray) -> np.ndarray:
    """float audio → int16 steps (little-endian), clipped and rounded exactly as every encoder does."""
    return (np.clip(samples, -1.0, 1.0) * PCM16_SCALE).round().astype("<i2")


def dequantize(steps: np.ndarray) -> np.ndarray:
    return steps.astype(np.float32) / PCM16_SCALE
