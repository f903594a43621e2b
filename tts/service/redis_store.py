"""Redis as the replicas' shared memory: the sentence cache and the async jobs, with TTLs.

Every call goes through one guard: when Redis fails (down, slow past the timeout) the
caller gets its fallback answer at once (the local cache, or nothing), a warning is logged
once per outage, a metric counts the error, and Redis is tried again after a short pause.
Any other exception on the way (a value that cannot be encoded, a bug) is logged with its
traceback, counted, and answered with the fallback too. Neither fails a request.

An unfinished job carries a lease that its server renews every few seconds; a job read
back whose lease ran out belongs to a server that stopped (crashed, or was killed before
it could drain) and is reported failed, never "queued" for ever. A finished job's audio is
written before its record says so, and the record counts its samples: audio that did not
reach Redis whole (it filled up mid-write, or evicted the key) reads as failed, never as a
short result passing for the whole.

All Redis I/O happens on the gevent hub (request greenlets and the service's dispatcher),
never on the worker thread: under monkey-patching a socket belongs to the hub of the
thread that made it, and pooled connections would otherwise cross threads.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, astuple
from typing import Callable, TypeVar

import numpy as np
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tts.audio import AudioChunk, dequantize
from tts.captions import Caption
from tts.errors import SynthesisFailed, TTSError
from tts.request import SynthesisRequest
from tts.service.audio_buffer import BLOCK_SAMPLES
from tts.service.cache import MemoryCache
from tts.service.jobs import DONE, FAILED, FINISHED, GONE_SECONDS, Job

log = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "tts:"
RETRY_SECONDS = 5.0    # after a failure, Redis is left alone this long
LEASE_SECONDS = 30.0   # an unfinished job's server renews its lease every few seconds (service.KEEPER_SECONDS)


def connect(url: str, timeout_ms: int) -> redis.Redis:
    """A client that gives up fast: one retry (a stale pooled connection), no backoff."""
    seconds = timeout_ms / 1000
    return redis.Redis.from_url(url, socket_timeout=seconds, socket_connect_timeout=seconds,
                                retry=Retry(NoBackoff(), 1))


class RedisGuard:
    """Runs Redis calls; on failure answers with the fallback and keeps away for a while."""

    def __init__(self, client: redis.Redis) -> None:
        self.client = client
        self.errors = 0          # failed calls, for the metrics
        self.comebacks = 0       # outages it came back from (what was written before may be gone)
        self._failing = False
        self._down_until = 0.0

    def run(self, call: Callable[[redis.Redis], T], fallback: Callable[[], T]) -> T:
        if time.monotonic() < self._down_until:
            return fallback()
        try:
            result = call(self.client)
        except (redis.RedisError, OSError) as error:
            if not self._failing:
                log.warning("Redis failed (%s); carrying on without it, retrying every %.0f s", error, RETRY_SECONDS)
            self._failing = True
            self.errors += 1
            self._down_until = time.monotonic() + RETRY_SECONDS
            return fallback()
        except Exception:   # not an outage: a value Redis could not take, or a bug; never the caller's failure
            log.exception("a Redis call failed")
            self.errors += 1
            return fallback()
        if self._failing:
            log.warning("Redis is back")
            self._failing = False
            self.comebacks += 1
        return result


class RedisCache:
    """Phrase audio in Redis with a TTL; while Redis is down, the local cache stands in."""

    def __init__(self, guard: RedisGuard, ttl_seconds: int, fallback: MemoryCache) -> None:
        self._guard = guard
        self._ttl = ttl_seconds
        self._fallback = fallback

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        def fetch(client: redis.Redis) -> dict[str, bytes]:
            values = client.mget([PREFIX + "phrase:" + k for k in keys]) if keys else []
            return {k: v for k, v in zip(keys, values) if v is not None}
        return self._guard.run(fetch, lambda: self._fallback.get_many(keys))

    def put(self, key: str, data: bytes) -> None:
        self._guard.run(lambda client: client.set(PREFIX + "phrase:" + key, data, ex=self._ttl),
                        lambda: self._fallback.put(key, data))


class RedisJobs:
    """Kept jobs as a hash (status, times, request, error, lease) plus their int16 audio, both with a TTL."""

    def __init__(self, guard: RedisGuard, ttl_seconds: int) -> None:
        self._guard = guard
        self._ttl = ttl_seconds
        self._comebacks = guard.comebacks
        self._run_id: str | None = None   # the Redis server's, as last seen: another one is a restart

    def forgot(self) -> bool:
        """Whether Redis may have lost what was written to it since the last call: it came back from an outage,
        or it restarted meanwhile (another run id; a Redis without snapshots comes back empty)."""
        def run_id(client: redis.Redis) -> str | None:
            try:
                return client.info("server").get("run_id")
            except redis.ResponseError:   # INFO not allowed (a managed Redis): the outages must do
                return None
        seen = self._guard.run(run_id, lambda: None)
        restarted = seen is not None and self._run_id is not None and seen != self._run_id
        self._run_id = seen or self._run_id
        came_back, self._comebacks = self._guard.comebacks != self._comebacks, self._guard.comebacks
        return restarted or came_back

    def save(self, job: Job) -> bool:
        record = {"status": job.status, "request": json.dumps(asdict(job.request)),
                  "times": json.dumps([job.created, job.started, job.finished]), "cache": job.cache or "",
                  "cpu": repr(job.cpu_seconds), "lease": repr(time.time() + LEASE_SECONDS)}
        if job.error:
            record["error"] = json.dumps([job.error.code, job.error.message, job.error.field, job.error.status])
        if job.status in FINISHED:
            record["samples"] = str(job.audio.samples)
            if job.audio.captions:
                record["captions"] = json.dumps([astuple(c) for c in job.audio.captions], ensure_ascii=False)
        key = PREFIX + "job:" + job.id

        def write(client: redis.Redis) -> bool:
            if job.status in FINISHED and job.audio.samples:   # the audio first: a done record has its audio
                try:
                    self._write_audio(client, key + ":audio", job)
                except TTSError:   # its file went meanwhile: the job store fails it at its next look (no retry)
                    return False
            pipe = client.pipeline()
            pipe.hset(key, mapping=record)
            pipe.expire(key, self._ttl)
            if job.status in FINISHED:   # when the record will expire, kept GONE_SECONDS longer (410, not 404)
                pipe.set(PREFIX + "gone:" + job.id, repr(time.time() + self._ttl), ex=self._ttl + GONE_SECONDS)
            pipe.execute()
            return True
        return self._guard.run(write, lambda: False)

    def _write_audio(self, client: redis.Redis, key: str, job: Job) -> None:
        """The audio block by block (rate first), so a long result is never one big copy in memory."""
        client.set(key, str(job.audio.sample_rate).encode() + b":", ex=self._ttl)
        for block in job.audio.blocks():
            client.append(key, block.tobytes())

    def load(self, job_id: str) -> Job | None:
        key = PREFIX + "job:" + job_id

        def read(client: redis.Redis) -> Job | None:
            record = client.hgetall(key)
            if not record:
                return None
            job = _restore(job_id, record)
            if job.status == DONE:
                captions = tuple(Caption(*c) for c in json.loads(record.get(b"captions", b"[]")))
                _read_audio(client, key + ":audio", job, captions)
                if b"samples" in record and job.audio.samples != int(record[b"samples"]):
                    job.lose(SynthesisFailed("this job's audio did not reach the shared store whole (Redis "
                                             "was full or evicted it); send it again"))
            return job
        return self._guard.run(read, lambda: None)

    def gone(self, job_id: str) -> float | None:
        """When the record of a finished job expired (or Redis dropped it early), for GONE_SECONDS after."""
        def read(client: redis.Redis) -> float | None:
            expires = client.get(PREFIX + "gone:" + job_id)
            return None if expires is None else min(float(expires), time.time())
        return self._guard.run(read, lambda: None)

    def delete(self, job_id: str) -> None:
        key = PREFIX + "job:" + job_id
        self._guard.run(lambda client: client.delete(key, key + ":audio", PREFIX + "gone:" + job_id), lambda: None)


def _read_audio(client: redis.Redis, key: str, job: Job, captions: tuple = ()) -> None:
    """The audio block by block; the job's captions ride on the first block."""
    head = client.getrange(key, 0, 15)
    rate, colon, _ = head.partition(b":")
    if not colon:
        return
    offset = len(rate) + 1
    block = BLOCK_SAMPLES * 2
    while data := client.getrange(key, offset, offset + block - 1):
        job.audio.append(AudioChunk(dequantize(np.frombuffer(data, "<i2")), int(rate), 0,
                                    captions if offset == len(rate) + 1 else ()))
        offset += len(data)


def _restore(job_id: str, record: dict[bytes, bytes]) -> Job:
    """A read-only copy of a job another replica (or this one before a restart) kept."""
    fields = {k.decode(): v.decode() for k, v in record.items()}
    job = Job(SynthesisRequest(**json.loads(fields["request"])))
    job.id, job.status, job.cache = job_id, fields["status"], fields["cache"] or None
    job.created, job.started, job.finished = json.loads(fields["times"])
    job.cpu_seconds = float(fields.get("cpu", 0))
    if "error" in fields:
        code, message, field, status = json.loads(fields["error"])
        job.error = TTSError(message, field=field)
        job.error.code, job.error.status = code, status
    elif job.status not in FINISHED and float(fields.get("lease", 0)) < time.time():
        job.status, job.finished = FAILED, float(fields.get("lease", 0))
        job.error = SynthesisFailed("the server that held this job stopped before finishing it; send it again")
    return job
