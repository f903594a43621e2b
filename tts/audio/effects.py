"""Pitch and volume, done without touching the voice's timbre more than needed.

Pitch: the engine makes the phrase `factor` times longer with its own duration control,
then the audio is played back `factor` times faster by resampling. The duration is what
was asked for and the fundamental moves by `factor` (formants move with it; fine within
the ±12 semitone range we allow). Volume: gain in dB, then a peak limiter per phrase, so
loud settings never clip.
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

CEILING = 0.97   # peak after gain, a little under full scale


def pitch_factor(semitones: float) -> Fraction:
    """2^(semitones/12) as a small fraction, so polyphase resampling stays cheap."""
    return Fraction(2 ** (semitones / 12)).limit_denominator(48)


def apply_gain(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """Gain, with the whole phrase scaled down if its peak would pass the ceiling."""
    gain = 10 ** (gain_db / 20)
    peak = float(np.abs(samples).max(initial=0.0)) * gain
    if peak > CEILING:
        gain *= CEILING / peak
    return (samples * gain).astype(np.float32)
