"""Synthesis engines behind one contract (base.py), each with one life cycle (lifecycle.py).

`declare_engines` is called once at start, on the main thread: it reads every engine's
declaration (voices, limits) without loading a model, so voices can be listed and
validated at once; models load on the worker thread (lifecycle.ManagedEngine).
"""

from __future__ import annotations

import logging
from dataclasses import replace

from tts.config import Settings
from tts.engines.base import EngineInfo
from tts.engines.lifecycle import ManagedEngine
from tts.errors import EngineUnavailable

log = logging.getLogger(__name__)


def _embedded(settings: Settings) -> ManagedEngine:
    from tts.engines import embedded_decoder, embedded_vocoder
    from tts.engines.embedded import EmbeddedEngine, embedded_version
    from tts.engines.embedded_assets import locate

    def load() -> EmbeddedEngine:
        return EmbeddedEngine(locate(), threads=settings.threads, chunk_frames=settings.vocoder_chunk_frames,
                              runtime=settings.vocoder_runtime, vocoder_dir=settings.vocoder_dir,
                              spinning=settings.vocoder_spinning)
    embedded_decoder.verified(settings.vocoder_dir)   # a missing or altered build stops the start, naming it
    if settings.vocoder_runtime == "onnxruntime":
        embedded_vocoder.verified(settings.vocoder_dir)
    info = replace(EngineInfo.of(EmbeddedEngine), version=embedded_version(settings.vocoder_runtime))
    return ManagedEngine(info, load, preload=True)


def _kokoro(settings: Settings) -> ManagedEngine:
    from tts.engines.kokoro import DEFAULT_VOICES_DIR, KokoroEngine, ModelFileError
    from tts.engines.kokoro_model import ModelPartError, assemble

    def load() -> KokoroEngine:
        """Join and verify the model from its PyPI parts (quick when already done), then load it. What went
        wrong, with the server's paths, goes to the log; the client hears only why, in short (a 503)."""
        try:
            return KokoroEngine(assemble(settings.kokoro_dir), DEFAULT_VOICES_DIR, threads=settings.kokoro_threads)
        except (ModelFileError, ModelPartError) as error:
            log.error("the Kokoro voices are not available: %s", error)
            why = "their model files on the server are missing or damaged"
        except OSError as error:   # where it is joined: the setting to change
            log.error("the Kokoro voices are not available: %s (the model is joined in TTS_KOKORO_DIR=%s, "
                      "writable until it is there)", error, settings.kokoro_dir)
            why = "the server cannot prepare their model"
        raise EngineUnavailable(f"the Kokoro voices are not available: {why} (the server's log says more); "
                                "the other voices are")
    return ManagedEngine(EngineInfo.of(KokoroEngine), load, preload=settings.kokoro_preload,
                         idle_seconds=settings.kokoro_idle_seconds)


def _sambert(settings: Settings) -> ManagedEngine:
    from tts.engines.sambert import SambertEngine

    declared = SambertEngine(settings.sambert_python, settings.sambert_model_dir)
    return ManagedEngine(EngineInfo.of(declared), declared.load, preload=True, shutdown=declared.close,
                         child=declared)


def declare_engines(settings: Settings) -> dict[str, ManagedEngine]:
    """Every engine this server offers, by name, declared but not loaded.

    The embedded voice is required; an optional engine that cannot even be declared
    (Sambert's preflight fails) is logged with its reason and left out, so the server
    still serves the others.
    """
    engines = [_embedded(settings)]
    if settings.kokoro:
        engines.append(_kokoro(settings))
    if settings.sambert_python and settings.sambert_model_dir:
        try:
            engines.append(_sambert(settings))
        except EngineUnavailable as error:
            log.error("%s", error.message)
    return {engine.name: engine for engine in engines}
