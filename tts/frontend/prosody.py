"""Break levels (#0–#3) from words and punctuation, and phrases that fit an engine.

Word boundaries get a prosodic-word break (#1) except before particles that lean on the
word before them; enumeration commas get #2; commas, colons and dashes get the #3 pause
the voice makes in-utterance. Text that is neither Chinese nor a pause mark is dropped
here: normalization has already turned what can be read into Chinese.
"""

from __future__ import annotations

import re
from typing import Sequence

from tts.frontend.phrase import Phrase

_SYLLABLE = re.compile(r"^[a-zü]+[1-5]$")
ERHUA_MARK = "r"   # the g2p's entry for a 儿 that merges into the syllable before it
_PUNCT_BREAK = {**dict.fromkeys("，,：:—–-~～", 3), **dict.fromkeys("、/", 2),
                **dict.fromkeys("“”‘’「」『』《》（）()[]【】\"'", 1)}
_LEANING = set("的了吗呢吧啊呀哇哦么们着过地得")


def build_phrase(words: Sequence[tuple[str, Sequence[str]]], pause_ms: int, text: str) -> Phrase:
    """One phrase from (word text, pinyin after sandhi) pairs of one sentence."""
    syllables: list[str] = []
    breaks: list[int] = []
    for word, pinyin in words:
        for char, syllable in zip(word, pinyin):
            if _SYLLABLE.match(syllable):
                syllables.append(syllable)
                breaks.append(0)
            elif syllable == ERHUA_MARK and syllables:
                syllables[-1] = syllables[-1][:-1] + "r" + syllables[-1][-1]
            elif char in _PUNCT_BREAK and breaks:
                breaks[-1] = max(breaks[-1], _PUNCT_BREAK[char])
        if breaks and word not in _LEANING:
            breaks[-1] = max(breaks[-1], 1)
    _unbreak_before_particles(words, breaks)
    return Phrase(tuple(syllables), tuple(breaks), pause_ms, 1.0, text)


def _unbreak_before_particles(words: Sequence[tuple[str, Sequence[str]]], breaks: list[int]) -> None:
    """A particle after a word joins it: 走了, 我的 (the word boundary #1 becomes #0)."""
    position = 0
    for word, pinyin in words:
        count = sum(1 for s in pinyin if _SYLLABLE.match(s))
        if word in _LEANING and count and position and breaks[position - 1] == 1:
            breaks[position - 1] = 0
        position += count


def fit(phrase: Phrase, max_syllables: int) -> list[Phrase]:
    """Split a phrase at its strongest breaks until every piece has ≤ max_syllables."""
    if len(phrase.syllables) <= max_syllables:
        return [phrase]
    head, tail = phrase.split()
    return fit(head, max_syllables) + fit(tail, max_syllables)
