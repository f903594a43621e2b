"""A job's audio, kept as 16-bit samples in memory up to a small size and on disk beyond it.

Every chunk the synthesizer hands out is already on the 16-bit grid, so keeping it as int16
loses nothing and halves the memory of float32. Past `MEMORY_BYTES` the samples move to an
anonymous temporary file (deleted by the system when it is closed), so a long result, or
several held for slow clients, cost disk rather than the memory the shipped caps bound. A
result kept for later (an async job) moves, when it is finished and whatever its size, to a
file of its own in a directory of this process's (removed at exit, unless a model call that
never returned made it exit at once: tts.web.server), closed: it is opened
for each read. Thousands of results nobody fetched then hold no descriptor each (they did,
and took the descriptor limit, so that the server accepted no connection, health probes
included). When that directory is full or cannot be written, the buffer raises DiskFull (503
with Retry-After, naming the directory): its job fails, never the worker, and nothing falls
back to memory the caps do not bound. Only the gevent hub touches a buffer: no locks.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Iterator

import numpy as np

from tts.audio import AudioChunk, dequantize, quantize
from tts.errors import DiskFull

MEMORY_BYTES = 1 << 20      # ~22 s of 24 kHz audio per job in memory, the rest on disk
BLOCK_SAMPLES = 1 << 16     # what one read hands out when a whole result is sent
DISK_RETRY_SECONDS = 30     # Retry-After when the temporary directory is full


def disk_full(error: OSError) -> DiskFull:
    """What a failed write to a temporary file (no room, read-only, quota) means to a client."""
    return DiskFull(f"the server's temporary directory ({tempfile.gettempdir()}) cannot take this result: "
                    f"{error.strerror or error}; retry later", retry_after=DISK_RETRY_SECONDS)


_kept_results: tempfile.TemporaryDirectory | None = None   # where kept results wait (made on first use)


def _new_result_file() -> tuple[str, object]:
    """A new file for a kept result, open for writing, and its path: in a directory only this process
    uses, removed with what is left in it when the interpreter exits."""
    global _kept_results
    if _kept_results is None:
        _kept_results = tempfile.TemporaryDirectory(prefix="tts-results-")
    descriptor, path = tempfile.mkstemp(suffix=".s16", dir=_kept_results.name)
    return path, os.fdopen(descriptor, "wb")


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
        self._lost: DiskFull | None = None   # a write failed: the file is half-written, never used again
        self._kept: str | None = None        # the closed file of a kept result (`to_disk`), opened per read
        self.sample_rate = 0
        self.samples = 0

    def append(self, chunk: AudioChunk) -> None:
        if self._spans and chunk.sample_rate != self.sample_rate:
            raise ValueError("one job's audio has one sample rate")
        self.sample_rate = chunk.sample_rate
        with self._writing():
            self._file.seek(self.samples * 2)
            self._file.write(quantize(chunk.samples).tobytes())
        self._spans.append(_Span(chunk.phrase, self.samples, len(chunk.samples), chunk.captions))
        self.samples += len(chunk.samples)

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
            with self._writing(), open(self._kept, "rb") as kept:   # gone or unreadable: as if never written
                kept.seek(start * 2)
                return np.frombuffer(kept.read(count * 2), "<i2")
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
    def seconds(self) -> float:
        return self.samples / self.sample_rate if self.sample_rate else 0.0

    def to_disk(self) -> None:
        """Move the finished samples out of memory and out of the descriptor table, to a closed file
        (a kept result may wait minutes to be fetched)."""
        if self._kept is not None or not self.samples:   # kept already, or nothing to keep
            return
        path = None
        with self._writing():
            try:
                path, kept = _new_result_file()
                with kept:
                    self._file.seek(0)
                    shutil.copyfileobj(self._file, kept)
            except OSError:
                if path is not None:
                    with suppress(OSError):
                        os.unlink(path)
                raise
        self._file.close()
        self._kept = path

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
        if self._kept is not None:
            with suppress(OSError):   # its directory went first (at exit)
                _unlink(self._kept)
