"""Latin script in Chinese text, heard by Whisper: are the English words said, is the Chinese intact?

For every voice (the embedded one and two Kokoro voices) each sentence of latin_texts is
synthesized as served and transcribed (Whisper base, language zh, greedy, temperature 0):
- English recovered: the share of the sentence's Latin words (letters only, case-insensitive)
  found in the transcript, spaces and punctuation ignored (so "G P U" counts for GPU);
- Chinese-part CER: errors on the text's Chinese characters (after tts.frontend.normalize),
  each Latin word a gap that absorbs whatever Whisper wrote for it, next to the CER of the same
  sentence with its Latin words deleted (pure Chinese text, same voice): the English words must
  not cost the Chinese around them.
Whisper writes some loanwords in characters (咖啡 for coffee), so no system reaches 1.0.
"""

from __future__ import annotations

import re
import statistics

from tts.bench.latin_texts import SENTENCES
from tts.bench.quality import VOICES, comparable, transcribe
from tts.bench.report import markdown_table
from tts.request import SynthesisRequest

_LATIN = re.compile(r"[A-Za-z]+")


def english_words(text: str) -> list[str]:
    """The Latin words a listener should hear (www.example.com → www, example, com)."""
    return _LATIN.findall(text)


def recovered(words: list[str], heard: str) -> int:
    """How many of `words` the transcript contains (letters only, case-insensitive)."""
    letters = "".join(_LATIN.findall(heard)).lower()
    return sum(word.lower() in letters for word in words)


def chinese_cer(heard: str, text: str) -> float:
    """CER over the Chinese characters of `text` (after normalization): each Latin word is a gap
    that absorbs, at no cost, whatever the transcript wrote for it (Microsoft, 麦克索夫特 or
    nothing), so only the Chinese around the English words is scored."""
    reference = [None if _LATIN.fullmatch(piece) else piece
                 for piece in re.findall(r"[A-Za-z]+|.", comparable(text))]
    return gapped_distance(reference, comparable(heard)) / max(1, sum(p is not None for p in reference))


def gapped_distance(reference: list[str | None], hypothesis: str) -> int:
    """Edit distance from `reference` (characters, None = a gap matching any run) to `hypothesis`."""
    previous = list(range(len(hypothesis) + 1))
    for item in reference:
        if item is None:   # a gap: reach any later position for free
            current = list(previous)
            for j in range(1, len(current)):
                current[j] = min(current[j], current[j - 1])
        else:
            current = [previous[0] + 1]
            for j, char in enumerate(hypothesis, 1):
                current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (item != char)))
        previous = current
    return previous[-1]


def score(speak, sentences: tuple[str, ...]) -> dict:
    """English recovered and Chinese-part CER of `speak(text) -> (samples, rate)` over `sentences`."""
    details, found, total = [], 0, 0
    for text in sentences:
        heard = transcribe(*speak(text))
        pure = _LATIN.sub("", text)
        pure_heard = transcribe(*speak(pure))
        words = english_words(text)
        hits = recovered(words, heard)
        found, total = found + hits, total + len(words)
        details.append({"text": text, "heard": heard, "english": f"{hits}/{len(words)}",
                        "chinese_cer": round(chinese_cer(heard, text), 4),
                        "pure_cer": round(chinese_cer(pure_heard, pure), 4), "pure_heard": pure_heard})
    cers, pures = [d["chinese_cer"] for d in details], [d["pure_cer"] for d in details]
    return {"sentences": len(sentences), "english_words": total, "english_recovered": round(found / max(1, total), 3),
            "chinese_cer": round(statistics.mean(cers), 4), "pure_chinese_cer": round(statistics.mean(pures), 4),
            "details": details}


def run(quick: bool = False, voices: tuple[str, ...] | None = None,
        sentences: tuple[str, ...] = SENTENCES) -> dict:
    """`voices` (CLI --voices) and `sentences` (from Python: a development set of
    tts.bench.latin_dev_texts) default to the bench's."""
    return measure(sentences[::3] if quick else sentences, voices or VOICES)


def measure(sentences: tuple[str, ...], voices: tuple[str, ...]) -> dict:
    """`score` of every voice on `sentences`, each synthesized as served."""
    from tts.config import Settings
    from tts.engines import declare_engines
    from tts.synthesizer import Synthesizer

    synthesizer = Synthesizer(declare_engines(Settings(threads=2, kokoro_threads=2)))
    synthesizer.synthesize(SynthesisRequest(text="你好。", voice="baker"))   # the first call of an interpreter is slow

    def speak(voice: str):
        return lambda text: synthesizer.synthesize(SynthesisRequest(text=text, voice=voice))

    rows = [{"voice": voice, "engine": synthesizer.catalogue.engine(voice).name, **score(speak(voice), sentences)}
            for voice in voices]
    return {"recognizer": "faster-whisper base int8, language zh, greedy, temperature 0", "rows": rows}


def table(result: dict) -> str:
    columns = ["voice", "engine", "sentences", "english_words", "english_recovered", "chinese_cer", "pure_chinese_cer"]
    worst = [{"voice": row["voice"], **d} for row in result["rows"] for d in row["details"]
             if d["english"].split("/")[0] != d["english"].split("/")[1]]
    return "\n\n".join([
        f"Recognizer: {result['recognizer']}. english_recovered = share of the sentences' Latin words found in the "
        "transcript (case-insensitive, spaces ignored); chinese_cer = CER on the Chinese characters, each Latin word "
        "a gap absorbing whatever the transcript wrote for it; pure_chinese_cer = the same sentences with their "
        "Latin words deleted, same voice.",
        markdown_table(result["rows"], columns),
        "Sentences where an English word was not recovered:",
        markdown_table(worst, ["voice", "text", "english", "heard"]),
    ])
