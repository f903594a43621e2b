"""Jobs and the job store: results kept until fetched or expired, never accepted without room."""

import gc
import os
import sys

import numpy as np
import pytest

from tts.audio import AudioChunk, dequantize, quantize
from tts.errors import AudioTooLong, Busy, DiskFull, JobExpired, JobNotFound, ResultLost, StoreFull, SynthesisFailed
from tts.request import SynthesisRequest
from tts.captions import Caption
from tts.service.audio_buffer import CAPTION_BYTES, MEMORY_BYTES, SPAN_BYTES, AudioBuffer
from tts.service import jobs
from tts.service.jobs import JOB_BYTES, Job, JobStore

REQUEST = SynthesisRequest(text="你好", voice="baker")
ONE_SECOND = 24000 * 2   # bytes of one second of 24 kHz int16
MEMORY = JOB_BYTES + sys.getsizeof(REQUEST.text)   # what a job of REQUEST holds in memory, counted in the store
KEPT_SECOND = ONE_SECOND + MEMORY + SPAN_BYTES   # what a finished job of one second (one chunk) counts


def finished_job(seconds_of_audio: float = 1.0, finished_at: float | None = None, reserved: int = 0) -> Job:
    job = Job(REQUEST, reserved)
    job.start()
    job.add(AudioChunk(np.full(int(24000 * seconds_of_audio), 0.25, np.float32), 24000, 0))
    job.finish()
    if finished_at is not None:
        job.finished = finished_at
    return job


def test_finished_jobs_expire_after_the_ttl():
    store = JobStore(ttl=60, max_bytes=10**9)
    old, fresh = finished_job(), finished_job()
    old.finished -= 61
    store.add(old)
    store.add(fresh)
    with pytest.raises(JobExpired):
        store.get(old.id)
    assert store.get(fresh.id) is fresh


def test_an_expired_job_is_410_saying_when_for_a_while_then_404_like_an_unknown_one(monkeypatch):
    """A client polling a job it was given learnt only "no job" (404, as for a mistyped id) when it came late."""
    store = JobStore(ttl=60, max_bytes=10**9)
    job = finished_job(finished_at=1_000_000.0)
    store.add(job)
    monkeypatch.setattr(jobs.time, "time", lambda: 1_000_000.0 + 61)
    with pytest.raises(JobExpired) as expired:
        store.get(job.id)
    assert expired.value.status == 410 and expired.value.field == "id"
    assert job.id in expired.value.message and "1970-01-12T13:47:40Z" in expired.value.message   # finished + TTL
    with pytest.raises(JobNotFound) as unknown:
        store.get("0" * 32)
    assert unknown.value.status == 404
    monkeypatch.setattr(jobs.time, "time", lambda: 1_000_000.0 + 60 + jobs.GONE_SECONDS + 1)
    with pytest.raises(JobNotFound):
        store.get(job.id)


def test_a_job_first_seen_expired_over_the_while_ago_is_404_not_410(monkeypatch):
    """A job the store first looked at long after its TTL was remembered as gone at finished + TTL, already older
    than GONE_SECONDS, and kept answering 410 (the head-only ageing in prune() never reached it)."""
    now = [1_000_000.0]
    monkeypatch.setattr(jobs.time, "time", lambda: now[0])
    store = JobStore(ttl=60, max_bytes=10**9)
    job = finished_job()
    store.add(job)
    now[0] += 60 + jobs.GONE_SECONDS + 100
    with pytest.raises(JobNotFound):
        store.get(job.id)


def test_a_deleted_job_is_404_not_410():
    store = JobStore(ttl=60, max_bytes=10**9)
    job = finished_job()
    store.add(job)
    store.remove(job)
    with pytest.raises(JobNotFound):
        store.get(job.id)


def test_the_ids_of_expired_jobs_are_bounded_in_number_and_memory(monkeypatch):
    import tracemalloc

    monkeypatch.setattr(jobs, "MAX_GONE", 1000)
    store = JobStore(ttl=60, max_bytes=10**12)
    made = [finished_job(0.001, finished_at=0.0) for _ in range(jobs.MAX_GONE + 10)]   # alive: not freed below
    for job in made:
        store._jobs[job.id] = job
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    store.prune()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert len(store._gone) == jobs.MAX_GONE and len(store) == 0
    per_id = held / jobs.MAX_GONE + sys.getsizeof(made[0].id)   # the id itself, once its job is gone
    assert per_id < 300   # MAX_GONE (10,000) of them stay within ~3 MB


def test_a_result_nobody_fetched_is_kept_and_a_new_job_waits_for_room():
    store = JobStore(ttl=600, max_bytes=2 * KEPT_SECOND)
    kept = [finished_job(), finished_job()]
    for job in kept:
        store.add(job)
    with pytest.raises(StoreFull) as refused:
        store.admit(Job(REQUEST, ONE_SECOND))
    assert refused.value.status == 503 and 1 <= refused.value.retry_after <= 601
    assert all(store.get(job.id) is job for job in kept)


def test_fetched_results_make_room_oldest_first_and_a_dropped_one_is_410_saying_so():
    store = JobStore(ttl=600, max_bytes=2 * KEPT_SECOND)
    first, second = finished_job(), finished_job()
    for job in (first, second):
        store.add(job)
        job.fetched = True
    store.admit(Job(REQUEST, ONE_SECOND))
    with pytest.raises(JobExpired, match="fetched"):
        store.get(first.id)
    assert store.get(second.id) is second


def test_a_job_whose_result_could_never_fit_is_refused_with_422():
    store = JobStore(ttl=600, max_bytes=KEPT_SECOND)
    with pytest.raises(AudioTooLong) as refused:
        store.admit(Job(REQUEST, 2 * ONE_SECOND))
    assert refused.value.status == 422 and refused.value.field == "text" and len(store) == 0


def test_a_running_job_holds_its_reservation_and_a_finished_one_its_audio():
    job = Job(REQUEST, 10 * ONE_SECOND)
    assert job.held_bytes == 10 * ONE_SECOND + MEMORY
    job.start()
    job.add(AudioChunk(np.zeros(24000, np.float32), 24000, 0))
    assert job.held_bytes == 10 * ONE_SECOND + MEMORY + SPAN_BYTES
    job.finish()
    assert job.held_bytes == KEPT_SECOND


def test_a_kept_jobs_text_and_captions_count_in_the_store_though_it_made_no_audio():
    """Only audio counted: results with (next to) no audio, each holding up to 20 KB of text in memory (and
    its captions), piled up uncounted until their TTL passed, whatever TTS_JOB_STORE_MB said."""
    long = SynthesisRequest(text="，" * 5000, voice="baker")   # nothing a voice reads: no audio at all
    store = JobStore(ttl=600, max_bytes=1 << 20)
    admitted = 0
    with pytest.raises(StoreFull):
        while admitted < 1000:
            job = Job(long)
            store.admit(job)
            job.finish()
            admitted += 1
    assert 0 < admitted < (1 << 20) // sys.getsizeof(long.text)
    job = Job(REQUEST)
    job.add(AudioChunk(np.zeros(2400, np.float32), 24000, 0, captions=(Caption("你", 0, 0.05), Caption("好", 0.05, 0.1))))
    job.finish()
    assert job.held_bytes == MEMORY + 2400 * 2 + SPAN_BYTES + 2 * CAPTION_BYTES


def test_unfinished_jobs_are_never_evicted():
    store = JobStore(ttl=1, max_bytes=1)
    waiting = Job(REQUEST)
    store.add(waiting)
    store.add(finished_job(finished_at=0.0))
    assert store.get(waiting.id) is waiting


def test_following_a_failed_job_raises_its_error():
    job = Job(REQUEST)
    job.finish(SynthesisFailed("boom"))
    with pytest.raises(SynthesisFailed):
        list(job.follow())
    assert job.status == "failed"


def test_a_follower_reads_the_leaders_audio_from_the_first_chunk():
    leader, follower = Job(REQUEST), Job(REQUEST)
    leader.start()
    leader.add(AudioChunk(np.full(100, 0.5, np.float32), 24000, 0))
    leader.lead(follower)
    leader.add(AudioChunk(np.full(50, -0.5, np.float32), 24000, 1))
    leader.finish()
    assert follower.status == "done"
    assert [len(chunk.samples) for chunk in follower.follow()] == [100, 50]


def test_audio_round_trips_bit_identically_through_the_buffer():
    steps = np.random.default_rng(1).integers(-32767, 32767, 5000).astype("<i2")
    buffer = AudioBuffer()
    buffer.append(AudioChunk(dequantize(steps[:3000]), 24000, 0))
    buffer.append(AudioChunk(dequantize(steps[3000:]), 24000, 1))
    assert np.array_equal(np.concatenate(list(buffer.blocks())), steps)
    assert np.array_equal(buffer.chunk(1).samples, dequantize(steps[3000:]))
    assert buffer.chunk(1).phrase == 1 and buffer.nbytes == 10_000


def test_a_long_result_moves_to_disk_past_the_memory_bound():
    buffer = AudioBuffer()
    buffer.append(AudioChunk(np.zeros(MEMORY_BYTES // 4, np.float32), 24000, 0))
    assert not buffer._file._rolled
    buffer.append(AudioChunk(np.zeros(MEMORY_BYTES, np.float32), 24000, 0))
    assert buffer._file._rolled and buffer.nbytes == MEMORY_BYTES // 2 + MEMORY_BYTES * 2


def test_a_kept_result_is_written_to_its_own_file_from_the_first_chunk_and_finishing_it_copies_nothing():
    """Finishing a kept result copied it file to file on the gevent hub (~86 MB for the longest result):
    every stream and health probe waited for it, and the disk briefly held it twice."""
    store = JobStore(ttl=600, max_bytes=10**9)
    job = Job(REQUEST)
    store.add(job)
    job.start()
    job.add(AudioChunk(np.full(3 * MEMORY_BYTES, 0.25, np.float32), 24000, 0))   # 6 MB, past the memory bound
    written = os.fstat(job.audio._file.fileno()).st_ino
    job.finish()
    store.updated(job)
    assert job.audio._file.closed and os.stat(job.audio._kept).st_ino == written
    assert os.path.getsize(job.audio._kept) == 6 * MEMORY_BYTES
    assert np.allclose(job.audio.chunk(0).samples, 0.25, atol=1e-4)


def test_a_buffer_whose_write_failed_gives_its_file_back_at_once(monkeypatch):
    """What a failed write left was never read again, but held its disk until a garbage collection: on a full
    temporary disk, every result after the first that failed failed too."""
    import tempfile

    files = []

    def full_disk(*args, **kwargs):   # writes to /dev/full fail with ENOSPC, as on a full disk
        files.append(open("/dev/full", "w+b"))
        return files[-1]
    monkeypatch.setattr(tempfile, "TemporaryFile", full_disk)   # where SpooledTemporaryFile rolls over to
    buffer = AudioBuffer()
    with pytest.raises(DiskFull):
        buffer.append(AudioChunk(np.zeros(MEMORY_BYTES, np.float32), 24000, 0))   # past the memory bound
    assert files and files[-1].closed   # the buffer itself is still here
    with pytest.raises(DiskFull):
        buffer.read(0, 10)


def open_descriptors() -> int:
    return len(os.listdir("/proc/self/fd"))


def test_kept_results_nobody_fetches_hold_no_descriptor_each():
    """Each held an open temporary file: ~1,000 unfetched async jobs took a 1,024-descriptor limit, and the
    server accepted no connection (health probes included) until they expired."""
    store = JobStore(ttl=600, max_bytes=10**9)
    before = open_descriptors()
    jobs = [finished_job(0.1) for _ in range(300)]
    for job in jobs:
        store.add(job)   # finished: kept on disk
    assert open_descriptors() - before < 10
    assert all(np.allclose(job.samples()[0], 0.25, atol=1e-4) for job in jobs[::50])
    assert open_descriptors() - before < 10


def test_a_kept_results_file_goes_with_its_job():
    store = JobStore(ttl=600, max_bytes=10**9)
    job = finished_job(0.1)
    store.add(job)
    kept = job.audio._kept
    assert os.path.exists(kept)
    store.remove(job)
    del job
    gc.collect()
    assert not os.path.exists(kept)


def test_an_async_job_the_results_directory_cannot_take_a_file_for_is_refused_with_503_disk_full(monkeypatch):
    import tempfile

    store = JobStore(60, 1 << 24)

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(tempfile, "mkstemp", full)   # where a kept result goes
    with pytest.raises(DiskFull, match="No space left on device"):
        store.admit(Job(REQUEST))
    assert len(store) == 0


def test_a_kept_follower_of_an_unkept_result_the_disk_cannot_take_fails_and_frees_its_memory(monkeypatch):
    """The temporary directory full when a finished result an async job followed (singleflight) is copied
    to a file of its own (tts.service.audio_buffer)."""
    import tempfile

    store = JobStore(60, 1 << 24)
    leader, follower = (Job(SynthesisRequest(text="你好。", voice="baker")) for _ in range(2))
    store.admit(follower)
    leader.lead(follower)   # a sync leader: its audio is not kept
    leader.add(AudioChunk(np.zeros(24000, np.float32), 24000, 0))

    def full(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(tempfile, "mkstemp", full)
    leader.finish()
    store.updated(follower)
    assert follower.status == "failed" and follower.error.code == "disk_full" and follower.error.retry_after >= 1
    assert "No space left on device" in follower.error.message and follower.audio.nbytes == 0


def test_a_kept_follower_of_an_unkept_long_result_gets_a_whole_copy_of_it():
    store = JobStore(60, 1 << 26)
    leader, follower = Job(REQUEST), Job(REQUEST)
    store.admit(follower)
    leader.lead(follower)
    steps = quantize(np.linspace(-1, 1, 3 * MEMORY_BYTES // 2, dtype=np.float32))   # past the memory bound
    leader.add(AudioChunk(dequantize(steps), 24000, 0))
    leader.finish()
    store.updated(follower)
    assert follower.audio._kept is not None and np.array_equal(np.concatenate(list(follower.audio.blocks())), steps)


def test_a_kept_result_the_server_cannot_open_for_now_is_a_503_to_retry_soon_and_is_not_lost():
    """EMFILE (the descriptor limit, which the server survives at accept) marked the result lost for ever, as
    "disk full", although its file was intact."""
    import resource

    job = finished_job(0.1)
    JobStore(60, 1 << 24).add(job)
    job.audio.to_disk()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    spare = []
    try:
        resource.setrlimit(resource.RLIMIT_NOFILE, (open_descriptors() + 8, hard))
        with pytest.raises(OSError):
            while True:
                spare.append(open("/dev/null"))
        with pytest.raises(Busy) as refused:
            job.audio.read(0, 10)
        assert refused.value.status == 503 and refused.value.retry_after == 1 and refused.value.code == "unavailable"
    finally:
        for file in spare:
            file.close()
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
    assert np.allclose(job.samples()[0], 0.25, atol=1e-4)


def test_a_kept_result_whose_file_is_gone_says_so():
    job = finished_job(0.1)
    JobStore(60, 1 << 24).add(job)
    job.audio.to_disk()
    os.unlink(job.audio._kept)
    for _ in range(2):
        with pytest.raises(ResultLost, match="file is gone") as lost:
            job.audio.read(0, 10)
        assert lost.value.status == 410


def test_a_kept_job_whose_file_is_gone_reads_as_failed_said_once(caplog):
    """It read as done, its audio a 500 at every fetch, for as long as it was kept."""
    store = JobStore(60, 1 << 24)
    job = finished_job(0.1)
    store.add(job)
    os.unlink(job.audio._kept)
    for _ in range(3):
        again = store.get(job.id)
        store.keep_shared()
        store.prune()
    assert again is job and job.status == "failed" and job.error.code == "result_lost" and job.error.status == 410
    assert job.held_bytes < JOB_BYTES + 1024   # its audio's count went with it
    assert [r.levelname for r in caplog.records if job.id in r.getMessage()] == ["WARNING"]


def test_a_result_a_down_shared_store_missed_is_uncollected_until_fetched():
    """Redis down: the drain at SIGTERM waited for no fetch of it (the shared store "keeps its own"), and the
    result went with the process, unseen by anyone."""
    from live import free_port
    from tts.service.redis_store import RedisGuard, RedisJobs, connect

    nowhere = RedisJobs(RedisGuard(connect(f"redis://127.0.0.1:{free_port()}/0", 100)), 600)   # nothing listens
    store = JobStore(ttl=600, max_bytes=10**9, shared=nowhere)
    job = finished_job()
    store.add(job)
    assert store.uncollected() == [job]
    job.fetched = True
    assert store.uncollected() == []


def kept() -> Job:
    job = finished_job(0.1)
    JobStore(60, 1 << 24).add(job)
    job.audio.to_disk()
    return job


def test_the_results_directory_is_named_with_the_pid_and_ones_of_dead_servers_are_swept(tmp_path, monkeypatch):
    """A server killed (OOM, docker kill) left its directory of results behind; in a container restarted in place,
    one per restart, until /tmp filled and every async job failed disk_full."""
    import subprocess
    import tempfile

    from tts.service import audio_buffer

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(audio_buffer, "_results_dir", None)
    monkeypatch.setattr(audio_buffer, "_swept", False)   # a process that has not swept yet
    gone = subprocess.Popen(["true"])
    gone.wait()
    left = [tmp_path / f"tts-results-{gone.pid}-abc", tmp_path / f"tts-results-{os.getpid()}-old"]
    alive = tmp_path / f"tts-results-{os.getppid()}-xyz"   # a live server's
    for directory in (*left, alive):
        directory.mkdir()
        (directory / "r.s16").write_bytes(b"\0" * 10)
    job = kept()
    assert os.path.basename(os.path.dirname(job.audio._kept)).startswith(f"tts-results-{os.getpid()}-")
    assert not any(directory.exists() for directory in left) and alive.exists()
    audio_buffer.remove_results()
    assert not os.path.exists(os.path.dirname(job.audio._kept))


def test_a_results_directory_something_removed_is_made_again(tmp_path, monkeypatch):
    """systemd-tmpfiles ages an idle /tmp: every later async job failed disk_full until a restart."""
    import shutil
    import tempfile

    from tts.service import audio_buffer

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(audio_buffer, "_results_dir", None)
    first = os.path.dirname(kept().audio._kept)
    shutil.rmtree(first)
    again = kept()
    assert os.path.dirname(again.audio._kept) != first and np.allclose(again.samples()[0], 0.25, atol=1e-4)
    audio_buffer.remove_results()


def test_the_temporary_directory_is_listed_once_per_process_for_stale_results(tmp_path, monkeypatch):
    """`serve` swept it at start, and the first results directory swept it again: two listings of a /tmp
    that may hold thousands of entries, the second on the hub in the middle of an async request."""
    import tempfile

    from tts.service import audio_buffer

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(audio_buffer, "_results_dir", None)
    monkeypatch.setattr(audio_buffer, "_swept", False)
    listed = []
    real_listdir = os.listdir
    monkeypatch.setattr(audio_buffer.os, "listdir", lambda path: listed.append(path) or real_listdir(path))
    audio_buffer.sweep_stale_results()   # as `serve` does at start
    kept()
    kept()
    assert listed == [str(tmp_path)]
    audio_buffer.remove_results()
