"""Synthesis engines behind one interface (see base.py), and the loader the worker calls."""

from __future__ import annotations

import logging

from tts.config import Settings
from tts.engines.base import Engine
from tts.errors import EngineUnavailable

log = logging.getLogger(__name__)


def load_engines(settings: Settings) -> dict[str, Engine]:
    """Every engine this server offers, loaded and ready (called on the worker thread).

    The embedded voice is required; an optional engine that cannot start is logged with
    its reason and left out, so the server still serves the others.
    """
    from tts.engines.embedded import EmbeddedEngine
    from tts.engines.embedded_assets import locate

    embedded = EmbeddedEngine(locate(), threads=settings.threads, chunk_frames=settings.vocoder_chunk_frames)
    engines: dict[str, Engine] = {embedded.name: embedded}
    if settings.sambert_python and settings.sambert_model_dir:
        from tts.engines.sambert import SambertEngine

        try:
            engines["sambert"] = SambertEngine(settings.sambert_python, settings.sambert_model_dir)
        except EngineUnavailable as error:
            log.error("%s", error.message)
    return engines
