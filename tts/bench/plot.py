"""The load curves as a picture: latency, throughput and health-check delay against concurrency,
ours vs baseline (the third panel shows whether the server still answers while it synthesizes)."""

from __future__ import annotations

from pathlib import Path


def load_plot(result: dict, path: Path) -> Path:
    import matplotlib

    matplotlib.use("Agg")   # files only, no display
    from matplotlib import pyplot

    figure, (latency, throughput, probe) = pyplot.subplots(1, 3, figsize=(15, 4.2))
    for kind, style in (("ours", "o-"), ("ours-litert", "^:"), ("baseline", "s--")):
        rows = [r for r in result["rows"] if r["server"] == kind and r["p95_s"] is not None]
        if not rows:
            continue
        clients = [r["clients"] for r in rows]
        latency.plot(clients, [r["p95_s"] for r in rows], style, label=f"{kind} p95")
        latency.plot(clients, [r["p50_s"] for r in rows], style, alpha=0.4, label=f"{kind} p50")
        throughput.plot(clients, [r["throughput_audio_s_per_s"] for r in rows], style, label=kind)
        probe.plot(clients, [r["probe_max_ms"] for r in rows], style, label=kind)
    latency.axhline(result["p95_bound_s"], color="grey", linewidth=0.8, label=f"bound {result['p95_bound_s']} s")
    latency.set(xlabel="concurrent clients", ylabel="latency, s", title="Latency (accepted requests)")
    throughput.set(xlabel="concurrent clients", ylabel="audio seconds per second", title="Throughput")
    probe.set(xlabel="concurrent clients", ylabel="ms (log)", yscale="log", title="Slowest /readyz during the level")
    for axis in (latency, throughput, probe):
        axis.grid(alpha=0.3)
        axis.legend()
    figure.tight_layout()
    figure.savefig(path, dpi=110)
    pyplot.close(figure)
    return path
