"""Does memory stay flat? Many varied requests in a row, the server's RSS sampled between batches.

Our server gets the mix a real one sees (`varied`): short and longer texts, every format,
streamed, async and whole answers, eco, speed, pitch and volume, repeated phrases (cache
hits) and now and then a Kokoro voice (loaded, and unloaded again when idle). The article's
design takes only text, so it gets the plain texts. Growth is measured from the end of the
warm-up (the first tenth of the requests, when allocators and lazy imports settle) to the
end: target below 5 %; every request must end in audio (0 lost, 0 errors). The baseline's
result dict is never emptied, which is the leak this scenario catches there.
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


LENGTHS = (8, 16, 40)
FORMATS = ("wav", "mp3", "opus", "flac")
COMMON = ("您好，欢迎光临。", "请稍等。", "谢谢您的耐心等待。")


def plain(index: int) -> dict:
    return {"text": texts.fresh(index, 10, seed=99)}


def varied(index: int) -> dict:
    """The index-th request of a realistic mix (deterministic)."""
    body = {"text": COMMON[index % 3] if index % 7 == 0 else texts.fresh(index, LENGTHS[index % 3], seed=99),
            "format": FORMATS[index % 4], "speed": (1.0, 0.8, 1.25)[index % 3]}
    if index % 5 == 1:
        body["async"] = True
    elif index % 3 == 0 and body["format"] in ("wav", "opus"):   # an async job does not stream
        body["stream"] = True
    if index % 4 == 2:
        body["eco"] = True
    if index % 6 == 3:
        body.update(pitch=2.0, volume=-6.0)
    if index % 50 == 25:
        body["voice"] = "zf_xiaobei"
    return body


def measure(url: str, pid: int, requests: int, payload_for=plain) -> dict:
    """Send `requests` requests in batches to a running server, sampling its RSS after each."""
    per_batch = max(CLIENTS, requests // BATCHES)
    samples, outcomes, wall = [{"requests": 0, **memory_mb(pid)}], [], 0.0
    for batch in range(max(1, requests // per_batch)):
        offset = batch * per_batch
        done, seconds = run_clients(url, CLIENTS, per_batch // CLIENTS, lambda i: payload_for(offset + i))
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
        return {"server": kind, **measure(server.url, server.pid, requests, varied if kind.startswith("ours") else plain)}


def run(quick: bool = False, requests: int | None = None, kinds: tuple[str, ...] = KINDS) -> dict:
    requests = requests or (200 if quick else 5000)
    return {"requests": requests, "target_growth": TARGET_GROWTH, "rows": [soak(kind, requests) for kind in kinds]}


def table(result: dict) -> str:
    return "\n\n".join([
        f"{result['requests']} requests, {CLIENTS} clients (ours: the varied mix of `soak.varied`; the article's "
        f"design: fresh ~10-character texts); RSS growth from the end of "
        f"warm-up (first tenth) to the end, target < {result['target_growth']:.0%}.",
        markdown_table(result["rows"], ["server", "requests", "ok", "rejected", "lost", "rss_after_warmup_mb",
                                        "rss_end_mb", "peak_rss_mb", "growth_after_warmup", "within_target",
                                        "p95_s"]),
    ])
