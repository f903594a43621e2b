"""Pitch and volume, done without touching the voice's timbre more than needed.

Pitch: the engine makes the phrase `factor` times longer with its own duration control,
then the audio is played back `factor` times faster by resampling. The duration is what
was asked for and the fundamental moves by `factor` (formants move with it; fine within
the ±12 semitone range we allow).

Gain comes in two parts, limited the way each calls for:
- a voice's loudness calibration (a constant few dB to the common level) goes on every chunk as it
  comes, through a sample-local soft knee (`calibrate`): identity up to KNEE, a tanh curve above it
  that never reaches CEILING. No look-ahead, so the first sound waits for nothing; the calibrations
  are chosen so the knee is seldom reached (tts.bench.loudness counts how often);
- a listener's own volume: gain in dB, then a peak limiter per phrase (`apply_gain`), so even
  +12 dB never clips and keeps the phrase's waveform clean (the phrase is gathered for it).
"""

from __future__ import annotations

from fractions import Fraction

import numpy as np

CEILING = 0.97   # peak after gain, a little under full scale
KNEE = 0.85      # the calibration's soft limiter is the identity up to here (see tts.bench.loudness)


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


def soft_limit(samples: np.ndarray) -> np.ndarray:
    """Samples above KNEE in magnitude bent smoothly towards CEILING (tanh: slope 1 at the knee, so
    no corner; never reaching the ceiling), the rest untouched. Computed in float64 as the page
    does (static/vocoder/local.js), so both land on the same 16-bit steps."""
    out = np.asarray(samples, np.float64)
    magnitude = np.abs(out)
    over = magnitude > KNEE
    if over.any():
        out = out.copy()
        room = CEILING - KNEE
        out[over] = np.copysign(KNEE + room * np.tanh((magnitude[over] - KNEE) / room), out[over])
    return out.astype(np.float32)


def calibrate(samples: np.ndarray, gain_db: float) -> np.ndarray:
    """A voice's calibration gain on one chunk, with the soft knee: each sample on its own, so any
    chunking of a phrase gives the same samples."""
    return soft_limit(np.asarray(samples, np.float64) * 10 ** (gain_db / 20))


STRETCH_FRAME_S = 0.030       # WSOLA window: several pitch periods of speech
STRETCH_TOLERANCE_S = 0.010   # how far a window may slide to line up with the last one (> one pitch period)


def time_stretch(samples: np.ndarray, factor: float, rate: int) -> np.ndarray:
    """The audio played `factor` times faster (2 = half the duration), its pitch kept: WSOLA.

    Windows of STRETCH_FRAME_S are laid at a fixed hop on the output and taken from the input
    at `factor` times that hop, each slid by up to STRETCH_TOLERANCE_S to where it best
    continues the waveform of the window before (cross-correlation), so the joins stay in phase.
    Output sample t comes from around input sample t·factor (within the tolerance): timings
    scale by 1/factor. Length round(len / factor); deterministic."""
    samples = np.asarray(samples, np.float32)
    out_length = round(len(samples) / factor)
    if factor == 1.0 or len(samples) == 0:
        return samples.copy()
    frame = 2 * round(rate * STRETCH_FRAME_S / 2)
    hop, tolerance = frame // 2, round(rate * STRETCH_TOLERANCE_S)
    window = (0.5 - 0.5 * np.cos(2 * np.pi * np.arange(frame) / frame)).astype(np.float32)   # periodic Hann: sums to 1
    frames = (out_length + frame) // hop + 1
    lead = frame + tolerance + int(np.ceil(frame * factor))   # input padding: every window stays inside
    tail = lead + int(np.ceil(frames * hop * factor))
    source = np.concatenate([np.zeros(lead, np.float32), samples, np.zeros(tail, np.float32)])
    output = np.zeros(frames * hop + frame, np.float32)
    previous = None
    for k in range(frames):
        # window k covers output [k·hop, k·hop + frame), shifted by `frame`: its centre is output
        # sample k·hop + frame/2 − frame, which comes from input sample factor times that
        nominal = lead + int(round((k * hop + hop - frame) * factor)) - hop
        start = nominal
        if previous is not None:
            natural = source[previous + hop:previous + hop + frame]
            region = source[nominal - tolerance:nominal + tolerance + frame]
            match = np.correlate(region, natural, "valid")
            best = int(np.argmax(match))
            if match[best] > 0:   # in silence nothing lines up: keep the nominal place
                start = nominal - tolerance + best
        output[k * hop:k * hop + frame] += window * source[start:start + frame]
        previous = start
    return output[frame:frame + out_length]


def squeezed_length(count: int, factor: float) -> int:
    """How many frames `squeeze_frames` makes of `count`: at least one of a non-empty mel (tts/hidden.py
    tells the browser, which squeezes the decoder's mel itself, this count)."""
    return max(1, round(count / factor)) if count else 0


def squeeze_frames(frames: np.ndarray, factor: float, axis: int = 1) -> np.ndarray:
    """A sequence of feature frames (a mel) made `factor` times shorter along `axis` by linear
    interpolation: round(T / factor) frames, frame j taken at position (j + ½)·factor − ½, so a
    boundary at frame f moves to f / factor. A vocoder then says the same at a faster rate, its
    pitch kept (the pitch is in the frames' harmonics, not in their count)."""
    count = frames.shape[axis]
    target = squeezed_length(count, factor)
    if target == count:
        return frames
    position = np.clip((np.arange(target) + 0.5) * count / target - 0.5, 0, count - 1)
    low = np.floor(position).astype(np.int64)
    high = np.minimum(low + 1, count - 1)
    shape = [1] * frames.ndim
    shape[axis] = target
    weight = (position - low).reshape(shape).astype(frames.dtype)
    return np.take(frames, low, axis) * (1 - weight) + np.take(frames, high, axis) * weight
