"""Redis as the replicas' shared memory: the sentence cache and the async jobs, with TTLs.

Every call goes through one guard: when Redis fails (down, slow past the timeout) the
caller gets its fallback answer at once (the local cache, or nothing), a warning is logged
once per outage, a metric counts the error, and Redis is tried again after a short pause.
A Redis outage never fails a request.

All Redis I/O happens on the gevent hub (request greenlets and the service's dispatcher),
never on the worker thread: under monkey-patching a socket belongs to the hub of the
thread that made it, and pooled connections would otherwise cross threads.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict
from typing import Callable, TypeVar

import numpy as np
import redis
from redis.backoff import NoBackoff
from redis.retry import Retry

from tts.audio import AudioChunk
from tts.errors import TTSError
from tts.request import SynthesisRequest
from tts.service.cache import MemoryCache
from tts.service.jobs import FINISHED, Job
from tts.synthesizer import dequantize, quantize

log = logging.getLogger(__name__)
T = TypeVar("T")

PREFIX = "tts:"
RETRY_SECONDS = 5.0    # after a failure, Redis is left alone this long


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
        if self._failing:
            log.warning("Redis is back")
            self._failing = False
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
    """Kept jobs as a hash (status, times, request, error) plus their int16 audio, both with a TTL."""

    def __init__(self, guard: RedisGuard, ttl_seconds: int) -> None:
        self._guard = guard
        self._ttl = ttl_seconds

    def save(self, job: Job) -> None:
        record = {"status": job.status, "request": json.dumps(asdict(job.request), ensure_ascii=False),
                  "times": json.dumps([job.created, job.started, job.finished]), "cache": job.cache or ""}
        if job.error:
            record["error"] = json.dumps([job.error.code, job.error.message, job.error.field], ensure_ascii=False)
        key = PREFIX + "job:" + job.id

        def write(client: redis.Redis) -> None:
            pipe = client.pipeline()
            pipe.hset(key, mapping=record)
            pipe.expire(key, self._ttl)
            if job.status in FINISHED and job.chunks:
                samples, rate = job.audio()
                pipe.set(key + ":audio", str(rate).encode() + b":" + quantize(samples).tobytes(),
                         ex=self._ttl)
            pipe.execute()
        self._guard.run(write, lambda: None)

    def load(self, job_id: str) -> Job | None:
        key = PREFIX + "job:" + job_id

        def read(client: redis.Redis) -> tuple[dict, bytes | None]:
            pipe = client.pipeline()
            pipe.hgetall(key)
            pipe.get(key + ":audio")
            return tuple(pipe.execute())
        record, audio = self._guard.run(read, lambda: ({}, None))
        return _restore(job_id, record, audio) if record else None


def _restore(job_id: str, record: dict[bytes, bytes], audio: bytes | None) -> Job:
    """A read-only copy of another replica's job."""
    fields = {k.decode(): v.decode() for k, v in record.items()}
    job = Job(SynthesisRequest(**json.loads(fields["request"])))
    job.id, job.status, job.cache = job_id, fields["status"], fields["cache"] or None
    job.created, job.started, job.finished = json.loads(fields["times"])
    if "error" in fields:
        code, message, field = json.loads(fields["error"])
        job.error = TTSError(message, field=field)
        job.error.code = code
    if audio:
        rate, _, pcm = audio.partition(b":")
        job.chunks = [AudioChunk(dequantize(np.frombuffer(pcm, "<i2")), int(rate), 0)]
    return job
