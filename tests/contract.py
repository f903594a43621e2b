"""Holding real answers to the served OpenAPI document (its schemas are JSON Schema 2020-12)."""

from __future__ import annotations

import base64
import io
import json
import time
from contextlib import contextmanager
from typing import Iterator

import gevent
import numpy as np
import soundfile
from jsonschema import Draft202012Validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

from tts.audio.encode import FORMATS
from tts.config import Settings
from tts.synthesizer import Synthesizer
from tts.web import create_app, shutdown

_BASE = "urn:zh-tts:openapi"


class Contract:
    """The document an app serves, and checks of requests and responses against it."""

    @classmethod
    def of(cls, app) -> "Contract":
        """The document `app` serves at /openapi.json."""
        return cls(app.test_client().get("/openapi.json").get_json())

    def __init__(self, spec: dict) -> None:
        self.spec = spec
        self._registry = Registry().with_resource(_BASE, Resource.from_contents(spec, DRAFT202012))

    def validator(self, schema: dict) -> Draft202012Validator:
        """A validator for `schema`, whose "#/components/..." references point into the document."""
        if "$ref" in schema:
            schema = {"$ref": _BASE + schema["$ref"]}
        return Draft202012Validator(schema, registry=self._registry)

    def request_schema(self, path: str) -> dict:
        return self.spec["paths"][path]["post"]["requestBody"]["content"]["application/json"]["schema"]

    def accepts(self, path: str, body: object) -> bool:
        """Whether the document says `body` is a valid request body for POST `path`."""
        return self.validator(self.request_schema(path)).is_valid(body)

    def documented(self, path: str, method: str) -> set[str]:
        return set(self.spec["paths"][path][method]["responses"])

    def check(self, path: str, method: str, response) -> None:
        """The response's status, media type, JSON body and typed headers are as documented."""
        status = str(response.status_code)
        responses = self.spec["paths"][path][method]["responses"]
        assert status in responses, f"{method.upper()} {path} answered {status}, which is not documented"
        documented = responses[status]
        self._check_headers(documented, response)
        if "content" not in documented:   # documented without a body (204, 304)
            assert not response.get_data(), f"{method.upper()} {path} {status} has a body, documented without"
            return
        assert response.mimetype in documented["content"], \
            f"{method.upper()} {path} {status} answered {response.mimetype}, not {sorted(documented['content'])}"
        schema = documented["content"][response.mimetype]["schema"]
        if response.mimetype == "application/json":
            errors = [e.message for e in self.validator(schema).iter_errors(response.get_json())]
            assert not errors, f"{method.upper()} {path} {status}: {errors}"

    @staticmethod
    def _check_headers(documented: dict, response) -> None:
        for name, header in documented.get("headers", {}).items():
            value = response.headers.get(name)
            if value is not None and header["schema"].get("type") == "integer":
                assert value.isdigit(), f"{name}: {value!r} is not an integer"
            elif value is not None and "enum" in header["schema"]:
                assert value in header["schema"]["enum"], f"{name}: {value!r}"
            elif value is not None and "const" in header["schema"]:
                assert value == header["schema"]["const"], f"{name}: {value!r}"


def audio_of(response, fmt: str = "mp3") -> tuple:
    """Decoded audio of a whole-file response (pcm is s16le at X-Sample-Rate), of captioned
    JSON (one object, or one per line: their base64 audio joined is the file), or of OpenAI's
    speech events (their deltas' audio joined is the file in `fmt`, the request's response_format)."""
    data, media_type = response.get_data(), response.mimetype
    rate = response.headers.get("X-Sample-Rate")
    if media_type == "text/event-stream":
        events = [json.loads(block.removeprefix(b"data: ")) for block in data.split(b"\n\n") if block.strip()]
        assert events[-1]["type"] == "speech.audio.done"
        data = b"".join(base64.b64decode(e["audio"]) for e in events if e["type"] == "speech.audio.delta")
        media_type = FORMATS[fmt].media_type
    if media_type in ("application/json", "application/x-ndjson"):
        lines = [json.loads(line) for line in data.splitlines() if line.strip()]
        data = b"".join(base64.b64decode(line["audio"]) for line in lines)
        media_type, rate = lines[0]["audio_format"], lines[0].get("sample_rate", rate)
    if media_type == "audio/pcm":
        return np.frombuffer(data, "<i2").astype(np.float32) / 32767.0, int(rate)
    return soundfile.read(io.BytesIO(data), dtype="float32")


@contextmanager
def ready_app(synthesizer: Synthesizer, settings: Settings, ready_seconds: float = 60) -> Iterator:
    """A ready app (TESTING) on `synthesizer`, with `settings`; shut down after."""
    app = create_app(settings, synthesizer=synthesizer)
    app.config["TESTING"] = True
    assert app.extensions["tts.service"].wait_ready(ready_seconds)
    try:
        yield app
    finally:
        shutdown(app)


def serving(engines, settings: Settings):
    """A ready app on the session's engines, with `settings` (its audio budget included); closed after."""
    return ready_app(Synthesizer(engines, max_audio_seconds=settings.max_audio_seconds), settings)


def drain(app, timeout: float = 60) -> None:
    """Wait until the app's queue is empty (its jobs finished or cancelled)."""
    deadline = time.monotonic() + timeout
    while app.extensions["tts.service"].depth:
        assert time.monotonic() < deadline, "the queue did not drain"
        gevent.sleep(0.01)
