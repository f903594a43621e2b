"""Vocoder chunk size and LiteRT threads against RTF, first audio and peak RSS.

Also measures a proposed change to the embedded engine: a smaller *first* vocoder chunk
per phrase (`FirstChunkEngine`), which should bring first audio forward at almost no
cost, since the context overhead is paid once. Every setting runs in its own process.
"""

from __future__ import annotations

from typing import Iterator

import numpy as np

from tts.bench.child import run_in_child
from tts.bench.report import markdown_table
from tts.bench.texts import MEDIUM, hanzi
from tts.engines.embedded import CONTEXT_FRAMES, HOP, EmbeddedEngine

CHUNKS = (64, 128, 256, 512, 2048)                 # 2048 = one vocoder call per phrase
FIRST_CHUNKS = ((32, 256), (64, 256), (32, 512))   # (first, rest)
THREADS = (1, 2, 3, 4)
COLUMNS = ["threads", "first_chunk_frames", "chunk_frames", "rtf_median", "rtf_min", "first_audio_median_ms",
           "first_audio_min_ms", "peak_rss_mb"]


def spans(frames: int, first: int, rest: int) -> Iterator[tuple[int, int]]:
    """(start, end) frame spans: one of `first` frames, then `rest` each."""
    start, size = 0, first
    while start < frames:
        yield start, min(frames, start + size)
        start, size = start + size, rest


class FirstChunkEngine(EmbeddedEngine):
    """The embedded engine with a smaller first vocoder chunk per phrase (the proposed change)."""

    def __init__(self, assets, *, threads: int, chunk_frames: int, first_chunk_frames: int) -> None:
        super().__init__(assets, threads=threads, chunk_frames=chunk_frames)
        self._first_chunk_frames = first_chunk_frames

    def vocode(self, mel: np.ndarray) -> Iterator[np.ndarray]:
        frames = mel.shape[1]
        for start, end in spans(frames, self._first_chunk_frames, self._chunk_frames):
            left, right = max(0, start - CONTEXT_FRAMES), min(frames, end + CONTEXT_FRAMES)
            (audio,) = self._vocoder.run({"mels": np.ascontiguousarray(mel[:, left:right])}, ("Identity",))
            yield audio[0, (start - left) * HOP:(end - left) * HOP, 0].copy()


def run(quick: bool = False, repeats: int | None = None) -> dict:
    repeats = repeats or (2 if quick else 8)
    settings = [dict(threads=2, chunk_frames=c) for c in ((128, 256, 2048) if quick else CHUNKS)]
    settings += [dict(threads=2, chunk_frames=rest, first_chunk_frames=first)
                 for first, rest in (FIRST_CHUNKS[:1] if quick else FIRST_CHUNKS)]
    settings += [dict(threads=t, chunk_frames=256) for t in ((1, 4) if quick else THREADS) if t != 2]
    rows = [run_in_child("tts.bench.rtf:measure", text=MEDIUM, repeats=repeats, **s) for s in settings]
    return {"text": MEDIUM, "repeats": repeats, "rows": rows}


def table(result: dict) -> str:
    return "\n\n".join([
        f"The {hanzi(result['text'])}-character text, {result['repeats']} timed runs after a warm-up, "
        "one process per row. first_chunk_frames = the proposed smaller first chunk.",
        markdown_table(result["rows"], COLUMNS),
    ])
