"""Jobs and the store that keeps finished ones for a while, within a byte budget.

A job collects its audio chunks as the worker makes them; readers (a waiting request, a
stream, a later GET) follow along. Everything here runs on the gevent hub's thread, so
plain lists and gevent events are enough.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import Iterator

import numpy as np
from gevent.event import Event

from tts.audio import AudioChunk
from tts.errors import JobNotFound, TTSError
from tts.request import SynthesisRequest

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)


class Job:
    def __init__(self, request: SynthesisRequest) -> None:
        self.id = uuid.uuid4().hex
        self.request = request
        self.status = QUEUED
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self.chunks: list[AudioChunk] = []
        self.error: TTSError | None = None
        self.cancelled = False
        self._changed = Event()

    # -- written by the worker -------------------------------------------------------
    def start(self) -> None:
        self.status, self.started = RUNNING, time.time()
        self._notify()

    def add(self, chunk: AudioChunk) -> None:
        self.chunks.append(chunk)
        self._notify()

    def finish(self, error: TTSError | None = None) -> None:
        self.error = error
        self.status = CANCELLED if self.cancelled else FAILED if error else DONE
        self.finished = time.time()
        self._notify()

    def _notify(self) -> None:
        changed, self._changed = self._changed, Event()
        changed.set()

    # -- read by the web layer -------------------------------------------------------
    def cancel(self) -> None:
        """Ask the worker to stop after the chunk it is making (the client went away)."""
        self.cancelled = True

    def follow(self) -> Iterator[AudioChunk]:
        """Every chunk, waiting for new ones until the job ends; raises the job's error."""
        sent = 0
        while True:
            changed = self._changed
            while sent < len(self.chunks):
                yield self.chunks[sent]
                sent += 1
            if self.status in FINISHED:
                if self.error:
                    raise self.error
                return
            changed.wait()

    def wait(self) -> None:
        for _ in self.follow():
            pass

    def audio(self) -> tuple[np.ndarray, int]:
        samples = np.concatenate([c.samples for c in self.chunks]) if self.chunks else np.zeros(0, np.float32)
        rate = self.chunks[0].sample_rate if self.chunks else 0
        return samples, rate

    @property
    def audio_bytes(self) -> int:
        return sum(c.samples.nbytes for c in self.chunks)


class JobStore:
    """Async jobs by id; finished ones expire after `ttl` s or when audio exceeds `max_bytes`."""

    def __init__(self, ttl: float, max_bytes: int) -> None:
        self._ttl = ttl
        self._max_bytes = max_bytes
        self._jobs: OrderedDict[str, Job] = OrderedDict()

    def add(self, job: Job) -> None:
        self._jobs[job.id] = job
        self.prune()

    def get(self, job_id: str) -> Job:
        self.prune()
        job = self._jobs.get(job_id)
        if job is None:
            raise JobNotFound(f"no job {job_id!r} (unknown, or expired after {self._ttl:.0f} s)", field="id")
        return job

    def prune(self) -> None:
        """Drop expired jobs, then the oldest finished ones while over the byte budget."""
        now = time.time()
        for job_id, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > self._ttl:
                del self._jobs[job_id]
        total = self.bytes
        for job_id, job in list(self._jobs.items()):
            if total <= self._max_bytes:
                break
            if job.finished is not None:
                total -= job.audio_bytes
                del self._jobs[job_id]

    @property
    def bytes(self) -> int:
        return sum(job.audio_bytes for job in self._jobs.values())

    def __len__(self) -> int:
        return len(self._jobs)
