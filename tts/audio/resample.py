"""High-quality sample-rate conversion (polyphase, scipy's resample_poly), rational rates allowed."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly


def resample(samples: np.ndarray, source_rate: int | Fraction, target_rate: int) -> np.ndarray:
    """Convert from `source_rate` (a Fraction when the audio was pitch-scaled) to `target_rate`."""
    ratio = Fraction(target_rate) / Fraction(source_rate)
    if ratio == 1 or len(samples) == 0:
        return samples
    return resample_poly(samples, ratio.numerator, ratio.denominator).astype(np.float32)
