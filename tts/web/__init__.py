"""The web layer: the Flask app factory and its shutdown; everything HTTP lives below tts/web/."""

from __future__ import annotations

import logging
import time
from pathlib import Path

import gevent
from flask import Flask
from gevent.event import Event
from prometheus_client import CollectorRegistry

from tts.config import Settings
from tts.service.backends import build_backends
from tts.service.memory import MemoryGuard
from tts.service.service import SynthesisService
from tts.synthesizer import Synthesizer
from tts.web.access import register_access_control
from tts.web.api import api
from tts.web.captions import captions
from tts.web.context import SERVICE
from tts.web.cors import register_cors
from tts.web.docs import docs
from tts.web.embed import embed
from tts.web.errors import register_error_handlers
from tts.web.hidden import hidden
from tts.web.observability import register_observability
from tts.web.openai import openai
from tts.web.pages import pages
from tts.web.security import register_security_headers

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


def create_app(settings: Settings | None = None, *, synthesizer: Synthesizer | None = None) -> Flask:
    """The app with its own service, started: the worker begins loading the voices at once.

    A `synthesizer` passed in is shared (tests pass one whose models are already warm) and
    its engines are left open by `shutdown`; otherwise the app builds its own and owns it.
    """
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config["TTS_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    registry = CollectorRegistry()
    backends = build_backends(settings)
    service = SynthesisService(
        synthesizer or Synthesizer.from_settings(settings), queue_size=settings.queue_size, jobs=backends.jobs,
        registry=registry, cache=backends.cache, singleflight=settings.singleflight,
        step_timeout=settings.step_timeout_seconds, max_audio_seconds=settings.max_audio_seconds,
        owns_engines=synthesizer is None, memory=MemoryGuard.from_setting(settings.memory_limit_mb))
    service.metrics.watch(backends.memory, backends.redis)
    app.extensions[SERVICE] = service
    register_error_handlers(app)
    register_observability(app, registry)
    register_cors(app, settings)   # before the access checks: a preflight carries no key
    register_access_control(app, settings)
    register_security_headers(app)
    for blueprint in (api, embed, hidden, openai, captions, docs, pages):
        app.register_blueprint(blueprint)
    log.info("settings: %s", settings.describe())
    service.start()
    return app


def shutdown(app: Flask, drain_seconds: float = 0.0, hurry: Event | None = None) -> bool:
    """Stop taking requests, let accepted work finish for up to `drain_seconds` (or until `hurry`
    is set: the operator asked again), then fail what is left and close the engines. True when
    everything accepted had finished in time."""
    service: SynthesisService = app.extensions[SERVICE]
    service.stop_admission()
    began = time.monotonic()
    drainer = gevent.spawn(service.drain, drain_seconds)
    gevent.wait([drainer, hurry or Event()], count=1)
    drainer.kill()   # a drain cut short by `hurry` ends in its wait: it holds nothing
    drained = drainer.value is True   # killed, its value is the GreenletExit
    if not drained:   # say which: work cut off, or only results nobody came for
        log.warning("shutting down after %.0f s with %d requests unfinished (they fail) and %d async results "
                    "nobody fetched (dropped)", time.monotonic() - began, service.depth,
                    len(service.jobs.uncollected()))
    service.close()
    return drained
