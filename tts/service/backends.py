"""Where the sentence cache and the async jobs live: in this process, or in Redis shared by replicas."""

from __future__ import annotations

from dataclasses import dataclass

from tts.config import Settings
from tts.service.cache import MemoryCache
from tts.service.jobs import JobStore
from tts.service.redis_store import RedisCache, RedisGuard, RedisJobs, connect
from tts.synthesizer import PhraseCache

MB = 1024 * 1024


@dataclass(frozen=True)
class Backends:
    cache: PhraseCache | None     # None = TTS_CACHE_MB=0
    memory: MemoryCache | None    # the cache in this process: all of it, or Redis's stand-in
    jobs: JobStore
    redis: RedisGuard | None


def build_backends(settings: Settings) -> Backends:
    memory = MemoryCache(settings.cache_mb * MB) if settings.cache_mb else None
    if not settings.redis_url:
        return Backends(memory, memory, JobStore(settings.job_ttl_seconds, settings.job_store_mb * MB), None)
    guard = RedisGuard(connect(settings.redis_url, settings.redis_timeout_ms))
    cache = RedisCache(guard, settings.cache_ttl_seconds, memory) if memory is not None else None
    jobs = JobStore(settings.job_ttl_seconds, settings.job_store_mb * MB, RedisJobs(guard, settings.job_ttl_seconds))
    return Backends(cache, memory, jobs, guard)
