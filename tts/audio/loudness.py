"""Integrated loudness (ITU-R BS.1770-4: K-weighting, 400 ms blocks, absolute and relative gates), in numpy.

The measure every voice's calibration gain is decided by (tts.bench.loudness): LUFS, so a
voice is heard as loud as another whatever its spectrum and pauses. Mono only (channel
weight 1): a 0 dBFS 1 kHz sine reads −3.01 LUFS.

The K-weighting (a high shelf of ~+4 dB above ~1.7 kHz, then a ~38 Hz high-pass) is the
standard's two biquads, designed for any sample rate from their analog parameters by the
bilinear transform (at 48 kHz they give the standard's published coefficients). It is applied
as its impulse response, run once per rate through the recursion and cut where it has decayed
below 1e-9 of its start, by FFT convolution: the same filter without a per-sample Python loop.
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

# Every voice is calibrated to this (tts.engines.base.Voice.calibration_db): AES TD1004's
# recommendation for streamed speech (−18 LUFS, never above −16), 1–3 LU above where most voices
# come out of their models (−20 to −23) and the level at which the embedded voice's loudest
# phrases just fit under the limiter's ceiling (python -m tts.bench loudness).
TARGET_LUFS = -18.0
BLOCK_S = 0.400            # gating block
STEP_S = 0.100             # blocks overlap by 75 %
ABSOLUTE_GATE = -70.0      # LUFS
RELATIVE_GATE = -10.0      # LU under the absolutely gated loudness
_OFFSET = -0.691           # the standard's constant (makes a 1 kHz sine read its RMS level)
_SHELF = {"fc": 1681.974450955533, "q": 0.7071752369554196, "gain_db": 3.999843853973347}
_HIGH_PASS = {"fc": 38.13547087602444, "q": 0.5003270373238773}
_RESPONSE_S = 0.5          # longest impulse response kept (the high-pass decays well within it)


def k_weighting_coefficients(rate: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """The two biquads (b, a), a[0] = 1, for `rate`."""
    stages = []
    k = np.tan(np.pi * _SHELF["fc"] / rate)
    q = _SHELF["q"]
    high = 10 ** (_SHELF["gain_db"] / 20)
    band = high ** 0.4996667741545416   # the shelf's mid-band gain, as the standard's design has it
    a0 = 1 + k / q + k * k
    stages.append((np.array([high + band * k / q + k * k, 2 * (k * k - high), high - band * k / q + k * k]) / a0,
                   np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])))
    k = np.tan(np.pi * _HIGH_PASS["fc"] / rate)
    q = _HIGH_PASS["q"]
    a0 = 1 + k / q + k * k
    stages.append((np.array([1.0, -2.0, 1.0]),
                   np.array([1.0, 2 * (k * k - 1) / a0, (1 - k / q + k * k) / a0])))
    return stages


@lru_cache(maxsize=8)
def _impulse_response(rate: int) -> np.ndarray:
    signal = np.zeros(int(rate * _RESPONSE_S))
    signal[0] = 1.0
    for b, a in k_weighting_coefficients(rate):
        out = np.zeros_like(signal)
        x1 = x2 = y1 = y2 = 0.0
        for n, x in enumerate(signal.tolist()):
            y = b[0] * x + b[1] * x1 + b[2] * x2 - a[1] * y1 - a[2] * y2
            out[n] = y
            x1, x2, y1, y2 = x, x1, y, y1
        signal = out
    alive = np.flatnonzero(np.abs(signal) > 1e-9 * np.abs(signal).max())
    return signal[:alive[-1] + 1]


def k_weighted(samples: np.ndarray, rate: int) -> np.ndarray:
    """The signal through the K-weighting filter (causal, same length)."""
    samples = np.asarray(samples, np.float64)
    response = _impulse_response(rate)
    size = len(samples) + len(response) - 1
    n = 1 << max(0, size - 1).bit_length()
    return np.fft.irfft(np.fft.rfft(samples, n) * np.fft.rfft(response, n), n)[:len(samples)]


def block_loudness(samples: np.ndarray, rate: int) -> np.ndarray:
    """Mean square of the K-weighted signal in each 400 ms block (75 % overlap)."""
    weighted = k_weighted(samples, rate) ** 2
    block, step = round(BLOCK_S * rate), round(STEP_S * rate)
    if len(weighted) < block:
        return np.zeros(0)
    sums = np.concatenate([[0.0], np.cumsum(weighted)])
    starts = np.arange(0, len(weighted) - block + 1, step)
    return (sums[starts + block] - sums[starts]) / block


def _lufs(mean_square: float) -> float:
    return _OFFSET + 10 * np.log10(mean_square) if mean_square > 0 else float("-inf")


def integrated_loudness(samples: np.ndarray, rate: int) -> float:
    """Gated integrated loudness in LUFS (−inf for silence or audio shorter than one block)."""
    blocks = block_loudness(samples, rate)
    with np.errstate(divide="ignore"):
        levels = _OFFSET + 10 * np.log10(blocks)
    kept = blocks[levels > ABSOLUTE_GATE]
    if not len(kept):
        return float("-inf")
    relative = _lufs(float(kept.mean())) + RELATIVE_GATE
    kept = blocks[(levels > ABSOLUTE_GATE) & (levels > relative)]
    return _lufs(float(kept.mean()))
