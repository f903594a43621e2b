"""Real-time factor, CPU per audio second, first audio and peak memory of the synthesizer,
one setting per process: the embedded voice on onnxruntime (the default) beside the old
LiteRT vocoder path, each divided by the bare LiteRT vocoder measured in the same process.

Each setting runs in a fresh child process so its peak RSS is its own (ru_maxrss of the
child), not the maximum of everything measured before it. CPU seconds per audio second are
the process's CPU time over the same syntheses: a ratio that stays meaningful when other
work shares the machine, unlike wall-clock RTF.
"""

from __future__ import annotations

import statistics
import time
from dataclasses import dataclass

from tts.bench.child import peak_rss_mb, run_in_child
from tts.bench.report import markdown_table
from tts.bench.texts import MEDIUM, hanzi

SENTENCE_50 = MEDIUM


RUNTIMES = ("onnxruntime", "litert")


def _engines(threads: int, chunk_frames: int, runtime: str) -> dict:
    from tts.config import Settings
    from tts.engines import declare_engines

    return declare_engines(Settings(threads=threads, vocoder_chunk_frames=chunk_frames, vocoder_runtime=runtime))


REFERENCE_FRAMES = 762   # the voice notes' 50-character sentence: bare vocoder RTF 0.017 (2 threads) there


def reference_vocoder(threads: int, repeats: int = 5) -> tuple[float, float]:
    """This machine's speed, as the notes measured it: the unmodified vocoder on LiteRT, one pass
    over 762 frames. Returns (RTF, best of `repeats`; CPU seconds per audio second, mean).
    Dividing our figures by these compares runs across machines of different speed."""
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
    timings, cpu = [], time.process_time()
    for _ in range(repeats):
        started = time.perf_counter()
        vocoder.invoke()
        timings.append(time.perf_counter() - started)
    audio_seconds = REFERENCE_FRAMES * HOP / 24000
    return min(timings) / audio_seconds, (time.process_time() - cpu) / repeats / audio_seconds


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


def measure(threads: int, text: str, repeats: int, chunk_frames: int = 128, runtime: str = "onnxruntime") -> dict:
    """Run in the child: load, warm up once, then time `repeats` syntheses."""
    from tts.request import SynthesisRequest
    from tts.synthesizer import Synthesizer

    started = time.perf_counter()
    synthesizer = Synthesizer(_engines(threads, chunk_frames, runtime))
    load_seconds = time.perf_counter() - started
    request = SynthesisRequest(text=text, voice="baker")
    first_started = time.perf_counter()
    samples, rate = synthesizer.synthesize(request)
    first_seconds = time.perf_counter() - first_started
    runs = timed_streams(synthesizer, request, repeats)
    timings, first_audio = [run.wall for run in runs], [run.arrivals[0][0] for run in runs]
    audio_seconds = len(samples) / rate
    peak = peak_rss_mb()   # before the reference run, whose one-pass vocoding peaks far higher
    reference, reference_cpu = reference_vocoder(threads)
    cpu_per_audio = statistics.mean(run.cpu for run in runs) / audio_seconds
    return {
        "runtime": runtime, "threads": threads, "chunk_frames": chunk_frames,
        "characters": hanzi(text),
        "audio_seconds": round(audio_seconds, 3),
        "load_s": round(load_seconds, 3), "first_call_s": round(first_seconds, 3),
        "median_s": round(statistics.median(timings), 4), "min_s": round(min(timings), 4),
        "rtf_median": round(statistics.median(timings) / audio_seconds, 4),
        "rtf_min": round(min(timings) / audio_seconds, 4),
        "first_audio_median_ms": round(statistics.median(first_audio) * 1000, 1),
        "first_audio_min_ms": round(min(first_audio) * 1000, 1),
        "cpu_s_per_audio_s": round(cpu_per_audio, 4),
        "reference_vocoder_rtf": round(reference, 4),
        "reference_vocoder_cpu_s_per_audio_s": round(reference_cpu, 4),
        "rtf_min_vs_reference": round(min(timings) / audio_seconds / reference, 3),
        "cpu_vs_reference": round(cpu_per_audio / reference_cpu, 3),
        "peak_rss_mb": peak,
    }


def run(threads_list: list[int], text: str = SENTENCE_50, repeats: int = 8, chunk_frames: int = 128,
        runtimes: tuple[str, ...] = RUNTIMES) -> list[dict]:
    return [run_in_child("tts.bench.rtf:measure", threads=threads, text=text, repeats=repeats,
                         chunk_frames=chunk_frames, runtime=runtime)
            for threads in threads_list for runtime in runtimes]


COLUMNS = ["runtime", "threads", "characters", "audio_seconds", "rtf_median", "rtf_min", "cpu_s_per_audio_s",
           "reference_vocoder_cpu_s_per_audio_s", "cpu_vs_reference", "reference_vocoder_rtf", "rtf_min_vs_reference",
           "first_audio_median_ms", "first_call_s", "peak_rss_mb"]


def table(results: list[dict]) -> str:
    return "\n\n".join([
        "Whole embedded voice (frontend, acoustic model, vocoder), in-process; `litert` = the old vocoder path. "
        "Reference = the bare LiteRT vocoder as shipped, one pass over 762 frames, measured in the same process: "
        "`cpu_vs_reference` is the voice's CPU seconds per audio second divided by the reference's.",
        markdown_table(results, COLUMNS),
    ])
