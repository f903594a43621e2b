"""The one OS thread that runs every model call, and the watch kept on it.

Inference never runs on the gevent hub: each step (plan a request, make a chunk, load or
unload a model) is handed to a single real thread (gevent's threadpool) and the hub waits
for it cooperatively, so health checks, queue-full answers and other streams keep
flowing. Because the models only ever run on that one thread, they need no locks.

Stalled means no progress, not slowness. On a starved CPU (load 10 on 2 cores) a model
load or a long phrase takes many times its usual wall time while its thread keeps working,
so the watch reads the worker thread's own CPU clock, not the wall clock: a step is
stalled when its thread got less than `MIN_CPU_SHARE` of a core over a whole
`step_timeout` (blocked, deadlocked, waiting for something that never comes), or when it
has used more CPU than `step_timeout` seconds (a runaway: more than it could have used in
that time with a core to itself, which is the old wall-clock deadline made fair to a busy
machine). An engine whose model runs in a child process (Sambert) shows no CPU on the
thread, which only waits for the child: the worker `watch`es that child's CPU clock for the
steps of its engine, and such a step's progress is the thread's CPU plus its engine's children's,
judged the same way. Only its own engine's: a child burning CPU for no step (a replacement
Sambert child loading its model) must not make a stuck step of another engine look busy. A
stalled step fails its job at once (WorkerStalled). A child can be ended: a watched child
the thread is waiting for is interrupted (ended and replaced), and the thread returns; one
that died on its own is replaced before the next step. A
thread itself cannot be stopped from outside: until it returns the worker stays stalled, it
takes no new step, liveness fails, and the process manager restarts the server if it never
comes back. Every step's CPU time is measured as the CPU of all threads but the hub's and
of its engine's watched children, so a job's cost includes the model's own thread pools and
processes, and not another engine's.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

from gevent.monkey import get_original
from gevent.threadpool import ThreadPool

from tts.engines.lifecycle import Child
from tts.errors import SynthesisFailed, WorkerStalled

log = logging.getLogger(__name__)
T = TypeVar("T")

MIN_CPU_SHARE = 0.01        # a step whose thread got less than this share of a core over a step timeout is stuck
CHECKS_PER_TIMEOUT = 4      # the hub looks at a step in flight this often per step timeout…
MAX_CHECK_SECONDS = 1.0     # …and at least once a second
_thread_ident = get_original("_thread", "get_ident")   # the OS thread's id, also under monkey-patching


class Worker:
    def __init__(self, step_timeout: float, *, clock: Callable[[], float] = time.monotonic,
                 progress: Callable[[], float] | None = None) -> None:
        """`clock`: wall seconds; `progress`: CPU seconds of the worker thread (default: read from
        the thread's own CPU clock). Tests pass clocks they move themselves."""
        self.step_timeout = step_timeout
        self.clock = clock
        self._progress = progress or self._thread_cpu
        self._pool = ThreadPool(1)
        self._thread_clock: int | None = None   # the worker thread's CPU clock id, once it has run a step
        self._running = None              # the step in flight (a gevent AsyncResult), if any
        self._timeout = step_timeout      # the step in flight's
        self._began = 0.0                 # the thread's CPU seconds when it began
        self._mark = (0.0, 0.0)           # (wall, CPU) when it was last seen to progress
        self._abandoned = False           # declared stalled: its job has been failed
        self._deferred: list[Callable[[], object]] = []   # to run on the thread before the next step
        self._children: list[tuple[str, Child]] = []   # (engine, child process doing that engine's steps' work)
        self._engine: str | None = None   # the engine of the step in flight: only its children count

    def run(self, function: Callable[..., T], *args, timeout: float | None = None, engine: str | None = None) -> T:
        """`function(*args)` on the worker thread; the hub waits without blocking. `timeout`
        (default: the step timeout) is for the rare longer step, such as warming up. `engine`:
        the engine whose model the step calls (its watched children's CPU is the step's too);
        None for a step that calls none (the frontend)."""
        if self.busy:
            raise WorkerStalled(f"the worker is still in a model call that stopped progressing for "
                                f"{self.step_timeout:.0f} s", retry_after=self.step_timeout)
        self._timeout, self._engine = timeout or self.step_timeout, engine
        for _, child in self._children:   # one that died (OOM killer, a crash) is replaced before it is needed
            child.restart_if_exited()
        deferred, self._deferred = self._deferred, []
        cpu = self._step_cpu()
        self._began, self._mark, self._abandoned = cpu, (self.clock(), cpu), False
        running = self._running = self._pool.spawn(self._on_thread, deferred, function, *args)
        check = min(MAX_CHECK_SECONDS, self._timeout / CHECKS_PER_TIMEOUT)
        try:
            while not running.ready():
                running.wait(check)
                if not running.ready() and self._overran():
                    self._abandoned = True
                    log.error("a model call made no progress for %.0f s (or ran past %.0f s of CPU); the worker "
                              "is stalled until it returns", self._timeout, self._timeout)
                    for name, child in self._children:   # one the thread waits for can be ended: it returns
                        if name == self._engine:
                            child.interrupt()
                    raise WorkerStalled(f"the synthesis step stopped progressing (limit {self._timeout:.0f} s)",
                                        retry_after=self.step_timeout)
        finally:
            if running.ready():
                self._running = None
        outcome = running.get()
        if isinstance(outcome, _Raised):
            raise outcome.error
        return outcome

    def watch(self, child: Child, engine: str) -> None:
        """Judge `engine`'s steps by `child`'s CPU too (a child process the thread waits for in
        them), and interrupt it when a step it is in stalls."""
        self._children.append((engine, child))

    def later(self, function: Callable[[], object]) -> None:
        """Run `function` on the worker thread before its next step; nobody waits for it (handing it
        to the pool now would block the caller while a stalled call holds the thread)."""
        self._deferred.append(function)

    @property
    def busy(self) -> bool:
        """A step is in flight (this is only true between steps when one overran)."""
        if self._running is not None and self._running.ready():
            self._running = None
        return self._running is not None

    @property
    def stalled(self) -> bool:
        """The step in flight has stopped progressing, or overran its CPU; it stays stalled until it returns."""
        return self.busy and (self._abandoned or self._overran())

    def _overran(self) -> bool:
        """Look at the step in flight now: no progress over its timeout, or more CPU than it."""
        now, cpu = self.clock(), self._step_cpu()
        since, seen = self._mark
        if cpu - seen >= MIN_CPU_SHARE * self._timeout:
            self._mark = since, seen = now, cpu
        return now - since > self._timeout or cpu - self._began > self._timeout

    def _step_cpu(self) -> float:
        """The clock the step in flight is judged by: the worker thread's CPU seconds plus its engine's
        watched children's."""
        return self._progress() + self._children_cpu(self._engine)

    def _thread_cpu(self) -> float:
        """CPU seconds the worker thread has used (0 before it ran its first step)."""
        clock = self._thread_clock
        return 0.0 if clock is None else time.clock_gettime(clock)

    def _on_thread(self, deferred: list[Callable[[], object]], function: Callable[..., T], *args) -> T | _Raised:
        """Run on the thread: make its CPU clock known, run the deferred steps for nobody (what they
        raise is only logged), then the step."""
        if self._thread_clock is None:
            self._thread_clock = time.pthread_getcpuclockid(_thread_ident())
        for each in deferred:
            outcome = _contained(each)
            if isinstance(outcome, _Raised):
                log.error("a deferred step failed: %r", outcome.error)
        return _contained(function, *args)

    def cpu_clock(self, engine: str | None = None) -> float:
        """CPU seconds of every thread of the process but the calling one, and of `engine`'s watched
        children (call it on the hub): what that engine's steps between two readings cost."""
        own = time.process_time() - time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID)
        return own + self._children_cpu(engine)

    def _children_cpu(self, engine: str | None) -> float:
        """CPU seconds of `engine`'s watched children (its own processes), every thread; 0 for None."""
        return sum(child.cpu_seconds() for name, child in self._children if name == engine)

    def settle(self, timeout: float) -> bool:
        """Wait up to `timeout` s for the step in flight to return (nobody takes its result); True when idle."""
        if self._running is not None:
            self._running.wait(timeout)
        return not self.busy

    def close(self) -> None:
        """Let the thread go; a thread still in a model call is left to finish it (killing the pool
        would wait for that)."""
        if not self.busy:
            self._pool.kill()


class _Raised:
    """What a step raised, carried back to the hub as a value."""

    def __init__(self, error: Exception) -> None:
        self.error = error


def _contained(function: Callable[..., T], *args) -> T | _Raised:
    """Run on the thread. An exception comes back as a value and is raised again on the hub:
    raised out of the pool, gevent would print its traceback (a 400 is not worth one). An exit
    a library raises there (SystemExit, KeyboardInterrupt) would reach the hub and end the
    process; it becomes one failed step instead."""
    try:
        return function(*args)
    except Exception as error:
        return _Raised(error)
    except (SystemExit, KeyboardInterrupt) as error:
        log.error("a model call raised %s: %s", type(error).__name__, error)
        return _Raised(SynthesisFailed(f"synthesis failed: {type(error).__name__}"))
