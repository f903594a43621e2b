"""Levers on how Kokoro says English in Chinese text, heard by Whisper, paired per sentence.

Each lever sets the Kokoro engine's per-token speeds (`english_speed` for an English word's tokens,
`edge_speed` for the breaks setting it off; see tts.engines.kokoro_phonemes.token_roles) and every
sentence is synthesized and transcribed as `python -m tts.bench latin` does (English words recovered,
Chinese-part CER; the pure-Chinese CER is not recomputed, the levers do not touch Chinese-only text).
Deltas are paired per sentence against the served engine, with a 90 % bootstrap interval, so a lever
is decided on the development sentences (tts.bench.latin_dev_texts) and only then confirmed on the
bench's own:

    python -m tts.bench.latin_levers "english 1.0" "edges 0.5" --voices zf_xiaobei zm_yunjian [--set bench] [--first N]
"""

from __future__ import annotations

import sys

from tts.bench.latin import chinese_cer, english_words, recovered
from tts.bench.latin_dev_texts import KOKORO_SENTENCES
from tts.bench.latin_texts import SENTENCES as BENCH_SENTENCES
from tts.bench.quality import transcribe
from tts.bench.quality_levers import paired_delta
from tts.bench.report import markdown_table
from tts.request import SynthesisRequest

BASELINE = "served"
# name → the engine's attributes it changes from the served ones (speed multiples: < 1 is slower)
LEVERS: dict[str, dict[str, float]] = {
    BASELINE: {},
    "english 1.0": {"english_speed": 1.0},   # before session 8: one speed for the whole call
    "english 0.75": {"english_speed": 0.75},
    "edges 0.5": {"edge_speed": 0.5},
}
SETS = {"dev": KOKORO_SENTENCES, "bench": BENCH_SENTENCES}


def heard(levers: tuple[str, ...], voices: tuple[str, ...], sentences: tuple[str, ...]) -> list[dict]:
    """One row per lever and voice: words recovered, mean Chinese-part CER, and per-sentence details."""
    from tts.config import Settings
    from tts.engines import declare_engines
    from tts.synthesizer import Synthesizer

    from tts.engines.kokoro import EDGE_SPEED, ENGLISH_SPEED, KokoroEngine

    served = {"english_speed": ENGLISH_SPEED, "edge_speed": EDGE_SPEED}
    synthesizer = Synthesizer(declare_engines(Settings(threads=2, kokoro_threads=2)))
    rows = []
    try:
        for voice in voices:
            for name in levers:
                for attribute, value in served.items():   # on the class: an idle unload keeps them
                    setattr(KokoroEngine, attribute, LEVERS[name].get(attribute, value))
                details = []
                for text in sentences:
                    samples, rate = synthesizer.synthesize(SynthesisRequest(text=text, voice=voice))
                    words, transcript = english_words(text), transcribe(samples, rate)
                    details.append({"text": text, "heard": transcript, "hits": recovered(words, transcript),
                                    "words": len(words), "chinese_cer": round(chinese_cer(transcript, text), 4)})
                rows.append({"lever": name, "voice": voice, "sentences": len(details),
                             "recovered": sum(d["hits"] for d in details), "words": sum(d["words"] for d in details),
                             "chinese_cer": round(sum(d["chinese_cer"] for d in details) / len(details), 4),
                             "details": details})
                print(f"{name} {voice}: {rows[-1]['recovered']}/{rows[-1]['words']}", file=sys.stderr, flush=True)
    finally:   # the served engine again, for whatever runs next in this process
        for attribute, value in served.items():
            setattr(KokoroEngine, attribute, value)
    return rows


def deltas(rows: list[dict]) -> list[dict]:
    """Each lever against the served engine, same voice, in words recovered over the sentences
    (paired per sentence, 90 % bootstrap interval) and in mean Chinese-part CER."""
    served = {row["voice"]: row for row in rows if row["lever"] == BASELINE}
    out = []
    for row in rows:
        base = served.get(row["voice"])
        if base is None or row is base:
            continue
        words = paired_delta(row, base, "hits")
        n = words["sentences"]
        out.append({"lever": row["lever"], "voice": row["voice"], "recovered": f"{base['recovered']} → {row['recovered']}",
                    "words": row["words"], "delta": round(words["delta"] * n),
                    "interval_90": f"[{words['low_5'] * n:+.0f}, {words['high_95'] * n:+.0f}]",
                    "sentences_gained": words["worse"], "sentences_lost": words["better"],
                    "chinese_cer": f"{base['chinese_cer']} → {row['chinese_cer']}"})
    return out


def table(rows: list[dict]) -> str:
    return markdown_table(deltas(rows), ["lever", "voice", "recovered", "words", "delta", "interval_90",
                                         "sentences_gained", "sentences_lost", "chinese_cer"])


if __name__ == "__main__":
    import argparse
    import json

    parser = argparse.ArgumentParser(prog="python -m tts.bench.latin_levers",
                                     description=__doc__.split("\n\n")[0])
    parser.add_argument("levers", nargs="+", choices=list(LEVERS))
    parser.add_argument("--voices", nargs="+", default=["zf_xiaobei", "zm_yunjian"])
    parser.add_argument("--set", choices=list(SETS), default="dev")
    parser.add_argument("--first", type=int, default=None, help="only the first N sentences of the set")
    parser.add_argument("--json", default=None, help="also write every row with its transcripts here")
    args = parser.parse_args()
    names = tuple(dict.fromkeys([BASELINE, *args.levers]))
    result = heard(names, tuple(args.voices), SETS[args.set][:args.first])
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, ensure_ascii=False, indent=1)
    print(markdown_table(result, ["lever", "voice", "sentences", "recovered", "words", "chinese_cer"]))
    print(table(result))
