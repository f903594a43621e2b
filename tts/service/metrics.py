"""What an operator watches: queue, waits, synthesis time, audio made, real-time factor.

Metrics live in a registry the app owns (not prometheus_client's global one), so two
apps in one process, as in tests, never share or clash.
"""

from __future__ import annotations

from typing import Callable

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram, PlatformCollector, ProcessCollector

from tts.service.jobs import Job

_SECONDS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60)
_RTF = (0.005, 0.01, 0.02, 0.03, 0.05, 0.1, 0.2, 0.5, 1)


class ServiceMetrics:
    def __init__(self, registry: CollectorRegistry, depth: Callable[[], int]) -> None:
        ProcessCollector(registry=registry)    # process CPU seconds, RSS, open fds
        PlatformCollector(registry=registry)
        self.queue_depth = Gauge("tts_queue_depth", "Requests waiting or running.", registry=registry)
        self.queue_depth.set_function(depth)
        self.queue_wait = Histogram("tts_queue_wait_seconds", "Time from admission to start.",
                                    buckets=_SECONDS, registry=registry)
        self.synthesis = Histogram("tts_synthesis_seconds", "Time a job spent synthesizing.",
                                   buckets=_SECONDS, registry=registry)
        self.audio = Counter("tts_audio_seconds", "Seconds of audio produced.", registry=registry)
        self.rtf = Histogram("tts_real_time_factor", "Synthesis seconds per audio second.",
                             buckets=_RTF, registry=registry)
        self.jobs = Counter("tts_jobs", "Jobs by outcome.", ["outcome"], registry=registry)

    def rejected(self) -> None:
        self.jobs.labels("rejected").inc()

    def finished(self, job: Job) -> None:
        """Record one job after it ended (done, failed or cancelled)."""
        self.jobs.labels(job.status).inc()
        if job.started is None or job.finished is None:
            return
        self.queue_wait.observe(job.started - job.created)
        busy = job.finished - job.started
        self.synthesis.observe(busy)
        audio = sum(chunk.seconds for chunk in job.chunks)
        self.audio.inc(audio)
        if audio > 0:
            self.rtf.observe(busy / audio)
