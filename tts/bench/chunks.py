"""Vocoder chunk size and inference threads against RTF, CPU per audio second, first audio and RSS,
for the onnxruntime vocoder (tail chunks, 4 frames of context) and the old LiteRT path (whole-network
chunks, 20 frames of context). Every setting runs in its own process.
"""

from __future__ import annotations

from tts.bench.child import run_in_child
from tts.bench.report import markdown_table
from tts.bench.texts import MEDIUM, hanzi

CHUNKS = (32, 64, 128, 192, 256, 512, 2048)       # 2048 = one vocoder call per phrase
THREADS = (1, 2, 3, 4)
COLUMNS = ["runtime", "threads", "chunk_frames", "rtf_median", "rtf_min", "cpu_s_per_audio_s", "cpu_vs_reference",
           "first_audio_median_ms", "first_audio_min_ms", "peak_rss_mb"]


def run(quick: bool = False, repeats: int | None = None) -> dict:
    repeats = repeats or (2 if quick else 8)
    chunks = (64, 128, 256) if quick else CHUNKS
    settings = [dict(threads=2, chunk_frames=c, runtime=r) for r in ("onnxruntime", "litert") for c in chunks]
    settings += [dict(threads=t, chunk_frames=128) for t in ((1, 4) if quick else THREADS) if t != 2]
    rows = [run_in_child("tts.bench.rtf:measure", text=MEDIUM, repeats=repeats, **s) for s in settings]
    return {"text": MEDIUM, "repeats": repeats, "rows": rows}


def table(result: dict) -> str:
    return "\n\n".join([
        f"The {hanzi(result['text'])}-character text, {result['repeats']} timed runs after a warm-up, "
        "one process per row; cpu_vs_reference = CPU s per audio s ÷ the bare LiteRT vocoder's, same process.",
        markdown_table(result["rows"], COLUMNS),
    ])
