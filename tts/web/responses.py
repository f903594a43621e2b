"""Audio responses for a job: whole files, or chunked streams that start with the first chunk.

A response holds its worker slot until the audio is done or the client goes away. Every
client is watched on its socket while its audio is made (a streaming one may wait for its
next turn with nothing to write), and a write that fails ends a stream too. Either way the
job is cancelled: its slot frees at once and the worker stops synthesizing for nobody.
Whole files are sent in blocks straight from the job's audio buffer, and encoded (FLAC,
MP3, Opus, AAC) on a helper thread, so a long result is never one big copy in memory and
its encoding never blocks the gevent hub; they answer byte ranges (tts.web.ranges). Every
format streams (tts.audio.encode), encoded on the same helper threads. A stream whose job
fails after its first bytes (an engine error, the drain time out at shutdown) raises the job's
error out of its body, and the server cuts the response short (tts.web.server.Handler.handle_error):
the connection closes without the chunked terminator, so the client sees an incomplete
response, never a short file passing for whole.
"""

from __future__ import annotations

import io
import itertools
import logging
import os
import socket
import tempfile
from contextlib import closing
from typing import Callable, Iterable, Iterator

import gevent
from flask import Response, request
from gevent.socket import wait_read

from tts.audio import AudioChunk
from tts.audio.encode import FORMATS, StreamEncoder, WholeEncoder, wav_header
from tts.service.audio_buffer import BLOCK_SAMPLES, disk_full
from tts.errors import ClientGone, JobNotReady
from tts.service.jobs import CANCELLED, Job
from tts.web.observability import current_request_id
from tts.web.ranges import requested_range

log = logging.getLogger(__name__)

CLIENT_SOCKET = "tts.client_socket"   # the WSGI environ key under which the server hands us the connection
_SEND_BLOCK = 1 << 16


def job_headers(job: Job, rate: int) -> dict:
    """What every response carrying a job's audio says about it (audio files and captioned JSON alike)."""
    return {"X-Sample-Rate": str(rate),
            "X-Cache": job.cache or "miss",   # hit = every phrase came from the sentence cache
            "X-Omitted-Tokens": str(len(job.omitted))}   # words no voice reads (other scripts): left out


def job_etag(job: Job) -> str:
    """A job's audio never changes once it is done."""
    return f'"{job.id}.{job.request.format}"'


def _headers(job: Job, fmt: str, rate: int, disposition: str) -> dict:
    headers = {"Content-Disposition": f'{disposition}; filename="speech-{job.id[:8]}.{fmt}"', **job_headers(job, rate)}
    if job.request.stream:
        headers["X-Accel-Buffering"] = "no"   # ask reverse proxies not to buffer the stream
    return headers


def _wait(job: Job) -> None:
    """Wait for the job to end, cancelling it if the client hangs up meanwhile (ClientGone); raise its error."""
    watcher = Watcher(job)
    try:
        job.wait()
    except BaseException:   # the request greenlet was killed: stop working for it
        job.cancel()
        raise
    finally:
        watcher.stop()
    watcher.check()
    if job.error:
        raise job.error


def _not_cancelled(job: Job) -> None:
    """Raise JobNotReady for a job stopped (a DELETE, the client gone, a cancelled leader) before its audio was done."""
    if job.status == CANCELLED:
        raise JobNotReady(f"job {job.id} was cancelled before its audio was done", field="id")


class Watcher:
    """Watches a response's client on its socket while its audio is made: a hang-up cancels the job.
    Made in the request, it keeps the request's id (the access line's) for the one line said when the
    client goes: the error line of ClientGone (a whole file), or `went_away`'s (a stream)."""

    def __init__(self, job: Job) -> None:
        self.job = job
        self.request_id = current_request_id()
        connection = request.environ.get(CLIENT_SOCKET)
        self._greenlet = gevent.spawn(_cancel_on_hangup, connection, job) if connection is not None else None

    @property
    def hung_up(self) -> bool:
        return self._greenlet is not None and self._greenlet.dead and self._greenlet.value is True

    def stop(self) -> None:
        if self._greenlet is not None:
            self._greenlet.kill()

    def check(self) -> None:
        """Raise ClientGone if the client hung up (and so cancelled the job) before anything was sent."""
        if self.hung_up:
            raise ClientGone(f"the client hung up while waiting for job {self.job.id}; cancelled")

    def went_away(self) -> None:
        """The one line for a stream whose client left before its end."""
        log.info("job %s (request %s): the client went away mid-stream; cancelled", self.job.id, self.request_id)


def _cancel_on_hangup(connection: socket.socket, job: Job) -> bool:
    """The client closed its end (the socket reads as empty): nobody will take the audio (True)."""
    try:
        wait_read(connection.fileno())
        gone = connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        gone = True
    if gone:
        job.cancel()
    return gone


def whole_audio(job: Job, disposition: str = "inline", *, etag: str | None = None,
                cache_control: str | None = None, sent: Callable[[], None] | None = None) -> Response:
    """Wait for the job, then send one complete file, or the byte range asked for (206/416); `sent` is
    called once the answer has handed its file's last byte to the connection (never for a HEAD).

    The file's length is known before the first byte goes out: WAV and PCM from the samples
    held, the other formats from encoding the whole audio first (on a helper thread).
    """
    _wait(job)
    _not_cancelled(job)
    fmt, audio = job.request.format, job.audio
    headers = _headers(job, fmt, audio.sample_rate, disposition)
    headers["X-Audio-Seconds"] = f"{audio.seconds:.3f}"
    headers["X-Synthesis-CPU-Seconds"] = f"{job.cpu_seconds:.4f}"   # 0 when every phrase came from the cache
    headers["Accept-Ranges"] = "bytes"
    etag = etag or job_etag(job)
    headers["ETag"] = etag
    if cache_control:
        headers["Cache-Control"] = cache_control
    body = _RawBody(job) if fmt in ("wav", "pcm") else _EncodedBody(job)
    span = requested_range(body.length, etag)
    start, stop = span or (0, body.length)
    headers["Content-Length"] = str(stop - start)
    chunks = body.read(start, stop)
    if sent is not None and stop == body.length:
        chunks = _then(chunks, sent)
    response = Response(chunks, mimetype=FORMATS[fmt].media_type, headers=headers)
    if span is not None:
        response.status_code = 206
        response.headers["Content-Range"] = f"bytes {start}-{stop - 1}/{body.length}"
    return response


def _then(chunks: Iterator[bytes], done: Callable[[], None]) -> Iterator[bytes]:
    """`chunks`, then `done()` once the server has taken the last of them (not when the client stops early)."""
    yield from chunks
    done()


class _RawBody:
    """WAV or PCM straight from the job's samples: any byte range without a copy of the whole."""

    def __init__(self, job: Job) -> None:
        self._audio = job.audio
        self._head = wav_header(job.audio.sample_rate, job.audio.nbytes) if job.request.format == "wav" else b""
        self.length = len(self._head) + job.audio.nbytes

    def read(self, start: int, stop: int) -> Iterator[bytes]:
        if start < len(self._head):
            yield self._head[start:stop]
        position = max(start, len(self._head)) - len(self._head)   # in bytes of samples
        end = stop - len(self._head)
        while position < end:
            first = position // 2
            count = min(BLOCK_SAMPLES, (end + 1) // 2 - first)
            data = self._audio.read(first, count).tobytes()
            if not data:
                return
            yield data[position - 2 * first:end - 2 * first]
            position = 2 * first + len(data)


class _EncodedBody:
    """FLAC, MP3, Opus or AAC of the whole audio, encoded block by block on a helper thread
    into a spooled file (MP3 and FLAC patch their headers at the end), then read from it. A kept
    result's encoding is made once, into a file beside its samples, and read by every request after
    (a HEAD for the length, a player's ranges): never encoded again per request."""

    def __init__(self, job: Job) -> None:
        audio = job.audio
        self._file = audio.open_encoded()
        if self._file is None:
            named = audio.new_encoded()
            self._file = named[1] if named else tempfile.SpooledTemporaryFile(max_size=1 << 20)
            try:   # past 1 MB the encoded file is on disk, which may be full
                _encode(job, self._file)
            except BaseException:   # a full disk, the samples' file gone, a deadline or a kill: the thread is done
                self._file.close()
                if named:
                    os.unlink(named[0])
                raise
            if named:
                audio.keep_encoded(named[0])
        self.length = self._file.seek(0, io.SEEK_END)   # not tell(): closing may have patched a header

    def read(self, start: int, stop: int) -> Iterator[bytes]:
        with self._file:
            self._file.seek(start)
            while start < stop and (data := self._file.read(min(_SEND_BLOCK, stop - start))):
                start += len(data)
                yield data


def _encode(job: Job, file) -> None:
    """The whole audio of `job` in its format into `file` (the encoder on a helper thread)."""
    audio = job.audio
    encoder = _on_thread(WholeEncoder, job.request.format, audio.sample_rate, file)
    try:
        for block in audio.blocks():   # read here, on the hub: the buffer is shared with other readers
            _on_thread(encoder.write, block)
    finally:   # also when interrupted: else libsndfile's own close, at garbage collection, wrote to a closed file
        _on_thread(encoder.close)


def _on_thread(function: Callable, *args):
    """`function(*args)` on the hub's helper thread. An OSError it raises (a full disk) is a DiskFull; whatever is
    thrown into this greenlet as it waits (a connection's deadline, shutdown's kill) is raised as itself once the
    call has returned: the OS thread cannot be stopped, and the caller then closes the file it writes."""
    call = gevent.get_hub().threadpool.spawn(function, *args)
    try:
        return call.get()
    except BaseException as error:
        _returned(call)
        if isinstance(error, OSError) and call.exception is error:
            raise disk_full(error) from error
        raise


def _returned(call) -> None:
    """Wait for a helper thread's call to return, through anything else thrown in meanwhile (the first one thrown
    is the one raised after)."""
    while not call.ready():
        try:
            call.wait()
        except BaseException:   # a second kill: the thread still writes (the first one is raised after)
            pass


# A stream's framing: the job, its chunks and first_chunk's watcher → the response's bytes (encoded audio as
# is, JSON lines, server-sent events), built on encoded_stream; a failure after the start goes out the framing's
# way, then is raised for the server to cut the response short.
Framing = Callable[[Job, Iterable[AudioChunk], Watcher], Iterator[bytes]]


def framed_stream(job: Job, framing: Framing, mimetype: str, headers: Callable[[int], dict],
                  empty: Callable[[], Response] | None = None) -> Response:
    """Send `job`'s audio as it is made, framed by `framing`, with `headers(sample rate)`. Waits for the first
    chunk, so an early failure is still an HTTP error. A job that ends with no audio is a 499 (the client
    gone) or a 409 (cancelled: a DELETE, or a singleflight leader cancelled under it); done with none, it is
    `empty()` (a whole file) or else the framing of no chunks (for events, just the end)."""
    first, rest, watcher = first_chunk(job)
    if first is None:
        watcher.check()
        _not_cancelled(job)
        if empty is not None:
            return empty()
    chunks = rest if first is None else itertools.chain([first], rest)
    rate = first.sample_rate if first is not None else job.audio.sample_rate
    return Response(framing(job, chunks, watcher), mimetype=mimetype, headers=headers(rate))


def streamed_audio(job: Job, disposition: str = "inline") -> Response:
    """Send audio as it is made (done with no audio: the whole, empty, file)."""
    fmt = job.request.format
    return framed_stream(job, _encoded, FORMATS[fmt].media_type, lambda rate: _headers(job, fmt, rate, disposition),
                         empty=lambda: whole_audio(job, disposition))


def first_chunk(job: Job) -> tuple[AudioChunk | None, Iterator[AudioChunk], Watcher]:
    """A stream's first chunk (None: cancelled before any audio), the rest, and the hang-up watcher
    (stopped when there is nothing to stream: `check` it). The client is watched from now, as its first
    turn may take a while; the first chunk is awaited here, so an early failure is still an HTTP error."""
    chunks, watcher = job.follow(), Watcher(job)
    try:
        return next(chunks), chunks, watcher
    except StopIteration:
        watcher.stop()
        return None, chunks, watcher
    except BaseException:
        watcher.stop()
        job.cancel()
        raise


def encoded_stream(job: Job, chunks: Iterable[AudioChunk],
                   watcher: Watcher) -> Iterator[tuple[AudioChunk | None, bytes]]:
    """Each chunk with the bytes it encoded to (maybe none yet), then (None, the encoder's tail):
    encoded on a helper thread (the compressed formats cost real CPU). The job's failure comes out
    as its error, for the server to cut the response short; a stream not taken to its end (the
    client gone) cancels its job. Stops `watcher` (first_chunk's) when it ends."""
    pool = gevent.get_hub().threadpool
    encoder, complete, left = None, False, False
    try:
        for chunk in chunks:
            encoder = encoder or pool.apply(StreamEncoder, (job.request.format, chunk.sample_rate))
            yield chunk, pool.apply(encoder.write, (chunk.samples,))
        yield None, pool.apply(encoder.finalize) if encoder else b""
        complete = True
    except GeneratorExit:   # the server stopped taking it: the client went away or stopped reading
        left = True
        raise
    finally:
        watcher.stop()
        if not complete:
            job.cancel()
        if left or watcher.hung_up:   # one line, whichever saw it first (the socket's watcher, a failed write)
            watcher.went_away()


def _encoded(job: Job, chunks: Iterable[AudioChunk], watcher: Watcher) -> Iterator[bytes]:
    """The stream's bytes (see encoded_stream)."""
    with closing(encoded_stream(job, chunks, watcher)) as encoded:
        for _, data in encoded:
            if data:
                yield data


def audio_response(job: Job, disposition: str = "inline") -> Response:
    if job.request.stream:
        return streamed_audio(job, disposition)
    return whole_audio(job, disposition)
