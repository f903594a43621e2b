"""GET /tts?text=…&voice=…&format=…: audio at a URL, for `<audio src>`, links and caches.

Short texts only (TTS_URL_MAX_TEXT_CHARS). The answer is a whole file with Content-Length,
byte ranges (players seek with them) and validators: its ETag is the request's content
key (every field once the voice is resolved, the engine and its model version, the audio
pipeline's version and this server's code), so equal URLs give equal bytes and a client
that sends the ETag back in If-None-Match gets 304 without any synthesis. Cache-Control lets
browsers and shared caches keep it for TTS_URL_CACHE_SECONDS, then revalidate.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from flask import Blueprint, Response, current_app, request

from tts.request import URL, SynthesisRequest, read_query
from tts.synthesizer import PIPELINE_VERSION
from tts.web.context import service, synthesis_request
from tts.web.ranges import unchanged
from tts.web.responses import whole_audio

embed = Blueprint("embed", __name__)

_CODE = Path(__file__).resolve().parents[1]   # the tts package


@lru_cache(maxsize=1)
def code_version() -> str:
    """A digest of this server's code: a new frontend or encoder may change the audio of a URL."""
    digest = hashlib.blake2b(digest_size=8)
    for path in sorted(_CODE.rglob("*.py")):
        digest.update(path.relative_to(_CODE).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()


def content_etag(synthesis: SynthesisRequest) -> str:
    """A strong ETag for the audio of a bound request (voice resolved)."""
    info = service().catalogue.engine(synthesis.voice).info
    parts = [code_version(), PIPELINE_VERSION, info.name, info.version, dataclasses.asdict(synthesis)]
    text = json.dumps(parts, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return '"' + hashlib.blake2b(text.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest() + '"'


@embed.get("/tts")
def speak():
    synthesis = synthesis_request(read_query(request.query_string, URL), dialect=URL)
    etag = content_etag(synthesis)
    cache_control = f"public, max-age={current_app.config['TTS_SETTINGS'].url_cache_seconds}"
    if (cached := unchanged(etag, cache_control)) is not None:
        return cached
    job = service().submit(synthesis)
    return whole_audio(job, etag=etag, cache_control=cache_control)
