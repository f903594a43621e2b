"""Browser vocoding over HTTP: POST /tts/hidden streams the embedded voice's hidden states and
durations (tts/hidden.py has the format), and the files the page decodes and vocodes them with
come from this origin.

The decoder and vocoder graphs are the very files the server runs (./run.sh builds them, their
sha256 are pinned in tts.engines.embedded_decoder and embedded_vocoder), and onnxruntime-web's are
npm's (`npm ci` in ./run.sh, pinned by npm/package-lock.json). All are served under names that
carry their sha256, so a browser may keep them for good (Cache-Control: immutable) and fetches
them again only when they change; `GET /vocoder/manifest.json` (never cached) says which names
are current, and which voices the page can make (it sends the others to POST /tts without asking
here). One rule for every file: to a browser that accepts gzip goes the `.gz` beside it, if
set-up made one (npm/install.sh for onnxruntime-web's, embedded_decoder's build for the decoder:
10.1 → 6.2 MB; the vocoder's float weights barely shrink, so it has none) and it is whole, else the
file itself. The process never compresses.
"""

from __future__ import annotations

import hashlib
import itertools
import logging
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator

from flask import Blueprint, Response, abort, current_app, jsonify, request, send_file, url_for

from tts.engines import embedded_decoder, embedded_vocoder
from tts.errors import EngineUnavailable, InvalidInput, TTSError
from tts.files import gzip_copy, gzip_copy_fits
from tts.hidden import HIDDEN, MEDIA_TYPE, HiddenCall, record, start_record
from tts.request import HIDDEN as HIDDEN_FIELDS
from tts.service.jobs import Job
from tts.web.context import json_body, service, synthesis_request

hidden = Blueprint("hidden", __name__)
log = logging.getLogger(__name__)

EMBEDDED = "embedded"       # the one engine the browser can run
ASSETS = "tts.page_assets"
DECODER = "decoder"
MODELS = (DECODER, *embedded_vocoder.FILES)   # the graphs the page runs: decoder, vocoder head and tail
RUNTIME_FILES = {"runtime": "ort.wasm.bundle.min.mjs", "wasm": "ort-wasm-simd-threaded.wasm"}
_TYPES = {".mjs": "text/javascript", ".wasm": "application/wasm", ".onnx": "application/octet-stream"}
_YEAR = 365 * 24 * 3600


@dataclass(frozen=True)
class Asset:
    role: str
    path: Path
    digest: str    # sha256, hex
    gzipped: Path | None = None   # the gzip copy set-up wrote beside it, if any

    @classmethod
    def found(cls, role: str, path: Path, digest: str) -> "Asset":
        """path, with the gzip copy beside it unless there is none or it is not whole (served for good
        under an immutable name, a half copy would break the page until the file changes)."""
        packed = gzip_copy(path)
        if not packed.is_file():
            return cls(role, path, digest)
        if not gzip_copy_fits(path):
            log.warning("%s does not end as a whole gzip copy of %s does (a set-up cut short?): sending the "
                        "file itself (delete the copy: set-up makes it again)", packed, path.name)
            return cls(role, path, digest)
        return cls(role, path, digest, packed)

    @property
    def key(self) -> str:
        return self.digest[:16]

    @property
    def download_bytes(self) -> int:
        """What a browser that accepts gzip downloads for it."""
        return (self.gzipped or self.path).stat().st_size


class PageAssets:
    """The files browser vocoding needs (and their gzip copies), found and hashed once at start, not per request."""

    def __init__(self, vocoder_dir: str, runtime_dir: str) -> None:
        self.by_role: dict[str, Asset] = {}
        for role, (name, digest) in embedded_vocoder.FILES.items():   # verified when the engine was declared
            self.by_role[role] = Asset.found(role, (Path(vocoder_dir) / name).resolve(), digest)
        name, digest = embedded_decoder.FILE   # verified too
        self.by_role[DECODER] = Asset.found(DECODER, (Path(vocoder_dir) / name).resolve(), digest)
        self.missing = [str(Path(runtime_dir) / n) for n in RUNTIME_FILES.values() if not (Path(runtime_dir) / n).is_file()]
        if not self.missing:
            for role, name in RUNTIME_FILES.items():
                path = (Path(runtime_dir) / name).resolve()
                self.by_role[role] = Asset.found(role, path, hashlib.sha256(path.read_bytes()).hexdigest())
        self._by_url = {(a.key, a.path.name): a for a in self.by_role.values()}

    def find(self, key: str, name: str) -> Asset | None:
        return self._by_url.get((key, name))


@hidden.record_once
def _scan(state) -> None:
    settings = state.app.config["TTS_SETTINGS"]
    state.app.extensions[ASSETS] = PageAssets(settings.vocoder_dir, settings.page_runtime_dir)


def _assets() -> PageAssets:
    return current_app.extensions[ASSETS]


def _url(asset: Asset) -> str:
    return url_for("hidden.vocoder_file", key=asset.key, name=asset.path.name)


def _models() -> dict:
    return {role: _url(_assets().by_role[role]) for role in MODELS}


def _browser_voices() -> list[str]:
    """The voices a browser can make: the embedded engine's (none when it is not served)."""
    engines = service().catalogue.engines
    return [voice.id for voice in engines[EMBEDDED].info.voices] if EMBEDDED in engines else []


@hidden.get("/vocoder/manifest.json")
def vocoder_manifest():
    """Where the page finds onnxruntime-web and the graphs (names change with content)."""
    assets = _assets()
    if assets.missing:
        raise EngineUnavailable("browser vocoding is not installed on this server (missing "
                                f"{', '.join(assets.missing)}): run ./run.sh, which runs npm ci in npm/")
    files = assets.by_role.values()
    body = {**{role: _url(assets.by_role[role]) for role in RUNTIME_FILES}, "models": _models(),
            "voices": _browser_voices(),   # the page sends other voices straight to POST /tts
            "bytes": sum(a.path.stat().st_size for a in files),
            "gzip_bytes": sum(a.download_bytes for a in files)}   # what a browser downloads
    response = jsonify(body)
    response.headers["Cache-Control"] = "no-cache"
    return response


@hidden.get("/vocoder/<key>/<name>")
def vocoder_file(key: str, name: str):
    asset = _assets().find(key, name)
    if asset is None:
        abort(404)
    gzipped = asset.gzipped if "gzip" in request.accept_encodings else None
    response = send_file(gzipped or asset.path, mimetype=_TYPES.get(asset.path.suffix, "application/octet-stream"),
                         etag=asset.digest + ("-gzip" if gzipped else ""), max_age=_YEAR, conditional=True,
                         download_name=asset.path.name)
    if gzipped:
        response.headers["Content-Encoding"] = "gzip"
    response.headers["Vary"] = "Accept-Encoding"   # whether it is sent gzipped depends on it
    response.headers["Cache-Control"] = f"public, max-age={_YEAR}, immutable"
    return response


@hidden.post("/tts/hidden")
def tts_hidden():
    """The embedded voice's hidden states and durations for the text, call by call (tts/hidden.py)."""
    payload = json_body()
    catalogue, voices = service().catalogue, _browser_voices()
    if payload.get("voice") is None and voices:
        payload = {**payload, "voice": voices[0]}
    synthesis = replace(synthesis_request(payload, dialect=HIDDEN_FIELDS), format=HIDDEN)
    if catalogue.engine(synthesis.voice).name != EMBEDDED:
        raise InvalidInput(f"voice {synthesis.voice!r} cannot be made in the browser: browser vocoding is for the embedded "
                           "voice only (baker); other voices are on POST /tts", field="voice")
    job = service().submit(synthesis)
    chunks = job.follow()
    try:
        first = next(chunks, None)   # early errors are still HTTP errors
    except BaseException:
        job.cancel()
        raise
    # the voice's loudness calibration and the request's volume: the page applies them as the server does
    head = start_record(catalogue.calibration_db(synthesis.voice), synthesis.volume,
                        current_app.config["TTS_SETTINGS"].vocoder_chunk_frames, _models())
    return Response(_records(job, head, first, chunks), mimetype=MEDIA_TYPE,
                    headers={"Cache-Control": "no-store", "X-Accel-Buffering": "no",
                             "X-Omitted-Tokens": str(len(job.omitted))})   # words no voice reads, as on audio


def _records(job: Job, head: bytes, first: HiddenCall | None, rest: Iterator[HiddenCall]) -> Iterator[bytes]:
    done = False
    try:
        yield head
        for chunk in itertools.chain([first] if first is not None else [], rest):
            yield chunk.record()
        yield record({"type": "end", "samples": job.audio.samples, "audio_seconds": round(job.audio.seconds, 3),
                      "cpu_seconds": round(job.cpu_seconds, 4)})
        done = True
    except TTSError as error:   # failed after the stream began: say so in the stream
        yield record({"type": "error", "code": error.code, "message": error.message, "field": error.field})
        done = True
    finally:
        if not done:
            job.cancel()
