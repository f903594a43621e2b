"""The article's table next to ours: both columns measured in the same run, on this machine.

Built from the JSON the other scenarios wrote (load, cost, soak), so it is only as fresh
as they are; a row whose scenario has not run says so instead of inventing a figure.
"""

from __future__ import annotations

import json
from pathlib import Path

from tts.bench.report import RESULTS, markdown_table

ARTICLE = {   # the article's before → after, as it states them
    "latency": "3.2 s → 1.4 s", "cpu": "92% → 58%", "memory": "2.8 → 2.1 GB", "concurrency": "3 → 10",
    "stability": "72 h without a crash", "energy": "~0.8 kWh/day saved at 1,000 requests/hour",
}


def _load(out: Path, name: str) -> dict | None:
    path = out / f"{name}.json"
    return json.loads(path.read_text(encoding="utf-8")) if path.is_file() else None


def _row(metric: str, article: str, baseline, ours, note: str) -> dict:
    return {"metric": metric, "article (before → after)": article, "baseline (article design)": baseline,
            "ours": ours, "note": note}


def _by_server(rows: list[dict], key: str, **match) -> dict:
    return {r["server"]: r[key] for r in rows if all(r.get(k) == v for k, v in match.items())}


def rows(out: Path = RESULTS) -> list[dict]:
    load, cost, soak = _load(out, "load"), _load(out, "cost"), _load(out, "soak")
    table = []
    if load:
        p50 = _by_server(load["rows"], "p50_s", clients=1)
        table.append(_row("latency, one client (p50)", ARTICLE["latency"], p50.get("baseline"), p50.get("ours"),
                          f"~{load['characters']} characters, WAV, seconds"))
        busy = {r["server"]: round(100 * r["cpu_s"] / r["wall_s"] / load["machine"]["cpus"], 1)
                for r in load["rows"] if r["clients"] == max(load["levels"])}
        table.append(_row(f"CPU busy at {max(load['levels'])} clients", ARTICLE["cpu"], busy.get("baseline"),
                          busy.get("ours"), "% of all cores, server process"))
        peak = {kind: max(r["peak_rss_mb"] for r in load["rows"] if r["server"] == kind) for kind in p50}
        table.append(_row("peak memory", ARTICLE["memory"], peak.get("baseline"), peak.get("ours"),
                          "MB RSS of the server process over the load sweep"))
        limit = load["max_concurrency"]
        table.append(_row("max concurrency", ARTICLE["concurrency"], limit.get("baseline"), limit.get("ours"),
                          f"most clients with p95 < {load['p95_bound_s']} s and nothing lost"))
    if soak:
        growth = {r["server"]: f"{r['growth_after_warmup']:+.1%} RSS, {r['lost']} lost" for r in soak["rows"]}
        table.append(_row("stability", ARTICLE["stability"], growth.get("baseline"), growth.get("ours"),
                          f"{soak['requests']} requests; target < {soak['target_growth']:.0%} growth"))
    if cost:
        kwh = {r["variant"]: r["kwh_per_day_at_1000_per_hour"] for r in cost["rows"]}
        table.append(_row("energy at 1,000 requests/hour", ARTICLE["energy"], kwh.get("baseline"),
                          kwh.get("ours normal"), f"kWh/day (eco {kwh.get('ours eco', '–')}), estimated at "
                                                  f"{cost['watts_per_core_assumed']} W per busy core (assumption)"))
    return table


def sources(out: Path = RESULTS) -> list[dict]:
    """When and how quietly each input was measured: this table is built now, its figures are theirs."""
    found = {name: _load(out, name) for name in ("load", "cost", "soak")}
    return [{"scenario": name, "measured": result["machine"]["date"], "load_average": result["machine"]["load_average"]}
            for name, result in found.items() if result]


def run(out: Path = RESULTS) -> dict:
    return {"rows": rows(out), "sources": sources(out)}


def table(result: dict) -> str:
    if not result["rows"]:
        return "No load, cost or soak results yet: run `python -m tts.bench all`."
    measured = "; ".join(f"`{s['scenario']}` measured {s['measured']} (load average {s['load_average']})"
                         for s in result["sources"])
    return markdown_table(result["rows"], ["metric", "article (before → after)", "baseline (article design)",
                                           "ours", "note"]) + f"\n\nBuilt from {measured}.\n"
