"""What a request costs the server: CPU seconds per audio second, peak memory, energy.

This machine has no RAPL energy counters, so energy is estimated from the server
process's CPU time with an assumed power per busy core (WATTS_PER_CORE, stated in every
report). It is a proxy for comparing designs on the same machine, not a wall-socket figure.
`variant` is public so other scenarios (the cache's) measure their settings the same way.
"""

from __future__ import annotations

from tts.bench.load import OURS_ENV, measure_level
from tts.bench.report import markdown_table
from tts.bench.server import BenchServer

WATTS_PER_CORE = 10.0        # assumption: one busy x86 server core ≈ 10 W above idle
REQUESTS_PER_HOUR = 1000     # the article's load for its kWh/day figure
VARIANTS = (                 # (name, server, extra server env, extra request fields)
    ("ours normal", "ours", OURS_ENV, {}),
    ("ours eco", "ours", OURS_ENV, {"eco": True}),
    ("ours, old LiteRT vocoder", "ours-litert", OURS_ENV, {}),
    ("baseline", "baseline", {}, {}),
)
COLUMNS = ["variant", "requests", "ok", "lost", "audio_s", "cpu_s", "cpu_s_per_audio_s", "cpu_s_per_request",
           "wh_per_1000_requests", "kwh_per_day_at_1000_per_hour", "peak_rss_mb"]


def energy(cpu_s_per_request: float) -> dict:
    wh = cpu_s_per_request * 1000 * WATTS_PER_CORE / 3600
    return {"wh_per_1000_requests": round(wh, 3),
            "kwh_per_day_at_1000_per_hour": round(wh * REQUESTS_PER_HOUR / 1000 * 24 / 1000, 4)}


def variant(name: str, kind: str, env: dict, extra: dict, requests: int, clients: int = 2,
            characters: int = 50) -> dict:
    """Serve `requests` fresh texts with `extra` request fields; the server's cost per request."""
    with BenchServer(kind, **env) as server:
        row = measure_level(server.url, server.pid, clients, max(1, requests // clients), characters, seed=7,
                            extra=extra)
    per_request = row["cpu_s"] / row["ok"] if row["ok"] else 0.0
    return {"variant": name, **row, "cpu_s_per_request": round(per_request, 4), **energy(per_request)}


def run(quick: bool = False, requests: int | None = None) -> dict:
    requests = requests or (10 if quick else 100)
    rows = [variant(name, kind, env, extra, requests) for name, kind, env, extra in VARIANTS]
    base = next(r for r in rows if r["variant"] == "baseline")
    saved = {r["variant"]: round(base["kwh_per_day_at_1000_per_hour"] - r["kwh_per_day_at_1000_per_hour"], 4)
             for r in rows if r is not base}
    return {"watts_per_core_assumed": WATTS_PER_CORE, "requests_per_variant": requests, "rows": rows,
            "kwh_per_day_saved_vs_baseline": saved}


def table(result: dict) -> str:
    saved = ", ".join(f"{name}: {kwh} kWh/day" for name, kwh in result["kwh_per_day_saved_vs_baseline"].items())
    return "\n\n".join([
        f"{result['requests_per_variant']} requests of ~50 fresh characters per variant, 2 clients. Energy is "
        f"an estimate: server CPU seconds × {result['watts_per_core_assumed']} W per busy core (assumed; "
        f"no RAPL counters here).",
        markdown_table(result["rows"], COLUMNS),
        f"Saved against the baseline at 1,000 requests/hour — {saved}.",
    ])
