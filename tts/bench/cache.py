"""Sentence-cache benchmark: what the cache saves on a realistic, skewed workload.

A workload of requests is drawn from the 200 texts in tts.bench.phrases with Zipf-
distributed popularity (rank k asked ∝ 1/k^s). It runs through the synthesizer twice,
cache off and cache on, each in a fresh child process so CPU time and peak RSS are its
own. The on-run also records every phrase's key and size, from which the admission
policies (plain LRU vs LRU with TinyLFU admission) are compared on longer traces at
cache sizes below the working set, where a policy matters. Finally the storage choice:
int16 (the grid every output format ends on) against float16.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

from tts.bench.child import peak_rss_mb, run_in_child
from tts.bench.phrases import TEXTS

MB = 1024 * 1024


def workload(requests: int, zipf: float, seed: int) -> list[str]:
    """`requests` texts; which text holds which popularity rank is also drawn from `seed`."""
    rng = np.random.default_rng(seed)
    weights = 1.0 / np.arange(1, len(TEXTS) + 1) ** zipf
    ranked = rng.permutation(len(TEXTS))
    return [TEXTS[ranked[i]] for i in rng.choice(len(TEXTS), size=requests, p=weights / weights.sum())]


class _Counting:
    """A cache wrapper that counts lookups and remembers each phrase's size."""

    def __init__(self, cache) -> None:
        self.cache = cache
        self.asked = self.found = 0
        self.sizes: dict[str, int] = {}

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found = self.cache.get_many(keys)
        self.asked += len(keys)
        self.found += len(found)
        return found

    def put(self, key: str, data: bytes) -> None:
        self.sizes[key] = len(data)
        self.cache.put(key, data)


def measure(cache_mb: int, requests: int, zipf: float, seed: int) -> dict:
    """Run in the child: warm up, then time every request of the workload."""
    from tts.config import Settings
    from tts.engines import declare_engines
    from tts.request import SynthesisRequest
    from tts.service.cache import MemoryCache
    from tts.synthesizer import Synthesizer

    engines = declare_engines(Settings())
    counting = _Counting(MemoryCache(cache_mb * MB)) if cache_mb else None
    synthesizer = Synthesizer(engines, cache=counting)
    Synthesizer(engines).synthesize(SynthesisRequest(text="预热一下。", voice="baker"))
    latencies = []
    cpu_started = time.process_time()
    for text in workload(requests, zipf, seed):
        started = time.perf_counter()
        synthesizer.synthesize(SynthesisRequest(text=text, voice="baker"))
        latencies.append(time.perf_counter() - started)
    cpu = time.process_time() - cpu_started
    result = {
        "cache_mb": cache_mb, "requests": requests, "cpu_s": round(cpu, 2),
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(float(np.percentile(latencies, 95)) * 1000, 1),
        "peak_rss_mb": peak_rss_mb(),
    }
    if counting:
        result.update(hit_rate=round(counting.found / counting.asked, 3), cache_bytes=counting.cache.bytes,
                      entries=len(counting.cache), storage=_storage(counting.cache.get_many(list(counting.sizes))))
        for text in TEXTS:   # untimed: the size of every phrase, for the policy simulation
            synthesizer.synthesize(SynthesisRequest(text=text, voice="baker"))
        result.update(text_keys={t: synthesizer.plan(SynthesisRequest(text=t, voice="baker")).keys for t in TEXTS},
                      sizes=counting.sizes)
    return result


def _storage(entries: dict[str, bytes]) -> dict:
    """int16 vs float16 for the phrase audio: same size; how many output samples float16 would change."""
    from tts.audio import dequantize, quantize

    steps = np.concatenate([np.frombuffer(data, "<i2") for data in entries.values()])
    via_half = quantize(dequantize(steps).astype(np.float16).astype(np.float32))
    return {"int16_changed_samples": 0.0,
            "float16_changed_samples": round(float(np.mean(via_half != steps)), 4),
            "float16_max_error_steps": int(np.abs(via_half.astype(np.int32) - steps).max()),
            "bytes_per_audio_second": 2 * 24000}


def simulate(text_keys: dict[str, list[str]], sizes: dict[str, int], texts: list[str], max_bytes: int,
             admission: bool) -> dict:
    """Phrase and byte hit rates of one policy on a trace of texts."""
    from tts.service.cache import MemoryCache

    cache = MemoryCache(max_bytes, admission=admission)
    asked = found = asked_bytes = found_bytes = 0
    for text in texts:
        keys = sorted(set(text_keys[text]))
        hits = cache.get_many(keys)
        asked, found = asked + len(keys), found + len(hits)
        asked_bytes += sum(sizes[k] for k in keys)
        found_bytes += sum(sizes[k] for k in hits)
        for key in keys:
            if key not in hits:
                cache.put(key, bytes(sizes[key]))
    return {"hit_rate": round(found / asked, 3), "byte_hit_rate": round(found_bytes / asked_bytes, 3)}


def run(quick: bool = False, requests: int | None = None, zipf: float = 1.0, seed: int = 1, cache_mb: int = 64,
        policy_fractions: tuple[float, ...] = (0.05, 0.1, 0.2, 0.4)) -> dict:
    """Cache off vs on (1,000 requests; 200 with `quick`), then the policies on a 20× longer trace."""
    requests = requests or (200 if quick else 1000)
    off, on = (run_in_child("tts.bench.cache:measure", cache_mb=mb, requests=requests, zipf=zipf, seed=seed)
               for mb in (0, cache_mb))
    text_keys, sizes = on.pop("text_keys"), on.pop("sizes")
    working_set = sum(sizes.values())
    trace = workload(20 * requests, zipf, seed + 1)
    policies = [{"cache_mb": round(fraction * working_set / MB, 2), "fraction_of_working_set": fraction,
                 "lru": simulate(text_keys, sizes, trace, int(fraction * working_set), admission=False),
                 "tinylfu": simulate(text_keys, sizes, trace, int(fraction * working_set), admission=True)}
                for fraction in policy_fractions]
    return {"workload": {"requests": requests, "texts": len(TEXTS), "zipf": zipf, "seed": seed,
                         "working_set_mb": round(working_set / MB, 2)},
            "off": off, "on": on, "cpu_ratio": round(off["cpu_s"] / on["cpu_s"], 2), "policies": policies}


def table(results: dict) -> str:
    w, off, on = results["workload"], results["off"], results["on"]
    lines = [f"{w['requests']} requests, Zipf s={w['zipf']} over {w['texts']} texts "
             f"(working set {w['working_set_mb']} MB of phrase audio)", "",
             "| cache | CPU s | p50 ms | p95 ms | phrase hit rate | cache MB | peak RSS MB |",
             "|---|---:|---:|---:|---:|---:|---:|",
             f"| off | {off['cpu_s']} | {off['p50_ms']} | {off['p95_ms']} | – | – | {off['peak_rss_mb']} |",
             f"| on ({on['cache_mb']} MB) | {on['cpu_s']} | {on['p50_ms']} | {on['p95_ms']} | {on['hit_rate']} "
             f"| {on['cache_bytes'] / MB:.2f} | {on['peak_rss_mb']} |",
             "", f"CPU seconds, off / on: {results['cpu_ratio']}×", "",
             "| cache size | LRU hit rate (bytes) | LRU + TinyLFU admission hit rate (bytes) |", "|---|---:|---:|"]
    for p in results["policies"]:
        lines.append(f"| {p['cache_mb']} MB ({p['fraction_of_working_set']:.0%} of working set) "
                     f"| {p['lru']['hit_rate']} ({p['lru']['byte_hit_rate']}) "
                     f"| {p['tinylfu']['hit_rate']} ({p['tinylfu']['byte_hit_rate']}) |")
    s = on["storage"]
    lines += ["", f"Storage: int16 changes {s['int16_changed_samples']:.0%} of output samples; float16 (same size) "
              f"would change {s['float16_changed_samples']:.1%}, by up to {s['float16_max_error_steps']} steps."]
    return "\n".join(lines)
