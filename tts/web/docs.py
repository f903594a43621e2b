"""GET /docs and /openapi.json: the OpenAPI 3.1 description, made at start from the request
declaration and this server's settings (tts.web.openapi), so it states the limits enforced here."""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, current_app, jsonify

from tts.config import Settings
from tts.web.openapi import openapi_document

docs = Blueprint("docs", __name__)


@lru_cache(maxsize=4)
def spec(settings: Settings) -> dict:
    return openapi_document(settings)


@docs.get("/docs")
@docs.get("/openapi.json")
def openapi():
    return jsonify(spec(current_app.config["TTS_SETTINGS"]))
