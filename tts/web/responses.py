"""Audio responses for a job: whole files, or chunked streams that start with the first chunk.

A stream holds its worker slot until the audio is done or the client goes away; when the
client disconnects, the server closes our generator and the job is cancelled, so the
worker stops synthesizing for nobody.
"""

from __future__ import annotations

import logging
from typing import Iterator

from flask import Response

from tts.audio import AudioChunk
from tts.audio.encode import FORMATS, StreamEncoder, encode
from tts.service.jobs import Job

log = logging.getLogger(__name__)


def _headers(job: Job, fmt: str, rate: int, disposition: str) -> dict:
    headers = {"Content-Disposition": f'{disposition}; filename="speech-{job.id[:8]}.{fmt}"', "X-Sample-Rate": str(rate),
               "X-Cache": job.cache or "miss"}   # hit = every phrase came from the sentence cache
    if job.request.stream:
        headers["X-Accel-Buffering"] = "no"   # ask reverse proxies not to buffer the stream
    return headers


def whole_audio(job: Job, disposition: str = "inline") -> Response:
    """Wait for the job, then send one complete file."""
    try:
        job.wait()
    except BaseException:
        job.cancel()   # failed, or the request greenlet was killed: stop working for it
        raise
    samples, rate = job.audio()
    fmt = job.request.format
    response = Response(encode(samples, rate, fmt), mimetype=FORMATS[fmt].media_type,
                        headers=_headers(job, fmt, rate, disposition))
    response.headers["X-Audio-Seconds"] = f"{len(samples) / rate:.3f}" if rate else "0"
    return response


def streamed_audio(job: Job, disposition: str = "inline") -> Response:
    """Send audio as it is made. Waits for the first chunk so early errors are still HTTP errors."""
    chunks = job.follow()
    try:
        first = next(chunks)
    except BaseException:
        job.cancel()
        raise
    fmt = job.request.format
    return Response(_encoded(job, first, chunks), mimetype=FORMATS[fmt].media_type,
                    headers=_headers(job, fmt, first.sample_rate, disposition))


def _encoded(job: Job, first: AudioChunk, rest: Iterator[AudioChunk]) -> Iterator[bytes]:
    encoder = StreamEncoder(job.request.format, first.sample_rate)
    complete = False
    try:
        yield encoder.write(first.samples)
        for chunk in rest:
            data = encoder.write(chunk.samples)
            if data:
                yield data
        tail = encoder.finalize()
        if tail:
            yield tail
        complete = True
    finally:
        if not complete:
            log.info("job %s: client went away or synthesis failed mid-stream; cancelling", job.id)
            job.cancel()


def audio_response(job: Job, disposition: str = "inline") -> Response:
    if job.request.stream and FORMATS[job.request.format].streams:
        return streamed_audio(job, disposition)
    return whole_audio(job, disposition)
