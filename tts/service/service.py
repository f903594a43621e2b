"""The bounded queue, the worker that serves it, and the promises kept around them.

Admission is decided on the hub at once: a full queue raises QueueFull (→ 503 with
Retry-After), never a hang; so do a warming, draining or stalled worker. A request
identical to one queued or running follows that job instead of taking a slot
(singleflight). The dispatcher greenlet takes jobs in order and runs each through the
synthesizer's one loop (tts.synthesizer.Rendering), the CPU steps on the worker thread and
the cache I/O on the hub, so the cache (Redis included) is never touched from the thread.

Nothing ends quietly: a job's failure, of whatever type, fails that job only; the
dispatcher and the job keeper run under a supervisor that logs and restarts them;
`healthy` (liveness) is false when the dispatcher is dead or a model call has stalled.
Shutdown drains: admission stops (503, readiness false), what was accepted runs to the
end within the drain time, and whatever is left is failed visibly, never dropped.
"""

from __future__ import annotations

import functools
import logging
import math
import time
from collections import deque
from dataclasses import replace
from typing import Callable

import gevent
from gevent.event import Event
from prometheus_client import CollectorRegistry

from tts import eco
from tts.engines.lifecycle import LOADED
from tts.errors import QueueFull, ShuttingDown, SynthesisFailed, TTSError, WarmingUp, WorkerStalled
from tts.frontend.markup import is_ssml
from tts.mel import MEL, MelRendering
from tts.request import SynthesisRequest
from tts.service.jobs import FINISHED, Job, JobStore
from tts.service.metrics import ServiceMetrics
from tts.service.worker import Worker
from tts.synthesizer import PhraseCache, Rendering, Synthesizer

log = logging.getLogger(__name__)

SECONDS_PER_CHARACTER = 0.5   # a bound on speech per character at speed 1 (measured 0.18-0.2; digits read longer)
BEAT_SECONDS = 1.0            # the idle dispatcher wakes this often to show it is alive
WARM_UP_SECONDS = 300.0       # loading the voices the server starts with, and their first (slow) phrase
KEEPER_SECONDS = 5.0          # how often kept jobs are pruned and their leases renewed
RESTART_PAUSE = 1.0           # before a crashed loop is started again
CLOSE_WAIT_SECONDS = 10.0     # at close, for the model call in flight to return before the engines close


def flight_key(request: SynthesisRequest) -> SynthesisRequest:
    """What makes two requests identical for singleflight: all but how the bytes are delivered."""
    return replace(request, stream=False)


class SynthesisService:
    def __init__(self, synthesizer: Synthesizer, *, queue_size: int, jobs: JobStore, registry: CollectorRegistry,
                 cache: PhraseCache | None = None, singleflight: bool = False, step_timeout: float = 120.0,
                 max_audio_seconds: float | None = None, owns_engines: bool = True) -> None:
        self.synthesizer = synthesizer
        self.catalogue = synthesizer.catalogue
        self.jobs = jobs
        self.metrics = ServiceMetrics(registry, lambda: self.depth, lambda: self.healthy)
        self._cache = cache
        self._singleflight = singleflight
        self._flights: dict[SynthesisRequest, Job] = {}
        self._queue_size = queue_size
        self._max_audio_seconds = max_audio_seconds
        self._owns_engines = owns_engines
        self._pending: deque[Job] = deque()
        self._running: Job | None = None
        self._arrived = Event()
        self._idle = Event()
        self._idle.set()
        self._worker = Worker(step_timeout)
        self._warm = Event()
        self._admitting = True
        self._beat = time.monotonic()
        self._loops: list[gevent.Greenlet] = []
        self.load_error: TTSError | None = None
        self._job_seconds = 2.0   # moving average of a job's run time, for Retry-After

    # -- life cycle -------------------------------------------------------------------
    def start(self) -> "SynthesisService":
        """Start the dispatcher (it warms the worker up first) and the job keeper, supervised."""
        if not self._loops:
            self._loops = [gevent.spawn(self._supervise, self._dispatch, "dispatcher"),
                           gevent.spawn(self._supervise, self._keep_jobs, "job keeper")]
        return self

    def stop_admission(self) -> None:
        """From now on every new request gets 503 and readiness is false (shutdown has begun)."""
        self._admitting = False

    def drain(self, timeout: float) -> bool:
        """Wait until everything accepted has finished and every async result only this process
        holds has been fetched (True), or `timeout` s (False)."""
        deadline = time.monotonic() + timeout
        if not self._idle.wait(timeout):
            return False
        while self.jobs.uncollected():
            if time.monotonic() >= deadline:
                return False
            gevent.sleep(min(0.1, deadline - time.monotonic()))
        return True

    def close(self) -> None:
        """Stop the loops, fail what is left (visibly), close the engines. Safe to call twice."""
        self.stop_admission()
        running = self._running
        gevent.killall(self._loops)
        error = ShuttingDown("the server stopped before this request was done; send it again", retry_after=5)
        for job in [*filter(None, [running]), *self._pending, *self.jobs.unfinished()]:
            job.cancel()
            self._finish(job, error)
        self._pending.clear()
        self._running = None
        self._settle()
        self._worker.settle(CLOSE_WAIT_SECONDS)   # the model call in flight returns (a chunk, usually ms)
        if self._owns_engines and not self._worker.busy:   # a stalled call still holds its engine: leave it
            for engine in self.catalogue.engines.values():
                try:
                    engine.close()
                except Exception:   # closing one engine must not stop closing the others
                    log.exception("closing the %s engine failed", engine.name)
        self._worker.close()

    # -- state ------------------------------------------------------------------------
    @property
    def worker_busy(self) -> bool:
        """A model call is still running (after close: one that never returned)."""
        return self._worker.busy

    @property
    def healthy(self) -> bool:
        """Liveness: the loops run, the dispatcher is not stuck, no model call has stalled."""
        if not self._loops or any(loop.dead for loop in self._loops) or self._worker.stalled:
            return False
        return self._worker.busy or time.monotonic() - self._beat < self._worker.step_timeout

    @property
    def ready(self) -> bool:
        """Readiness: warm, healthy, taking requests, and the default voice loaded."""
        return (self._warm.is_set() and self._admitting and self.healthy and self.load_error is None
                and self.catalogue.engine(self.catalogue.default_voice).state == LOADED)

    def wait_ready(self, timeout: float | None = None) -> bool:
        self._warm.wait(timeout)
        return self.ready

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
        """Accept a request (its voice resolved) or raise why not; `keep` = an async job."""
        self._admissible()
        job = Job(request, self._reservation(request) if keep else 0)
        leader = self._flights.get(flight_key(request))
        if leader is not None and not leader.abandoned:
            if keep:
                self.jobs.admit(job)
            leader.lead(job)
            self.metrics.joins.inc()
            return job
        if self.depth >= self._queue_size:
            self.metrics.rejected()
            wait = math.ceil(self._job_seconds * self.depth)
            raise QueueFull(f"the queue is full ({self._queue_size} requests); retry in {wait} s", retry_after=wait)
        if keep:
            self.jobs.admit(job)
        if self._singleflight:
            self._flights[flight_key(request)] = job
        self._pending.append(job)
        self._idle.clear()
        self._arrived.set()
        return job

    def _admissible(self) -> None:
        if not self._admitting:
            raise ShuttingDown("the server is shutting down; retry in a few seconds", retry_after=5)
        if not self._warm.is_set():
            raise WarmingUp("the server is still loading its voices; retry in a few seconds", retry_after=5)
        if self._worker.stalled or not self.healthy:
            raise WorkerStalled("the synthesis worker is not answering; retry later",
                                retry_after=self._worker.step_timeout)

    def _reservation(self, request: SynthesisRequest) -> int:
        """Bytes an async result may take: a bound on its speech from the text, capped by the audio budget."""
        engine = self.catalogue.engine(request.voice)
        rate = eco.output_rate(request.sample_rate, request.eco, engine.info.sample_rate)
        seconds = self._max_audio_seconds
        if not is_ssml(request.text):   # SSML breaks and rates can stretch any text: assume the budget
            bound = len(request.text) * SECONDS_PER_CHARACTER / request.speed
            seconds = bound if seconds is None else min(seconds, bound)
        if seconds is None:
            seconds = len(request.text) * SECONDS_PER_CHARACTER * 4   # SSML without a budget: its slowest rate
        return int(seconds * rate) * 2

    # -- the loops ---------------------------------------------------------------------
    def _supervise(self, loop: Callable[[], None], name: str) -> None:
        """Run `loop` for ever: a crash is logged, the job it held is failed, and it starts again."""
        while True:
            try:
                loop()
            except Exception:
                log.exception("the %s failed; restarting it", name)
                self.metrics.restarts.labels(name).inc()
                running, self._running = self._running, None
                if running is not None and running.status not in FINISHED:
                    self._finish(running, SynthesisFailed("the server hit an internal error on this request"))
                self._settle()
                gevent.sleep(RESTART_PAUSE)

    def _dispatch(self) -> None:
        if not self._warm.is_set():
            self._warm_up()
        while True:
            self._beat = time.monotonic()
            if not self._pending:
                self._wait_for_work()
                continue
            job = self._pending.popleft()
            self._running = job   # until it is finished: if this loop crashes, the supervisor fails it
            started = time.perf_counter()
            error, cpu = self._run(job)
            self._finish(job, error, cpu)
            self._running = None
            self._job_seconds = 0.8 * self._job_seconds + 0.2 * (time.perf_counter() - started)
            self._settle()

    def _wait_for_work(self) -> None:
        """Sleep until a job arrives; unload engines that have been idle long enough meanwhile."""
        self._arrived.clear()
        due = [d for e in self.catalogue.engines.values() if (d := e.release_due()) is not None]
        timeout = min([BEAT_SECONDS, *due])
        if self._arrived.wait(timeout) or self._pending:
            return
        for engine in self.catalogue.engines.values():
            if engine.release_due() == 0.0:
                self._worker.run(engine.unload_if_idle)

    def _warm_up(self) -> None:
        """Load the engines that start loaded and make one phrase with the default voice (the first call is slow)."""
        work = functools.partial(self._worker.run, timeout=max(WARM_UP_SECONDS, self._worker.step_timeout))
        try:
            for engine in self.catalogue.engines.values():
                if engine.preload:
                    try:
                        work(engine.model)
                    except TTSError as error:
                        if engine.name != self.catalogue.engine(self.catalogue.default_voice).name:
                            log.error("%s", error.message)   # an optional engine: leave its voices failing with 503
                            continue
                        raise
            first = SynthesisRequest("你好。", self.catalogue.default_voice)
            list(Rendering(self.synthesizer, first, work=work))
        except TTSError as error:   # a missing model must show in /readyz, not kill the process
            log.error("warming up failed: %s", error.message)
            self.load_error = error
        self._warm.set()

    def _run(self, job: Job) -> tuple[TTSError | None, float]:
        """Synthesize one job; the error it ended with, if any, and the CPU it cost."""
        if self.load_error is not None:
            return SynthesisFailed(f"the synthesis pipeline is not available: {self.load_error.message}"), 0.0
        kind = MelRendering if job.request.format == MEL else Rendering   # mel: browser vocoding (tts/mel.py)
        rendering = kind(self.synthesizer, job.request, self._cache, work=self._worker.run, cpu_clock=Worker.cpu_clock)
        try:
            rendering.begin()
            self.metrics.looked_up(rendering.hits, rendering.misses)
            job.start(rendering.cache_status)
            self._publish(job)
            while not job.abandoned:
                self._beat = time.monotonic()
                chunk = rendering.next_chunk()
                if chunk is None:
                    break
                job.add(chunk)
            return None, rendering.cpu_seconds
        except TTSError as failure:
            if failure.status >= 500 and not isinstance(failure, WorkerStalled):
                log.error("job %s failed: %s", job.id, failure.message)
            return failure, rendering.cpu_seconds
        except Exception as failure:   # an engine bug, of whatever type, fails this job only
            log.exception("job %s failed", job.id)
            return SynthesisFailed(f"synthesis failed: {type(failure).__name__}"), rendering.cpu_seconds
        finally:
            self._close(rendering)

    def _close(self, rendering: Rendering) -> None:
        try:
            rendering.close()
        except WorkerStalled:   # the overrunning call holds the thread: close after it
            self._worker.later(rendering.close)
        except Exception:
            log.exception("closing a rendering failed")

    def _keep_jobs(self) -> None:
        """Prune the job store and renew the leases of unfinished kept jobs (shared stores)."""
        while True:
            self.jobs.prune()
            for job in self.jobs.unfinished():
                self.jobs.updated(job)
            gevent.sleep(KEEPER_SECONDS)

    def _finish(self, job: Job, error: TTSError | None, cpu_seconds: float = 0.0) -> None:
        if job.status in FINISHED:
            return
        job.finish(error, cpu_seconds)
        if self._flights.get(flight_key(job.request)) is job:
            del self._flights[flight_key(job.request)]
        self._publish(job)
        self.metrics.finished(job)

    def _publish(self, job: Job) -> None:
        for each in (job, *job.followers):
            self.jobs.updated(each)

    def _settle(self) -> None:
        if not self._pending and self._running is None:
            self._idle.set()
