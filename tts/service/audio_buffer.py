"""A job's audio, kept as 16-bit samples in memory up to a small size and on disk beyond it.

Every chunk the synthesizer hands out is already on the 16-bit grid, so keeping it as int16
loses nothing and halves the memory of float32. Past `MEMORY_BYTES` the samples move to an
anonymous temporary file (deleted by the system when it is closed), so a long result, or
several held for slow clients, cost disk rather than the memory the shipped caps bound. A
result kept for later (an async job) is written, from its first chunk, to a file of its own
in this process's results directory (`tts-results-<pid>-*`: removed at exit; one a dead
process left, killed or ended by `os._exit`, is removed when the next server starts; made
again if something removed it meanwhile) and closed when finished: it is opened for each
read. Thousands of results nobody fetched then hold no descriptor each (they did, and took
the descriptor limit, so that the server accepted no connection, health probes included),
and finishing one copies nothing. When that directory is full or cannot be written, the
buffer raises DiskFull (503 with Retry-After, naming the directory): its job fails, never the
worker, and nothing falls back to memory the caps do not bound. A read that cannot open the
file for a while (no descriptor left, no permission) is a 503 to retry soon, the result kept;
only a file that is gone loses the result. Only the gevent hub touches a buffer: no locks.
"""

from __future__ import annotations

import atexit
import errno
import logging
import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Iterator

import gevent
import numpy as np

from tts.audio import AudioChunk, dequantize, quantize
from tts.errors import Busy, DiskFull, ResultLost, TTSError

log = logging.getLogger(__name__)

MEMORY_BYTES = 1 << 20      # ~22 s of 24 kHz audio per job in memory, the rest on disk
BLOCK_SAMPLES = 1 << 16     # what one read hands out when a whole result is sent
SPAN_BYTES = 256            # memory a chunk's bookkeeping holds, and each of its captions (measured: ~235, ~250)
CAPTION_BYTES = 256
DISK_RETRY_SECONDS = 30     # Retry-After when the temporary directory is full
RESULTS_PREFIX = "tts-results-"
_FOR_A_WHILE = (errno.EMFILE, errno.ENFILE, errno.EACCES, errno.EPERM, errno.ENOMEM)   # a read that may work later


def disk_full(error: OSError) -> DiskFull:
    """What a failed write to a temporary file (no room, read-only, quota) means to a client."""
    return DiskFull(f"the server's temporary directory ({tempfile.gettempdir()}) cannot take this result: "
                    f"{error.strerror or error}; retry later", retry_after=DISK_RETRY_SECONDS)


_results_dir: str | None = None   # where kept results wait (made on first use)
_swept = False                    # the temporary directory was swept for stale results (once per process)


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:   # another user's process
        return True
    return True


def sweep_stale_results() -> None:
    """Remove the results directories processes that are gone left behind (SIGKILL, the OOM killer,
    `os._exit`): of a dead pid, or of this pid (a container's server is pid 1 after every restart).
    Once per process: at start (`serve`), or before the first results directory of a process `serve` did
    not start (one listing of the temporary directory, which may hold thousands of entries)."""
    global _swept
    if _swept:
        return
    _swept = True
    root = tempfile.gettempdir()
    with suppress(OSError):
        for name in os.listdir(root):
            pid = name[len(RESULTS_PREFIX):].split("-", 1)[0]
            if not name.startswith(RESULTS_PREFIX) or not pid.isdigit():
                continue
            path = os.path.join(root, name)
            if path != _results_dir and (int(pid) == os.getpid() or not _pid_alive(int(pid))):
                log.info("removing %s, left by a server that is gone", path)
                shutil.rmtree(path, ignore_errors=True)


def remove_results() -> None:
    """Remove this process's results directory and what is in it (at exit; also before `os._exit`)."""
    global _results_dir
    if _results_dir is not None:
        shutil.rmtree(_results_dir, ignore_errors=True)
        _results_dir = None


atexit.register(remove_results)


def _new_result_file(suffix: str = ".s16") -> tuple[str, object]:
    """A new file for a kept result, open for reading and writing, and its path: in a directory only this
    process uses (made again when something removed it, e.g. systemd-tmpfiles aging an idle /tmp)."""
    global _results_dir
    for attempt in range(2):
        if _results_dir is None:
            sweep_stale_results()
            _results_dir = tempfile.mkdtemp(prefix=f"{RESULTS_PREFIX}{os.getpid()}-")
        try:
            descriptor, path = tempfile.mkstemp(suffix=suffix, dir=_results_dir)
        except FileNotFoundError:
            if attempt:
                raise
            log.warning("the results directory %s is gone; making another", _results_dir)
            _results_dir = None
            continue
        return path, os.fdopen(descriptor, "w+b")
    raise AssertionError("unreachable")


def _copy(source: int, target: int, length: int) -> None:
    """`length` bytes of one file into another (on a thread: a long result takes a while)."""
    offset = 0
    while offset < length:
        data = os.pread(source, min(BLOCK_SAMPLES * 2, length - offset), offset)
        if not data:
            break
        os.write(target, data)
        offset += len(data)


@dataclass(frozen=True)
class _Span:
    phrase: int
    start: int    # in samples from the beginning
    length: int
    captions: tuple = ()   # the chunk's captions (a few per chunk; kept in memory)


class AudioBuffer:
    def __init__(self) -> None:
        self._file = tempfile.SpooledTemporaryFile(max_size=MEMORY_BYTES)
        self._spans: list[_Span] = []
        self._lost: TTSError | None = None   # a write failed (half-written), or the kept file is gone: never read again
        self._kept: str | None = None        # the closed file of a kept result (`to_disk`), opened per read
        self._named: str | None = None       # the path of `_file` while a kept result is written to it (`keep`)
        self._moving = False                 # `to_disk` copies on a thread
        self._encoded: str | None = None     # a kept result's encoding (MP3, Opus…), made once for every request
        self.encoded_bytes = 0
        self.sample_rate = 0
        self.samples = 0
        self._captions = 0

    def append(self, chunk: AudioChunk) -> None:
        if self._spans and chunk.sample_rate != self.sample_rate:
            raise ValueError("one job's audio has one sample rate")
        self.sample_rate = chunk.sample_rate
        with self._writing():
            self._file.seek(self.samples * 2)
            self._file.write(quantize(chunk.samples).tobytes())
        self._spans.append(_Span(chunk.phrase, self.samples, len(chunk.samples), chunk.captions))
        self.samples += len(chunk.samples)
        self._captions += len(chunk.captions)

    def __len__(self) -> int:
        """Chunks held."""
        return len(self._spans)

    def chunk(self, index: int) -> AudioChunk:
        span = self._spans[index]
        return AudioChunk(dequantize(self.read(span.start, span.length)), self.sample_rate, span.phrase, span.captions)

    @property
    def captions(self) -> list:
        """Every caption so far, in order (tts.captions.Caption)."""
        return [caption for span in self._spans for caption in span.captions]

    def read(self, start: int, count: int) -> np.ndarray:
        """`count` int16 samples from `start` (fewer at the end)."""
        if self._lost is not None:   # what a failed spill left is not the audio any more
            raise self._lost
        if self._kept is not None:
            try:
                with open(self._kept, "rb") as kept:
                    kept.seek(start * 2)
                    return np.frombuffer(kept.read(count * 2), "<i2")
            except OSError as error:
                raise self._unreadable(error) from error
        self._file.seek(start * 2)
        return np.frombuffer(self._file.read(count * 2), "<i2")

    def blocks(self) -> Iterator[np.ndarray]:
        """The whole audio as int16 blocks, for sending or storing without one big copy."""
        for start in range(0, self.samples, BLOCK_SAMPLES):
            yield self.read(start, BLOCK_SAMPLES)

    def all(self) -> np.ndarray:
        """All samples as float32 (for small results and tests)."""
        return dequantize(self.read(0, self.samples))

    @property
    def nbytes(self) -> int:
        return self.samples * 2

    @property
    def memory_bytes(self) -> int:
        """What this buffer holds in memory besides the samples (kept results' samples are on disk): its chunks'
        bookkeeping and captions."""
        return len(self._spans) * SPAN_BYTES + self._captions * CAPTION_BYTES

    @property
    def seconds(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    def keep(self) -> None:
        """Write this result to a file of its own from now on (an async job's, before its first chunk), so
        that `to_disk` only closes it. Raises DiskFull when the results directory cannot take a file."""
        if self._named is not None or self._kept is not None or self.samples:
            return
        with self._writing():
            path, named = _new_result_file()
        self._file.close()
        self._file, self._named = named, path

    def to_disk(self) -> None:
        """Move the finished samples out of memory and out of the descriptor table, to a closed file
        (a kept result may wait minutes to be fetched). One written to its own file (`keep`) is closed;
        any other (a kept job that followed an unkept one) is copied, on a thread past the memory bound."""
        if self._kept is not None or self._moving or not self.samples:   # kept already, or nothing to keep
            return
        if self._named is not None:
            with self._writing():
                self._file.close()
            self._kept, self._named = self._named, None
            return
        path = None
        self._moving = True
        try:
            with self._writing():
                try:
                    path, kept = _new_result_file()
                    with kept:
                        if getattr(self._file, "_rolled", True):   # on disk: a copy may take a while
                            self._file.flush()
                            gevent.get_hub().threadpool.apply(_copy, (self._file.fileno(), kept.fileno(), self.nbytes))
                        else:
                            self._file.seek(0)
                            shutil.copyfileobj(self._file, kept)
                except OSError:
                    if path is not None:
                        with suppress(OSError):
                            os.unlink(path)
                    raise
        finally:
            self._moving = False
        self._file.close()
        self._kept = path

    def open_encoded(self):
        """The kept encoding of this result (`keep_encoded`), open for reading; None when there is none (or it
        went: it is made again)."""
        if self._encoded is None:
            return None
        try:
            return open(self._encoded, "rb")
        except OSError as error:
            if error.errno in _FOR_A_WHILE:
                raise self._unreadable(error) from error
            self._encoded, self.encoded_bytes = None, 0
            return None

    def new_encoded(self) -> tuple[str, object] | None:
        """A file beside a kept result's samples for its encoding, open for writing, and its path; None for a
        result that is not kept (its encoding is made per request) or when the directory cannot take one."""
        if self._kept is None:
            return None
        try:
            return _new_result_file(".encoded")
        except OSError:
            return None

    def keep_encoded(self, path: str) -> None:
        """Keep `path` (from `new_encoded`, written) as this result's encoding; it goes with the result."""
        old, self._encoded = self._encoded, path
        self.encoded_bytes = os.path.getsize(path)
        if old is not None:
            with suppress(OSError):
                os.unlink(old)

    def _unreadable(self, error: OSError) -> TTSError:
        """A kept file that cannot be opened: gone (the result is lost, for good), or not now (no descriptor
        left, no permission: the result stays, a retry soon may work)."""
        if error.errno in _FOR_A_WHILE:
            return Busy(f"the server cannot read this result just now ({error.strerror or error}); retry in a "
                        f"moment", retry_after=1)
        # the path and the cause are the operator's (in the log); the client learns only that the result is gone
        log.warning("a kept result's file %s is gone (%s): something removed it (a /tmp cleaner?)", self._kept,
                    error.strerror or error)
        self._lost = ResultLost("this result's file is gone from the server; send the request again")
        return self._lost

    def lost(self) -> TTSError | None:
        """Why this result can never be read again (its kept file is gone: a /tmp cleaner removed it), or None."""
        if self._lost is None and self._kept is not None:
            try:
                os.stat(self._kept)
            except FileNotFoundError as error:
                self._unreadable(error)
            except OSError:   # not now (no permission, no memory): not lost
                pass
        return self._lost

    @contextmanager
    def _writing(self):
        if self._lost is not None:
            raise self._lost
        try:
            yield
        except OSError as error:
            self._lost = disk_full(error)
            # Half-written, never read again: its disk and descriptor go back now. The error (kept here, and as
            # its job's) holds this buffer through its traceback, so the buffer itself goes only with a garbage
            # collection: until one ran, the full disk stayed full and failed every result after it.
            self._file.close()
            raise self._lost from error

    def __del__(self, _unlink=os.unlink) -> None:   # the last reference went: give the memory or disk back
        self._file.close()
        for path in (self._kept, self._named, self._encoded):
            if path is not None:
                with suppress(OSError):   # its directory went first (at exit)
                    _unlink(path)
