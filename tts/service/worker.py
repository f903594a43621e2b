"""The one OS thread that runs every model call, and the watch kept on it.

Inference never runs on the gevent hub: each step (plan a request, make a chunk, load or
unload a model) is handed to a single real thread (gevent's threadpool) and the hub waits
for it cooperatively, so health checks, queue-full answers and other streams keep
flowing. Because the models only ever run on that one thread, they need no locks.

A step that runs past `step_timeout` fails its job at once (WorkerStalled) but cannot be
killed: a thread cannot be stopped from outside. Until it returns the worker is stalled:
it takes no new step, liveness fails, and the process manager restarts the server if it
never comes back. Every step's CPU time is measured as the CPU of all threads but the
hub's, so a job's cost includes the model's own thread pools.
"""

from __future__ import annotations

import logging
import time
from typing import Callable, TypeVar

from gevent import Timeout
from gevent.threadpool import ThreadPool

from tts.errors import SynthesisFailed, WorkerStalled

log = logging.getLogger(__name__)
T = TypeVar("T")


class Worker:
    def __init__(self, step_timeout: float) -> None:
        self.step_timeout = step_timeout
        self._pool = ThreadPool(1)
        self._running = None              # the step in flight (a gevent AsyncResult), if any
        self._deadline = 0.0              # when it counts as stalled
        self._deferred: list[Callable[[], object]] = []   # to run on the thread before the next step

    def run(self, function: Callable[..., T], *args, timeout: float | None = None) -> T:
        """`function(*args)` on the worker thread; the hub waits without blocking. `timeout`
        (default: the step timeout) is for the rare longer step, such as warming up."""
        if self.busy:
            raise WorkerStalled(f"the worker is still in a model call that ran past {self.step_timeout:.0f} s",
                                retry_after=self.step_timeout)
        timeout = timeout or self.step_timeout
        deferred, self._deferred = self._deferred, []
        self._running = self._pool.spawn(_after, deferred, function, *args)
        self._deadline = time.monotonic() + timeout
        try:
            outcome = self._running.get(timeout=timeout)
        except Timeout:
            log.error("a model call ran past %.0f s; the worker is stalled until it returns", timeout)
            raise WorkerStalled(f"the synthesis step did not finish within {timeout:.0f} s",
                                retry_after=self.step_timeout) from None
        finally:
            if self._running is not None and self._running.ready():
                self._running = None
        if isinstance(outcome, _Raised):
            raise outcome.error
        return outcome

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
        """A step has been running past its timeout."""
        return self.busy and time.monotonic() > self._deadline

    @staticmethod
    def cpu_clock() -> float:
        """CPU seconds of every thread of the process but the calling one (call it on the hub)."""
        return time.process_time() - time.clock_gettime(time.CLOCK_THREAD_CPUTIME_ID)

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


def _after(deferred: list[Callable[[], object]], function: Callable[..., T], *args) -> T | _Raised:
    """Run on the thread: the deferred steps, for nobody (what they raise is only logged), then the step."""
    for each in deferred:
        outcome = _contained(each)
        if isinstance(outcome, _Raised):
            log.error("a deferred step failed: %r", outcome.error)
    return _contained(function, *args)
