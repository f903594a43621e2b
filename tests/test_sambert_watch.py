"""The worker's watch on the Sambert engine: judged by its child process's CPU clock.

Sambert's model runs in a child process and the worker thread only waits for its reply, so
the thread's own CPU clock says nothing about the step. The watch reads the child's CPU
clock instead, with the same verdicts as for a model on the thread: a child that keeps
working on a starved CPU is never stalled, one that makes no progress for a step timeout
(or runs away with more CPU than it) is, and is ended and replaced, so the worker is free
again at once. The child is real (the fake pipeline of fake_sambert.py); the tests move the
wall clock and the child's CPU clock by hand.
"""

from __future__ import annotations

import os
import signal
import sys
import threading
import time

import pytest
from prometheus_client import CollectorRegistry

from fakes import ToneModel, tone_engine, wait_until
from test_sambert import PHRASE, TESTS, fake_engine, model_dir  # noqa: F401 (model_dir: a fixture)
from tts.engines.base import EngineInfo, EngineOptions
from tts.engines.lifecycle import ManagedEngine
from tts.engines import sambert
from tts.engines.sambert import SambertEngine
from tts.errors import EngineUnavailable
from tts.frontend.phrase import Phrase
from tts.request import SynthesisRequest
from tts.service.jobs import JobStore
from tts.service.service import SynthesisService
from tts.service.worker import MIN_CPU_SHARE, Worker
from tts.synthesizer import Synthesizer

TIMEOUT = 0.4   # the step timeout, in the test's own clock


class Clocks:
    """The wall clock, the worker thread's CPU clock and the Sambert child's, moved only by the test."""

    def __init__(self) -> None:
        self.wall, self.thread, self.child = 1000.0, 0.0, 0.0

    def advance(self, wall: float, child: float = 0.0) -> None:
        self.wall += wall
        self.child += child   # the worker thread waits for the child: its own clock stands still


@pytest.fixture()
def clocks():
    return Clocks()


class ClockedChild:
    """The real child, its CPU clock the test's."""

    def __init__(self, declared: SambertEngine, clocks: Clocks) -> None:
        self.declared, self.clocks = declared, clocks

    def cpu_seconds(self) -> float:
        return self.clocks.child

    def interrupt(self) -> bool:
        return self.declared.interrupt()

    def restart_if_exited(self) -> bool:
        return self.declared.restart_if_exited()


def serving(declared: SambertEngine, clocks: Clocks) -> SynthesisService:
    """A service with the tone voice and Sambert's, its worker on the test's clocks."""
    sambert = ManagedEngine(EngineInfo.of(declared), declared.load, shutdown=declared.close,
                            child=ClockedChild(declared, clocks))
    synthesizer = Synthesizer({"tone": tone_engine(ToneModel()), "sambert": sambert}, default_voice="tone")
    worker = Worker(TIMEOUT, clock=lambda: clocks.wall, progress=lambda: clocks.thread)
    service = SynthesisService(synthesizer, queue_size=3, jobs=JobStore(60, 1 << 24), registry=CollectorRegistry(),
                               worker=worker, max_audio_seconds=600).start()
    assert service.wait_ready(10)
    return service


@pytest.fixture()
def service(model_dir, clocks):   # noqa: F811 (model_dir: a fixture)
    service = serving(fake_engine(model_dir), clocks)
    yield service
    (model_dir / "release").touch()
    service.close()


def made(service: SynthesisService, text: str, voice: str = "zhitian_emo"):
    job = service.submit(SynthesisRequest(text=text, voice=voice))
    assert job.wait(10)
    return job


def held(service: SynthesisService, model_dir, text: str = "挂一会儿。"):   # noqa: F811
    """A Sambert job whose child holds its phrase (using no CPU) until the test releases it."""
    job = service.submit(SynthesisRequest(text=text, voice="zhitian_emo"))
    wait_until(lambda: (model_dir / "holding").exists())
    return job


def let_the_hub_look() -> None:
    """Time for a few of the hub's checks of the step in flight (the verdict is the clocks')."""
    import gevent
    gevent.sleep(3 * TIMEOUT / 4)


def test_a_sambert_step_whose_child_keeps_working_on_a_starved_cpu_is_never_stalled(service, clocks, model_dir):  # noqa: F811
    job = held(service, model_dir)
    for _ in range(10):   # 10 × 0.9 timeouts of wall time, the child at a starved 2 % of a core
        clocks.advance(wall=0.9 * TIMEOUT, child=2 * MIN_CPU_SHARE * 0.9 * TIMEOUT)
        assert service.healthy
    let_the_hub_look()
    assert service.healthy and job.status == "running"
    (model_dir / "release").touch()
    assert job.wait(10) and job.status == "done"
    assert job.cpu_seconds >= 10 * 2 * MIN_CPU_SHARE * 0.9 * TIMEOUT   # its cost is the child's CPU


def test_a_sambert_step_whose_child_makes_no_progress_is_stalled_and_the_child_replaced(service, clocks, model_dir):  # noqa: F811
    job = held(service, model_dir)
    clocks.advance(wall=0.9 * TIMEOUT, child=0.5 * MIN_CPU_SHARE * TIMEOUT)   # a trickle is not progress
    assert service.healthy
    clocks.advance(wall=0.2 * TIMEOUT)
    assert job.wait(10) and job.error.code == "worker_stalled"
    wait_until(lambda: service.healthy)   # the stuck child was ended: the worker thread is free (a thread is not)
    assert not (model_dir / "release").exists()
    again = service.submit(SynthesisRequest(text="又好了。", voice="zhitian_emo"))   # to a new child
    assert again.wait(10) and again.status == "done" and len(again.audio.all()) == int(0.2 * 16000 * 4)


def test_a_sambert_step_whose_child_runs_away_with_more_cpu_than_its_timeout_is_stalled(service, clocks, model_dir):  # noqa: F811
    job = held(service, model_dir)
    for _ in range(2):
        clocks.advance(wall=0.2 * TIMEOUT, child=0.4 * TIMEOUT)   # busy on two cores
        assert service.healthy
    clocks.advance(wall=0.2 * TIMEOUT, child=0.4 * TIMEOUT)   # 1.2 timeouts of CPU in 0.6 of wall time
    assert job.wait(10) and job.error.code == "worker_stalled"
    wait_until(lambda: service.healthy)


def test_a_sambert_child_that_died_on_its_own_is_replaced_before_the_next_call(service, model_dir):  # noqa: F811
    """The OOM killer, or a crash in native code: before, every Sambert request failed until a restart."""
    first = service.submit(SynthesisRequest(text="你好。", voice="zhitian_emo"))
    assert first.wait(10) and first.status == "done"
    declared = service.catalogue.engines["sambert"].child.declared
    died = declared.pid
    os.kill(died, signal.SIGKILL)
    os.waitid(os.P_PID, died, os.WEXITED | os.WNOWAIT)   # dead, and still the server's to reap
    again = service.submit(SynthesisRequest(text="又好了。", voice="zhitian_emo"))
    assert again.wait(10) and again.status == "done" and declared.pid != died


def test_a_replacement_child_that_cannot_start_leaves_the_other_voices_alone_and_is_tried_again(
        model_dir, clocks, tmp_path, monkeypatch):  # noqa: F811
    monkeypatch.setattr(sambert, "RESTART_PAUSE", 0.0)
    python = tmp_path / "python3.10"   # the Sambert environment's interpreter: a script that runs ours

    def install() -> None:
        python.write_text(f'#!/bin/sh\nexec "{sys.executable}" "$@"\n')
        python.chmod(0o755)
    install()
    service = serving(SambertEngine(str(python), str(model_dir), factory="fake_sambert:factory",
                                    env={"PYTHONPATH": TESTS}, check_packages=False), clocks)
    try:
        assert made(service, "你好。").status == "done"
        declared = service.catalogue.engines["sambert"].child.declared
        python.unlink()   # its environment went away, then the child died
        os.kill(declared.pid, signal.SIGKILL)
        os.waitid(os.P_PID, declared.pid, os.WEXITED | os.WNOWAIT)
        assert made(service, "还在吗。").error.code == "engine_unavailable"
        assert made(service, "你好。", voice="tone").status == "done"
        install()   # back: the next step starts a child again
        assert made(service, "又好了。").status == "done"
    finally:
        service.close()


def test_a_child_that_keeps_dying_is_started_again_at_most_once_per_pause(service, monkeypatch):
    monkeypatch.setattr(sambert, "RESTART_PAUSE", 600.0)
    declared = service.catalogue.engines["sambert"].child.declared
    for _ in range(2):   # it dies, is replaced (the first time), dies again
        assert made(service, "你好。").status == "done"
        died = declared.pid
        os.kill(died, signal.SIGKILL)
        os.waitid(os.P_PID, died, os.WEXITED | os.WNOWAIT)
    assert made(service, "还在吗。").error.code == "engine_unavailable"   # within the pause: no new child
    for _ in range(5):   # nor at any step of the other voices
        assert made(service, "你好。", voice="tone").status == "done"
    assert declared.pid == died and not declared._ended   # the one replaced was reaped, its pipes closed


def test_the_child_clock_is_the_sambert_child_process_cpu_and_not_this_one(model_dir):  # noqa: F811
    declared = fake_engine(model_dir)
    model = declared.load()
    try:
        before = declared.cpu_seconds()
        start = time.process_time()
        while time.process_time() - start < 0.3:   # CPU in this process is not the child's…
            pass
        assert declared.cpu_seconds() - before < 0.15   # (the kernel may still book a few ticks of its start)
        before = declared.cpu_seconds()
        list(model.synthesize(Phrase(("mang2",), (0,), text="忙"), "zhitian_emo", EngineOptions()))
        assert declared.cpu_seconds() - before >= 0.15   # …but what the child burns is (0.2 s, to a clock tick)
    finally:
        declared.close()
    last = declared.cpu_seconds()
    assert last >= 0.15 and declared.cpu_seconds() == last   # once it has exited: its last reading


def test_interrupting_ends_only_a_child_in_a_call_and_its_clock_never_goes_back(model_dir):  # noqa: F811
    declared = fake_engine(model_dir)
    model = declared.load()
    outcome = []
    try:
        list(model.synthesize(Phrase(("mang2",), (0,), text="忙"), "zhitian_emo", EngineOptions()))
        assert not declared.interrupt()   # nothing in flight: the child stays
        spent = declared.cpu_seconds()
        call = threading.Thread(target=lambda: outcome.append(
            pytest.raises(EngineUnavailable, list, model.synthesize(Phrase(("gua4",), (0,), text="挂"),
                                                                      "zhitian_emo", EngineOptions()))))
        call.start()
        deadline = time.monotonic() + 10
        while not (model_dir / "holding").exists():
            assert time.monotonic() < deadline
            time.sleep(0.01)
        assert declared.interrupt()
        call.join(10)
        assert outcome and not call.is_alive()   # the call returned, with EngineUnavailable
        assert declared.cpu_seconds() >= spent
        (audio,) = list(model.synthesize(PHRASE, "zhitian_emo", EngineOptions()))   # the new child answers
        assert len(audio) == int(0.2 * 16000 * 2)
    finally:
        declared.close()


def test_a_sambert_child_killed_mid_call_fails_that_request_only_and_the_next_is_served(service, model_dir):  # noqa: F811
    """The OOM killer picks the child while it makes a phrase: that job fails with a typed 503, the worker is
    free at once (no stall), and the next Sambert request gets a new child."""
    job = held(service, model_dir)
    declared = service.catalogue.engines["sambert"].child.declared
    died = declared.pid
    os.kill(died, signal.SIGKILL)
    assert job.wait(10) and job.status == "failed"
    assert (job.error.status, job.error.code) == (503, "engine_unavailable") and "stopped" in job.error.message
    assert service.healthy
    again = made(service, "又好了。")
    assert again.status == "done" and declared.pid != died


def test_a_sambert_child_whose_output_closed_is_replaced_before_the_next_request_even_while_it_lives(service, model_dir):  # noqa: F811
    """A killed child's pipes close before the kernel lets it be reaped: the EOF the worker thread read is
    enough to replace it, so the next request is not sent to it (the child here closes its output and
    lives on, holding that gap open for as long as the test needs)."""
    declared = service.catalogue.engines["sambert"].child.declared
    broken = declared.pid
    job = made(service, "断了。")
    assert job.status == "failed" and (job.error.status, job.error.code) == (503, "engine_unavailable")
    again = made(service, "又好了。")
    assert again.status == "done" and declared.pid != broken
