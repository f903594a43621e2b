"""Captioned speech: audio together with when each character is spoken.

- `POST /dev/captioned_speech`: Kokoro-FastAPI's route, request for request and response for
  response: `{"audio": base64, "audio_format": media type, "timestamps": [{"word",
  "start_time", "end_time"}]}`, or with `stream` (its default) one such JSON object per
  line as the audio is made (each line's audio is the next bytes of one file).
- `POST /tts` with `captions` (json, vtt or srt): the same idea in our words, see tts.request.
- `GET /tts/jobs/<id>/captions?format=vtt`: a finished async job's captions, for `<track src>`.

The captions come with the audio from the synthesizer (tts.captions); nothing is computed here.
"""

from __future__ import annotations

import base64
import json
import math
from contextlib import closing
from dataclasses import replace
from functools import partial
from typing import Callable, Iterator, Sequence

from flask import Blueprint, Response, jsonify, request

from tts import captions as formats
from tts.audio import AudioChunk
from tts.audio.encode import FORMATS
from tts.captions import Caption
from tts.errors import TTSError
from tts.request import CAPTIONED, CAPTIONS_QUERY, read_params, read_value
from tts.service.jobs import Job
from tts.web.context import done_job, json_body, service, synthesis_request
from tts.web.openai import model_ids
from tts.web.ranges import unchanged
from tts.web.responses import Watcher, encoded_stream, framed_stream, job_headers, whole_audio

captions = Blueprint("captions", __name__)

NDJSON = "application/x-ndjson"
Shape = Callable[[Sequence[Caption]], object]   # captions → what a response carries


def kokoro_timestamps(items: Sequence[Caption]) -> list[dict]:
    return [{"word": c.text, "start_time": round(c.start, 3), "end_time": round(c.end, 3)} for c in items]


def our_captions(form: str) -> Shape:
    """`captions` on /tts: the JSON list, or the whole WebVTT/SRT text."""
    return formats.as_json if form == "json" else lambda items: formats.render(items, form)


@captions.post("/dev/captioned_speech")
def captioned_speech():
    payload = json_body()
    synthesis = synthesis_request(payload, dialect=CAPTIONED, models=model_ids())   # validates every field
    synthesis = replace(synthesis, volume=20 * math.log10(_value(payload, "volume_multiplier")))
    shape = kokoro_timestamps if _value(payload, "return_timestamps") else (lambda items: None)
    job = service().submit(synthesis)
    if _value(payload, "stream"):
        return streamed(job, shape, "timestamps")
    return whole(job, shape, "timestamps")


def _value(payload: dict, name: str):
    """A field the route acts on (already validated with the rest)."""
    return read_value(CAPTIONED[name], payload.get(name), max_chars=0)


def captioned(job: Job, form: str) -> Response:
    """/tts with `captions`: JSON with the audio and the captions (streamed as JSON lines)."""
    if job.request.stream:
        return streamed(job, our_captions("json"), "captions", sample_rate=True)
    return whole(job, our_captions(form), "captions", sample_rate=True)


def whole(job: Job, shape: Shape, key: str, sample_rate: bool = False) -> Response:
    """One JSON object: the whole file in base64, and every caption."""
    audio = b"".join(whole_audio(job).response)   # waits for the job; encodes as the audio routes do
    body = {"audio": base64.b64encode(audio).decode("ascii"),
            "audio_format": FORMATS[job.request.format].media_type, key: shape(job.audio.captions)}
    if sample_rate:
        body["sample_rate"] = job.audio.sample_rate
    response = jsonify(body)
    response.headers.update(job_headers(job, job.audio.sample_rate))
    return response


def streamed(job: Job, shape: Shape, key: str, sample_rate: bool = False) -> Response:
    """One JSON line per chunk of audio (every format streams), with the captions that came with it."""
    return framed_stream(job, partial(_lines, shape=shape, key=key, sample_rate=sample_rate), NDJSON,
                         lambda rate: {"X-Accel-Buffering": "no", **job_headers(job, rate)})


def _lines(job: Job, chunks: Iterator[AudioChunk], watcher: Watcher, shape: Shape, key: str,
           sample_rate: bool) -> Iterator[bytes]:
    """The lines of a stream encoded as the audio routes encode theirs (tts.web.responses.encoded_stream)."""
    media_type, pending, rate = FORMATS[job.request.format].media_type, [], None

    def line(audio: bytes) -> bytes:
        body = {"audio": base64.b64encode(audio).decode("ascii"), "audio_format": media_type, key: shape(pending)}
        if sample_rate:
            body["sample_rate"] = rate
        return json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8") + b"\n"

    try:
        with closing(encoded_stream(job, chunks, watcher)) as encoded:
            for chunk, data in encoded:
                if chunk is not None:
                    rate = chunk.sample_rate
                    pending.extend(chunk.captions)
                if data or (chunk is None and pending):   # the tail goes out with the last captions
                    yield line(data)
                    pending = []
    except TTSError as error:   # failed after the stream began: one line says why, then the server cuts it short
        yield json.dumps({"error": {"code": error.code, "message": error.message, "field": error.field}},
                         ensure_ascii=False).encode("utf-8") + b"\n"
        raise


@captions.get("/tts/jobs/<job_id>/captions")
def job_captions(job_id: str):
    """A finished job's captions as json (default), vtt or srt (`?format=`)."""
    form = read_params(request.query_string, CAPTIONS_QUERY)["format"]
    job = done_job(job_id, "its captions")
    etag = f'"{job.id}.captions.{form}"'   # a finished job's captions never change, as its audio's do not
    cached = unchanged(etag)
    if cached is not None:
        return cached
    items = job.audio.captions
    if form == "json":
        response = jsonify({"captions": formats.as_json(items)})
    else:
        response = Response(formats.render(items, form), content_type=formats.MEDIA_TYPES[form])
    response.headers["ETag"] = etag
    return response
