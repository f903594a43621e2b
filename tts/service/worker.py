"""The bounded queue and the one worker that owns the warm synthesis pipeline.

Admission is decided on the hub at once: a full queue raises QueueFull (→ 503 with
Retry-After), never a hang. The worker is a dispatcher greenlet that hands each step of
synthesis to a single real OS thread (gevent's threadpool), so inference never blocks
the hub: health checks, queue-full answers and other streams keep flowing. Because the
pipeline only ever runs on that one thread, it needs no locks.

Reuse happens at two levels. At admission, a request identical to one queued or running
follows that job instead of taking a slot (singleflight). Per phrase, the sentence cache
is consulted between the synthesizer's two steps, on the hub: the worker thread plans
(frontend and keys), the hub fetches cached phrases, the worker thread renders the rest,
and the hub stores each new phrase. So the cache, Redis included, is only ever touched on
the hub, never from the worker thread.
"""

from __future__ import annotations

import logging
import math
import time
from collections import deque
from dataclasses import replace
from typing import Callable

import gevent
from gevent.event import Event
from gevent.threadpool import ThreadPool
from prometheus_client import CollectorRegistry

from tts.errors import QueueFull, SynthesisFailed, TTSError
from tts.request import SynthesisRequest
from tts.service.jobs import Job, JobStore
from tts.service.metrics import ServiceMetrics
from tts.synthesizer import PhraseCache, Plan, Synthesizer

log = logging.getLogger(__name__)


def flight_key(request: SynthesisRequest) -> SynthesisRequest:
    """What makes two requests identical for singleflight: all but how the bytes are delivered."""
    return replace(request, stream=False)


class SynthesisService:
    def __init__(self, factory: Callable[[], Synthesizer], *, queue_size: int, jobs: JobStore,
                 default_voice: str, registry: CollectorRegistry, cache: PhraseCache | None = None,
                 singleflight: bool = False) -> None:
        self.jobs = jobs
        self.metrics = ServiceMetrics(registry, lambda: self.depth)
        self._cache = cache
        self._singleflight = singleflight
        self._flights: dict[SynthesisRequest, Job] = {}
        self._factory = factory
        self._queue_size = queue_size
        self._default_voice = default_voice
        self._pending: deque[Job] = deque()
        self._running: Job | None = None
        self._arrived = Event()
        self._pool = ThreadPool(1)
        self._synthesizer: Synthesizer | None = None
        self._ready = Event()
        self.load_error: Exception | None = None
        self._job_seconds = 2.0   # moving average of a job's run time, for Retry-After
        self._dispatcher = gevent.spawn(self._dispatch)

    # -- state -------------------------------------------------------------------------
    @property
    def ready(self) -> bool:
        return self._ready.is_set() and self.load_error is None and not self._dispatcher.dead

    def wait_ready(self, timeout: float | None = None) -> bool:
        self._ready.wait(timeout)
        return self.ready

    @property
    def voices(self) -> list:
        return self._synthesizer.voices if self._synthesizer else []

    @property
    def depth(self) -> int:
        """Jobs waiting plus the one running: what the queue bound counts."""
        return len(self._pending) + (self._running is not None)

    def position(self, job: Job) -> int:
        """1 = next to run; 0 = running or finished (a follower has its leader's place)."""
        try:
            return self._pending.index(job.leader or job) + 1
        except ValueError:
            return 0

    # -- admission ---------------------------------------------------------------------
    def submit(self, request: SynthesisRequest, *, keep: bool = False) -> Job:
        leader = self._flights.get(flight_key(request))
        if leader is not None and not leader.abandoned:
            job = Job(request)
            leader.lead(job)
            self.metrics.joins.inc()
            if keep:
                self.jobs.add(job)
            return job
        if self.depth >= self._queue_size:
            self.metrics.rejected()
            wait = math.ceil(self._job_seconds * self.depth)
            raise QueueFull(f"the queue is full ({self._queue_size} requests); retry in {wait} s",
                            retry_after=max(1, wait))
        job = Job(request)
        if keep:
            self.jobs.add(job)
        if self._singleflight:
            self._flights[flight_key(request)] = job
        self._pending.append(job)
        self._arrived.set()
        return job

    # -- the worker ----------------------------------------------------------------------
    def _dispatch(self) -> None:
        try:
            self._synthesizer = self._pool.apply(self._load)
        except Exception as error:  # a missing model must show in /readyz, not kill the process
            log.exception("loading the synthesis pipeline failed")
            self.load_error = error
        self._ready.set()
        while True:
            while not self._pending:
                self._arrived.clear()
                due = self._synthesizer.release_due() if self._synthesizer else None
                if not self._arrived.wait(due) and not self._pending:
                    self._pool.apply(self._synthesizer.release_idle)
            job = self._pending.popleft()
            if self.load_error is not None:
                self._finish(job, SynthesisFailed(f"the synthesis pipeline is not available: {self.load_error}"))
                continue
            self._running = job
            started = time.perf_counter()
            try:
                self._finish(job, self._run(job))
            finally:
                self._running = None
                self._job_seconds = 0.8 * self._job_seconds + 0.2 * (time.perf_counter() - started)

    def _load(self) -> Synthesizer:
        """Build the pipeline on the worker thread and warm it (the first call is slow)."""
        synthesizer = self._factory()
        for _ in synthesizer.stream(SynthesisRequest(text="你好。", voice=self._default_voice)):
            pass
        return synthesizer

    def _run(self, job: Job) -> TTSError | None:
        """Synthesize one job on the worker thread, step by step; the error it ended with, if any."""
        chunks = None
        try:
            plan = self._pool.apply(self._synthesizer.plan, (job.request,))
            found = self._lookup(plan)
            job.start(plan.cache_status(found or {}))
            self._publish(job)
            chunks = self._synthesizer.render(plan, found)
            while not job.abandoned:
                chunk = self._pool.apply(next, (chunks, None))
                self._keep(plan)
                if chunk is None:
                    break
                job.add(chunk)
        except TTSError as failure:
            return failure
        except Exception as failure:  # an engine bug must fail one job, not the worker
            log.exception("job %s failed", job.id)
            return SynthesisFailed(f"synthesis failed: {failure}")
        finally:
            if chunks is not None:
                self._pool.apply(chunks.close)
        return None

    def _lookup(self, plan: Plan) -> dict[str, bytes] | None:
        """The plan's phrases already in the cache (None = no cache)."""
        if self._cache is None:
            return None
        found = self._cache.get_many(plan.lookup_keys())
        hits = sum(key in found for key in plan.keys)
        self.metrics.looked_up(hits, len(plan.keys) - hits)
        return found

    def _keep(self, plan: Plan) -> None:
        if self._cache is not None:
            for key, data in plan.take_made().items():
                self._cache.put(key, data)

    def _finish(self, job: Job, error: TTSError | None) -> None:
        job.finish(error)
        if self._flights.get(flight_key(job.request)) is job:
            del self._flights[flight_key(job.request)]
        self._publish(job)
        self.metrics.finished(job)

    def _publish(self, job: Job) -> None:
        for each in (job, *job.followers):
            self.jobs.updated(each)

    def close(self) -> None:
        self._dispatcher.kill()
        self._pool.kill()
