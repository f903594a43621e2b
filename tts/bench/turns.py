"""Short requests while long ones run: their latency one request at a time (before) and in fair turns (after).

One run, the real embedded voice, one in-process service per scheduling policy (no HTTP: the
queue is what is measured), each given the same arrivals: two long texts at once (one sent
whole, one streamed to a simulated client that plays it in real time), then short texts
arriving every `gap` s (twice the time one takes alone, so the
short ones alone would keep the worker half busy). "fifo" is how the server worked before fair turns: one request to its
end, then the next (the only difference from the old dispatcher: a new request's frontend
runs when it arrives, a few ms, instead of when its turn comes). No cache and no singleflight,
and every text is different, so each policy makes exactly the same audio.

Reported per policy: the short requests' latency (p50, p95, max; and alone, on an idle
worker), when the long ones finished, the stream's first audio and how long its player
would have stalled, how well the expected wait given at admission matched the real one, and
the Retry-After a full queue gives against the time its first slot really took to free.
"""

from __future__ import annotations

import statistics
import time

import gevent
from prometheus_client import CollectorRegistry

from tts.bench.kokoro import playback_stall
from tts.bench.report import markdown_table
from tts.bench.texts import fresh
from tts.config import Settings
from tts.errors import QueueFull
from tts.request import SynthesisRequest
from tts.service.jobs import JobStore
from tts.service.service import SynthesisService
from tts.service.turns import POLICIES
from tts.synthesizer import Synthesizer

ORDER = ("fifo", "round_robin", "shortest")   # before first
assert set(ORDER) == set(POLICIES)


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _service(synthesizer: Synthesizer, policy: str, queue_size: int = 64) -> SynthesisService:
    service = SynthesisService(synthesizer, queue_size=queue_size, jobs=JobStore(600, 1 << 30),
                               registry=CollectorRegistry(), policy=policy, owns_engines=False)
    service.start()
    if not service.wait_ready(600):
        raise RuntimeError(f"the service did not get ready: {service.load_error}")
    return service


def _short_alone(service: SynthesisService, shorts: list[str], voice: str) -> list[float]:
    latencies = []
    for text in shorts:
        started = time.perf_counter()
        service.submit(SynthesisRequest(text, voice)).wait()
        latencies.append(time.perf_counter() - started)
    return latencies


def _round(service: SynthesisService, longs: list[str], shorts: list[str], gap: float, voice: str) -> dict:
    """The longs at t=0 (the last one streamed), then a short every `gap` s; wait for all."""
    t0 = time.perf_counter()
    long_jobs = [service.submit(SynthesisRequest(text, voice, stream=i == len(longs) - 1))
                 for i, text in enumerate(longs)]
    arrivals: list[tuple[float, float]] = []

    def play(job) -> None:
        for chunk in job.follow():
            arrivals.append((time.perf_counter() - t0, len(chunk.samples) / chunk.sample_rate))

    def short(index: int, text: str) -> dict:
        gevent.sleep(max(0.0, t0 + 0.2 + index * gap - time.perf_counter()))
        sent = time.perf_counter()
        job = service.submit(SynthesisRequest(text, voice))
        expected = service.expected_seconds(job)
        job.wait()
        return {"latency": time.perf_counter() - sent, "expected": expected, "status": job.status}

    player = gevent.spawn(play, long_jobs[-1])
    greenlets = [gevent.spawn(short, i, text) for i, text in enumerate(shorts)]
    gevent.joinall(greenlets)
    for job in long_jobs:
        job.wait()
    player.join()
    long_done = [job.finished - job.created for job in long_jobs]
    results = [g.value for g in greenlets]
    latencies = [r["latency"] for r in results]
    return {
        "short_p50_s": round(statistics.median(latencies), 3),
        "short_p95_s": round(_percentile(latencies, 0.95), 3),
        "short_max_s": round(max(latencies), 3),
        "long_done_s": [round(s, 2) for s in long_done],
        "stream_first_audio_s": round(arrivals[0][0], 3),
        "stream_stall_s": round(playback_stall(arrivals), 3),
        "all_done_s": round(time.perf_counter() - t0, 2),
        "expected_over_real_median": round(statistics.median(r["expected"] / r["latency"] for r in results), 2),
        "failed": sum(r["status"] != "done" for r in results),
    }


def _full_queue(synthesizer: Synthesizer, policy: str, texts: list[str], voice: str) -> dict:
    """Fill a queue of len(texts) (after one text to learn the voice's cost) and at once be refused:
    the Retry-After given against the time the first slot really took to free. No pause between the
    two: on a quiet machine shortest-first finishes the short texts within a fraction of a second."""
    service = _service(synthesizer, policy, queue_size=len(texts))
    try:
        service.submit(SynthesisRequest(fresh(900, 100, seed=16), voice)).wait()
        jobs = [service.submit(SynthesisRequest(text, voice)) for text in texts]
        refused_at = time.perf_counter()
        try:
            service.submit(SynthesisRequest("还有一句。", voice))
            raise RuntimeError("the queue was not full")
        except QueueFull as refused:
            retry_after = refused.retry_after
        predicted = service._schedule.first_free()
        while service.depth == len(texts):
            gevent.sleep(0.01)
        freed = time.perf_counter() - refused_at
        for job in jobs:
            job.wait()
    finally:
        service.close()
    return {"retry_after_s": retry_after, "predicted_s": round(predicted, 2), "slot_freed_after_s": round(freed, 2),
            "predicted_over_real": round(predicted / freed, 2)}


def run(quick: bool = False) -> dict:
    settings = Settings(kokoro=False)
    synthesizer = Synthesizer.from_settings(settings)
    voice = synthesizer.catalogue.default_voice
    long_chars, short_chars, count = (300, 20, 8) if quick else (600, 20, 20)
    longs = [fresh(1000 + i, long_chars, seed=16) for i in range(2)]
    shorts = [fresh(i, short_chars, seed=16) for i in range(count)]
    result = {"voice": voice, "long_characters": long_chars, "longs": len(longs), "short_characters": short_chars,
              "shorts": count, "policies": {}}
    for policy in ORDER:
        service = _service(synthesizer, policy)
        try:
            if policy == ORDER[0]:   # shorts arrive at half the rate the worker could serve them alone
                alone = _short_alone(service, [fresh(500 + i, short_chars, seed=16) for i in range(5)], voice)
                result["short_alone_p50_s"] = round(statistics.median(alone), 3)
                result["gap_s"] = gap = round(2 * statistics.median(alone), 2)
            result["policies"][policy] = _round(service, longs, shorts, gap, voice)
            result["policies"][policy]["cost_per_audio_second"] = round(service.costs.rate(voice), 4)
        finally:
            service.close()
        full = [fresh(2000 + i, n, seed=16) for i, n in enumerate((long_chars, long_chars // 2, 60, 40))]
        result["policies"][policy]["full_queue"] = _full_queue(synthesizer, policy, full, voice)
    before, after = result["policies"]["fifo"], result["policies"]["shortest"]
    result["short_p50_before_over_after"] = round(before["short_p50_s"] / after["short_p50_s"], 1)
    result["short_p95_before_over_after"] = round(before["short_p95_s"] / after["short_p95_s"], 1)
    return result


def table(result: dict) -> str:
    rows = [{"policy": name, **{k: (", ".join(map(str, v)) if isinstance(v, list) else v) for k, v in row.items()}}
            for name, row in result["policies"].items()]
    for row in rows:
        full = row.pop("full_queue")
        row["retry_after"] = f"{full['retry_after_s']} s (freed in {full['slot_freed_after_s']} s)"
    columns = ["policy", "short_p50_s", "short_p95_s", "short_max_s", "long_done_s", "stream_first_audio_s",
               "stream_stall_s", "all_done_s", "expected_over_real_median", "retry_after", "cost_per_audio_second",
               "failed"]
    return (f"{result['longs']} long texts of {result['long_characters']} characters at once (the last one "
            f"streamed to a real-time player), then {result['shorts']} short texts of {result['short_characters']} "
            f"characters every {result['gap_s']} s; voice {result['voice']}. A short text alone takes "
            f"{result['short_alone_p50_s']} s (p50).\n\n" + markdown_table(rows, columns) +
            f"\n\nShort requests, before (fifo: one request at a time) over after (shortest work first): "
            f"p50 {result['short_p50_before_over_after']}×, p95 {result['short_p95_before_over_after']}×. "
            "`cost_per_audio_second` is the worker seconds per estimated audio second the service learned; "
            "`expected_over_real_median` compares the wait a short request was told at admission with the real one; "
            "`retry_after`: a full queue of four (texts of "
            f"{result['long_characters']}, {result['long_characters'] // 2}, 60 and 40 characters) refused one more "
            "with this Retry-After, and its first slot freed that long after.\n")
