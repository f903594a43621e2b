"""Kokoro next to the embedded voice: RTF, first audio, load time and peak RSS for a
100-character text through the real synthesizer (frontend, lead-in, trimming; no cache),
each engine and thread count in a child process of its own.

Two more measurements explain the figures:
- the bare model: one raw Kokoro call over the whole text, its padding silence counted as
  audio. Issue 9 measured it at RTF 0.15 with 2 threads on its machine, so it is Kokoro's
  machine reference, as the bare vocoder is the embedded voice's (`python -m tts.bench rtf`);
- variants at 2 threads: onnxruntime session options, and sentence batching (one call for
  the whole text instead of one per phrase), as wall and CPU seconds per second of audio.
"""

from __future__ import annotations

import statistics
import time

from tts.bench.child import peak_rss_mb, run_in_child
from tts.bench.report import markdown_table
from tts.bench.rtf import timed_streams
from tts.bench.texts import PARAGRAPH, hanzi
from tts.engines.onnx_session import SPIN_KEY

VOICES = {"embedded": "baker", "kokoro": "zf_xiaoxiao"}
VARIANTS = {   # name → SessionOptions attributes or session config keys (kokoro.session_options)
    "ours: all graph opts, sequential, no spinning, no memory pattern": {},
    "spinning pool threads": {SPIN_KEY: "1"},
    "memory pattern (onnxruntime's default)": {"enable_mem_pattern": True},
    "basic graph opts only": {"graph_optimization_level": "ORT_ENABLE_BASIC"},
    "parallel executor, 2 inter-op threads": {"execution_mode": "ORT_PARALLEL", "inter_op_num_threads": 2},
    "no CPU memory arena": {"enable_cpu_mem_arena": False},
}


def _kokoro_engine(threads: int, tuning: dict | None = None):
    import onnxruntime as ort

    from tts.config import Settings
    from tts.engines.kokoro import DEFAULT_VOICES_DIR, KokoroEngine
    from tts.engines.kokoro_model import assemble

    enums = {"graph_optimization_level": ort.GraphOptimizationLevel, "execution_mode": ort.ExecutionMode}
    options = {k: getattr(enums[k], v) if k in enums else v for k, v in (tuning or {}).items()}
    return KokoroEngine(assemble(Settings().kokoro_dir), DEFAULT_VOICES_DIR, threads, options)


def _timed(work) -> tuple[float, float]:
    """(wall, CPU) seconds of one call of `work`."""
    wall, cpu = time.perf_counter(), time.process_time()
    work()
    return time.perf_counter() - wall, time.process_time() - cpu


def measure(engine: str, threads: int, repeats: int, text: str = PARAGRAPH) -> dict:
    """In the child: load, warm up once, then time `repeats` streamed syntheses."""
    from tts.config import Settings
    from tts.engines import declare_engines
    from tts.request import SynthesisRequest
    from tts.synthesizer import Synthesizer

    settings = Settings(threads=threads, kokoro=engine == "kokoro", kokoro_preload=True, kokoro_threads=threads)
    started = time.perf_counter()
    synthesizer = Synthesizer(declare_engines(settings))   # Kokoro's row holds both engines, as a server does
    load_s = time.perf_counter() - started
    request = SynthesisRequest(text=text, voice=VOICES[engine])
    samples, rate = synthesizer.synthesize(request)
    audio_s = len(samples) / rate
    runs = timed_streams(synthesizer, request, repeats)
    walls, cpus = [run.wall for run in runs], [run.cpu for run in runs]
    firsts, stalls = [run.arrivals[0][0] for run in runs], [playback_stall(run.arrivals) for run in runs]
    result = {
        "engine": engine, "voice": VOICES[engine], "threads": threads, "characters": hanzi(text),
        "phrases": len(synthesizer.plan(request).phrases), "audio_s": round(audio_s, 2),
        "load_s": round(load_s, 2),
        "rtf_min": round(min(walls) / audio_s, 3), "rtf_median": round(statistics.median(walls) / audio_s, 3),
        "cpu_rtf": round(min(cpus) / audio_s, 3),
        "first_audio_ms": round(statistics.median(firsts) * 1000),
        "stall_ms": round(statistics.median(stalls) * 1000),
        "peak_rss_mb": peak_rss_mb(),
    }
    if engine == "kokoro":
        result["bare_model_rtf"] = _bare_model_rtf(synthesizer.catalogue.engine(VOICES[engine]).model(), text)
    return result


def playback_stall(arrivals: list[tuple[float, float]]) -> float:
    """Seconds a player that starts with the first chunk would wait for later ones, given
    (arrival time, audio seconds) per chunk: 0 when every chunk comes before it is due."""
    due, stalled = arrivals[0][0], 0.0
    for arrived, seconds in arrivals:
        stalled += max(0.0, arrived - due)
        due = max(due, arrived) + seconds
    return stalled


def _whole_text_ids(engine, text: str) -> list[int]:
    """The whole text as one phrase, sentence ends kept as commas: one model call's tokens."""
    from tts.engines.kokoro_phonemes import phrase_phonemes
    from tts.frontend import analyze
    from tts.frontend.phrase import Phrase

    phrases = analyze(text, None)
    whole = Phrase(tuple(s for p in phrases for s in p.syllables),
                   tuple(b for p in phrases for b in (*p.breaks[:-1], 3)), text=text)
    return engine.token_ids(phrase_phonemes(whole))


def _bare_model_rtf(engine, text: str) -> float:
    """Best of three raw calls over the whole text, untrimmed audio: the machine reference."""
    ids = _whole_text_ids(engine, text)
    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        audio = engine.infer(ids, VOICES["kokoro"], 1.0)
        best = min(best, (time.perf_counter() - started) / (len(audio) / engine.sample_rate))
    return round(best, 3)


def variant(name: str, repeats: int, text: str = PARAGRAPH) -> dict:
    """In the child: one session-option variant, every phrase of `text` at 2 threads."""
    from tts.engines.base import EngineOptions
    from tts.frontend import analyze

    engine = _kokoro_engine(2, VARIANTS[name])
    phrases = analyze(text, engine.max_syllables, engine.lead_in_syllables)

    def speak() -> int:
        return sum(len(c) for p in phrases for c in engine.synthesize(p, VOICES["kokoro"], EngineOptions()))

    audio_s = speak() / engine.sample_rate
    runs = [_timed(speak) for _ in range(repeats)]
    return {"variant": name, "rtf_min": round(min(w for w, _ in runs) / audio_s, 3),
            "cpu_rtf": round(min(c for _, c in runs) / audio_s, 3), "peak_rss_mb": peak_rss_mb()}


def batching(repeats: int, text: str = PARAGRAPH) -> dict:
    """In the child: CPU seconds per phrase call vs one call for the whole text (both trimmed);
    per second of speech, since one call makes its own, shorter pauses between sentences."""
    from tts.engines.base import EngineOptions
    from tts.engines.kokoro import trim_silence
    from tts.frontend import analyze

    engine = _kokoro_engine(2)
    phrases = analyze(text, engine.max_syllables, engine.lead_in_syllables)
    ids = _whole_text_ids(engine, text)
    voice = VOICES["kokoro"]
    per_phrase = [c for p in phrases for c in engine.synthesize(p, voice, EngineOptions())]
    speech_s = sum(len(c) for c in per_phrase) / engine.sample_rate
    whole_s = len(trim_silence(engine.infer(ids, voice, 1.0))) / engine.sample_rate

    def cpu(work) -> float:
        return min(_timed(work)[1] for _ in range(repeats))

    phrase_cpu = cpu(lambda: [list(engine.synthesize(p, voice, EngineOptions())) for p in phrases])
    whole_cpu = cpu(lambda: engine.infer(ids, voice, 1.0))
    return {"phrase_calls": len(phrases), "phrase_cpu_per_s": round(phrase_cpu / speech_s, 3),
            "one_call_cpu_per_s": round(whole_cpu / whole_s, 3),
            "one_call_vs_phrases": round(whole_cpu / whole_s / (phrase_cpu / speech_s), 3),
            "speech_s_phrases": round(speech_s, 2), "speech_s_one_call": round(whole_s, 2)}


def run(quick: bool = False, repeats: int | None = None, threads: tuple[int, ...] = (1, 2)) -> dict:
    repeats = repeats or (2 if quick else 5)
    engines = [run_in_child("tts.bench.kokoro:measure", engine=e, threads=t, repeats=repeats)
               for e in VOICES for t in threads]
    variants = [run_in_child("tts.bench.kokoro:variant", name=name, repeats=repeats)
                for name in (list(VARIANTS)[:2] if quick else VARIANTS)]
    return {"text": PARAGRAPH, "engines": engines, "variants": variants,
            "batching": run_in_child("tts.bench.kokoro:batching", repeats=repeats)}


def table(result: dict) -> str:
    engines = markdown_table(result["engines"], ["engine", "voice", "threads", "characters", "phrases", "audio_s",
                                                 "load_s", "rtf_min", "rtf_median", "cpu_rtf", "first_audio_ms", "stall_ms",
                                                 "peak_rss_mb", "bare_model_rtf"])
    variants = markdown_table(result["variants"], ["variant", "rtf_min", "cpu_rtf", "peak_rss_mb"])
    batching = markdown_table([result["batching"]], list(result["batching"]))
    return (f"Text: {hanzi(result['text'])} characters, streamed through the synthesizer (no cache).\n\n{engines}\n\n"
            "stall_ms: how long a player starting at the first chunk would wait for later ones.\n"
            "bare_model_rtf: one raw Kokoro call over the whole text, padding counted as audio "
            "(issue 9 measured 0.15 at 2 threads on its machine).\n\n"
            f"Kokoro session options, 2 threads:\n\n{variants}\n\n"
            f"Sentence batching (CPU s per second of speech):\n\n{batching}\n")
