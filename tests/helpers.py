"""Test helpers: decoding audio as a player would, and measuring its pitch."""

from __future__ import annotations

import io

import av
import numpy as np
import soundfile

from live import ROOT  # noqa: F401  (test modules take the project root from here)


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode audio bytes as a player would: libsndfile, or ffmpeg's decoders (through PyAV) for
    what libsndfile does not read (AAC, a streamed FLAC of unknown length)."""
    try:
        samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    except (soundfile.LibsndfileError, ValueError):
        return decode_with_ffmpeg(data)
    return samples, rate


def decode_with_ffmpeg(data: bytes) -> tuple[np.ndarray, int]:
    """Mono float32 samples and the rate, as ffmpeg's decoders give them (Opus: always 48 kHz)."""
    with av.open(io.BytesIO(data)) as audio:
        frames = [frame.to_ndarray().reshape(-1) for frame in audio.decode(audio=0)]
        rate = audio.streams.audio[0].codec_context.sample_rate
    samples = np.concatenate(frames) if frames else np.zeros(0, np.float32)
    if samples.dtype == np.int16:
        samples = samples.astype(np.float32) / 32768.0
    return samples.astype(np.float32), rate


def median_f0(samples: np.ndarray, rate: int) -> float:
    """Median fundamental over voiced 40 ms frames, by autocorrelation (60–600 Hz)."""
    frame, found = int(0.04 * rate), []
    for start in range(0, len(samples) - frame, frame // 2):
        window = samples[start:start + frame]
        if np.sqrt(np.mean(window ** 2)) < 0.05:
            continue
        window = window - window.mean()
        corr = np.correlate(window, window, "full")[frame - 1:]
        low, high = rate // 600, rate // 60
        lag = low + int(np.argmax(corr[low:high]))
        if corr[lag] > 0.3 * corr[0]:
            found.append(rate / lag)
    return float(np.median(found))
