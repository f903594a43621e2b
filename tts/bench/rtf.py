"""Real-time factor and peak memory of the synthesizer, one thread setting per process.

Each setting runs in a fresh child process so its peak RSS is its own (ru_maxrss of the
child), not the maximum of everything measured before it.
"""

from __future__ import annotations

import json
import resource
import statistics
import subprocess
import sys
import time

SENTENCE_50 = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，小鸟在树上唱歌，大家都很开心。"


def measure(threads: int, text: str, repeats: int) -> dict:
    """Run in the child: load, warm up once, then time `repeats` syntheses."""
    from tts.config import Settings
    from tts.engines import load_engines
    from tts.request import SynthesisRequest
    from tts.synthesizer import Synthesizer

    started = time.perf_counter()
    synthesizer = Synthesizer(load_engines(Settings(threads=threads)))
    load_seconds = time.perf_counter() - started
    request = SynthesisRequest(text=text, voice="baker")
    first_started = time.perf_counter()
    samples, rate = synthesizer.synthesize(request)
    first_seconds = time.perf_counter() - first_started
    timings, first_audio = [], []
    for _ in range(repeats):
        started = time.perf_counter()
        stream = synthesizer.stream(request)
        next(stream)
        first_audio.append(time.perf_counter() - started)
        for _ in stream:
            pass
        timings.append(time.perf_counter() - started)
    audio_seconds = len(samples) / rate
    return {
        "threads": threads, "characters": len(text), "audio_seconds": round(audio_seconds, 3),
        "load_s": round(load_seconds, 3), "first_call_s": round(first_seconds, 3),
        "median_s": round(statistics.median(timings), 4), "min_s": round(min(timings), 4),
        "rtf_median": round(statistics.median(timings) / audio_seconds, 4),
        "rtf_min": round(min(timings) / audio_seconds, 4),
        "first_audio_median_ms": round(statistics.median(first_audio) * 1000, 1),
        "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
    }


def run(threads_list: list[int], text: str = SENTENCE_50, repeats: int = 8) -> list[dict]:
    results = []
    for threads in threads_list:
        output = subprocess.run(
            [sys.executable, "-c", f"import json,sys; from tts.bench.rtf import measure; "
             f"print(json.dumps(measure({threads}, sys.argv[1], {repeats})))", text],
            capture_output=True, text=True, check=True)
        results.append(json.loads(output.stdout.strip().splitlines()[-1]))
    return results


def table(results: list[dict]) -> str:
    lines = ["| threads | chars | audio s | median s | RTF (median) | RTF (min) | first audio ms | first call s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['threads']} | {r['characters']} | {r['audio_seconds']} | {r['median_s']} | "
                     f"{r['rtf_median']} | {r['rtf_min']} | {r['first_audio_median_ms']} | {r['first_call_s']} | {r['peak_rss_mb']} |")
    return "\n".join(lines)
