"""Time to the first audio byte over HTTP, streaming vs not, for a 200-character text, per format.

A live server with the queue empty and no cache (every text is fresh); the clock starts
before the request is sent and stops at the first body byte, then at the last.
"""

from __future__ import annotations

import statistics
import time

import requests

from tts.bench import texts
from tts.bench.load import start
from tts.bench.report import markdown_table

CHARACTERS = 200


def first_and_last_byte(url: str, payload: dict) -> tuple[float, float]:
    started = time.perf_counter()
    with requests.post(f"{url}/tts", json=payload, stream=True, timeout=120) as response:
        response.raise_for_status()
        chunks = response.iter_content(chunk_size=None)
        next(chunks)
        first = time.perf_counter() - started
        for _ in chunks:
            pass
    return first, time.perf_counter() - started


def run(quick: bool = False) -> dict:
    repeats = 3 if quick else 8
    rows = []
    with start("ours") as server:
        first_and_last_byte(server.url, {"text": texts.fresh(0, CHARACTERS, seed=7), "stream": True})   # warm-up
        for stream in (True, False):
            for fmt in ("wav", "opus", "mp3", "aac") if stream else ("wav", "mp3"):
                timings = [first_and_last_byte(server.url, {"text": texts.fresh(i, CHARACTERS, seed=8 + stream),
                                                            "stream": stream, "format": fmt})
                           for i in range(1, repeats + 1)]
                rows.append({"stream": stream, "format": fmt, "requests": repeats,
                             "first_byte_median_ms": round(statistics.median(t[0] for t in timings) * 1000, 1),
                             "first_byte_min_ms": round(min(t[0] for t in timings) * 1000, 1),
                             "last_byte_median_ms": round(statistics.median(t[1] for t in timings) * 1000, 1)})
    return {"characters": CHARACTERS, "rows": rows}


def table(result: dict) -> str:
    return (f"{result['characters']}-character fresh texts, queue empty, cache off.\n\n"
            + markdown_table(result["rows"], ["stream", "format", "requests", "first_byte_median_ms",
                                              "first_byte_min_ms", "last_byte_median_ms"]))
