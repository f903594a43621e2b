"""High-quality sample-rate conversion (polyphase, scipy's resample_poly)."""

from __future__ import annotations

from math import gcd

import numpy as np
from scipy.signal import resample_poly


def resample(samples: np.ndarray, source_rate: int, target_rate: int) -> np.ndarray:
    if source_rate == target_rate or len(samples) == 0:
        return samples
    common = gcd(source_rate, target_rate)
    return resample_poly(samples, target_rate // common, source_rate // common).astype(np.float32)
