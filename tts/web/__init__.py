"""The web layer: the Flask app factory; everything HTTP lives below tts/web/."""

from __future__ import annotations

import logging
from functools import partial
from pathlib import Path
from typing import Callable

from flask import Flask
from prometheus_client import CollectorRegistry

from tts.config import Settings
from tts.engines import load_engines
from tts.service.backends import build_backends
from tts.service.worker import SynthesisService
from tts.synthesizer import Synthesizer
from tts.web.access import register_access_control
from tts.web.api import api
from tts.web.docs import docs
from tts.web.errors import register_error_handlers
from tts.web.observability import register_observability
from tts.web.openai import openai
from tts.web.pages import pages
from tts.web.security import register_security_headers

ROOT = Path(__file__).resolve().parents[2]
log = logging.getLogger(__name__)


def build_synthesizer(settings: Settings) -> Synthesizer:
    return Synthesizer(load_engines(settings))


def create_app(settings: Settings | None = None, *,
               synthesizer_factory: Callable[[], Synthesizer] | None = None) -> Flask:
    """The app with its own service; the worker starts loading the voice at once."""
    settings = settings or Settings.from_env()
    app = Flask(__name__, template_folder=str(ROOT / "templates"), static_folder=str(ROOT / "static"))
    app.config["TTS_SETTINGS"] = settings
    app.config["MAX_CONTENT_LENGTH"] = settings.max_body_bytes
    app.json.ensure_ascii = False
    registry = CollectorRegistry()
    backends = build_backends(settings)
    factory = synthesizer_factory or partial(build_synthesizer, settings)
    service = SynthesisService(
        factory, queue_size=settings.queue_size, jobs=backends.jobs, default_voice=settings.default_voice,
        registry=registry, cache=backends.cache, singleflight=settings.singleflight)
    service.metrics.watch(backends.memory, backends.redis)
    app.extensions["tts.service"] = service
    register_error_handlers(app)
    register_observability(app, registry)
    register_access_control(app, settings)
    register_security_headers(app)
    for blueprint in (api, openai, docs, pages):
        app.register_blueprint(blueprint)
    log.info("settings: %s", settings.describe())
    return app
