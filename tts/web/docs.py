"""GET /docs and /openapi.json: the OpenAPI 3 description, a static file kept true by a test."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, jsonify

docs = Blueprint("docs", __name__)
SPEC = Path(__file__).with_name("openapi.json")


@lru_cache(maxsize=1)
def spec() -> dict:
    return json.loads(SPEC.read_text(encoding="utf-8"))


@docs.get("/docs")
@docs.get("/openapi.json")
def openapi():
    return jsonify(spec())
