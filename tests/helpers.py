"""Test helpers: decoding audio as a player would, and a live server process."""

from __future__ import annotations

import io
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import requests
import soundfile

ROOT = Path(__file__).resolve().parents[1]


def decode(data: bytes) -> tuple[np.ndarray, int]:
    """Decode audio bytes as a player would."""
    samples, rate = soundfile.read(io.BytesIO(data), dtype="float32")
    return samples, rate


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`python app.py` as production runs it, on a free loopback port."""

    def __init__(self, **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        environ = {**os.environ, "TTS_HOST": "127.0.0.1", "TTS_PORT": str(self.port), **env}
        self.process = subprocess.Popen([sys.executable, "app.py"], cwd=ROOT, env=environ,
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"server exited: {self.process.stderr.read().decode()[-2000:]}")
            try:
                if requests.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.1)
        raise TimeoutError("server did not become ready")

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


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
