"""Jobs and the store that keeps finished ones for a while, within a byte budget.

A job collects its audio chunks as the worker makes them; readers (a waiting request, a
stream, a later GET) follow along. An identical request that arrives while a job is
queued or running becomes its follower: its own id and cancel flag, the leader's audio
(singleflight). Everything here runs on the gevent hub's thread, so plain lists and
gevent events are enough. With a shared store (Redis) kept jobs are also written there,
so another replica can answer for them.
"""

from __future__ import annotations

import time
import uuid
from collections import OrderedDict
from typing import Iterator, Protocol

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
        self.cache: str | None = None      # hit | miss | partial: where the phrases came from
        self.cancelled = False
        self.followers: list[Job] = []
        self.leader: Job | None = None
        self._changed = Event()

    # -- written by the worker -------------------------------------------------------
    def start(self, cache: str = "miss") -> None:
        self.status, self.started, self.cache = RUNNING, time.time(), cache
        self._notify()
        for follower in self.followers:
            follower.start(cache)

    def add(self, chunk: AudioChunk) -> None:
        self.chunks.append(chunk)
        self._notify()
        for follower in self.followers:
            follower.add(chunk)

    def finish(self, error: TTSError | None = None) -> None:
        self.error = error
        self.status = CANCELLED if self.cancelled else FAILED if error else DONE
        self.finished = time.time()
        self._notify()
        for follower in self.followers:
            follower.finish(error)

    def lead(self, follower: "Job") -> None:
        """Share this job's audio with `follower`, from the first chunk on (singleflight)."""
        follower.status, follower.started, follower.cache = self.status, self.started, self.cache
        follower.chunks = list(self.chunks)
        follower.leader = self
        self.followers.append(follower)

    def _notify(self) -> None:
        changed, self._changed = self._changed, Event()
        changed.set()

    # -- read by the web layer -------------------------------------------------------
    def cancel(self) -> None:
        """Ask the worker to stop after the chunk it is making (the client went away)."""
        self.cancelled = True

    @property
    def abandoned(self) -> bool:
        """Nobody wants the audio any more: the worker may stop."""
        return self.cancelled and all(f.cancelled for f in self.followers)

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


class SharedJobs(Protocol):
    """Where other replicas look for a job this one does not hold."""

    def save(self, job: Job) -> None: ...

    def load(self, job_id: str) -> Job | None: ...


class JobStore:
    """Async jobs by id; finished ones expire after `ttl` s or when audio exceeds `max_bytes`."""

    def __init__(self, ttl: float, max_bytes: int, shared: SharedJobs | None = None) -> None:
        self._ttl = ttl
        self._max_bytes = max_bytes
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._shared = shared

    def add(self, job: Job) -> None:
        self._jobs[job.id] = job
        self.prune()
        self.updated(job)

    def updated(self, job: Job) -> None:
        """A kept job changed state: publish it to the shared store, if there is one."""
        if self._shared and job.id in self._jobs:
            self._shared.save(job)

    def get(self, job_id: str) -> Job:
        self.prune()
        job = self._jobs.get(job_id)
        if job is None and self._shared:
            job = self._shared.load(job_id)
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
