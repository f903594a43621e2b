"""What an operator watches: queue, waits, synthesis time, audio made, real-time factor, cache.

Metrics live in a registry the app owns (not prometheus_client's global one), so two
apps in one process, as in tests, never share or clash.
"""

from __future__ import annotations

from typing import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, PlatformCollector, ProcessCollector
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily, Metric

from tts.service.cache import MemoryCache
from tts.service.jobs import Job
from tts.service.redis_store import RedisGuard

_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_RTF = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1)


class ServiceMetrics:
    def __init__(self, registry: CollectorRegistry, depth: Callable[[], int], healthy: Callable[[], bool],
                 lost: Callable[[], int]) -> None:
        ProcessCollector(registry=registry)    # process CPU seconds, RSS, open fds
        PlatformCollector(registry=registry)
        self.queue_depth = Gauge("tts_queue_depth", "Requests waiting or running.", registry=registry)
        self.queue_depth.set_function(depth)
        Gauge("tts_worker_healthy", "1 while the worker's loops run and no model call has stalled (liveness).",
              registry=registry).set_function(lambda: float(healthy()))
        self.queue_wait = Histogram("tts_queue_wait_seconds", "Time from admission to its first turn.",
                                    buckets=_SECONDS, registry=registry)
        self.synthesis = Histogram("tts_synthesis_seconds", "Time the worker spent on a job (its own turns, "
                                   "not the others' taken meanwhile).", buckets=_SECONDS, registry=registry)
        self.audio = Counter("tts_audio_seconds", "Seconds of audio produced.", registry=registry)
        self.rtf = Histogram("tts_real_time_factor", "Synthesis seconds per audio second.",
                             buckets=_RTF, registry=registry)
        self.jobs = Counter("tts_jobs", "Jobs by outcome.", ["outcome"], registry=registry)
        self.cache_hits = Counter("tts_cache_hits", "Phrases served from the sentence cache.", registry=registry)
        self.cache_misses = Counter("tts_cache_misses", "Phrases the engine had to make.", registry=registry)
        self.joins = Counter("tts_singleflight_joins", "Requests that shared an identical running or queued job.",
                             registry=registry)
        self.cpu = Counter("tts_synthesis_cpu_seconds", "CPU seconds the worker spent synthesizing, by voice "
                           "(cached phrases cost none).", ["voice"], registry=registry)
        self.restarts = Counter("tts_loop_restarts", "Times a service loop crashed and was started again.",
                                ["loop"], registry=registry)
        registry.register(_ReadCounter("tts_results_lost", "Kept results whose file went from under the server (a /tmp "
                                       "cleaner): their jobs read as failed, result_lost (a 410).", lost))
        self._registry = registry

    def watch(self, memory: MemoryCache | None, guard: RedisGuard | None) -> None:
        """Also report the local cache's size and evictions and the Redis errors."""
        self._registry.register(_BackendCollector(memory, guard))

    def looked_up(self, hits: int, misses: int) -> None:
        self.cache_hits.inc(hits)
        self.cache_misses.inc(misses)

    def rejected(self) -> None:
        self.jobs.labels("rejected").inc()

    def finished(self, job: Job) -> None:
        """Record one job after it ended (done, failed or cancelled)."""
        self.jobs.labels(job.status).inc()
        if job.started is None or job.finished is None:
            return
        self.queue_wait.observe(job.started - job.created)
        busy = job.worker_seconds if job.worker_seconds is not None else job.finished - job.started
        self.synthesis.observe(busy)
        self.cpu.labels(job.request.voice).inc(job.cpu_seconds)
        audio = job.audio.seconds
        self.audio.inc(audio)
        if audio > 0:
            self.rtf.observe(busy / audio)


class _ReadCounter:
    """A counter another object keeps, read at scrape time."""

    def __init__(self, name: str, documentation: str, read: Callable[[], int]) -> None:
        self._name, self._documentation, self._read = name, documentation, read

    def collect(self) -> Iterator[Metric]:
        yield CounterMetricFamily(self._name, self._documentation, value=self._read())


class _BackendCollector:
    """Reads the counters the cache and the Redis guard keep, at scrape time."""

    def __init__(self, memory: MemoryCache | None, guard: RedisGuard | None) -> None:
        self._memory = memory
        self._guard = guard

    def collect(self) -> Iterator[Metric]:
        memory = self._memory
        yield GaugeMetricFamily("tts_cache_bytes", "Bytes of phrase audio in this process's cache.",
                                value=memory.bytes if memory is not None else 0)
        yield CounterMetricFamily("tts_cache_evictions", "Entries pushed out of the local cache for room.",
                                  value=memory.evictions if memory is not None else 0)
        yield CounterMetricFamily("tts_cache_rejections", "New entries the admission policy kept out.",
                                  value=memory.rejections if memory is not None else 0)
        yield CounterMetricFamily("tts_redis_errors", "Redis calls that failed; the server carried on without.",
                                  value=self._guard.errors if self._guard else 0)
