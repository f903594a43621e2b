"""The HTML page, served by the same process (templates/ and static/ at the project root)."""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

pages = Blueprint("pages", __name__)


@pages.get("/")
def index():
    settings = current_app.config["TTS_SETTINGS"]
    return render_template("index.html", max_chars=settings.max_text_chars)
