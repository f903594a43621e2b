"""Real-time factor, first audio and peak memory of the synthesizer, one setting per process.

Each setting runs in a fresh child process so its peak RSS is its own (ru_maxrss of the
child), not the maximum of everything measured before it.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from tts.bench.child import peak_rss_mb, run_in_child
from tts.bench.texts import MEDIUM, hanzi

SENTENCE_50 = MEDIUM


def _engines(threads: int, chunk_frames: int, first_chunk_frames: int | None) -> dict:
    from tts.config import Settings
    from tts.engines import declare_engines

    if first_chunk_frames is None:
        return declare_engines(Settings(threads=threads, vocoder_chunk_frames=chunk_frames))
    from tts.bench.chunks import FirstChunkEngine
    from tts.engines.embedded_assets import locate
    from tts.engines.lifecycle import wrap

    engine = FirstChunkEngine(locate(), threads=threads, chunk_frames=chunk_frames,
                              first_chunk_frames=first_chunk_frames)
    return {engine.name: wrap(engine)}


REFERENCE_FRAMES = 762   # the voice notes' 50-character sentence: bare vocoder RTF 0.017 (2 threads) there


def reference_vocoder_rtf(threads: int, repeats: int = 5) -> float:
    """This machine's speed, as the notes measured it: the unmodified vocoder, one pass over 762
    frames. Dividing our RTF by it compares runs across machines of different speed."""
    import numpy as np
    from ai_edge_litert.interpreter import Interpreter

    from tts.engines.embedded import HOP
    from tts.engines.embedded_assets import locate

    vocoder = Interpreter(model_path=str(locate().vocoder), num_threads=threads)
    index = vocoder.get_input_details()[0]["index"]
    vocoder.resize_tensor_input(index, [1, REFERENCE_FRAMES, 80])
    vocoder.allocate_tensors()
    vocoder.set_tensor(index, (np.random.default_rng(0).standard_normal((1, REFERENCE_FRAMES, 80)) * 0.8)
                       .astype(np.float32))
    vocoder.invoke()
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        vocoder.invoke()
        timings.append(time.perf_counter() - started)
    return min(timings) / (REFERENCE_FRAMES * HOP / 24000)


@dataclass(frozen=True)
class StreamRun:
    wall: float                              # seconds from the call to the last chunk
    cpu: float                               # process CPU seconds over the same span
    arrivals: list[tuple[float, float]]      # per chunk: (seconds since the call, seconds of audio)


def timed_streams(synthesizer, request, repeats: int) -> list[StreamRun]:
    """`repeats` streamed syntheses of `request`, each chunk timed as it arrives."""
    runs = []
    for _ in range(repeats):
        started, cpu = time.perf_counter(), time.process_time()
        arrivals = [(time.perf_counter() - started, len(chunk.samples) / chunk.sample_rate)
                    for chunk in synthesizer.stream(request)]
        runs.append(StreamRun(time.perf_counter() - started, time.process_time() - cpu, arrivals))
    return runs


def measure(threads: int, text: str, repeats: int, chunk_frames: int = 256,
            first_chunk_frames: int | None = None) -> dict:
    """Run in the child: load, warm up once, then time `repeats` syntheses."""
    from tts.request import SynthesisRequest
    from tts.synthesizer import Synthesizer

    started = time.perf_counter()
    synthesizer = Synthesizer(_engines(threads, chunk_frames, first_chunk_frames))
    load_seconds = time.perf_counter() - started
    request = SynthesisRequest(text=text, voice="baker")
    first_started = time.perf_counter()
    samples, rate = synthesizer.synthesize(request)
    first_seconds = time.perf_counter() - first_started
    runs = timed_streams(synthesizer, request, repeats)
    timings, first_audio = [run.wall for run in runs], [run.arrivals[0][0] for run in runs]
    audio_seconds = len(samples) / rate
    peak = peak_rss_mb()   # before the reference run, whose one-pass vocoding peaks far higher
    reference = reference_vocoder_rtf(threads)
    return {
        "threads": threads, "chunk_frames": chunk_frames, "first_chunk_frames": first_chunk_frames,
        "characters": hanzi(text),
        "audio_seconds": round(audio_seconds, 3),
        "load_s": round(load_seconds, 3), "first_call_s": round(first_seconds, 3),
        "median_s": round(statistics.median(timings), 4), "min_s": round(min(timings), 4),
        "rtf_median": round(statistics.median(timings) / audio_seconds, 4),
        "rtf_min": round(min(timings) / audio_seconds, 4),
        "first_audio_median_ms": round(statistics.median(first_audio) * 1000, 1),
        "first_audio_min_ms": round(min(first_audio) * 1000, 1),
        "reference_vocoder_rtf": round(reference, 4),
        "rtf_min_vs_reference": round(min(timings) / audio_seconds / reference, 3),
        "peak_rss_mb": peak,
    }


def run(threads_list: list[int], text: str = SENTENCE_50, repeats: int = 8, chunk_frames: int = 256) -> list[dict]:
    return [run_in_child("tts.bench.rtf:measure", threads=threads, text=text, repeats=repeats,
                         chunk_frames=chunk_frames)
            for threads in threads_list]


def table(results: list[dict]) -> str:
    lines = ["| threads | chars | audio s | median s | RTF (median) | RTF (min) | bare vocoder RTF (machine reference) "
             "| RTF (min) ÷ reference | first audio ms | first call s | peak RSS MB |",
             "|---|---|---|---|---|---|---|---|---|---|---|"]
    for r in results:
        lines.append(f"| {r['threads']} | {r['characters']} | {r['audio_seconds']} | {r['median_s']} | "
                     f"{r['rtf_median']} | {r['rtf_min']} | {r['reference_vocoder_rtf']} | {r['rtf_min_vs_reference']} | "
                     f"{r['first_audio_median_ms']} | {r['first_call_s']} | {r['peak_rss_mb']} |")
    return "\n".join(lines)
