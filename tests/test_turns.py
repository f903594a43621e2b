"""Fair turns on the tone engine: who goes next, what the queue says about its own wait, cancel.

The policies are checked on real renderings (tone engine, planned in this thread) with a
cost model whose rate is fixed, so each assertion is about order, not time; the service
tests then run them on the worker thread, where 慢 makes each syllable take real time.
"""

from __future__ import annotations

from contextlib import contextmanager

import pytest

from fakes import ToneModel, tone_synthesizer, wait_until
from test_service import finished, make_service, request
from tts.errors import ClientGone, JobNotFound, QueueFull
from tts.service.jobs import Job
from tts.service.turns import (PLAN_SECONDS_PER_CHARACTER, STARVE_SECONDS, STREAM_AHEAD_SECONDS, CostModel,
                                Schedule)
from tts.synthesizer import Rendering

SYNTHESIZER = tone_synthesizer()
RATE = 0.5   # worker seconds per estimated audio second, fixed for the policy tests


@contextmanager
def running(model: ToneModel | None = None, **options):
    """A started service on the tone engine, closed after."""
    service = make_service(model, **options)
    try:
        yield service
    finally:
        service.close()


def sentences(count: int, word: str = "说") -> str:
    return "".join(f"{word}第{i}句话。" for i in range(count))


def schedule(policy: str, *texts: str, stream: tuple[bool, ...] = ()) -> Schedule:
    """A schedule holding planned requests for `texts`, in that order."""
    plan = Schedule(policy, CostModel(lambda voice: RATE))
    for index, text in enumerate(texts):
        job = Job(request(text, stream=index < len(stream) and stream[index]))
        rendering = Rendering(SYNTHESIZER, job.request)
        rendering.begin()
        plan.add(job).planned(rendering)
    return plan


def texts_of(turns) -> list[str]:
    return [turn.job.request.text for turn in turns]


# -- whose turn -----------------------------------------------------------------------------
def test_shortest_serves_the_request_with_the_least_work_left():
    plan = schedule("shortest", sentences(12), sentences(2), sentences(6))
    assert texts_of(plan.order()) == [sentences(2), sentences(6), sentences(12)]
    assert plan.pick().job.request.text == sentences(2)


def test_round_robin_gives_each_request_a_chunk_in_turn():
    plan = schedule("round_robin", sentences(12), sentences(2), sentences(6))
    picked = [plan.pick().job.request.text for _ in range(6)]
    assert picked == [sentences(12), sentences(2), sentences(6)] * 2


def test_fifo_serves_one_request_at_a_time_in_the_order_they_came():
    plan = schedule("fifo", sentences(12), sentences(2))
    assert [plan.pick().job.request.text for _ in range(3)] == [sentences(12)] * 3


def test_a_request_not_planned_yet_is_planned_first():
    plan = schedule("shortest", sentences(2))
    newcomer = plan.add(Job(request(sentences(40))))
    assert plan.pick() is newcomer


def test_a_stream_that_has_sent_nothing_counts_as_big_as_its_first_phrase():
    plan = schedule("shortest", sentences(3), sentences(12), stream=(False, True))
    assert texts_of(plan.order()) == [sentences(12), sentences(3)]


def test_a_stream_about_to_run_dry_goes_before_shorter_work():
    plan = schedule("shortest", sentences(2), sentences(12), stream=(False, True))
    stream = plan.turns[1]
    stream.made(0, 0.0, plan.costs)
    stream.first_audio -= 5.0   # its client has played 5 s and it has made nothing since
    assert plan.pick() is stream


def test_a_stream_far_ahead_of_its_client_yields_to_everyone_else():
    plan = schedule("shortest", sentences(12), sentences(2), stream=(False, True))
    stream = plan.turns[1]
    stream.made(0, 0.0, plan.costs)
    stream.first_audio += STREAM_AHEAD_SECONDS + 1   # as if it had made that much more audio than played
    assert texts_of(plan.order()) == [sentences(12), sentences(2)]


def test_a_long_request_kept_waiting_too_long_gets_the_next_turn():
    plan = schedule("shortest", sentences(12), sentences(2))
    long = plan.turns[0]
    long.served -= STARVE_SECONDS
    assert plan.pick() is long
    assert plan.pick() is not long   # one turn, then the shortest again


# -- what the queue knows about its own wait ---------------------------------------------------
def test_the_first_free_slot_is_the_least_work_under_shortest_and_the_first_under_fifo():
    short, long = sentences(2), sentences(12)
    work = {text: schedule("fifo", text).work(schedule("fifo", text).turns[0]) for text in (short, long)}
    assert work[long] / work[short] == pytest.approx(6, rel=0.2)   # phrases × cost, not a guess
    assert schedule("shortest", long, short).first_free() == pytest.approx(work[short])
    assert schedule("fifo", long, short).first_free() == pytest.approx(work[long])
    assert schedule("round_robin", long, short).first_free() == pytest.approx(2 * work[short])


def test_expected_finish_times_follow_the_policy_order():
    plan = schedule("shortest", sentences(12), sentences(2), sentences(6))
    ends = plan.finish_times()
    long, short, middle = plan.turns
    assert ends[short] < ends[middle] < ends[long]
    assert ends[long] == pytest.approx(sum(plan.work(t) for t in plan.turns))


def test_the_cost_model_starts_from_the_declared_cost_and_learns_the_measured_one():
    costs = CostModel(lambda voice: 0.04)
    assert costs.line("v") == pytest.approx((0.0, 0.04))
    for repeat in range(60):
        for audio in (1.0, 3.0, 6.0):   # Kokoro-like: each call pays for its padding
            costs.observe("v", seconds=0.3 + 0.05 * audio, audio=audio)
    assert costs.line("v") == pytest.approx((0.3, 0.05), rel=0.05)
    assert costs.seconds("v", audio=10.0, phrases=4) == pytest.approx(4 * 0.3 + 0.5, rel=0.05)
    assert costs.line("other") == pytest.approx((0.0, 0.04))


def test_every_wait_counts_what_is_left_of_the_step_in_flight():
    """A step cannot be interrupted: a short request that came while the worker makes a long
    one's phrase (a Kokoro phrase takes seconds) waits for that phrase first."""
    plan = schedule("shortest", sentences(12), sentences(2))
    long, short = plan.turns
    step = long.step(plan.costs)
    assert step == pytest.approx(plan.costs.seconds("tone", long.estimates[0])) and step > 0
    idle = plan.finish_times(now=100.0)
    with plan.stepping(long, now=100.0):
        started, halfway, overran = (plan.finish_times(now=100.0 + s) for s in (0.0, step / 2, 2 * step))
        assert plan.first_free(now=100.0) == pytest.approx(idle[short] + step)
    assert started[short] == pytest.approx(idle[short] + step)
    assert halfway[short] == pytest.approx(idle[short] + step / 2)
    assert overran[short] == pytest.approx(idle[short])   # run past its estimate: nothing more is known
    assert started[long] == pytest.approx(idle[long])     # its own step is part of its work, counted once
    assert plan.finish_times(now=100.0) == idle            # the step has returned


def test_the_phrase_under_way_counts_the_part_of_its_audio_not_made_yet():
    plan = schedule("fifo", sentences(3))
    turn = plan.turns[0]
    cost = [plan.costs.seconds("tone", audio) for audio in turn.estimates]
    assert plan.work(turn) == pytest.approx(sum(cost)) and turn.step(plan.costs) == pytest.approx(cost[0])
    turn.made(0, 0.1, plan.costs, audio=turn.estimates[0] / 4)
    assert turn.step(plan.costs) == pytest.approx(cost[0] * 3 / 4)
    assert plan.work(turn) == pytest.approx(cost[0] * 3 / 4 + cost[1] + cost[2])
    turn.made(0, 0.1, plan.costs, audio=turn.estimates[0] / 2)   # 3/4 of the estimate: done (estimates lean long)
    assert turn.step(plan.costs) == pytest.approx(cost[1]) and plan.work(turn) == pytest.approx(cost[1] + cost[2])


def test_planning_costs_its_characters_at_a_rate_learned_from_the_requests_planned():
    costs = CostModel(lambda voice: 0.04)
    assert costs.plan_seconds(1000) == pytest.approx(1000 * PLAN_SECONDS_PER_CHARACTER)
    for _ in range(30):
        costs.observe_plan(2000, 2.0)   # 1 ms per character: a slow machine
    assert costs.plan_seconds(1000) == pytest.approx(1.0, rel=0.05)
    newcomer = schedule("shortest").add(Job(request(sentences(40))))
    assert newcomer.step(costs) == pytest.approx(costs.plan_seconds(len(sentences(40))))


# -- the service on the worker thread -----------------------------------------------------------
@pytest.mark.parametrize("policy", ["shortest", "round_robin"])
def test_a_short_request_behind_a_long_one_finishes_first(policy):
    with running(queue_size=4, policy=policy) as service:
        long = service.submit(request(sentences(6, "慢慢")))
        wait_until(lambda: len(long.audio) >= 1)
        short = finished(service.submit(request("慢。")))
        made_meanwhile = long.audio.seconds
        assert short.status == "done" and long.status == "running"
        assert finished(long).status == "done"
        assert made_meanwhile < 0.25 * long.audio.seconds


def test_fifo_is_how_the_server_worked_before_the_long_one_first():
    with running(queue_size=4, policy="fifo") as service:
        long = service.submit(request(sentences(4, "慢慢")))
        wait_until(lambda: len(long.audio) >= 1)
        short = service.submit(request("慢。"))
        finished(short)
        assert long.status == "done" and long.finished <= short.finished


def test_each_request_gets_its_own_audio_whole_and_in_order_however_turns_interleave():
    """Both are admitted before the worker's first turn, so round robin interleaves them chunk by chunk."""
    with running(queue_size=4) as alone:
        expected = [finished(alone.submit(request(sentences(n)))).samples()[0] for n in (5, 2)]
    with running(queue_size=4, policy="round_robin") as service:
        jobs = [service.submit(request(sentences(n), stream=True)) for n in (5, 2)]
        got = [finished(job).samples()[0] for job in jobs]
        phrases = [[chunk.phrase for chunk in job.follow()] for job in jobs]
    assert [g.tobytes() for g in got] == [e.tobytes() for e in expected]
    assert all(p == sorted(p) for p in phrases)
    assert jobs[1].finished <= jobs[0].finished   # they did interleave: the short one ended first


def test_the_cost_per_voice_is_learned_from_the_phrases_made():
    with running(queue_size=4) as service:
        declared = service.costs.rate("tone")
        finished(service.submit(request(sentences(6, "慢慢"))))
        # 慢 takes 0.05 s of the worker per syllable: ~100 times the tone engine's declared cost
        assert service.costs.rate("tone") > 20 * declared


def test_retry_after_of_a_full_queue_grows_with_the_work_queued():
    def retry_after(phrases: int) -> int:
        with running(queue_size=1) as service:
            finished(service.submit(request(sentences(4, "慢慢"))))   # learn the tone voice's real cost
            service.submit(request(sentences(phrases, "慢慢")))
            with pytest.raises(QueueFull) as refused:
                service.submit(request("还有一句。"))
            return refused.value.retry_after

    short, long = retry_after(4), retry_after(40)
    assert long >= 5 * short


def test_a_request_queued_behind_a_step_in_flight_is_told_it_waits_for_that_step(monkeypatch):
    model = ToneModel()
    with running(model, queue_size=3) as service:
        monkeypatch.setattr(service.costs, "line", lambda voice: (0.0, 10.0))   # 10 worker s per audio s
        held = service.submit(request("挂" + "说" * 20 + "。"))   # its first phrase holds the worker
        wait_until(lambda: held.status == "running")
        short = service.submit(request("好。"), keep=True)
        # the held phrase: 21 syllables ≈ 5.5 s of audio ≈ 55 worker s, less the few ms it has run
        assert service.expected_seconds(short) > service.costs.seconds("tone", 4.0)
        model.release.set()
        assert finished(held).status == "done" and finished(short).status == "done"


def test_a_cancelled_request_frees_its_slot_at_once_and_stops_within_a_phrase():
    model = ToneModel()
    with running(model, queue_size=1) as service:
        job = service.submit(request(sentences(10, "慢慢")))
        wait_until(lambda: len(job.audio) >= 1)
        job.cancel()
        calls = model.calls
        assert service.depth == 0
        next_one = service.submit(request("下一句。"))   # the slot is free before the work has stopped
        assert finished(next_one).status == "done"
        assert job.status == "cancelled" and model.calls - calls <= 2   # the phrase under way, this one


def test_deleting_a_job_stops_its_work_frees_its_slot_and_forgets_it():
    model = ToneModel()
    with running(model, queue_size=1) as service:
        job = service.submit(request(sentences(10, "慢慢")), keep=True)
        wait_until(lambda: len(job.audio) >= 1)
        calls = model.calls
        service.delete(job.id)
        assert service.depth == 0
        with pytest.raises(JobNotFound):
            service.jobs.get(job.id)
        finished(job)
        assert job.status == "cancelled" and model.calls - calls <= 1
        with pytest.raises(JobNotFound):
            service.delete(job.id)


def test_deleting_a_finished_job_drops_its_audio():
    with running(queue_size=1) as service:
        job = finished(service.submit(request("说完了。"), keep=True))
        held = service.jobs.bytes
        service.delete(job.id)
        assert held > 0 and service.jobs.bytes == 0


def test_a_queued_request_cancelled_before_its_turn_never_reaches_the_engine():
    model = ToneModel()
    with running(model, queue_size=3) as service:
        long = service.submit(request(sentences(6, "慢慢")))
        wait_until(lambda: len(long.audio) >= 1)
        doomed = service.submit(request("挂住了。"))   # would hang the worker if it ever ran
        doomed.cancel()
        finished(long)
        assert doomed.status == "cancelled" and long.status == "done" and service.healthy


def test_a_stalled_call_fails_every_request_in_turns_at_once_not_when_it_returns():
    model = ToneModel()
    with running(model, queue_size=3, step_timeout=0.5) as service:
        long = service.submit(request(sentences(10, "慢慢")))
        wait_until(lambda: len(long.audio) >= 1)
        stuck = service.submit(request("挂住了。"))   # shorter: it goes next, and hangs for a minute
        assert finished(stuck).status == "failed" and finished(long).status == "failed"
        assert long.error.code == "worker_stalled" and not model.release.is_set()
        model.release.set()
        wait_until(lambda: service.healthy)
        assert finished(service.submit(request("又好了。"))).status == "done"


def test_streams_the_worker_cannot_keep_in_real_time_get_no_priority():
    plan = schedule("shortest", sentences(2), sentences(12), sentences(12), stream=(False, True, True))
    plan.costs = CostModel(lambda voice: 0.6)   # two streams need 1.2 worker seconds per second
    _, first, second = plan.turns
    for stream in (first, second):
        stream.made(0, 0.0, plan.costs)
        stream.first_audio -= 5.0   # both about to run dry
    assert plan.pick() is first    # the older one can be kept in real time: it goes first
    first.first_audio += 60.0      # now far ahead: the other one cannot be kept in time on its own share
    assert plan.pick().job.request.text == sentences(2)


def test_a_request_kept_waiting_goes_before_a_stream_in_a_hurry():
    plan = schedule("round_robin", sentences(2), sentences(12), stream=(False, True))
    short, stream = plan.turns
    stream.made(0, 0.0, plan.costs)
    stream.first_audio -= 5.0
    assert plan.pick() is stream
    short.served -= STARVE_SECONDS
    assert plan.pick() is short


def audio_of(job: Job) -> None:
    from tts.web.responses import streamed_audio

    with pytest.raises(ClientGone):   # nobody is left to answer: logged as the client gone (499), not a 409
        streamed_audio(job)


def captioned_audio_of(job: Job) -> None:
    from tts.web.captions import captioned

    with pytest.raises(ClientGone):   # cancelled before any audio, by its client leaving
        captioned(job, "json")


@pytest.mark.parametrize("answer", [audio_of, captioned_audio_of], ids=["audio", "captioned"])
def test_a_stream_whose_client_hangs_up_before_its_first_turn_frees_its_slot_at_once(answer):
    """Captioned streams were not watched: their job waited for its turn, then ran for nobody."""
    import gevent
    from flask import Flask
    from gevent import socket

    from tts.web.responses import CLIENT_SOCKET

    model = ToneModel()
    ours, theirs = socket.socketpair()
    with running(model, queue_size=2) as service:
        busy = service.submit(request("挂住了。"))   # holds the worker until released
        wait_until(lambda: busy.status == "running")
        stream = service.submit(request("轮到我了。", stream=True))
        gevent.spawn_later(0.1, theirs.close)          # the client gives up while it waits for its turn

        def notice_then_release() -> int:
            wait_until(lambda: stream.cancelled)
            depth = service.depth   # while the worker is still held
            model.release.set()
            return depth

        with Flask(__name__).test_request_context(environ_base={CLIENT_SOCKET: ours}):
            waiting = gevent.spawn(notice_then_release)
            answer(stream)
        assert waiting.get(5) == 1 and stream.status == "cancelled" and stream.audio.samples == 0
        assert finished(busy).status == "done"
    ours.close()
