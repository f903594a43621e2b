"""GET /docs and /openapi.json: the OpenAPI 3.1 description, made at start from the request
declaration and this server's settings (tts.web.openapi), so it states the limits enforced here.

/docs shows it with Swagger UI, vendored in static/vendor/swagger-ui (served from this origin,
under the same strict Content-Security-Policy as the page: no inline script or style).
"""

from __future__ import annotations

from functools import lru_cache

from flask import Blueprint, current_app, jsonify, render_template

from tts.config import Settings
from tts.web.openapi import openapi_document

docs = Blueprint("docs", __name__)


@lru_cache(maxsize=4)
def spec(settings: Settings) -> dict:
    return openapi_document(settings)


@docs.get("/openapi.json")
def openapi():
    return jsonify(spec(current_app.config["TTS_SETTINGS"]))


@docs.get("/docs")
def page():
    return render_template("docs.html")
