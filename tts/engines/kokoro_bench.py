"""Measure the Kokoro engine: load time, RTF at 1 and 2 threads, first-audio latency
for a 100-character text streamed sentence by sentence, peak RSS.

    python -m tts.engines.kokoro_bench [--model-dir DIR] [--compare]

RTF = wall time / seconds of audio delivered (trimmed speech plus comma pauses), the
best of a few runs; `cpu` is process CPU time over the same audio, which shows the
cost even when other work shares the cores. --compare also times session-option
variants and sentence batching at 2 threads.
"""

from __future__ import annotations

import argparse
import re
import resource
import statistics
import tempfile
import time
from pathlib import Path

import onnxruntime as ort
from pypinyin import Style, lazy_pinyin

from tts.engines.base import EngineOptions
from tts.engines.kokoro import DEFAULT_VOICES_DIR, MAX_TOKENS, SAMPLE_RATE, SPIN_KEY, KokoroEngine
from tts.engines.kokoro_model import assemble
from tts.engines.kokoro_phonemes import phrase_phonemes
from tts.frontend.phrase import Phrase

VOICE = "zf_xiaoxiao"
TEXT = ("随着人工智能技术的快速发展，语音合成已经广泛应用于导航、客服和有声读物等领域。"
        "今天的天气真的很好，我们一起去公园散步吧。"
        "这家小店的老板非常热情，每次都会送我们一些自己做的点心，所以大家都很喜欢来这里。")
COMMAS = "，、"
SENTENCE_END = re.compile(r"(?<=[。！？])")
RUNS = 3
GL = ort.GraphOptimizationLevel
VARIANTS = {
    "default (all opts, sequential, no spin)": {},
    "spinning threads": {SPIN_KEY: "1"},
    "graph basic": {"graph_optimization_level": GL.ORT_ENABLE_BASIC},
    "graph extended": {"graph_optimization_level": GL.ORT_ENABLE_EXTENDED},
    "parallel, 2 inter-op": {"execution_mode": ort.ExecutionMode.ORT_PARALLEL, "inter_op_num_threads": 2},
    "no cpu arena": {"enable_cpu_mem_arena": False},
    "no memory pattern": {"enable_mem_pattern": False},
}


def sentence_phrases(text: str) -> list[Phrase]:
    """A stand-in frontend: one phrase per sentence, pypinyin readings, break 3 at commas."""
    return [_phrase(s) for s in SENTENCE_END.split(text) if s.strip()]


def _phrase(sentence: str) -> Phrase:
    syllables, breaks = [], []
    for item in lazy_pinyin(sentence, style=Style.TONE3, neutral_tone_with_five=True):
        if item in COMMAS:
            breaks[-1] = 3
        elif item[-1:].isdigit():
            syllables.append(item)
            breaks.append(0)
    return Phrase(tuple(syllables), tuple(breaks), text=sentence)


def batched(phrases: list[Phrase]) -> list[Phrase]:
    """Join consecutive sentences (comma between) while their phonemes fit one call."""
    out: list[Phrase] = []
    for p in phrases:
        joined = out and Phrase(out[-1].syllables + p.syllables, out[-1].breaks[:-1] + (3,) + p.breaks, text=p.text)
        if joined and len(phrase_phonemes(joined)) <= MAX_TOKENS:
            out[-1] = joined
        else:
            out.append(p)
    return out


def timed_load(model: Path, threads: int, tuning: dict | None = None) -> tuple[KokoroEngine, float]:
    start = time.perf_counter()
    engine = KokoroEngine(model, DEFAULT_VOICES_DIR, threads, tuning or {})
    return engine, time.perf_counter() - start


def rtf(engine: KokoroEngine, phrases: list[Phrase]) -> tuple[float, float]:
    """(wall RTF, CPU RTF), best of RUNS after one warm-up."""
    best = (float("inf"), float("inf"))
    for _ in range(RUNS + 1):
        wall, cpu = time.perf_counter(), time.process_time()
        samples = sum(len(c) for p in phrases for c in engine.synthesize(p, VOICE, EngineOptions()))
        seconds = samples / SAMPLE_RATE
        best = min(best, ((time.perf_counter() - wall) / seconds, (time.process_time() - cpu) / seconds))
    return best


def first_audio(engine: KokoroEngine, phrases: list[Phrase]) -> float:
    """Median seconds from the call to the first chunk of the first sentence."""
    times = []
    for _ in range(RUNS):
        start = time.perf_counter()
        next(iter(engine.synthesize(phrases[0], VOICE, EngineOptions())))
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def variant_rtf(model: Path, tuning: dict, batch: bool = False) -> tuple[float, float]:
    """RTF of one session-option variant; the engine is dropped on return, keeping RSS honest."""
    engine, _ = timed_load(model, 2, tuning)
    phrases = sentence_phrases(TEXT)
    return rtf(engine, batched(phrases) if batch else phrases)


def measure(model: Path, threads: int) -> str:
    engine, load = timed_load(model, threads)
    phrases = sentence_phrases(TEXT)
    wall, cpu = rtf(engine, phrases)
    first = first_audio(engine, phrases)
    return f"threads={threads}: load {load:.2f} s, RTF {wall:.3f} (cpu {cpu:.3f}), first audio {first * 1000:.0f} ms"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-dir", type=Path, default=Path(tempfile.gettempdir()) / "kokoro-model")
    parser.add_argument("--compare", action="store_true", help="also time session options and batching")
    args = parser.parse_args(argv)
    model = assemble(args.model_dir)
    print(f"text: {len(TEXT)} characters, {len(sentence_phrases(TEXT))} sentences, onnxruntime {ort.__version__}")
    for threads in (1, 2):
        print(measure(model, threads))
    print(f"peak RSS: {peak_rss_mb():.0f} MB")
    if args.compare:
        for name, tuning in VARIANTS.items():
            print(f"  {name:40s} RTF %.3f (cpu %.3f)" % variant_rtf(model, tuning))
        print(f"  {'sentences batched':40s} RTF %.3f (cpu %.3f)" % variant_rtf(model, {}, batch=True))


if __name__ == "__main__":
    main()
