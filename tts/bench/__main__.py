"""`python -m tts.bench <scenario> [--quick]`: measure, then write tts/bench/results/<scenario>.{json,md}.

Scenarios: rtf (prints only), single, chunks, load (+ PNG), cost, soak, memory, quality, quality_levers, ttfb,
encoders, frontend, cache, kokoro, vocoder, turns, browser_vocoder, acoustic, latin, latin_dev, loudness, summary (the article's table
beside ours), and all.
Each scenario module has `run(...) -> dict` and `table(result) -> str`; options reach a scenario only
if its `run` accepts them by name. A result's "stem" (if any) names its files instead of the scenario.
"""

from __future__ import annotations

import argparse
import importlib
import inspect
import json
import time
from pathlib import Path

from tts.bench import rtf
from tts.bench.quality import DEFAULT_JUDGE, JUDGES
from tts.bench.report import RESULTS, write

SCENARIOS = {
    "single": "first audio, latency and RTF of short/medium/long texts at 1 and 2 threads",
    "chunks": "vocoder chunk size and threads (onnxruntime and the old LiteRT path) vs RTF, CPU, first audio, RSS",
    "load": "live servers, ours vs the article's baseline, under 1–16 concurrent clients",
    "cost": "server CPU seconds per audio second, peak RSS, estimated Wh per 1,000 requests; eco vs normal",
    "soak": "RSS growth over many short requests, ours vs baseline",
    "memory": "peak RSS phase by phase (embedded, Kokoro, the queue full of the longest texts, the cache full): "
              "the memory caps",
    "quality": "Whisper CER and toneless-pinyin error rate for every setting benchmarked",
    "quality_levers": "the embedded voice's intelligibility levers (units, breaks, noise, durations, vocoder, "
                      "speed), decided on half the sentences, confirmed on the rest and on held-out ones",
    "ttfb": "time to the first audio byte over HTTP for 200 characters, streaming vs not, per format",
    "encoders": "CPU per audio second of every format's encoder (streamed and whole) next to synthesis, and bytes",
    "frontend": "intelligibility before vs after our frontend (Whisper), and the frontend's cost",
    "cache": "sentence cache on vs off on a Zipf workload: CPU seconds, latency, hit rate, memory",
    "kokoro": "the Kokoro voices next to the embedded one: RTF, first audio, RSS; session options, batching",
    "vocoder": "embedded vocoder, onnxruntime vs LiteRT as shipped: bare CPU, int8 rounding noise, Whisper guard",
    "summary": "the article's table next to ours, from the load, cost and soak results",
    "turns": "short requests' latency while long ones run: one request at a time (before) vs fair turns (after)",
    "browser_vocoder": "browser vocoding vs server audio: server CPU and bytes per audio s (wav, opus, browser), "
                       "first sound and the device's cost in Chromium",
    "acoustic": "the embedded acoustic model's server CPU, part by part (frontend, LiteRT per call and per frame, "
                "threads, halves), the frame-rate half on onnxruntime, and server_cpu_share per design",
    "latin": "English words, acronyms, URLs in Chinese text: Whisper's share of English words recovered, Chinese CER",
    "latin_dev": "the Kokoro voices' English on development sentences of our own (changes are decided there, "
                 "then confirmed by latin)",
    "loudness": "every voice's integrated loudness (BS.1770, LUFS), its calibration gain to the common target, and "
                "how often the per-phrase peak limiter engages",
}


def run_scenario(name: str, options: dict, out: Path) -> float:
    """Run one scenario with the options its `run` accepts; write its files; return seconds taken."""
    module = importlib.import_module(f"tts.bench.{name}")
    accepted = inspect.signature(module.run).parameters
    started = time.perf_counter()
    result = module.run(**{k: v for k, v in options.items() if k in accepted and v is not None})
    seconds = time.perf_counter() - started
    result["elapsed_s"] = round(seconds, 1)
    print(f"{name}: {seconds:.0f} s → {write(result.pop('stem', name), result, module.table(result), out)}", flush=True)
    if name == "load":
        from tts.bench.plot import load_plot

        print(f"load plot → {load_plot(result, out / 'load.png')}")
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tts.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("scenario", nargs="?", default="rtf", choices=("rtf", *SCENARIOS, "all"),
                        help="; ".join(f"{name}: {what}" for name, what in SCENARIOS.items()))
    parser.add_argument("--quick", action="store_true", help="small runs (all: under 10 minutes)")
    parser.add_argument("--out", type=Path, default=RESULTS, help="where results go (default tts/bench/results)")
    parser.add_argument("--threads", type=int, nargs="+", default=None, help="rtf/single: thread counts")
    parser.add_argument("--repeats", type=int, default=None, help="rtf/single/chunks: timed runs per setting")
    parser.add_argument("--text", default=rtf.SENTENCE_50, help="rtf: the text")
    parser.add_argument("--json", action="store_true", help="rtf: print JSON instead of a Markdown table")
    parser.add_argument("--requests", type=int, default=None, help="soak/cost: requests per server")
    parser.add_argument("--voices", nargs="+", default=None, help="quality, loudness, latin, latin_dev: the voices (default: quality's three; loudness: all)")
    parser.add_argument("--judge", choices=list(JUDGES), default=None,
                        help=f"quality: the recognizer (default {DEFAULT_JUDGE}; another writes quality_<judge>.*)")
    parser.add_argument("--clients", type=int, nargs="+", default=None, help="load: concurrency levels")
    parser.add_argument("--per-client", type=int, default=None, help="load: requests per client")
    parser.add_argument("--p95-bound", type=float, default=None, help="load: p95 bound in seconds (default 3)")
    args = parser.parse_args()
    if args.scenario == "rtf":
        results = rtf.run(args.threads or [1, 2], args.text, args.repeats or 8)
        print(json.dumps(results, ensure_ascii=False, indent=2) if args.json else rtf.table(results))
        return
    options = {"quick": args.quick, "repeats": args.repeats, "requests": args.requests,
               "threads": tuple(args.threads) if args.threads else None,
               "levels": tuple(args.clients) if args.clients else None, "per_client": args.per_client,
               "bound_s": args.p95_bound, "out": args.out, "voices": tuple(args.voices) if args.voices else None,
               "judge": args.judge}
    names = list(SCENARIOS) if args.scenario == "all" else [args.scenario]
    total = sum(run_scenario(name, options, args.out) for name in names)
    print(f"done in {total:.0f} s")


if __name__ == "__main__":
    main()
