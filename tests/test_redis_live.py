"""Replicas sharing one real Redis: sentences and async jobs travel between them, keys expire,
an outage degrades to local work, and Redis is only ever used from the gevent hub."""

from __future__ import annotations

import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import gevent
import numpy as np
import pytest
import redis
import requests

from live import LiveServer
from tts.config import Settings
from tts.errors import JobNotFound
from tts.web import create_app

pytestmark = [pytest.mark.live, pytest.mark.redis]

CACHE_TTL = 3
JOB_TTL = 60


def post(server, body):
    return requests.post(f"{server.url}/tts", json=body, timeout=120)


def metric(server, name: str) -> float:
    body = requests.get(f"{server.url}/metrics", timeout=5).text
    match = re.search(rf"^{re.escape(name)} (\S+)$", body, re.M)
    return float(match.group(1))


def finished_job(server, link: str) -> dict:
    deadline = time.monotonic() + 60
    while (status := requests.get(server.url + link, timeout=5).json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        time.sleep(0.05)
    return status


@pytest.fixture(scope="module")
def replicas(shared_redis):
    env = {"TTS_REDIS_URL": shared_redis.url, "TTS_CACHE_MB": "16", "TTS_SINGLEFLIGHT": "1",
           "TTS_CACHE_TTL_SECONDS": str(CACHE_TTL), "TTS_JOB_TTL_SECONDS": str(JOB_TTL)}
    servers = [LiveServer(**env), LiveServer(**env)]
    try:
        for server in servers:
            server.wait_ready()
        yield servers
    finally:
        for server in servers:
            server.stop()


def test_a_sentence_made_on_one_replica_is_a_hit_on_the_other(replicas):
    a, b = replicas
    body = {"text": "您好，欢迎致电客户服务中心。"}
    made, reused = post(a, body), post(b, body)
    assert (made.headers["X-Cache"], reused.headers["X-Cache"]) == ("miss", "hit")
    assert reused.content == made.content


def test_a_job_made_on_one_replica_is_answered_by_the_other(replicas):
    a, b = replicas
    job = post(a, {"text": "您的验证码是三八六五，五分钟内有效。", "async": True}).json()
    status = finished_job(b, job["links"]["self"])
    assert status["id"] == job["id"] and status["status"] == "done" and status["audio_seconds"] > 1
    from_b = requests.get(b.url + job["links"]["audio"], timeout=10)
    assert from_b.status_code == 200
    assert from_b.content == requests.get(a.url + job["links"]["audio"], timeout=10).content
    captions = requests.get(b.url + job["links"]["self"] + "/captions?format=srt", timeout=10)   # kept with it
    assert captions.status_code == 200
    assert captions.text == requests.get(a.url + job["links"]["self"] + "/captions?format=srt", timeout=10).text
    assert captions.text.startswith("1\n00:00:00,")


def test_shared_keys_carry_their_ttls_and_expire(replicas, shared_redis):
    a, b = replicas
    body = {"text": "本次列车的终点站是北京南站。"}
    post(a, body)
    ttls = [shared_redis.client.ttl(key) for key in shared_redis.client.keys("tts:phrase:*")]
    assert ttls and all(0 < ttl <= CACHE_TTL for ttl in ttls)
    jobs = shared_redis.client.keys("tts:job:*")
    assert jobs and all(0 < shared_redis.client.ttl(key) <= JOB_TTL for key in jobs)
    time.sleep(CACHE_TTL + 0.5)
    assert post(b, body).headers["X-Cache"] == "miss"


def test_identical_concurrent_requests_are_synthesized_once(replicas):
    a, _ = replicas
    body = {"text": "各位乘客请注意，前方到站是人民广场站，请从左侧车门下车，换乘一号线和八号线的乘客请做好准备。"
                    "下车时请注意列车与站台之间的空隙，照顾好身边的老人和孩子，谢谢合作。"}
    joins, done = metric(a, "tts_singleflight_joins_total"), metric(a, 'tts_jobs_total{outcome="done"}')
    with ThreadPoolExecutor(4) as pool:
        responses = list(pool.map(lambda _: post(a, body), range(4)))
    assert [r.status_code for r in responses] == [200] * 4 and len({r.content for r in responses}) == 1
    assert metric(a, "tts_singleflight_joins_total") - joins == 3
    assert metric(a, 'tts_jobs_total{outcome="done"}') - done == 1


def test_a_redis_outage_degrades_to_local_work_not_errors(redis_server):
    server = LiveServer(TTS_REDIS_URL=redis_server.url, TTS_CACHE_MB="16", TTS_REDIS_TIMEOUT_MS="200",
                        TTS_DRAIN_SECONDS="2")   # its kept result, never fetched, is only here: not waited for long
    try:
        server.wait_ready()
        assert post(server, {"text": "停电前的一句话。"}).status_code == 200
        redis_server.stop()
        body = {"text": "停电后的一句话。"}
        first, again = post(server, body), post(server, body)
        assert (first.status_code, again.status_code) == (200, 200)
        assert again.headers["X-Cache"] == "hit"    # the in-process cache stands in
        job = post(server, {"text": "停电后的任务。", "async": True}).json()
        assert finished_job(server, job["links"]["self"])["status"] == "done"
        assert metric(server, "tts_redis_errors_total") >= 1
    finally:
        server.stop()


def test_a_job_that_finished_while_redis_was_down_is_published_once_it_is_back(redis_server):
    """Its states were never written to Redis: another replica knew nothing of it (or, had Redis kept its data, read
    it as queued, then failed) for as long as this one kept its result; only unfinished jobs were written again."""
    server = LiveServer(TTS_REDIS_URL=redis_server.url, TTS_CACHE_MB="0", TTS_KOKORO="0", TTS_REDIS_TIMEOUT_MS="200")
    try:
        server.wait_ready()
        redis_server.stop()
        job = post(server, {"text": "停电时排队的任务。", "async": True}).json()
        assert finished_job(server, job["links"]["self"])["status"] == "done"   # here: kept in this process
        redis_server.restart()
        deadline = time.monotonic() + 60   # the keeper's rounds and the pause before Redis is tried again
        while (elsewhere := kept_jobs(redis_server).load(job["id"])) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert elsewhere is not None and elsewhere.status == "done"   # what another replica reads
        here = requests.get(server.url + job["links"]["audio"], timeout=30)
        assert here.status_code == 200 and elsewhere.audio.samples == (len(here.content) - 44) // 2
    finally:
        server.stop()


def test_jobs_published_before_redis_came_back_empty_are_published_again(redis_server):
    """A Redis without snapshots restarted (its OOM kill, a redeploy): the jobs written before it were gone, and only
    jobs whose own save had failed were written again, so the other replicas answered 404 for the rest."""
    server = LiveServer(TTS_REDIS_URL=redis_server.url, TTS_CACHE_MB="0", TTS_KOKORO="0", TTS_REDIS_TIMEOUT_MS="200")
    try:
        server.wait_ready()
        job = post(server, {"text": "重启之前发布的任务。", "async": True}).json()
        assert finished_job(server, job["links"]["self"])["status"] == "done"
        deadline = time.monotonic() + 30
        while (published := kept_jobs(redis_server).load(job["id"])) is None or published.status != "done":
            assert time.monotonic() < deadline, "the finished job never reached Redis"
            time.sleep(0.1)
        redis_server.stop()
        redis_server.restart()
        assert kept_jobs(redis_server).load(job["id"]) is None   # gone with the old Redis
        deadline = time.monotonic() + 60   # the keeper's rounds and the pause before Redis is tried again
        while (elsewhere := kept_jobs(redis_server).load(job["id"])) is None and time.monotonic() < deadline:
            time.sleep(0.2)
        assert elsewhere is not None and elsewhere.status == "done"
    finally:
        server.stop()


def test_redis_is_used_only_from_the_hub_never_from_the_worker_thread(synthesizer, redis_server, monkeypatch):
    callers = set()
    send = redis.connection.AbstractConnection.send_packed_command

    def recording(self, *args, **kwargs):
        callers.add(threading.get_ident())
        return send(self, *args, **kwargs)

    monkeypatch.setattr(redis.connection.AbstractConnection, "send_packed_command", recording)
    app = create_app(Settings(redis_url=redis_server.url, cache_mb=8), synthesizer=synthesizer)
    assert app.extensions["tts.service"].wait_ready(60)
    client = app.test_client()
    for _ in range(2):
        assert client.post("/tts", json={"text": "线程检查。"}).status_code == 200
    job = client.post("/tts", json={"text": "线程检查。", "async": True}).get_json()
    while client.get(job["links"]["self"]).get_json()["status"] != "done":
        gevent.sleep(0.02)
    assert callers == {threading.get_ident()}


def kept_jobs(redis_server):
    from tts.service.redis_store import RedisGuard, RedisJobs, connect

    return RedisJobs(RedisGuard(connect(redis_server.url, 500)), JOB_TTL)


def test_an_unfinished_job_whose_server_stopped_reads_as_failed_not_queued_for_ever(redis_server):
    from tts.request import SynthesisRequest
    from tts.service.jobs import Job

    jobs = kept_jobs(redis_server)
    job = Job(SynthesisRequest(text="没做完的任务。", voice="baker"))
    jobs.save(job)
    assert jobs.load(job.id).status == "queued"          # its server renews the lease while it lives
    redis_server.client.hset(f"tts:job:{job.id}", "lease", repr(time.time() - 1))   # ... and then stopped
    gone = jobs.load(job.id)
    assert gone.status == "failed" and "stopped before finishing" in gone.error.message


def test_a_deleted_job_is_gone_from_the_shared_store_audio_and_all(redis_server):
    from tts.audio import AudioChunk
    from tts.request import SynthesisRequest
    from tts.service.jobs import Job, JobStore

    store = JobStore(JOB_TTL, 1 << 24, kept_jobs(redis_server))
    job = Job(SynthesisRequest(text="删掉的任务。", voice="baker"))
    store.admit(job)
    job.add(AudioChunk(np.zeros(2400, np.float32), 24000, 0))
    job.finish()
    store.updated(job)
    assert redis_server.client.exists(f"tts:job:{job.id}", f"tts:job:{job.id}:audio") == 2
    store.remove(job)
    assert redis_server.client.exists(f"tts:job:{job.id}", f"tts:job:{job.id}:audio") == 0
    with pytest.raises(JobNotFound):
        store.get(job.id)


def test_a_lone_surrogate_in_a_kept_job_round_trips(redis_server):
    from tts.request import SynthesisRequest
    from tts.service.jobs import Job

    jobs = kept_jobs(redis_server)
    job = Job(SynthesisRequest(text="坏\ud800字", voice="baker"))
    jobs.save(job)
    assert jobs.load(job.id).request.text == "坏\ud800字"


def test_a_corrupt_job_record_is_not_found_counted_and_survived(synthesizer, redis_server):
    app = create_app(Settings(redis_url=redis_server.url, cache_mb=0), synthesizer=synthesizer)
    assert app.extensions["tts.service"].wait_ready(60)
    client = app.test_client()
    redis_server.client.hset("tts:job:corrupt", mapping={"status": "done", "request": "not json"})
    response = client.get("/tts/jobs/corrupt")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "job_not_found"
    assert "tts_redis_errors_total 1.0" in client.get("/metrics").get_data(as_text=True)
    assert client.post("/tts", json={"text": "然后照常。"}).status_code == 200


def test_a_result_redis_could_not_take_whole_is_not_served_short_by_another_replica(redis_server):
    """Redis filled up (maxmemory) halfway through a result's audio: the record said done, and the
    other replica served the first part as the whole result."""
    from tts.audio import AudioChunk
    from tts.request import SynthesisRequest
    from tts.service.jobs import Job, JobStore

    store = JobStore(JOB_TTL, 1 << 26, kept_jobs(redis_server))
    job = Job(SynthesisRequest(text="很长的结果。", voice="baker"))
    store.admit(job)
    for _ in range(20):   # 20 × 0.1 MB of samples: 2 MB in all
        job.add(AudioChunk(np.full(50_000, 0.25, np.float32), 24000, 0))
    used = int(redis_server.client.info("memory")["used_memory"])
    redis_server.client.config_set("maxmemory", used + 1_000_000)   # room for half of it
    redis_server.client.config_set("maxmemory-policy", "noeviction")
    job.finish()
    store.updated(job)
    redis_server.client.config_set("maxmemory", 0)
    elsewhere = kept_jobs(redis_server).load(job.id)   # the other replica
    assert elsewhere.status != "done"   # the record was not updated: its lease will say its server is gone
    kept_jobs(redis_server).save(job)   # room again: written whole
    assert kept_jobs(redis_server).load(job.id).audio.samples == job.audio.samples
    redis_server.client.delete(f"tts:job:{job.id}:audio")   # evicted (an allkeys-* maxmemory policy)
    evicted = kept_jobs(redis_server).load(job.id)
    assert evicted.status == "failed" and evicted.audio.samples == 0
    assert "did not reach the shared store whole" in evicted.error.message


@pytest.mark.parametrize("running", [False, True], ids=["queued", "running"])
def test_another_replicas_unfinished_job_has_no_place_here_rather_than_a_false_one(synthesizer, redis_server, running):
    """Before, a job queued on another replica read `position` 0 ("started") and `expected_seconds` 0.0 here;
    then one running there read `position` 0 beside `expected_seconds` null."""
    from tts.request import SynthesisRequest
    from tts.service.jobs import Job
    from tts.web import shutdown

    elsewhere = Job(SynthesisRequest(text="别处排队的任务。", voice="baker"))
    if running:
        elsewhere.start()
    kept_jobs(redis_server).save(elsewhere)
    app = create_app(Settings(redis_url=redis_server.url), synthesizer=synthesizer)
    try:
        assert app.extensions["tts.service"].wait_ready(60)
        status = app.test_client().get(f"/tts/jobs/{elsewhere.id}").get_json()
    finally:
        shutdown(app)
    assert status["status"] == ("running" if running else "queued")
    assert status["position"] is None and status["expected_seconds"] is None


def kept_finished(store, text: str):
    from tts.audio import AudioChunk
    from tts.request import SynthesisRequest
    from tts.service.jobs import Job

    job = Job(SynthesisRequest(text=text, voice="baker"))
    store.admit(job)
    job.add(AudioChunk(np.full(2400, 0.25, np.float32), 24000, 0))
    job.finish()
    store.updated(job)
    return job


def test_a_kept_result_whose_file_went_while_redis_missed_it_fails_once_not_every_round(redis_server, caplog):
    """Redis was down when it finished, then /tmp aging took its file: the keeper's every round (5 s) logged a
    traceback trying to publish it, for its whole TTL, and every fetch of it was a 500."""
    import os

    from tts.service.jobs import JobStore

    shared = kept_jobs(redis_server)
    store = JobStore(JOB_TTL, 1 << 24, shared)
    redis_server.stop()
    job = kept_finished(store, "停电时丢了文件。")
    os.unlink(job.audio._kept)
    redis_server.restart()
    for _ in range(3):   # keeper rounds, Redis tried at once each time
        shared._guard._down_until = 0.0
        store.keep_shared()
    lines = [r for r in caplog.records if job.id in r.getMessage()]
    assert len(lines) == 1 and not any(r.exc_info for r in caplog.records)
    here, elsewhere = store.get(job.id), kept_jobs(redis_server).load(job.id)
    assert here.status == elsewhere.status == "failed"
    assert here.error.code == elsewhere.error.code == "result_lost" and elsewhere.error.status == 410


def test_a_kept_result_whose_file_went_is_answered_from_redis_when_it_holds_it_whole(redis_server):
    import os

    from tts.service.jobs import JobStore

    store = JobStore(JOB_TTL, 1 << 24, kept_jobs(redis_server))
    job = kept_finished(store, "文件没了，Redis还有。")
    os.unlink(job.audio._kept)
    again = store.get(job.id)
    assert again is not job and again.status == "done" and np.allclose(again.samples()[0], 0.25, atol=1e-4)


def test_a_job_expired_in_redis_is_410_on_every_replica_and_a_deleted_one_404(redis_server):
    """A replica that never held the job learnt "no job" (404) once Redis dropped it."""
    from tts.errors import JobExpired
    from tts.service.jobs import JobStore

    here = JobStore(JOB_TTL, 1 << 24, kept_jobs(redis_server))
    elsewhere = JobStore(JOB_TTL, 1 << 24, kept_jobs(redis_server))
    expired, deleted = kept_finished(here, "过期的任务。"), kept_finished(here, "删掉的任务。")
    assert 0 < redis_server.client.ttl(f"tts:gone:{expired.id}") - JOB_TTL <= 3600
    redis_server.client.delete(f"tts:job:{expired.id}", f"tts:job:{expired.id}:audio")   # as its TTL does
    with pytest.raises(JobExpired, match=expired.id) as gone:
        elsewhere.get(expired.id)
    assert gone.value.status == 410 and re.search(r"expired at \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", gone.value.message)
    here.remove(deleted)
    with pytest.raises(JobNotFound):
        elsewhere.get(deleted.id)
