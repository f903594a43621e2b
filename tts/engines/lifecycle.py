"""One engine's life: declared at start, loaded when needed, unloaded when idle, closed at the end.

Every engine goes through the same states, so the synthesizer and the service never ask
which kind of engine they hold:

    declared ──load──► loading ──► loaded ──idle for idle_seconds──► declared (memory handed back)
                          │              └──────────close────────────► closed
                          └──load fails──► failed (the error says why; the next use tries again)

`loading` is what a client sees while a model loads (the page says "正在加载模型…").

Loading, unloading and closing run on the worker thread, between phrases: the model is
not thread-safe and only that thread touches it. Reading the state is safe anywhere.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import time
from typing import Callable, Iterator, Protocol

import numpy as np

from tts.engines.base import EngineInfo, EngineOptions, Model, Onsets
from tts.errors import EngineUnavailable, TTSError
from tts.frontend.phrase import Phrase

log = logging.getLogger(__name__)

DECLARED, LOADING, LOADED, FAILED, CLOSED = "declared", "loading", "loaded", "failed", "closed"


class Child(Protocol):
    """A child process an engine's model runs in (tts.engines.sambert), as the worker's watch sees it."""

    def cpu_seconds(self) -> float:
        """CPU seconds it has used (read on the hub; never going back, across restarts too)."""

    def interrupt(self) -> bool:
        """End a call the worker thread is stuck in (on the hub); False when there is none."""

    def restart_if_exited(self) -> bool:
        """Replace the child if it exited on its own (on the hub, before a step); False when it runs."""


class ManagedEngine:
    """An engine's declaration plus its model's life cycle.

    `load` builds the model (on the worker thread). `preload` engines are loaded while the
    service warms up; the others on their first phrase. With `idle_seconds` the model is
    unloaded after that long unused (0 = never). `shutdown` releases what the declaration
    itself holds (a child process) at close, on the thread that declared it. `child`: the
    child process the model runs in, if it does (the worker's watch judges its steps by it).
    """

    def __init__(self, info: EngineInfo, load: Callable[[], Model], *, preload: bool = False,
                 idle_seconds: float = 0.0, shutdown: Callable[[], None] | None = None,
                 child: Child | None = None) -> None:
        self.info = info
        self.child = child
        self.preload = preload
        self.idle_seconds = idle_seconds
        self.state = DECLARED
        self.error: str | None = None
        self._load = load
        self._shutdown = shutdown
        self._model: Model | None = None
        self._last_used = 0.0

    @property
    def name(self) -> str:
        return self.info.name

    def model(self) -> Model:
        """The loaded model, loading it first when needed; marks the engine as used now."""
        if self.state == CLOSED:
            raise EngineUnavailable(f"the {self.name} engine is shut down")
        if self._model is None:
            started = time.perf_counter()
            self.state = LOADING
            try:
                self._model = self._load()
            except TTSError as error:
                self.state, self.error = FAILED, error.message
                raise
            except Exception as error:   # a model that cannot load is a 503 with its reason, never a dead worker
                self.state, self.error = FAILED, f"the {self.name} engine failed to load: {error}"
                log.exception("loading the %s engine failed", self.name)
                raise EngineUnavailable(self.error) from error
            self.state, self.error = LOADED, None
            log.info("loaded the %s engine in %.1f s", self.name, time.perf_counter() - started)
        self._last_used = time.monotonic()
        return self._model

    def synthesize(self, phrase: Phrase, voice: str, options: EngineOptions,
                   onsets: Onsets | None = None) -> Iterator[np.ndarray]:
        """The model's chunks; the engine counts as used until its last chunk (idle time starts there).
        `onsets` is filled by a timed model (see base.Model) and left empty by the others."""
        model = self.model()
        timed = onsets is not None and getattr(model, "timed", False)
        chunks = model.synthesize(phrase, voice, options, onsets=onsets) if timed else \
            model.synthesize(phrase, voice, options)
        for chunk in chunks:
            yield chunk
            self._last_used = time.monotonic()

    def release_due(self) -> float | None:
        """Seconds until this engine may be unloaded; None while it is not loaded or never unloads."""
        if self._model is None or not self.idle_seconds:
            return None
        return max(0.0, self._last_used + self.idle_seconds - time.monotonic())

    def unload_if_idle(self) -> bool:
        """Unload the model when it has been idle long enough (worker thread, between jobs)."""
        if self.release_due() != 0.0:
            return False
        self.unload()
        log.info("unloaded the %s engine after %s s unused", self.name, self.idle_seconds)
        return True

    def unload(self) -> None:
        """Close the model and give its memory back; the next use loads it again."""
        model, self._model = self._model, None
        if model is not None:
            model.close()
            del model
            gc.collect()
            trim_heap()
        if self.state == LOADED:
            self.state = DECLARED

    def close(self) -> None:
        """Unload for good (shutdown)."""
        self.unload()
        self.state = CLOSED
        if self._shutdown is not None:
            self._shutdown()


def _malloc_trim() -> Callable[[int], int] | None:
    """glibc's malloc_trim, looked up once at import (on the main thread). Found through the
    symbols already loaded into the process: ctypes.util.find_library would run ldconfig in a
    subprocess, which cannot work from the worker thread under gevent."""
    try:
        return ctypes.CDLL(None).malloc_trim
    except (OSError, AttributeError):   # not glibc: freed memory is reused, not returned
        return None


_MALLOC_TRIM = _malloc_trim()


def trim_heap() -> None:
    """glibc keeps freed memory for reuse; malloc_trim returns it (~300 MB for Kokoro)."""
    if _MALLOC_TRIM is not None:
        _MALLOC_TRIM(0)
