"""The HTML page, served by the same process (templates/ and static/ at the project root).

The template gets the server's limits and choices as data-* attributes; static/app.js reads
them there (the Content-Security-Policy allows no inline script).
"""

from __future__ import annotations

from flask import Blueprint, current_app, render_template

from tts.eco import ECO_SAMPLE_RATE
from tts.request import FORMATS, PITCH_RANGE, SPEED_RANGE, VOLUME_RANGE

pages = Blueprint("pages", __name__)

@pages.get("/")
def index():
    settings = current_app.config["TTS_SETTINGS"]
    return render_template(
        "index.html",
        max_chars=settings.max_text_chars,
        speed_min=f"{SPEED_RANGE[0]:g}",
        speed_max=f"{SPEED_RANGE[1]:g}",
        pitch_min=f"{PITCH_RANGE[0]:g}",
        pitch_max=f"{PITCH_RANGE[1]:g}",
        volume_min=f"{VOLUME_RANGE[0]:g}",
        volume_max=f"{VOLUME_RANGE[1]:g}",
        formats=" ".join(FORMATS),
        eco_rate_khz=f"{ECO_SAMPLE_RATE / 1000:g}",
        eco_rate=ECO_SAMPLE_RATE,
        key_required=bool(settings.keys),
    )
