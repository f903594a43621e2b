"""The service without HTTP, on the tone engine: admission, singleflight, cancellation, position,
idle unload, failures contained to their job, supervision, stalls and liveness, drain and close."""

from __future__ import annotations

import gevent
import pytest
from prometheus_client import CollectorRegistry

from fakes import ToneModel, tone_synthesizer, wait_until
from tts.errors import QueueFull, ShuttingDown, StoreFull, SynthesisFailed, WarmingUp, WorkerStalled
from tts.engines.lifecycle import DECLARED, LOADED
from tts.request import SynthesisRequest
from tts.service.jobs import JobStore
from tts.service.service import SynthesisService
from tts.service.worker import Worker


def make_service(model: ToneModel | None = None, *, queue_size: int = 3, idle_seconds: float = 0.0,
                 step_timeout: float = 30.0, store_bytes: int = 1 << 24, singleflight: bool = True,
                 start: bool = True, policy: str = "shortest", **options) -> SynthesisService:
    """`options`: more of SynthesisService's (a worker on the test's clocks, a memory guard)."""
    service = SynthesisService(tone_synthesizer(model, idle_seconds), queue_size=queue_size,
                               jobs=JobStore(60, store_bytes), registry=CollectorRegistry(),
                               singleflight=singleflight, step_timeout=step_timeout, max_audio_seconds=600,
                               policy=policy, **options)
    if start:
        service.start()
        assert service.wait_ready(10)
    return service


@pytest.fixture()
def model():
    model = ToneModel()
    yield model
    model.release.set()


@pytest.fixture()
def service(model):
    service = make_service(model)
    yield service
    service.close()


def request(text: str = "你好。", **fields) -> SynthesisRequest:
    return SynthesisRequest(text=text, voice="tone", **fields)


def finished(job):
    job.wait(30)
    return job


# -- admission ------------------------------------------------------------------------------
def test_a_full_queue_refuses_at_once_with_retry_after(service):
    jobs = [service.submit(request(f"慢慢地说第{i}句话。")) for i in range(3)]
    with pytest.raises(QueueFull) as refused:
        service.submit(request("还有一句。"))
    assert refused.value.retry_after >= 1 and service.depth == 3
    assert all(finished(job).status == "done" for job in jobs)


def test_queued_jobs_know_their_position(service):
    running = service.submit(request("慢慢地说一句很长的话，慢慢地说。"))
    wait_until(lambda: running.status == "running")
    second, third = service.submit(request("第二。")), service.submit(request("第三。"))
    assert [service.position(j) for j in (running, second, third)] == [0, 1, 2]
    finished(third)
    assert service.position(third) == 0


def test_nothing_is_taken_before_the_worker_is_warm(model):
    service = make_service(model, start=False)
    try:
        with pytest.raises(WarmingUp) as refused:
            service.submit(request())
        assert refused.value.status == 503 and refused.value.retry_after >= 1
    finally:
        service.close()


def test_an_async_job_is_refused_when_its_result_could_not_be_kept(model):
    # twelve characters reserve six seconds (0.5 s each at most): the store holds nine
    service = make_service(model, store_bytes=16000 * 2 * 9)
    try:
        kept = service.submit(request("这是第一句需要保存的话。"), keep=True)
        with pytest.raises(StoreFull):
            service.submit(request("这是第二句需要保存的话。"), keep=True)
        assert finished(kept).status == "done"
    finally:
        service.close()


# -- reuse and cancellation ------------------------------------------------------------------------
def test_identical_requests_share_one_synthesis(service, model):
    calls = model.calls
    first = service.submit(request("慢慢说同一句话。"))
    second = service.submit(request("慢慢说同一句话。", stream=True))
    assert second.leader is first and service.depth == 1
    finished(first)
    finished(second)
    assert model.calls - calls == 1
    assert second.samples()[0].tobytes() == first.samples()[0].tobytes()


class SlowToClose(Worker):
    """A worker whose closing of a finished rendering takes a while (as on a loaded machine)."""

    def run(self, function, *args, **options):
        if getattr(function, "__name__", "") == "close":
            gevent.sleep(0.3)
        return super().run(function, *args, **options)


def test_an_empty_queue_means_its_jobs_are_finished(model):
    service = make_service(model, worker=SlowToClose(30.0))
    try:
        job = service.submit(request("你好，今天。"))
        wait_until(lambda: service.depth == 0)
        assert job.status == "done"
    finally:
        service.close()


def test_a_cancelled_job_stops_at_the_next_chunk(service, model):
    job = service.submit(request("慢" * 30 + "。"))
    wait_until(lambda: len(job.audio) >= 2)
    job.cancel()
    finished(job)
    assert job.status == "cancelled" and len(job.audio) < 30
    assert finished(service.submit(request("下一句。"))).status == "done"


def test_an_idle_engine_is_unloaded_between_jobs_and_loaded_again(model):
    service = make_service(model, idle_seconds=0.3)
    try:
        engine = service.catalogue.engine("tone")
        finished(service.submit(request("用一下。")))
        assert engine.state == LOADED
        wait_until(lambda: engine.state == DECLARED)
        assert model.closed
        assert finished(service.submit(request("再用一下。"))).status == "done" and engine.state == LOADED
    finally:
        service.close()


# -- failures stay with their job -------------------------------------------------------------
@pytest.mark.parametrize("text, error", [("坏了。", SynthesisFailed), ("怪了。", SynthesisFailed)])
def test_an_engine_failure_fails_only_its_job(service, text, error):
    failed = finished(service.submit(request(text)))
    assert failed.status == "failed" and isinstance(failed.error, error) and failed.error.status == 500
    assert finished(service.submit(request("然后正常。"))).status == "done"
    assert service.healthy


def test_a_crashed_dispatcher_is_restarted_and_its_job_failed_visibly(service, monkeypatch):
    real_take = service._take
    crashes = iter([True])

    def take_that_crashes_once(turn):
        if next(crashes, False):
            raise KeyError("a bug in the service itself")
        return real_take(turn)

    monkeypatch.setattr(service, "_take", take_that_crashes_once)
    victim = finished(service.submit(request("第一句。")))
    assert victim.status == "failed" and victim.error.code == "synthesis_failed"
    assert finished(service.submit(request("第二句。"))).status == "done"
    assert service.healthy
    assert service.metrics.restarts.labels("dispatcher")._value.get() == 1


def test_a_dead_dispatcher_fails_liveness(service):
    assert service.healthy
    service._loops[0].kill()
    assert not service.healthy and not service.ready


def test_a_stalled_model_call_fails_its_job_and_liveness_until_it_returns(model):
    service = make_service(model, step_timeout=0.5)
    try:
        stuck = finished(service.submit(request("挂住了。")))
        assert stuck.status == "failed" and isinstance(stuck.error, WorkerStalled) and stuck.error.status == 503
        assert not service.healthy
        with pytest.raises(WorkerStalled):
            service.submit(request("等一下。"))
        model.release.set()
        wait_until(lambda: service.healthy)
        assert finished(service.submit(request("又好了。"))).status == "done"
    finally:
        service.close()


# -- shutdown ---------------------------------------------------------------------------------
def test_shutdown_finishes_what_was_accepted_and_refuses_the_rest(service):
    accepted = [service.submit(request(f"慢慢说第{i}句。")) for i in range(2)]
    service.stop_admission()
    with pytest.raises(ShuttingDown):
        service.submit(request("太晚了。"))
    assert not service.ready
    assert service.drain(30)
    assert all(job.status == "done" for job in accepted)


def test_close_fails_what_is_left_visibly(model, monkeypatch):
    monkeypatch.setattr("tts.service.service.CLOSE_WAIT_SECONDS", 0.2)   # for the call that hangs to return
    service = make_service(model)
    running = service.submit(request("挂住了。"))
    waiting = service.submit(request("排队的。"), keep=True)
    wait_until(lambda: running.status == "running")
    service.stop_admission()
    assert not service.drain(0.2)
    service.close()
    model.release.set()
    for job in (running, waiting):
        assert job.status in ("failed", "cancelled") and isinstance(job.error, ShuttingDown)
    assert service.jobs.get(waiting.id).error.code == "shutting_down"


def test_the_cpu_a_job_costs_is_counted_within_what_two_cores_can_spend(service):
    job = finished(service.submit(request("慢慢地数一数这句话花了多少时间。")))
    assert job.status == "done"
    assert 0 < job.cpu_seconds < 2 * (job.finished - job.started)
