"""A tiny deterministic engine for service tests, where the real voice would make a test slow or flaky.

It speaks a tone per syllable (0.05 s each) and lets a test script its faults by the words
it is given: 慢 makes each syllable take real time on the worker thread, 坏 raises an error,
怪 raises an exception type no engine should (SystemExit), 挂 blocks until the test lets it go
(or `hang_seconds` pass).
"""

from __future__ import annotations

import threading
import time

import numpy as np

from tts.engines.base import EngineInfo, Voice
from tts.engines.lifecycle import ManagedEngine
from tts.synthesizer import Synthesizer

RATE = 16000
SYLLABLE_SECONDS = 0.05
SLOW_SECONDS = 0.05     # worker time per syllable of a text with 慢
VOICES = (Voice("tone", "tone", "音", "female", "zh-CN", "a test tone"),
          Voice("tone_low", "tone", "低音", "male", "zh-CN", "a lower test tone"))


class ToneModel:
    def __init__(self, hang_seconds: float = 60.0) -> None:
        self.release = threading.Event()     # lets a 挂 call return before `hang_seconds`
        self.hang_seconds = hang_seconds
        self.calls = 0
        self.closed = False

    def synthesize(self, phrase, voice, options):
        self.calls += 1
        if "坏" in phrase.text:
            raise RuntimeError("the model broke on this phrase")
        if "怪" in phrase.text:
            raise SystemExit("a library tried to end the process")
        if "挂" in phrase.text:
            self.release.wait(self.hang_seconds)
        pitch = 440.0 if voice == "tone" else 220.0
        t = np.arange(int(RATE * SYLLABLE_SECONDS / options.speaking_rate)) / RATE
        for _ in phrase.syllables:
            if "慢" in phrase.text:
                time.sleep(SLOW_SECONDS)
            yield (0.3 * np.sin(2 * np.pi * pitch * t)).astype(np.float32)

    def close(self) -> None:
        self.closed = True


class ToneEngine:
    """What a declaration holds, as class attributes (see tts.engines.base.EngineInfo.of)."""

    name = "tone"
    version = "1"
    sample_rate = RATE
    voices = VOICES
    max_syllables = 40
    lead_in_syllables = None
    cpu_per_audio_second = 0.001
    rate_control = True


def tone_engine(model: ToneModel, idle_seconds: float = 0.0) -> ManagedEngine:
    return ManagedEngine(EngineInfo.of(ToneEngine), lambda: model, preload=True, idle_seconds=idle_seconds)


def tone_synthesizer(model: ToneModel | None = None, idle_seconds: float = 0.0) -> Synthesizer:
    return Synthesizer({"tone": tone_engine(model or ToneModel(), idle_seconds)}, default_voice="tone")


def tone_app(model: ToneModel | None = None, **settings):
    """A ready app (TESTING) on the tone voices, without the cache or singleflight unless `settings` ask
    for them; shut down after (a context manager)."""
    from contract import ready_app
    from tts.config import Settings

    return ready_app(tone_synthesizer(model or ToneModel()),
                     Settings(**{"cache_mb": 0, "singleflight": False, **settings}), ready_seconds=10)


def wait_until(condition, timeout: float = 10.0) -> None:
    """Let the hub run (the worker's results come back through it) until `condition()` holds."""
    import gevent

    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out waiting"
        gevent.sleep(0.01)
