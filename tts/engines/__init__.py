"""Synthesis engines behind one interface (see base.py), and the loader the worker calls."""

from __future__ import annotations

from tts.config import Settings
from tts.engines.base import Engine


def load_engines(settings: Settings) -> dict[str, Engine]:
    """Every engine this server offers, loaded and ready (called on the worker thread)."""
    from tts.engines.embedded import EmbeddedEngine
    from tts.engines.embedded_assets import locate

    embedded = EmbeddedEngine(locate(), threads=settings.threads, chunk_frames=settings.vocoder_chunk_frames)
    return {embedded.name: embedded}
