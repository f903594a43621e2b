"""The job store keeps finished jobs for a while and within a byte budget."""

import numpy as np
import pytest

from tts.audio import AudioChunk
from tts.errors import JobNotFound
from tts.request import SynthesisRequest
from tts.service.jobs import JobStore, Job

REQUEST = SynthesisRequest(text="你好", voice="baker")


def finished_job(seconds_of_audio: float = 1.0, finished_at: float | None = None) -> Job:
    job = Job(REQUEST)
    job.start()
    job.add(AudioChunk(np.zeros(int(24000 * seconds_of_audio), np.float32), 24000, 0))
    job.finish()
    if finished_at is not None:
        job.finished = finished_at
    return job


def test_finished_jobs_expire_after_the_ttl():
    store = JobStore(ttl=60, max_bytes=10**9)
    old, fresh = finished_job(finished_at=0.0), finished_job()
    store.add(old)
    store.add(fresh)
    with pytest.raises(JobNotFound):
        store.get(old.id)
    assert store.get(fresh.id) is fresh


def test_oldest_finished_jobs_go_first_when_over_the_byte_budget():
    one_second = 24000 * 4
    store = JobStore(ttl=600, max_bytes=2 * one_second)
    jobs = [finished_job() for _ in range(3)]
    for job in jobs:
        store.add(job)
    assert len(store) == 2 and store.bytes <= 2 * one_second
    with pytest.raises(JobNotFound):
        store.get(jobs[0].id)


def test_unfinished_jobs_are_never_evicted():
    store = JobStore(ttl=1, max_bytes=1)
    waiting = Job(REQUEST)
    store.add(waiting)
    store.add(finished_job())
    assert store.get(waiting.id) is waiting


def test_following_a_failed_job_raises_its_error():
    from tts.errors import SynthesisFailed
    job = Job(REQUEST)
    job.finish(SynthesisFailed("boom"))
    with pytest.raises(SynthesisFailed):
        job.wait()
    assert job.status == "failed"
