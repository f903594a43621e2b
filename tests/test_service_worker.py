"""The worker's watch: stalled means no progress, not slowness.

A step on a starved CPU (load 10 on 2 cores) takes many times its usual wall time while its
thread keeps working; a stuck step (blocked, deadlocked) makes no progress at all. The tests
move the wall clock and the worker thread's CPU clock by hand while a step the test controls
is in flight, so each verdict depends on the clocks only, never on how fast this machine is. A watched
child counts for its own engine's steps only: a real child burning CPU beside a stuck step of another
engine changes neither that step's verdict nor its job's cost.
"""

from __future__ import annotations

import subprocess
import sys
import threading
import time

import gevent
import pytest
from prometheus_client import CollectorRegistry

from fakes import ToneEngine, ToneModel, tone_engine, tone_synthesizer, wait_until
from test_service import make_service, model  # noqa: F401 (model: a fixture)
from tts import procstat
from tts.config import Settings
from tts.engines.base import EngineInfo, Voice
from tts.engines.lifecycle import ManagedEngine
from tts.errors import WorkerStalled
from tts.request import SynthesisRequest
from tts.service.jobs import Job, JobStore
from tts.service.service import SynthesisService
from tts.service.worker import MIN_CPU_SHARE, Worker
from tts.synthesizer import Synthesizer
from tts.web import create_app, shutdown

TIMEOUT = 0.4   # the step timeout, in the test's own clock; the hub checks the step every TIMEOUT / 4 s


class Clocks:
    """A wall clock and the worker thread's CPU clock, moved only by the test (on the hub)."""

    def __init__(self) -> None:
        self.wall, self.cpu = 1000.0, 0.0

    def advance(self, wall: float, cpu: float = 0.0) -> None:
        self.wall += wall
        self.cpu += cpu


@pytest.fixture()
def clocks():
    return Clocks()


@pytest.fixture()
def worker(clocks):
    worker = Worker(TIMEOUT, clock=lambda: clocks.wall, progress=lambda: clocks.cpu)
    yield worker
    worker.close()


@pytest.fixture()
def gate():
    """A step the test holds in flight until it sets the gate (it uses no CPU while held)."""
    gate = threading.Event()
    yield gate
    gate.set()


def in_flight(worker: Worker, gate: threading.Event) -> gevent.Greenlet:
    step = gevent.spawn(worker.run, lambda: gate.wait(60) and "made")
    wait_until(lambda: worker.busy)
    return step


def let_the_hub_look(worker: Worker) -> None:
    """Give the waiting hub time for a few of its checks of the step (the verdict is the clocks')."""
    gevent.sleep(3 * worker.step_timeout / 4)


def request(text: str) -> SynthesisRequest:
    return SynthesisRequest(text=text, voice="tone")


# -- the worker -------------------------------------------------------------------------------
def test_a_step_that_keeps_working_is_never_stalled_however_long_it_takes(worker, clocks, gate):
    step = in_flight(worker, gate)
    for _ in range(20):   # 20 × 0.9 timeouts of wall time at a starved 2 % of a core
        clocks.advance(wall=0.9 * TIMEOUT, cpu=2 * MIN_CPU_SHARE * 0.9 * TIMEOUT)
        assert not worker.stalled
    let_the_hub_look(worker)
    assert clocks.wall - 1000.0 > 15 * TIMEOUT and not worker.stalled and not step.ready()
    gate.set()
    assert step.get(timeout=10) == "made" and not worker.busy


def test_a_step_that_makes_no_progress_for_its_timeout_is_stalled_until_it_returns(worker, clocks, gate):
    step = in_flight(worker, gate)
    clocks.advance(wall=0.9 * TIMEOUT, cpu=0.5 * MIN_CPU_SHARE * TIMEOUT)   # a trickle is not progress
    assert not worker.stalled
    clocks.advance(wall=0.2 * TIMEOUT)
    assert worker.stalled
    with pytest.raises(WorkerStalled) as failed:
        step.get(timeout=10)   # its caller is answered now, not when the step returns
    assert failed.value.status == 503 and failed.value.retry_after >= TIMEOUT
    clocks.advance(wall=TIMEOUT, cpu=TIMEOUT / 2)   # working again: its job is lost, the verdict stays
    assert worker.stalled
    with pytest.raises(WorkerStalled):
        worker.run(lambda: "next")
    gate.set()
    wait_until(lambda: not worker.busy)
    assert not worker.stalled and worker.run(lambda: "next") == "next"


def test_a_step_that_runs_away_with_more_cpu_than_its_timeout_is_stalled(worker, clocks, gate):
    step = in_flight(worker, gate)
    for _ in range(3):
        clocks.advance(wall=0.3 * TIMEOUT, cpu=0.3 * TIMEOUT)   # a core to itself
        assert not worker.stalled
    clocks.advance(wall=0.3 * TIMEOUT, cpu=0.3 * TIMEOUT)
    assert worker.stalled
    with pytest.raises(WorkerStalled):
        step.get(timeout=10)


def test_progress_is_the_cpu_of_the_worker_thread_and_not_of_the_hub():
    worker = Worker(60.0)
    try:
        def burn(seconds: float) -> None:
            start = time.thread_time()
            while time.thread_time() - start < seconds:
                pass

        worker.run(burn, 0.0)   # the thread makes its CPU clock known
        before = worker._progress()
        burn(0.05)   # on the hub
        assert worker._progress() - before < 0.01
        worker.run(burn, 0.05)
        assert worker._progress() - before >= 0.05
    finally:
        worker.close()


# -- the service --------------------------------------------------------------------------------
def service_on(worker: Worker, model: ToneModel) -> SynthesisService:
    return make_service(model, worker=worker)


def test_an_idle_service_stays_alive_while_something_else_holds_the_hub(clocks, worker, model):
    """The false 503 worker_stalled of a loaded test run: the hub was busy with other work for longer
    than the step timeout, the dispatcher's beat went stale, and the next request was refused."""
    service = service_on(worker, model)
    try:
        clocks.advance(wall=100 * TIMEOUT)   # no switch to the hub meanwhile
        assert service.healthy
        job = service.submit(request("你好。"))
        assert job.wait(10) and job.status == "done"
    finally:
        service.close()


def test_a_slow_step_on_a_starved_cpu_keeps_the_service_alive_and_its_job_succeeds(clocks, worker, model):
    service = service_on(worker, model)
    try:
        slow = service.submit(request("挂一会儿。"))   # held on the worker thread until the test releases it
        wait_until(lambda: worker.busy)
        for _ in range(10):
            clocks.advance(wall=0.9 * TIMEOUT, cpu=2 * MIN_CPU_SHARE * 0.9 * TIMEOUT)
            assert service.healthy
        waiting = service.submit(request("等一下。"))   # admitted, not refused as stalled
        let_the_hub_look(worker)
        model.release.set()
        assert slow.wait(10) and waiting.wait(10)
        assert (slow.status, waiting.status) == ("done", "done") and service.healthy
    finally:
        service.close()


def test_a_stuck_step_fails_its_job_and_liveness_and_refuses_with_retry_after(clocks, worker, model):
    service = service_on(worker, model)
    try:
        stuck = service.submit(request("挂住了。"))
        wait_until(lambda: worker.busy)
        clocks.advance(wall=1.1 * TIMEOUT)
        assert not service.healthy
        assert stuck.wait(10) and stuck.error.code == "worker_stalled"
        with pytest.raises(WorkerStalled) as refused:
            service.submit(request("等一下。"))
        assert refused.value.retry_after >= TIMEOUT
        model.release.set()
        wait_until(lambda: service.healthy)
        assert service.submit(request("又好了。")).wait(10)
    finally:
        service.close()


class IdleChild:
    """A watched child as the worker sees it (tts.engines.lifecycle.Child), idle: an engine's child waiting
    for a request, whose CPU clock stands still. Its clock is the test's, not a real process's: a real
    process's /proc CPU seconds move in 10 ms ticks whenever it runs at all, more than the progress of
    a step of this test's timeout (MIN_CPU_SHARE × TIMEOUT = 4 ms), so anything it did near the step
    would decide the verdict. It counts the interrupts the worker sends it."""

    def __init__(self, cpu: float = 0.5) -> None:
        self.cpu = cpu   # what it used before (starting up): only a change is a step's progress
        self.interrupts = 0

    def cpu_seconds(self) -> float:
        return self.cpu

    def interrupt(self) -> bool:
        self.interrupts += 1
        return False   # the worker thread never waits for it

    def restart_if_exited(self) -> bool:
        return False


class BurningChild(IdleChild):
    """A real child process in a busy loop, as the watch sees an engine's child: like a replacement Sambert
    child loading its model, it burns CPU for no step of the worker thread's. Its CPU is the process's own."""

    def __init__(self) -> None:
        super().__init__()
        self.process = subprocess.Popen([sys.executable, "-c", "while True: pass"])

    def cpu_seconds(self) -> float:
        fields = procstat.stat_fields(self.process.pid)
        return 0.0 if fields is None else procstat.cpu_seconds(fields)


class BusyEngine(ToneEngine):
    """Another engine (its model is the tone's), whose model runs in a child process."""

    name = "busy"
    voices = (Voice("busy", "busy", "忙", "female", "zh-CN", "a test tone from an engine with a child"),)


@pytest.fixture()
def burning():
    child = BurningChild()
    yield child
    child.process.kill()
    child.process.wait()


def service_beside(child: BurningChild, worker: Worker, model: ToneModel) -> SynthesisService:
    """The tone voice, and the busy engine whose child burns CPU all along."""
    busy = ManagedEngine(EngineInfo.of(BusyEngine), lambda: ToneModel(), child=child)
    synthesizer = Synthesizer({"tone": tone_engine(model), "busy": busy}, default_voice="tone")
    service = SynthesisService(synthesizer, queue_size=3, jobs=JobStore(60, 1 << 24), registry=CollectorRegistry(),
                               worker=worker, max_audio_seconds=600).start()
    assert service.wait_ready(10)
    return service


def held(service: SynthesisService, model: ToneModel, text: str) -> Job:
    """A tone job whose phrase the model holds (using no CPU) until the test releases it."""
    calls = model.calls
    job = service.submit(request(text))
    wait_until(lambda: model.calls > calls)
    return job


def test_a_stuck_step_is_stalled_while_the_child_of_another_engine_burns_cpu(clocks, worker, model, burning):
    """Before, every watched child's CPU counted for every step: while a replacement Sambert child
    loaded its model (seconds of CPU), a stuck step of another engine looked busy and was not failed."""
    service = service_beside(burning, worker, model)
    try:
        stuck = held(service, model, "挂住了。")
        burnt = burning.cpu_seconds()
        wait_until(lambda: burning.cpu_seconds() > burnt)   # the other engine's child works while the step is stuck
        clocks.advance(wall=0.9 * TIMEOUT)
        assert service.healthy
        clocks.advance(wall=0.2 * TIMEOUT)
        assert not service.healthy
        assert stuck.wait(10) and stuck.error.code == "worker_stalled"
        model.release.set()
        wait_until(lambda: service.healthy)
    finally:
        service.close()


def test_a_stalled_step_interrupts_the_children_of_its_own_engine_only(clocks, worker, gate, burning):
    """Before, a stall interrupted every watched child, another engine's too (a Sambert child at work
    while a Kokoro step stuck)."""
    idle = IdleChild()   # the tone's own child, waiting for the thread (not a real process: see IdleChild)
    worker.watch(idle, "tone")
    worker.watch(burning, "busy")
    step = gevent.spawn(worker.run, lambda: gate.wait(60), engine="tone")
    wait_until(lambda: worker.busy)
    clocks.advance(wall=1.1 * TIMEOUT)
    with pytest.raises(WorkerStalled):
        step.get(timeout=10)
    assert idle.interrupts == 1 and burning.interrupts == 0


def test_a_jobs_cost_leaves_out_the_cpu_of_another_engines_child(clocks, worker, model, burning):
    service = service_beside(burning, worker, model)
    try:
        job = held(service, model, "挂一会儿。")
        burnt = burning.cpu_seconds()
        wait_until(lambda: burning.cpu_seconds() - burnt >= 0.1)
        model.release.set()
        assert job.wait(10) and job.status == "done"
        assert job.cpu_seconds < 0.1   # the tone's own few milliseconds
    finally:
        service.close()


def test_over_http_a_stuck_step_answers_503_worker_stalled_with_retry_after_and_healthz_fails(model):
    """The real clocks: a step that never progresses is stalled after the step timeout (1 s)."""
    app = create_app(Settings(step_timeout_seconds=1, cache_mb=0), synthesizer=tone_synthesizer(model))
    client = app.test_client()
    try:
        assert app.extensions["tts.service"].wait_ready(10)
        for text in ("挂住了。", "你好。"):   # the stuck one, then one refused while it holds the worker
            response = client.post("/tts", json={"text": text, "voice": "tone"})
            assert response.status_code == 503 and response.get_json()["error"]["code"] == "worker_stalled"
            assert int(response.headers["Retry-After"]) >= 1
        assert client.get("/healthz").status_code == 503
        model.release.set()
        wait_until(lambda: client.get("/healthz").status_code == 200)
        assert client.post("/tts", json={"text": "你好。", "voice": "tone"}).status_code == 200
    finally:
        shutdown(app)
