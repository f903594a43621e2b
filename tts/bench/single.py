"""One utterance at a time: first audio, total latency and RTF for short, medium and long texts.

No server, no queue: the synthesizer's own speed, which bounds everything the server can do.
"""

from __future__ import annotations

from tts.bench import rtf
from tts.bench.report import markdown_table
from tts.bench.texts import SIZES

COLUMNS = ["text", "runtime", "threads", "characters", "audio_seconds", "first_audio_median_ms", "median_s",
           "rtf_median", "rtf_min", "cpu_s_per_audio_s", "cpu_vs_reference", "first_call_s", "peak_rss_mb"]


def run(quick: bool = False, threads: tuple[int, ...] = (1, 2), repeats: int | None = None) -> dict:
    repeats = repeats or (2 if quick else 8)
    rows = [{"text": size, **row} for size, text in SIZES.items()
            for row in rtf.run(list(threads), text, repeats if size != "long" else max(1, repeats // 2))]
    return {"repeats": repeats, "rows": rows}


def table(result: dict) -> str:
    return "\n\n".join([
        f"Synthesizer in-process, {result['repeats']} timed runs after a warm-up (half for the long text), "
        "one process per row; first audio = first chunk out of `Synthesizer.stream`.",
        markdown_table(result["rows"], COLUMNS),
    ])
