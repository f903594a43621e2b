"""How our Kokoro feed differs from misaki's, class by class, and which reads better.

Kokoro v1.0 learned Mandarin from misaki's legacy G2P: jieba words read by pypinyin, tones
as written in the dictionary (no third-tone sandhi, 一 and 不 only where a dictionary
word stores them), spaces between words. Our frontend feeds it its own readings after
sandhi. `classify` counts the differences over a large text set (the syllable-level ones
only; numbers are left out, misaki reads them its own way); `listen` renders the classes
whose choice is ours to make both ways, on the sentences where they differ, and asks
Whisper which reads better.

    python -m tts.bench.kokoro_feed [--texts N] [--listen]
"""

from __future__ import annotations

import argparse
import random
import re
import statistics
from collections import Counter, defaultdict
from dataclasses import replace
from pathlib import Path

import numpy as np

from tts.bench.quality import paired_ratio, transcribe_errors
from tts.bench.quality_texts import SENTENCES
from tts.bench.report import markdown_table
from tts.frontend import normalize
from tts.frontend.eval import DEFAULT_DATA, read_tsv
from tts.frontend.g2p import Word, is_hanzi, words
from tts.frontend.phrase import Phrase
from tts.frontend.prosody import build_phrase
from tts.frontend.sandhi import apply as apply_sandhi
from tts.frontend.sentences import sentence_spans

_SYLLABLE = re.compile(r"([a-z]+)([1-5])")
VOICES = ("zf_xiaobei", "zm_yunjian")
# Sentences rich in the classes listened to: third tones in a row, 一 and 不 (our own).
EXTRA = (
    "我很想买几本好看的小说。", "你可以往北走五百米左右。", "老李也许早已经走了。", "请你把雨伞给我。",
    "我们一起去展览馆看看吧。", "这种水果一点也不好吃。", "他一个人住在很远的地方。", "你也不用太担心。",
    "小组里五个人都很友好。", "今晚我想早点儿睡觉。", "这是我第一次坐飞机。", "她一边走一边打电话。",
    "我不是不想去，只是太忙了。", "这个想法很有意思，我也很赞成。", "领导说这件事不要紧。",
    "买五斤苹果要多少钱？", "我以为你早就知道了。", "她有两个姐姐和一个妹妹。", "你往左拐就到了。", "雨下得不大不小。",
)


def _split(syllable: str) -> tuple[str | None, int | None]:
    m = _SYLLABLE.fullmatch(syllable or "")
    return (m.group(1), int(m.group(2))) if m else (None, None)


def misaki_syllables(text: str) -> list[str | None]:
    """misaki's legacy reading, one entry per character (None where it reads none):
    jieba words (with its HMM, as misaki cuts) read by pypinyin."""
    import jieba
    from pypinyin import Style, lazy_pinyin

    out: list[str | None] = []
    for chunk in re.findall(r"[\u4e00-\u9fff]+|[^\u4e00-\u9fff]+", text):
        if not is_hanzi(chunk[0]):
            out += [None] * len(chunk)
            continue
        for word in jieba.lcut(chunk):
            syllables = lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True)
            out += syllables if len(syllables) == len(word) else [None] * len(word)
    return out


def difference(char: str, ours: str, theirs: str, next_theirs: str | None) -> str:
    """The class of one syllable where our spoken reading differs from misaki's."""
    (ob, ot), (mb, mt) = _split(ours), _split(theirs)
    if ours == "r":
        return "erhua merged into the syllable before"
    if ob != mb:
        return "another syllable (polyphone reading)"
    if char in "一不":
        return f"{char} sandhi"
    if (mt, ot) == (3, 2) and _split(next_theirs or "")[1] == 3:
        return "third-tone sandhi (ours 2, misaki 3)"
    if ot == 5 or mt == 5:
        return "neutral tone (" + ("ours" if ot == 5 else "misaki's") + ")"
    return "another tone (polyphone reading)"


def _syllable_chars(sentence: str, flat: list[str]) -> list[int]:
    """For a sentence of Chinese characters and punctuation: the last character of each syllable."""
    return [i for i, (char, reading) in enumerate(zip(sentence, flat))
            if is_hanzi(char) and reading != "r" and _split(reading)[0]]


def _misaki_word_ends(sentence: str) -> set[int]:
    """Offsets of the last character of each word as misaki cuts them (jieba with its HMM)."""
    import jieba

    ends, end = set(), 0
    for word in jieba.lcut(sentence):
        end += len(word)
        ends.add(end - 1)
    return ends


def _word_gaps(sentence: str, segmented: list[Word], surface: list[tuple[str, ...]]) -> Counter:
    """Between two adjacent Chinese characters: does our feed put a word space, does misaki's?"""
    phrase = build_phrase([(w.text, r) for w, r in zip(segmented, surface)], 0, sentence)
    flat = [s for reading in surface for s in reading]
    ours_after = {char: phrase.breaks[k] >= 1 for k, char in enumerate(_syllable_chars(sentence, flat))}
    theirs_after = _misaki_word_ends(sentence)
    gaps = Counter()
    for i in range(len(sentence) - 1):
        if is_hanzi(sentence[i]) and is_hanzi(sentence[i + 1]) and flat[i + 1] != "r":
            ours, theirs = ours_after.get(i, False), i in theirs_after
            gaps["both" if ours and theirs else "ours only" if ours else "misaki only" if theirs else "neither"] += 1
    return gaps


def classify(texts: list[str]) -> dict:
    """Per class: how many Chinese syllables differ, with a few examples; word spaces between
    Chinese characters, ours and misaki's."""
    counts, examples, compared, gaps = Counter(), defaultdict(list), 0, Counter()
    for text in texts:
        spoken = normalize(text)
        if re.sub(r"\W", "", spoken) != re.sub(r"\W", "", text):   # numbers, letters: not comparable
            continue
        segmented = words(spoken)
        surface = apply_sandhi(segmented)
        ours = [s for reading in surface for s in reading]
        theirs = misaki_syllables(spoken)
        gaps += _word_gaps(spoken, segmented, surface)
        for i, (char, o, m) in enumerate(zip(spoken, ours, theirs)):
            if not is_hanzi(char) or m is None:
                continue
            compared += 1
            if o != m:
                kind = difference(char, o, m, theirs[i + 1] if i + 1 < len(theirs) else None)
                counts[kind] += 1
                if len(examples[kind]) < 3:
                    examples[kind].append(f"{spoken[max(0, i - 4):i + 4]}: {char} {o} / {m}")
    return {"syllables": compared, "word_gaps": dict(gaps), "classes": [
        {"class": kind, "syllables": n, "share": round(n / max(compared, 1), 4), "examples": "; ".join(examples[kind])}
        for kind, n in counts.most_common()]}


def _lexical_where(surface: list[tuple[str, ...]], segmented: list[Word], undo) -> list[list[str]]:
    """Surface readings with the lexical one put back where `undo(char, lexical, surface, next)` says."""
    flat_lex = [s for w in segmented for s in w.pinyin]
    flat_surface = [s for reading in surface for s in reading]
    chars = "".join(w.text for w in segmented)
    for i, (char, lexical, spoken) in enumerate(zip(chars, flat_lex, flat_surface)):
        nxt = flat_surface[i + 1] if i + 1 < len(flat_surface) else ""
        if spoken != lexical and undo(char, lexical, spoken, nxt):
            flat_surface[i] = lexical
    out, start = [], 0
    for w in segmented:
        out.append(flat_surface[start:start + len(w.text)])
        start += len(w.text)
    return out


FEEDS = {   # name → (which sandhi to undo, or None; whether to space words as misaki does)
    "ours": (None, False),
    "lexical third tones, as misaki": (lambda char, lex, spoken, nxt: _split(lex)[1] == 3 and _split(spoken)[1] == 2,
                                       False),
    "lexical 一 and 不, as misaki": (lambda char, lex, spoken, nxt: char in "一不", False),
    "misaki's word spaces": (None, True),
}


def feed(text: str, name: str) -> list[Phrase]:
    """The sentences of `text` as whole phrases, made the way feed `name` says."""
    undo, misaki_spaces = FEEDS[name]
    spoken, phrases = normalize(text), []
    for start, end, pause in sentence_spans(spoken):
        sentence = spoken[start:end]
        segmented = words(sentence)
        surface = apply_sandhi(segmented)
        readings = surface if undo is None else _lexical_where(surface, segmented, undo)
        phrase = build_phrase([(w.text, r) for w, r in zip(segmented, readings)], pause, sentence)
        if misaki_spaces and phrase.syllables and re.sub(r"\W", "", sentence) == re.sub(r"[^\u4e00-\u9fff]", "", sentence):
            ends = _misaki_word_ends(sentence)
            chars = _syllable_chars(sentence, [s for r in readings for s in r])
            phrase = replace(phrase, breaks=tuple(b if b >= 2 else int(c in ends) for b, c in zip(phrase.breaks, chars)))
        if phrase.syllables:
            phrases.append(phrase)
    return phrases


def listen(texts: list[str], feeds: list[str], voices: tuple[str, ...] = VOICES) -> list[dict]:
    """Each feed against ours on the sentences where it differs, per voice (Whisper, paired)."""
    from tts.config import Settings
    from tts.engines.kokoro import DEFAULT_VOICES_DIR, KokoroEngine, trim_silence
    from tts.engines.kokoro_model import assemble
    from tts.engines.kokoro_phonemes import phrase_phonemes

    engine = KokoroEngine(assemble(Settings().kokoro_dir), DEFAULT_VOICES_DIR, 2)
    heard: dict[tuple[str, str], dict] = {}

    def score(phrases: list[Phrase], voice: str, text: str) -> dict:
        key = ("|".join(map(phrase_phonemes, phrases)), voice)
        if key not in heard:
            audio = [piece for p in phrases for piece in (
                trim_silence(engine.infer(engine.token_ids(phrase_phonemes(p)), voice, 1.0)),
                np.zeros(engine.sample_rate * p.pause_ms // 1000, np.float32))]
            heard[key] = transcribe_errors(np.concatenate(audio), engine.sample_rate, text)
        return heard[key]

    rows = []
    for name in feeds:
        differing = [t for t in texts if feed(t, name) != feed(t, "ours")]
        for voice in voices:
            theirs = [score(feed(t, name), voice, t) for t in differing]
            ours = [score(feed(t, "ours"), voice, t) for t in differing]
            row = {"feed": name, "voice": voice, "sentences": len(differing)}
            for measure in ("cer", "pinyin_error_rate"):
                row[f"{measure}_feed"] = round(statistics.mean(s[measure] for s in theirs), 4) if theirs else None
                row[f"{measure}_ours"] = round(statistics.mean(s[measure] for s in ours), 4) if ours else None
                ratio = paired_ratio([s[measure] for s in theirs], [s[measure] for s in ours]) if theirs else {}
                row[f"{measure}_ratio"] = ratio.get("ratio")
                row[f"{measure}_interval"] = f"{ratio.get('low_5')}–{ratio.get('high_95')}" if theirs else None
            rows.append(row)
    return rows


def dev_texts(count: int, path: Path) -> list[str]:
    """`count` sentences of the polyphone dev set (Wikipedia), drawn with a fixed seed."""
    sentences = [row["sentence"] for row in read_tsv(path)]
    random.Random(0).shuffle(sentences)
    return sentences[:count]


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m tts.bench.kokoro_feed", description=__doc__.splitlines()[0])
    parser.add_argument("--texts", type=int, default=3000, help="dev-set sentences to classify (default 3000)")
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help=f"dev data directory (default {DEFAULT_DATA})")
    parser.add_argument("--listen", nargs="*", metavar="FEED", choices=list(FEEDS)[1:],
                        help="also render these feeds (default: all) and compare each with ours by Whisper")
    parser.add_argument("--voices", nargs="+", default=list(VOICES), help=f"Kokoro voices to listen to (default {VOICES})")
    args = parser.parse_args()
    found = classify(dev_texts(args.texts, args.data / "polyphone_dev.tsv") + list(SENTENCES))
    print(f"{found['syllables']} Chinese syllables compared with misaki's legacy G2P\n")
    print(markdown_table(found["classes"], ["class", "syllables", "share", "examples"]))
    print(f"\nWord spaces between two Chinese characters: {found['word_gaps']}")
    if args.listen is not None:
        rows = listen(list(SENTENCES + EXTRA), args.listen or list(FEEDS)[1:], tuple(args.voices))
        print("\nOn the bench sentences and EXTRA where the feed differs, whole sentences, one call each:\n")
        print(markdown_table(rows, list(rows[0])))


if __name__ == "__main__":
    main()
