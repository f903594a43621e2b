"""Jobs, and the store that keeps the async ones until they are fetched or expire.

A job collects its audio as the worker makes it; readers (a waiting request, a stream, a
later GET) follow along. An identical request that arrives while a job is queued or
running becomes its follower: its own id and cancel flag, the leader's audio
(singleflight). Everything here runs on the gevent hub's thread, so plain lists and
gevent events are enough.

The store keeps a promise: an async job is accepted only when its result will fit, and a
kept result stays until its TTL has passed or it has been fetched. To keep it, every job
reserves room for the audio it may make (from a bound on its text, corrected when it
finishes); a new job that does not fit gets 503 (wait for room) or 422 (it never could).
With a shared store (Redis) kept jobs are also written there, so another replica, or this
one after a restart, can answer for them.
"""

from __future__ import annotations

import logging
import sys
import time
import uuid
from collections import OrderedDict
from datetime import datetime, timezone
from typing import Iterator, Protocol

import numpy as np
from gevent.event import Event

from tts.audio import AudioChunk
from tts.errors import AudioTooLong, DiskFull, JobExpired, JobNotFound, StoreFull, TTSError, shown
from tts.hidden import HIDDEN, HiddenCalls
from tts.request import SynthesisRequest
from tts.service.audio_buffer import AudioBuffer

log = logging.getLogger(__name__)

QUEUED, RUNNING, DONE, FAILED, CANCELLED = "queued", "running", "done", "failed", "cancelled"
FINISHED = (DONE, FAILED, CANCELLED)
# A job the store dropped (its TTL passed, or its fetched result made room) answers 410 for this long after, then
# 404 as an id never seen; at most MAX_GONE such ids are remembered (the oldest forgotten first): ~250 bytes each,
# so ~3 MB at most (tests/test_jobs.py measures it).
GONE_SECONDS = 3600
MAX_GONE = 10_000
_FOR_ROOM = "its result had been fetched, and the store needed the room"
JOB_BYTES = 4096   # memory a kept job holds besides its text and audio: the objects, its buffer (measured ~2.1 KB)


class Job:
    def __init__(self, request: SynthesisRequest, reserved_bytes: int = 0) -> None:
        self.id = uuid.uuid4().hex
        self.request = request
        self.status = QUEUED
        self.created = time.time()
        self.started: float | None = None
        self.finished: float | None = None
        self.audio = HiddenCalls() if request.format == HIDDEN else AudioBuffer()   # browser vocoding: hidden states
        self.error: TTSError | None = None
        self.cache: str | None = None      # hit | miss | partial: where the phrases came from
        self.omitted: tuple[str, ...] = ()  # tokens of the text no voice reads (reported to the client)
        self.cpu_seconds = 0.0             # the worker's CPU time spent on this job (0 for cached phrases)
        self.worker_seconds: float | None = None   # the worker's wall time in this job's turns (set at its end)
        self.reserved_bytes = reserved_bytes
        self.fetched = False               # its audio was handed out at least once
        self.cancelled = False
        self.followers: list[Job] = []
        self.leader: Job | None = None
        self._changed = Event()

    # -- written by the worker -------------------------------------------------------
    def start(self, cache: str = "miss", omitted: tuple[str, ...] = ()) -> None:
        self.status, self.started, self.cache, self.omitted = RUNNING, time.time(), cache, omitted
        self._notify()
        for follower in self.followers:
            follower.start(cache, omitted)

    def add(self, chunk: AudioChunk) -> None:
        self.audio.append(chunk)
        self._notify()
        for follower in self.followers:
            follower._notify()   # followers read the leader's audio

    def finish(self, error: TTSError | None = None, cpu_seconds: float = 0.0) -> None:
        self.error = error
        self.status = CANCELLED if self.cancelled else FAILED if error else DONE
        self.finished = time.time()
        self.cpu_seconds = cpu_seconds
        self._notify()
        for follower in self.followers:
            follower.finish(error)   # the work was the leader's: a follower cost nothing

    def lose(self, error: TTSError) -> None:
        """A finished result that cannot be kept: the job fails with `error` and its audio goes."""
        self.error, self.status = error, FAILED
        self.audio = AudioBuffer()
        self._notify()

    def lead(self, follower: "Job") -> None:
        """Share this job's audio with `follower`, from the first chunk on (singleflight)."""
        follower.status, follower.started, follower.cache = self.status, self.started, self.cache
        follower.omitted = self.omitted
        follower.audio = self.audio
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
    def followers_waiting(self) -> bool:
        return any(not f.cancelled for f in self.followers)

    @property
    def abandoned(self) -> bool:
        """Nobody wants the audio any more: the worker may stop."""
        return self.cancelled and not self.followers_waiting

    def follow(self) -> Iterator[AudioChunk]:
        """Every chunk, waiting for new ones until the job ends; raises the job's error."""
        sent = 0
        while True:
            changed = self._changed
            while sent < len(self.audio):
                yield self.audio.chunk(sent)
                sent += 1
            if self.status in FINISHED:
                if self.error:
                    raise self.error
                return
            changed.wait()

    def wait(self, timeout: float | None = None) -> bool:
        """Until the job ends (True) or `timeout` passes (False); does not raise its error."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self.status not in FINISHED:
            left = None if deadline is None else deadline - time.monotonic()
            if left is not None and left <= 0:
                return False
            self._changed.wait(left)
        return True

    def samples(self) -> tuple[np.ndarray, int]:
        """The whole audio as float32 and its rate (for small results: prefer `audio.blocks()`)."""
        return self.audio.all(), self.audio.sample_rate

    @property
    def held_bytes(self) -> int:
        """What the store counts for this job: its reservation until it ends, then its audio (and its kept
        encoding); and all along what it holds in memory, its request's text (up to TTS_MAX_BODY_BYTES) and
        captions included, so that results with (next to) no audio do not pile up in memory uncounted."""
        memory = JOB_BYTES + sys.getsizeof(self.request.text) + getattr(self.audio, "memory_bytes", 0)
        if self.status in FINISHED:
            return memory + self.audio.nbytes + getattr(self.audio, "encoded_bytes", 0)
        return memory + max(self.reserved_bytes, self.audio.nbytes)


class SharedJobs(Protocol):
    """Where other replicas (or this one after a restart) look for a job this process does not hold."""

    def save(self, job: Job) -> bool:
        """Write `job`; False when the store could not take it (down, full)."""

    def load(self, job_id: str) -> Job | None: ...

    def gone(self, job_id: str) -> float | None:
        """When a job the store held (and no longer does) went, for GONE_SECONDS after; None otherwise."""

    def delete(self, job_id: str) -> None: ...

    def forgot(self) -> bool:
        """Whether the store may have lost what was written to it since the last call (it restarted empty)."""


class JobStore:
    """Async jobs by id. Finished ones are dropped after `ttl` s; over `max_bytes`, only
    finished jobs already fetched may be dropped early (oldest first)."""

    def __init__(self, ttl: float, max_bytes: int, shared: SharedJobs | None = None) -> None:
        self.ttl = ttl
        self.max_bytes = max_bytes
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._shared = shared
        self._unpublished: set[str] = set()   # kept jobs whose last state the shared store missed
        self._gone: OrderedDict[str, tuple[float, str]] = OrderedDict()   # dropped: id → (when, why), oldest first
        self._after_ttl = f"{ttl:.0f} s after it finished"   # why (one string for every id)
        self.lost = 0   # kept results whose file went (tts_results_lost_total)

    def admit(self, job: Job) -> None:
        """Keep `job`, or refuse it when its result could not be kept."""
        if job.held_bytes > self.max_bytes:
            raise AudioTooLong(f"the result could take {job.held_bytes / 2**20:.1f} MB, more than the job store "
                               f"keeps ({self.max_bytes / 2**20:.1f} MB); ask without 'async' or send less text",
                               field="text")
        self.prune(room_for=job.held_bytes)
        if self.bytes + job.held_bytes > self.max_bytes:
            raise StoreFull("the job store is full of results nobody has fetched yet; retry later",
                            retry_after=self._seconds_until_room())
        self.add(job)

    def add(self, job: Job) -> None:
        """Keep `job`; its audio goes to a file of its own from the first chunk (DiskFull when there is no room
        for one)."""
        job.audio.keep()
        self._jobs[job.id] = job
        self.updated(job)

    def updated(self, job: Job) -> None:
        """A kept job changed state: a finished result's file is closed (the store's bytes are disk, not
        memory; when the disk cannot take it, the job fails with DiskFull); publish it to the shared
        store, if there is one."""
        if job.id not in self._jobs:
            return
        if job.status in FINISHED:
            try:
                job.audio.to_disk()
            except DiskFull as error:
                job.lose(error)
        if self._readable(job):
            self._publish(job)

    def _publish(self, job: Job) -> None:
        if self._shared:
            if self._shared.save(job):
                self._unpublished.discard(job.id)
            else:
                self._unpublished.add(job.id)

    def _readable(self, job: Job) -> bool:
        """Whether this process still answers for `job`. A kept result whose file is gone (a /tmp cleaner) fails
        with ResultLost, said once in the log, and reads so from then on, here and (published) in the shared
        store: never retried. One the shared store holds whole is forgotten here instead (False): it answers."""
        lost = job.audio.lost() if job.status == DONE else None
        if lost is None:
            return True
        if self._shared and job.id not in self._unpublished:
            log.warning("job %s: its kept result's file is gone; the shared store answers for it", job.id)
            self._jobs.pop(job.id, None)
            return False
        log.warning("job %s: its kept result's file is gone; the job reads as failed: %s", job.id, lost.message)
        job.lose(lost)
        self.lost += 1
        self._unpublished.add(job.id)   # the shared store hears of it (now, or at the keeper's next round)
        return True

    def keep_shared(self) -> None:
        """Renew the leases of unfinished kept jobs, and publish again each job whose last state the shared
        store missed (it was down or full when the job finished: it read as queued, then as failed once its
        lease ran out, on every other replica, for as long as it was kept here); every kept job when the shared
        store came back empty (a Redis without snapshots, restarted: the jobs published before were lost too)."""
        if self._shared and self._shared.forgot():
            self._unpublished.update(self._jobs)
        for job in [job for job in self._jobs.values() if job.status not in FINISHED or job.id in self._unpublished]:
            self.updated(job)

    def get(self, job_id: str) -> Job:
        self.prune()
        job = self._jobs.get(job_id)
        if job is not None and not self._readable(job):
            job = None
        if job is None and self._shared:
            job = self._shared.load(job_id)
        if job is None:
            self._expired(job_id)
            raise JobNotFound(f"no job {shown(job_id)}: unknown (or it expired more than {GONE_SECONDS} s ago, or "
                              f"was deleted)", field="id")
        return job

    def _expired(self, job_id: str) -> None:
        """Raise JobExpired for a job this store, or the shared one, dropped in the last GONE_SECONDS."""
        when, why = self._gone.get(job_id) or (None, "")
        if when is None and self._shared:
            when, why = self._shared.gone(job_id), self._after_ttl
        if when is not None and when >= time.time() - GONE_SECONDS:   # `_gone` is in drop order, not `when` order
            at = datetime.fromtimestamp(when, timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")
            raise JobExpired(f"job {job_id} expired at {at} ({why}); its result is no longer kept: send the request "
                             f"again", field="id")

    def _drop(self, job_id: str, when: float, why: str) -> None:
        """Forget a kept job the store no longer keeps, remembering that it did (410 rather than 404) for a while."""
        del self._jobs[job_id]
        self._unpublished.discard(job_id)
        self._gone[job_id] = (when, why)
        self._gone.move_to_end(job_id)
        while len(self._gone) > MAX_GONE:
            self._gone.popitem(last=False)

    def remove(self, job: Job) -> None:
        """Forget `job` and its audio, here and in the shared store."""
        self._jobs.pop(job.id, None)
        self._unpublished.discard(job.id)
        if self._shared:
            self._shared.delete(job.id)

    def unfinished(self) -> list[Job]:
        return [job for job in self._jobs.values() if job.status not in FINISHED]

    def uncollected(self) -> list[Job]:
        """Results only this process holds that nobody has fetched yet: with a shared store, those it missed
        (it was down when they finished; the job keeper tries again), as the others it keeps itself."""
        return [job for job in self._jobs.values() if job.status == DONE and not job.fetched
                and (not self._shared or job.id in self._unpublished)]

    def prune(self, room_for: int = 0) -> None:
        """Drop expired jobs; then, to make room, fetched finished ones, oldest first."""
        now = time.time()
        while self._gone and next(iter(self._gone.values()))[0] < now - GONE_SECONDS:
            self._gone.popitem(last=False)
        for job_id, job in list(self._jobs.items()):
            if job.finished is not None and now - job.finished > self.ttl:
                self._drop(job_id, job.finished + self.ttl, self._after_ttl)
        total = self.bytes
        for job_id, job in list(self._jobs.items()):
            if total + room_for <= self.max_bytes:
                break
            if job.finished is not None and job.fetched:
                total -= job.held_bytes
                self._drop(job_id, now, _FOR_ROOM)

    def _seconds_until_room(self) -> int:
        """When the oldest finished result expires (a fair Retry-After when the store is full)."""
        finished = [job.finished for job in self._jobs.values() if job.finished is not None]
        if not finished:
            return 5
        return max(1, int(min(finished) + self.ttl - time.time()) + 1)

    @property
    def bytes(self) -> int:
        return sum(job.held_bytes for job in self._jobs.values())

    def __len__(self) -> int:
        return len(self._jobs)
