"""The bounded queue, the worker that serves it, and the promises kept around them.

Admission is decided on the hub at once: a full queue raises QueueFull (→ 503 with
Retry-After), never a hang; so do a warming, draining or stalled worker, and a process above
its memory limit while it works (tts.service.memory). A request
identical to one queued or running follows that job instead of taking a slot
(singleflight). Every admitted request goes through the synthesizer's one loop
(tts.synthesizer.Rendering), the CPU steps on the worker thread and the cache I/O on the
hub, so the cache (Redis included) is never touched from the thread.

The dispatcher greenlet serves requests in turns, one chunk at a time (tts.service.turns):
by default the one with the least work left goes next, streams by their playback deadline,
so a short request is never stuck behind a long one. A request nobody wants any more (its
client hung up, its job was deleted) leaves the queue at once and its work stops before
the next chunk. Retry-After, a job's position and its expected wait come from the work
really queued: each request's phrases times its voice's measured cost.

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
from dataclasses import replace
from typing import Callable

import gevent
from gevent.event import Event
from prometheus_client import CollectorRegistry

from tts import eco
from tts.engines.lifecycle import LOADED
from tts.errors import MemoryFull, QueueFull, ShuttingDown, SynthesisFailed, TTSError, WarmingUp, WorkerStalled
from tts.frontend.markup import is_ssml
from tts.hidden import HIDDEN, HiddenRendering
from tts.request import SynthesisRequest
from tts.service.jobs import FINISHED, QUEUED, Job, JobStore
from tts.service.memory import MemoryGuard
from tts.service.metrics import ServiceMetrics
from tts.service.turns import CostModel, Schedule, Turn
from tts.service.worker import Worker
from tts.synthesizer import PhraseCache, Rendering, Synthesizer

log = logging.getLogger(__name__)

SECONDS_PER_CHARACTER = 0.5   # a bound on speech per character at speed 1 (measured 0.18-0.2; digits read longer)
BEAT_SECONDS = 1.0            # the idle dispatcher wakes at least this often (to unload idle engines)
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
                 max_audio_seconds: float | None = None, owns_engines: bool = True,
                 policy: str = "shortest", worker: Worker | None = None,
                 memory: MemoryGuard | None = None) -> None:
        """`policy`: whose chunk the worker makes next (tts.service.turns.POLICIES); "fifo" is
        one request at a time, as this server worked before fair turns (the bench compares them).
        `worker`: one of the caller's, with its own step timeout and clocks (tests move them);
        `memory`: the bound on resident memory above which new work waits (tts.service.memory)."""
        self.synthesizer = synthesizer
        self.catalogue = synthesizer.catalogue
        self.jobs = jobs
        self.metrics = ServiceMetrics(registry, lambda: self.depth, lambda: self.healthy, lambda: self.jobs.lost)
        self._cache = cache
        self._singleflight = singleflight
        self._flights: dict[SynthesisRequest, Job] = {}
        self._queue_size = queue_size
        self._max_audio_seconds = max_audio_seconds
        self._owns_engines = owns_engines
        self.costs = CostModel(lambda voice: self.catalogue.engine(voice).info.cpu_per_audio_second)
        self._schedule = Schedule(policy, self.costs)
        self._running: Turn | None = None   # the turn being served: if the dispatcher crashes, it fails
        self._arrived = Event()
        self._idle = Event()
        self._idle.set()
        self._worker = worker or Worker(step_timeout)
        for engine in self.catalogue.engines.values():
            if engine.child is not None:   # its model runs in a child process the worker waits for
                self._worker.watch(engine.child, engine.name)
        self._memory = memory or MemoryGuard(None)
        self._warm = Event()
        self._admitting = True
        self._beat = self._worker.clock()   # when the dispatcher last began a round of hub-side work
        self._waiting = False               # the dispatcher sleeps until work arrives (it cannot be stuck there)
        self._loops: list[gevent.Greenlet] = []
        self.load_error: TTSError | None = None

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
        gevent.killall(self._loops)
        error = ShuttingDown("the server stopped before this request was done; send it again", retry_after=5)
        turns = list(self._schedule.turns)
        for job in [*(turn.job for turn in turns), *self.jobs.unfinished()]:
            job.cancel()
            self._finish(job, error)
        for turn in turns:
            self._schedule.remove(turn)
        self._running = None
        self._settle()
        if self._worker.settle(CLOSE_WAIT_SECONDS):   # the model call in flight returns (a chunk, usually ms)
            for turn in turns:   # a stalled call holds the thread: leave the renderings to the collector
                if turn.rendering is not None:
                    self._close(turn.rendering)
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
        """Liveness: the loops run, the dispatcher is not stuck, no model call has stalled.

        The dispatcher's beat only counts while it does hub-side work of its own: asleep for
        work or waiting on the worker (which has its own watch) it cannot be stuck, and its beat
        goes stale whenever something else holds the hub (a request's CPU, a test): a stale beat
        there is no sign of a dead dispatcher."""
        if not self._loops or any(loop.dead for loop in self._loops) or self._worker.stalled:
            return False
        return (self._waiting or self._worker.busy
                or self._worker.clock() - self._beat < self._worker.step_timeout)

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
        """Requests admitted and not finished, but for those nobody wants any more: what the queue
        bound counts (a cancelled request frees its slot at once; its work stops at the next chunk)."""
        return sum(not turn.job.abandoned for turn in self._schedule.turns)

    def position(self, job: Job) -> int | None:
        """0 = started or finished; else 1 + the requests not started yet that go before it (a
        follower has its leader's place); None for an unfinished job this process does not serve
        (another replica's, read from the shared store, queued or running there): it cannot know.
        A job served here keeps its turn until it has finished."""
        if job.status in FINISHED:
            return 0
        turn = self._schedule.find(job.leader or job)
        return None if turn is None else self._schedule.position(turn)

    def expected_seconds(self, job: Job) -> float | None:
        """Estimated seconds until `job` is done, from the work queued and the policy; 0 when
        finished; None for an unfinished job this process does not serve (another replica's)."""
        if job.status in FINISHED:
            return 0.0
        turn = self._schedule.find(job.leader or job)
        return None if turn is None else self._schedule.finish_times()[turn]

    def delete(self, job_id: str) -> None:
        """Forget an async job: its work stops before the next chunk, its slot frees at once, its
        audio is dropped. Raises JobNotFound for an id the store does not know."""
        job = self.jobs.get(job_id)
        job.cancel()
        self.jobs.remove(job)

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
            wait = max(1, math.ceil(self._schedule.first_free()))   # when the first slot frees
            raise QueueFull(f"the queue is full ({self._queue_size} requests); retry in {wait} s", retry_after=wait)
        resident = self._memory.refuses(busy=self.depth > 0)
        if resident is not None:
            self.metrics.rejected()
            wait = max(1, math.ceil(self._schedule.first_free()))
            raise MemoryFull(f"the server is using {resident / 2 ** 20:.0f} MB, above its limit of "
                             f"{self._memory.limit / 2 ** 20:.0f} MB, until the work it runs is done; "
                             f"retry in {wait} s", retry_after=wait)
        if keep:
            self.jobs.admit(job)
        if self._singleflight:
            self._flights[flight_key(request)] = job
        self._schedule.add(job)
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
                if running is not None:
                    self._end(running, SynthesisFailed("the server hit an internal error on this request"))
                self._settle()
                gevent.sleep(RESTART_PAUSE)

    def _dispatch(self) -> None:
        if not self._warm.is_set():
            self._warm_up()
        while True:
            self._beat = self._worker.clock()
            for turn in [t for t in self._schedule.turns if t.job.abandoned]:
                self._end(turn, None)   # nobody wants its audio: it ends cancelled
            self._settle()
            if not self._schedule:
                self._wait_for_work()
                continue
            self._running = self._schedule.pick()
            self._take(self._running)
            self._running = None

    def _wait_for_work(self) -> None:
        """Sleep until a job arrives; unload engines that have been idle long enough meanwhile."""
        self._arrived.clear()
        due = [d for e in self.catalogue.engines.values() if (d := e.release_due()) is not None]
        timeout = min([BEAT_SECONDS, *due])
        self._waiting = True
        try:
            if self._arrived.wait(timeout) or self._schedule:
                return
        finally:
            self._waiting = False
            self._beat = self._worker.clock()
        for engine in self.catalogue.engines.values():
            if engine.release_due() == 0.0:
                self._worker.run(engine.unload_if_idle, engine=engine.name)

    def _warm_up(self) -> None:
        """Read the frontend's data, load the engines that start loaded and make one phrase with the
        default voice (the first call is slow)."""
        timeout = max(WARM_UP_SECONDS, self._worker.step_timeout)
        work = functools.partial(self._worker.run, timeout=timeout)
        try:
            work(self.synthesizer.load_frontend)
            for engine in self.catalogue.engines.values():
                if engine.preload:
                    try:
                        work(engine.model, engine=engine.name)
                    except TTSError as error:
                        if engine.name != self.catalogue.engine(self.catalogue.default_voice).name:
                            log.error("%s", error.message)   # an optional engine: leave its voices failing with 503
                            continue
                        raise
            first = SynthesisRequest("你好。", self.catalogue.default_voice)
            list(self._rendering(Rendering, first, timeout=timeout))
        except TTSError as error:   # a missing model must show in /readyz, not kill the process
            log.error("warming up failed: %s", error.message)
            self.load_error = error
        self._warm.set()

    def _take(self, turn: Turn) -> None:
        """One turn: plan the request, or make its next chunk. Its end or failure finishes it;
        a failure of whatever type fails this request only."""
        job = turn.job
        try:
            if turn.rendering is None:
                started = time.perf_counter()
                with self._schedule.stepping(turn):
                    self._plan(turn)
                self.costs.observe_plan(len(job.request.text), time.perf_counter() - started)
                return
            if job.status == QUEUED:
                omitted = turn.rendering.plan.omitted
                if omitted:
                    log.info("job %s: %d token(s) no voice reads, left out: %s", job.id, len(omitted),
                             " ".join(omitted)[:200])
                job.start(turn.rendering.cache_status, omitted)
                self._publish(job)
            started = time.perf_counter()
            with self._schedule.stepping(turn):
                chunk = turn.rendering.next_chunk()
            if chunk is None:
                turn.settle(self.costs)
                self._end(turn, None)
                return
            seconds, audio = time.perf_counter() - started, job.audio.seconds
            job.add(chunk)   # audio or hidden states: what the chunk adds is read from the job's own count
            turn.made(chunk.phrase, seconds, self.costs, job.audio.seconds - audio)
        except TTSError as failure:
            if failure.status >= 500 and not isinstance(failure, WorkerStalled):
                log.error("job %s failed: %s", job.id, failure.message)
            self._end(turn, failure)
        except Exception as failure:   # an engine bug, of whatever type, fails this job only
            log.exception("job %s failed", job.id)
            self._end(turn, SynthesisFailed(f"synthesis failed: {type(failure).__name__}"))

    def _plan(self, turn: Turn) -> None:
        """The request's frontend and cache look-up: what it will cost, before it takes a turn."""
        if self.load_error is not None:
            raise SynthesisFailed(f"the synthesis pipeline is not available: {self.load_error.message}")
        kind = HiddenRendering if turn.job.request.format == HIDDEN else Rendering   # browser vocoding (tts/hidden.py)
        rendering = self._rendering(kind, turn.job.request, self._cache)
        rendering.begin()
        self.metrics.looked_up(rendering.hits, rendering.misses)
        turn.planned(rendering)

    def _rendering(self, kind: type[Rendering], request: SynthesisRequest, cache: PhraseCache | None = None,
                   timeout: float | None = None) -> Rendering:
        """`request`'s rendering, its steps on the worker: judged and costed with its engine's children
        (a child of another engine burning CPU meanwhile is not this request's progress, nor its cost)."""
        engine = self.catalogue.engine(self.catalogue.resolve(request.voice, eco_mode=request.eco)).name
        return kind(self.synthesizer, request, cache, work=functools.partial(self._worker.run, timeout=timeout,
                                                                             engine=engine),
                    cpu_clock=functools.partial(self._worker.cpu_clock, engine))

    def _end(self, turn: Turn, error: TTSError | None) -> None:
        """Close `turn`'s rendering, finish its job (and followers), then take it off the schedule:
        closing runs on the worker and yields, and until the job is finished it still counts in
        `depth` (a client that waits for an empty queue must find its job finished)."""
        try:
            cpu = 0.0   # a request that failed its planning cost next to nothing
            if turn.rendering is not None:
                cpu = turn.rendering.cpu_seconds
                self._close(turn.rendering)
            turn.job.worker_seconds = turn.seconds
            self._finish(turn.job, error, cpu)
        finally:
            self._schedule.remove(turn)

    def _close(self, rendering: Rendering) -> None:
        try:
            rendering.close()
        except WorkerStalled:   # the overrunning call holds the thread: close after it
            self._worker.later(rendering.close)
        except Exception:
            log.exception("closing a rendering failed")

    def _keep_jobs(self) -> None:
        """Prune the job store; renew the leases of unfinished kept jobs and publish what a shared store missed."""
        while True:
            self.jobs.prune()
            self.jobs.keep_shared()
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
        if not self._schedule:
            self._idle.set()
