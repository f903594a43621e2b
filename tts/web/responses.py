"""Audio responses for a job: whole files, or chunked streams that start with the first chunk.

A response holds its worker slot until the audio is done or the client goes away. Every
client is watched on its socket while its audio is made (a streaming one may wait for its
next turn with nothing to write), and a write that fails ends a stream too. Either way the
job is cancelled: its slot frees at once and the worker stops synthesizing for nobody.
Whole files are sent in blocks straight from the job's audio buffer, and encoded (FLAC,
MP3, Opus) on a helper thread, so a long result is never one big copy in memory and its
encoding never blocks the gevent hub.
"""

from __future__ import annotations

import logging
import socket
import tempfile
from typing import Iterator

import gevent
import soundfile
from flask import Response, request
from gevent.socket import wait_read

from tts.audio import AudioChunk
from tts.audio.encode import FORMATS, StreamEncoder, wav_header
from tts.service.jobs import Job

log = logging.getLogger(__name__)

CLIENT_SOCKET = "tts.client_socket"   # the WSGI environ key under which the server hands us the connection
_SEND_BLOCK = 1 << 16


def _headers(job: Job, fmt: str, rate: int, disposition: str) -> dict:
    headers = {"Content-Disposition": f'{disposition}; filename="speech-{job.id[:8]}.{fmt}"', "X-Sample-Rate": str(rate),
               "X-Cache": job.cache or "miss"}   # hit = every phrase came from the sentence cache
    if job.request.stream:
        headers["X-Accel-Buffering"] = "no"   # ask reverse proxies not to buffer the stream
    return headers


def _wait(job: Job) -> None:
    """Wait for the job to end, cancelling it if the client hangs up meanwhile; raise its error."""
    watcher = _watch(job)
    try:
        job.wait()
    except BaseException:   # the request greenlet was killed: stop working for it
        job.cancel()
        raise
    finally:
        _stop(watcher)
    if job.error:
        raise job.error


def _watch(job: Job) -> gevent.Greenlet | None:
    """Cancel `job` if the client hangs up (kill the watcher when the response is done)."""
    connection = request.environ.get(CLIENT_SOCKET)
    return gevent.spawn(_cancel_on_hangup, connection, job) if connection is not None else None


def _stop(watcher: gevent.Greenlet | None) -> None:
    if watcher is not None:
        watcher.kill()


def _cancel_on_hangup(connection: socket.socket, job: Job) -> None:
    """The client closed its end (the socket reads as empty): nobody will take the audio."""
    try:
        wait_read(connection.fileno())
        gone = connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        gone = True
    if gone:
        log.info("job %s: the client hung up while waiting; cancelling", job.id)
        job.cancel()


def whole_audio(job: Job, disposition: str = "inline") -> Response:
    """Wait for the job, then send one complete file."""
    _wait(job)
    fmt, audio = job.request.format, job.audio
    headers = _headers(job, fmt, audio.sample_rate, disposition)
    headers["X-Audio-Seconds"] = f"{audio.seconds:.3f}"
    headers["X-Synthesis-CPU-Seconds"] = f"{job.cpu_seconds:.4f}"   # 0 when every phrase came from the cache
    if fmt in ("wav", "pcm"):
        head = wav_header(audio.sample_rate, audio.nbytes) if fmt == "wav" else b""
        body = _raw(head, job)
        headers["Content-Length"] = str(len(head) + audio.nbytes)
    else:
        body = _encoded_whole(job)
    return Response(body, mimetype=FORMATS[fmt].media_type, headers=headers)


def _raw(head: bytes, job: Job) -> Iterator[bytes]:
    yield head
    for block in job.audio.blocks():
        yield block.tobytes()


def _encoded_whole(job: Job) -> Iterator[bytes]:
    """FLAC, MP3 or Opus of the whole audio, encoded block by block on a helper thread into a
    spooled file (they patch their headers at the end), then sent."""
    spec, audio = FORMATS[job.request.format], job.audio
    pool = gevent.get_hub().threadpool
    with tempfile.SpooledTemporaryFile(max_size=1 << 20) as out:
        encoded = soundfile.SoundFile(out, "w", samplerate=audio.sample_rate, channels=1, format=spec.container,
                                      subtype=spec.subtype)
        for block in audio.blocks():   # read here, on the hub: the buffer is shared with other readers
            pool.apply(encoded.write, (block,))
        pool.apply(encoded.close)
        out.seek(0)
        while data := out.read(_SEND_BLOCK):
            yield data


def streamed_audio(job: Job, disposition: str = "inline") -> Response:
    """Send audio as it is made. Waits for the first chunk so early errors are still HTTP errors."""
    chunks, watcher = job.follow(), _watch(job)   # watched from now: its first turn may take a while
    try:
        first = next(chunks)
    except StopIteration:   # cancelled before any audio: nothing to stream
        _stop(watcher)
        return whole_audio(job, disposition)
    except BaseException:
        _stop(watcher)
        job.cancel()
        raise
    fmt = job.request.format
    return Response(_encoded(job, first, chunks, watcher), mimetype=FORMATS[fmt].media_type,
                    headers=_headers(job, fmt, first.sample_rate, disposition))


def _encoded(job: Job, first: AudioChunk, rest: Iterator[AudioChunk],
             watcher: gevent.Greenlet | None = None) -> Iterator[bytes]:
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
        _stop(watcher)
        if not complete:
            log.info("job %s: client went away or synthesis failed mid-stream; cancelling", job.id)
            job.cancel()


def audio_response(job: Job, disposition: str = "inline") -> Response:
    if job.request.stream and FORMATS[job.request.format].streams:
        return streamed_audio(job, disposition)
    return whole_audio(job, disposition)
