"""Does memory stay flat? Many short requests in a row, the server's RSS sampled between batches.

Growth is measured from the end of the warm-up (the first tenth of the requests, when
allocators and lazy imports settle) to the end: target below 5 %. The baseline runs the
same requests; its result dict is never emptied, which is the leak this scenario catches.
"""

from __future__ import annotations

from tts.bench import texts
from tts.bench.clients import run_clients, summarize
from tts.bench.load import KINDS, start
from tts.bench.report import markdown_table
from tts.bench.server import memory_mb

BATCHES = 20
CLIENTS = 2
TARGET_GROWTH = 0.05


def measure(url: str, pid: int, requests: int, characters: int = 10) -> dict:
    """Send `requests` fresh texts in batches to a running server, sampling its RSS after each."""
    per_batch = max(CLIENTS, requests // BATCHES)
    samples, outcomes, wall = [{"requests": 0, **memory_mb(pid)}], [], 0.0
    for batch in range(max(1, requests // per_batch)):
        offset = batch * per_batch
        done, seconds = run_clients(url, CLIENTS, per_batch // CLIENTS,
                                    lambda i: {"text": texts.fresh(offset + i, characters, seed=99)})
        outcomes += done
        wall += seconds
        samples.append({"requests": len(outcomes), **memory_mb(pid)})
    warm = samples[max(1, len(samples) // 10)]["rss_mb"]
    growth = (samples[-1]["rss_mb"] - warm) / warm
    return {**summarize(outcomes, wall), "rss_after_warmup_mb": warm, "rss_end_mb": samples[-1]["rss_mb"],
            "peak_rss_mb": samples[-1]["peak_rss_mb"], "growth_after_warmup": round(growth, 4),
            "within_target": growth < TARGET_GROWTH, "samples": samples}


def soak(kind: str, requests: int) -> dict:
    with start(kind) as server:
        return {"server": kind, **measure(server.url, server.pid, requests)}


def run(quick: bool = False, requests: int | None = None, kinds: tuple[str, ...] = KINDS) -> dict:
    requests = requests or (200 if quick else 5000)
    return {"requests": requests, "target_growth": TARGET_GROWTH, "rows": [soak(kind, requests) for kind in kinds]}


def table(result: dict) -> str:
    return "\n\n".join([
        f"{result['requests']} fresh ~10-character requests, {CLIENTS} clients; RSS growth from the end of "
        f"warm-up (first tenth) to the end, target < {result['target_growth']:.0%}.",
        markdown_table(result["rows"], ["server", "requests", "ok", "rejected", "lost", "rss_after_warmup_mb",
                                        "rss_end_mb", "peak_rss_mb", "growth_after_warmup", "within_target",
                                        "p95_s"]),
    ])
