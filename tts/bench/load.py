"""Throughput and latency under N concurrent clients: ours against the article's baseline.

Both servers get the same clients and the same fresh texts (nothing repeats, so no cache
helps either side), one server process each for the whole sweep, with the CPU seconds of
the server process read around every concurrency level. A probe asks /readyz meanwhile:
its latency shows whether the server stays responsive while it synthesizes.
`max_concurrency` is the largest level whose p95 stays below the stated bound with
nothing lost.
"""

from __future__ import annotations

from tts.bench import texts
from tts.bench.clients import Probe, run_clients, summarize
from tts.bench.report import markdown_table
from tts.bench.server import BenchServer, cpu_seconds, memory_mb

KINDS = ("ours", "ours-litert", "baseline")   # ours-litert: our server with the old LiteRT vocoder
OURS_ENV = {"TTS_CACHE_MB": "0"}   # cache effects are the cache scenario's business
LEVELS = (1, 2, 4, 8, 10, 16)
P95_BOUND_S = 3.0
COLUMNS = ["server", "clients", "requests", "ok", "rejected", "lost", "share_503", "throughput_audio_s_per_s",
           "p50_s", "p95_s", "p99_s", "probe_p50_ms", "probe_max_ms", "cpu_s_per_audio_s", "peak_rss_mb"]


def measure_level(url: str, pid: int, clients: int, per_client: int, characters: int, seed: int = 0,
                  extra: dict | None = None) -> dict:
    """One concurrency level against a running server: client view plus the server's CPU."""
    cpu_before = cpu_seconds(pid)
    payload = lambda i: {"text": texts.fresh(i, characters, seed), "format": "wav", **(extra or {})}  # noqa: E731
    with Probe(url) as probe:
        outcomes, wall = run_clients(url, clients, per_client, payload)
    row = {"clients": clients, **summarize(outcomes, wall), **probe.summary()}
    cpu = cpu_seconds(pid) - cpu_before
    row["cpu_s"] = round(cpu, 3)
    row["cpu_s_per_audio_s"] = round(cpu / row["audio_s"], 4) if row["audio_s"] else None
    row.update(memory_mb(pid))
    return row


def start(kind: str) -> BenchServer:
    return BenchServer(kind, **(OURS_ENV if kind.startswith("ours") else {})).wait_ready()


def sweep(kinds: tuple[str, ...], levels: tuple[int, ...], per_client: int, characters: int) -> list[dict]:
    """Both servers up at once, levels interleaved (ours, baseline, ours, …) so that noise from
    other work on the machine falls on both alike; an idle server costs the other nothing."""
    servers: list[BenchServer] = []
    try:
        for kind in kinds:
            servers.append(start(kind))
        rows = [{"server": s.kind, **measure_level(s.url, s.pid, n, per_client, characters, seed=n)}
                for n in levels for s in servers]
    finally:
        for server in servers:
            server.stop()
    return sorted(rows, key=lambda r: (kinds.index(r["server"]), r["clients"]))


def max_concurrency(rows: list[dict], bound_s: float) -> int | None:
    good = [r["clients"] for r in rows if r["p95_s"] is not None and r["p95_s"] < bound_s and not r["lost"]]
    return max(good) if good else None


def ratios(rows: list[dict]) -> list[dict]:
    """Each of our servers ÷ baseline at every level both measured (>1 = ours higher)."""
    by = {(r["server"], r["clients"]): r for r in rows}
    out = []
    for (kind, clients), ours in sorted(by.items()):
        base = by.get(("baseline", clients))
        if kind == "baseline" or base is None:
            continue
        out.append({"server": kind, "clients": clients, **{key: _ratio(ours[key], base[key]) for key in
                    ("throughput_audio_s_per_s", "p95_s", "probe_max_ms", "cpu_s_per_audio_s", "peak_rss_mb")},
                    "lost_ours": ours["lost"], "lost_baseline": base["lost"],
                    "share_503_ours": ours["share_503"], "share_503_baseline": base["share_503"]})
    return out


def _ratio(a, b):
    return round(a / b, 3) if a is not None and b else None


def run(quick: bool = False, levels: tuple[int, ...] | None = None, per_client: int | None = None,
        characters: int = 50, bound_s: float = P95_BOUND_S, kinds: tuple[str, ...] = KINDS) -> dict:
    levels = levels or ((1, 4, 10) if quick else LEVELS)
    per_client = per_client or (2 if quick else 8)
    rows = sweep(kinds, levels, per_client, characters)
    return {"levels": list(levels), "per_client": per_client, "characters": characters, "p95_bound_s": bound_s,
            "rows": rows, "ratios": ratios(rows),
            "max_concurrency": {kind: max_concurrency([r for r in rows if r["server"] == kind], bound_s)
                                for kind in kinds}}


def table(result: dict) -> str:
    limits = ", ".join(f"{kind}: {n}" for kind, n in result["max_concurrency"].items())
    return "\n\n".join([
        f"Each client sends {result['per_client']} requests of ~{result['characters']} fresh characters "
        f"(WAV, sync); 503s retried after Retry-After (≤ 3 retries).",
        markdown_table(result["rows"], COLUMNS),
        "Ours ÷ baseline:",
        markdown_table(result["ratios"], ["server", "clients", "throughput_audio_s_per_s", "p95_s", "probe_max_ms",
                                          "cpu_s_per_audio_s", "peak_rss_mb", "lost_ours", "lost_baseline",
                                          "share_503_ours", "share_503_baseline"]),
        f"Highest concurrency with p95 < {result['p95_bound_s']} s and nothing lost — {limits}.",
    ])
