"""Test helpers: decoding audio as a player would, and a live server process."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import soundfile

from tts.bench.server import BenchServer

ROOT = Path(__file__).resolve().parents[1]


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode audio bytes as a player would."""
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return samples, rate


class LiveServer(BenchServer):
    """`python app.py` as production runs it, on a free loopback port; its log goes to a file,
    so a long test run can never fill an unread pipe and stall the server."""

    def __init__(self, **env: str) -> None:
        super().__init__("ours", **env)


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
