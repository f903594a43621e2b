"""Grapheme to pinyin: segmentation, lexical readings and polyphone disambiguation.

Pipeline:
1. jieba splits the text into words with part-of-speech tags.
2. pypinyin reads each word. A character inside a multi-character entry of its phrase
   dictionary (the whole word, or a sub-word pypinyin's own segmenter finds: 银行|行长)
   has a *dictionary* reading; one inside an everyday word of common_words a *fixed* one.
3. A BiLSTM classifier (polyphone_model) reads the whole text and decides every other
   polyphonic character; a dictionary reading gets a head start of _DICTIONARY_TRUST
   logits, so only a very confident classifier overrides it (technical terms the
   dictionary gets wrong, 吡咯 luo4). Fixed readings are never overridden; entries of
   three characters or more count as fixed (set phrases).
4. A few context rules for common characters the classifier misreads (得 地 还 重 长 率:
   polyphone_rules).

Why: on the dev polyphone set the classifier alone scores 97.4 %, pypinyin alone 87.5 %,
this combination 97.9 %; and on everyday short sentences the classifier, trained on
Wikipedia, is confidently wrong about common words (了解, 头发, 中奖) the dictionaries know.

Readings are lexical (before tone sandhi, which sandhi.py applies): tone numbers 1-4, 5 for
neutral, ü written v ("lv4"). Characters that are not Chinese stay as they are.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass

from pypinyin import Style, pinyin
from pypinyin.constants import PHRASES_DICT
from pypinyin.seg.mmseg import seg as pypinyin_segmenter

from tts.frontend.common_words import READINGS as COMMON_READINGS
from tts.frontend.lexicon import lexicon
from tts.frontend.polyphone_model import Hint, model
from tts.frontend.polyphone_rules import correct

_HANZI = re.compile(r"[\u3007\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_PINYIN = re.compile(r"[a-z]+[1-5]")
# An ordinal and the one measure word jieba joined it to (第三行, 第一章).
_ORDINAL = re.compile(r"(第[一二三四五六七八九十百千万零两几]+)(.)")

# Dictionaries store 一 and 不 with their sandhi tones (一个 yi2, 不是 bu2); Word.pinyin is
# lexical, so they are reset here and sandhi.py decides from the context.
_CITATION = {"一": "yi1", "不": "bu4"}

# How far (in logits) the classifier must prefer another reading to override the phrase
# dictionary. In dev-set disagreements the dictionary is mostly right below 10 and mostly
# wrong above (dev: 97.93 % at 8, 97.89 % at 10, 97.70 % at 20); everyday words where the
# classifier is wrong by more are pinned in common_words.
_DICTIONARY_TRUST = 10.0
_FIXED = math.inf
# Phrase-dictionary entries this long are idioms, set phrases and names (了如指掌, 有的放矢,
# 会计师): one reading whatever the context, yet the classifier overrode several of them by
# more than any trust worth giving two-character words (朝气蓬勃 chao2 by > 50 logits).
# Dev: 0 changed in the half we developed on, 2 of 5,000 lost in the held-out half, both
# pypinyin entries off the standard dictionary (奄奄 yan1, 埃塞 sai1).
_SET_PHRASE = 3

@dataclass(frozen=True)
class Word:
    """One word from segmentation.

    pinyin: one entry per character of text; Chinese characters as lexical tone-numbered
        pinyin in context ("hang2", "de5", "lv4"), any other character as itself.
    pos: jieba's part-of-speech tag ("n", "v", "uj" for 的, "x" for punctuation, ...).
    """

    text: str
    pinyin: tuple[str, ...]
    pos: str


def load() -> None:
    """Load the segmenter's dictionary and the classifier now rather than on the first request."""
    lexicon()
    model()


def words(text: str) -> list[Word]:
    """Segment text and read every character; the word texts concatenate back to text."""
    segments = _segment(text)
    readings = _disambiguate(text, segments)
    result, start = [], 0
    for word, pos in segments:
        result.append(Word(word, tuple(readings[start : start + len(word)]), pos))
        start += len(word)
    return result


def to_pinyin(text: str) -> list[str]:
    """One reading per character of text: the flattened pinyin of words(text)."""
    return [reading for word in words(text) for reading in word.pinyin]


def is_hanzi(ch: str) -> bool:
    """Whether ch is a CJK ideograph (the characters that get pinyin)."""
    return _HANZI.fullmatch(ch) is not None


def is_dictionary_word(text: str) -> bool:
    """Whether jieba's dictionary lists text (sandhi uses it to find a long word's parts)."""
    return lexicon().frequency(text) > 0


def _segment(text: str) -> list[tuple[str, str]]:
    """jieba's words and POS tags (its dictionary and cut, in compact form: lexicon.py).

    Without jieba's HMM for unknown words: five times faster, and the classifier covers
    what the HMM would add (same dev accuracy).
    """
    return lexicon().cut(text)


def _disambiguate(text: str, segments: list[tuple[str, str]]) -> list[str]:
    """Readings for text: fixed ones kept, the classifier's choice at other polyphones."""
    clf = model()
    readings: list[str] = []
    positions: list[int] = []
    hints: list[Hint | None] = []
    for word, _ in segments:
        for ch, (reading, trust) in zip(word, _word_readings(word)):
            options = clf.candidates.get(ch, ()) if is_hanzi(ch) else ()   # g2pM also lists □ (biu1/ging1)
            if ch in _CITATION:
                reading = _CITATION[ch]
            elif len(options) > 1 and trust != _FIXED:
                positions.append(len(readings))
                hints.append((reading, trust) if trust and reading in options else None)
            readings.append(reading)
    for i, reading in zip(positions, clf.predict(text, positions, hints)):
        readings[i] = reading
    return correct(segments, readings, {i for i, hint in zip(positions, hints) if hint is None})


@functools.lru_cache(maxsize=50_000)
def _word_readings(word: str) -> tuple[tuple[str, float], ...]:
    """Per character: pypinyin's reading within the word, and how far to trust it.

    Trust is _FIXED inside an everyday word, _DICTIONARY_TRUST inside a phrase-dictionary
    entry, 0 for a character read on its own. Cached: words recur constantly in running
    text and pypinyin costs ~25 µs a call.
    """
    if word in COMMON_READINGS:
        return tuple((reading, _FIXED) for reading in COMMON_READINGS[word])
    ordinal = _ORDINAL.fullmatch(word)
    if ordinal:   # 第三行 is 第三 + the measure 行, not 第 + the dictionary's 三行 (san1 xing2)
        return _word_readings(ordinal.group(1)) + _word_readings(ordinal.group(2))
    if len(word) > 1 and word not in PHRASES_DICT:
        parts = list(pypinyin_segmenter.cut(word))
        if len(parts) > 1 and "".join(parts) == word:
            return tuple(item for part in parts for item in _word_readings(part))
    trust = _DICTIONARY_TRUST if len(word) > 1 and word in PHRASES_DICT else 0.0
    if len(word) >= _SET_PHRASE and trust:
        trust = _FIXED
    return tuple((reading, trust if is_hanzi(ch) else 0.0) for ch, reading in zip(word, _dictionary_pinyin(word)))


def _dictionary_pinyin(word: str) -> list[str]:
    """pypinyin's readings, one per character; non-Chinese characters as themselves."""
    if not any(is_hanzi(ch) for ch in word):
        return list(word)
    found = pinyin(word, style=Style.TONE3, neutral_tone_with_five=True, errors=lambda chunk: [[c] for c in chunk])
    if len(found) != len(word):  # defensive: pypinyin grouped characters; read them one by one
        return [_clean(ch, pinyin(ch, style=Style.TONE3, neutral_tone_with_five=True)[0][0]) for ch in word]
    return [_clean(ch, alternatives[0]) for ch, alternatives in zip(word, found)]


def _clean(ch: str, reading: str) -> str:
    """pypinyin marks characters it cannot read with a bare tone 5 ("𪛗5"); keep those as is."""
    return reading if is_hanzi(ch) and _PINYIN.fullmatch(reading) else ch
