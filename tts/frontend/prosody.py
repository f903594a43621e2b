"""Break levels (#0–#3) from words and punctuation, and phrases that fit an engine.

Word boundaries get a prosodic-word break (#1) except before particles that lean on the
word before them; enumeration commas get #2; commas, colons and dashes get the #3 pause
the voice makes in-utterance. Latin words are read by latin.py (Mandarin syllables, and an
English span for voices that speak English); letters nothing can read (other scripts, a
40-letter hash) are dropped here and reported in `report`; other signs are dropped silently:
normalization has already turned what can be read into Chinese.
"""

from __future__ import annotations

import re
from typing import Sequence

from tts.frontend.latin import TOKEN, TokenReading, omitted, read as read_latin
from tts.frontend.letters import is_latin
from tts.frontend.phrase import Phrase

_SYLLABLE = re.compile(r"^[a-zü]+[1-5]$")
ERHUA_MARK = "r"   # sandhi's entry for a 儿 that merges into the syllable before it
_PUNCT_BREAK = {**dict.fromkeys("，,：:—–-~～", 3), **dict.fromkeys("、/", 2),
                **dict.fromkeys("“”‘’「」『』《》（）()[]【】\"'", 1)}
_LEANING = set("的了吗呢吧啊呀哇哦么们着过地得")


class _Builder:
    """Accumulates syllables and the break after each."""

    def __init__(self, report: list[TokenReading] | None) -> None:
        self.syllables: list[str] = []
        self.breaks: list[int] = []
        self.english: list[tuple[int, int, str]] = []
        self.spans: list[tuple[int, int]] = []   # the text each syllable reads (captions)
        self.at = 0                               # offset of the character being read
        self.report = report
        self._latin = ""
        self._latin_start = 0
        self._unread = ""

    def syllable(self, syllable: str) -> None:
        self.flush_latin()
        self.syllables.append(syllable)
        self.breaks.append(0)
        self.spans.append((self.at, self.at + 1))

    def token(self, text: str, span: tuple[int, int]) -> None:
        """A Latin word: its Mandarin syllables, and its English span when it has one; `span`:
        where it is in the text (every syllable reads all of it: one caption)."""
        self.flush_latin()
        reading = read_latin(text)
        start = len(self.syllables)
        self.syllables.extend(reading.syllables)
        self.breaks.extend(0 for _ in reading.syllables)
        self.spans.extend(span for _ in reading.syllables)
        for count, arpabet in reading.words:
            if arpabet:
                self.english.append((start, start + count, arpabet))
            start += count
        if self.report is not None:
            self.report.append(reading)

    def unread(self, char: str) -> None:
        self._unread += char

    def erhua(self) -> None:
        if self.syllables:
            last = self.syllables[-1]
            self.syllables[-1] = last[:-1] + "r" + last[-1]
            self.spans[-1] = (self.spans[-1][0], self.at + 1)

    def latin(self, char: str) -> None:
        if not self._latin:
            self._latin_start = self.at
        self._latin += char

    def flush_latin(self) -> None:
        if self._latin:
            run, self._latin = self._latin, ""
            self.token(run, (self._latin_start, self._latin_start + len(run)))
        if self._unread:
            if self.report is not None:
                self.report.append(omitted(self._unread))
            self._unread = ""

    def mark(self, level: int) -> None:
        self.flush_latin()
        if self.breaks:
            self.breaks[-1] = max(self.breaks[-1], level)


def build_phrase(words: Sequence[tuple[str, Sequence[str]]], pause_ms: int, text: str, rate: float = 1.0,
                 report: list[TokenReading] | None = None) -> Phrase:
    """One phrase from (word text, pinyin after sandhi) pairs of one sentence; each Latin
    token read (or letters omitted) is appended to `report` when given."""
    builder = _Builder(report)
    starts = []
    words = _join_latin(words)
    for word, pinyin in words:
        starts.append(len(builder.syllables))
        word_start = builder.at
        if TOKEN.fullmatch(word):
            builder.token(word, (word_start, word_start + len(word)))
            builder.mark(1)
            builder.at = word_start + len(word)
            continue
        for offset, (char, syllable) in enumerate(zip(word, pinyin), word_start):
            builder.at = offset
            if _SYLLABLE.match(syllable):
                builder.syllable(syllable)
            elif syllable == ERHUA_MARK:
                builder.erhua()
            elif is_latin(char):
                builder.latin(char)
            elif char in _PUNCT_BREAK:
                builder.mark(_PUNCT_BREAK[char])
            elif char.isalpha():
                builder.unread(char)
        builder.at = word_start + len(word)
        builder.flush_latin()
        builder.mark(1)
    breaks = builder.breaks
    for (word, _), start in zip(words, starts):
        if word in _LEANING and 0 < start < len(breaks) and breaks[start - 1] == 1:
            breaks[start - 1] = 0   # a particle joins the word before it (走了, 我的), and a word boundary follows it
    return Phrase(tuple(builder.syllables), tuple(breaks), pause_ms, rate, text, tuple(builder.english),
                  tuple(builder.spans))


_LATIN_PIECE = re.compile(r"[A-Za-z'’]+")
_OTHER_LETTERS = re.compile(r"[^\W\d_A-Za-z\u3400-\u9fff\uf900-\ufaff\U00020000-\U0003134f]+")


def _join_latin(words: Sequence[tuple[str, Sequence[str]]]) -> list[tuple[str, Sequence[str]]]:
    """Words the segmenter cut inside one token joined again: a Latin one (don ' t), or a word
    of another script (Ελληνικά), which is then reported once."""
    joined: list[tuple[str, Sequence[str]]] = []
    for word, pinyin in words:
        last = joined[-1][0] if joined else ""
        if (_LATIN_PIECE.fullmatch(word) and _LATIN_PIECE.fullmatch(last)) or (
                _OTHER_LETTERS.fullmatch(word) and _OTHER_LETTERS.fullmatch(last)):
            last, last_pinyin = joined[-1]
            joined[-1] = (last + word, [*last_pinyin, *pinyin])
        else:
            joined.append((word, pinyin))
    return joined


def fit(phrase: Phrase, max_syllables: int) -> list[Phrase]:
    """Split a phrase at its strongest breaks until every piece has ≤ max_syllables."""
    if len(phrase.syllables) <= max_syllables:
        return [phrase]
    head, tail = phrase.split()
    return fit(head, max_syllables) + fit(tail, max_syllables)


LEAD_IN_SHORTEST = 4   # a first piece shorter than this sounds clipped
CLAUSE_BREAK = 3       # where the voice pauses within a sentence anyway: comma, colon, dash


def lead_in(phrases: list[Phrase], longest: int) -> list[Phrase]:
    """Cut a long first phrase into pieces that grow, each ending at a clause boundary: the
    first aims at `longest` syllables, each next at twice as many, so the first audio is
    ready early and each next piece before the one before has played.

    A piece never ends inside a clause: a voice renders each piece as its own utterance,
    and a piece cut between two words loses the sentence's intonation and the joins
    between its syllables (with Kokoro, Whisper's character errors rose by a third).
    A first clause longer than `longest` is therefore kept whole, and a sentence without
    a comma is not cut at all."""
    if not phrases:
        return phrases
    return [*_ramp(phrases[0], longest, first=True), *phrases[1:]]


def _ramp(phrase: Phrase, longest: int, first: bool = False) -> list[Phrase]:
    if len(phrase.syllables) <= longest:
        return [phrase]
    cut = _clause_cut(phrase.breaks, longest, first)
    if cut is None:
        return [phrase]
    head, tail = phrase.split_at(cut)
    return [head, *_ramp(tail, 2 * longest)]


def _clause_cut(breaks: tuple[int, ...], longest: int, first: bool) -> int | None:
    """Where a piece ends (at least LEAD_IN_SHORTEST syllables in): the first piece after its
    first clause (the earliest audio), a later one after the last whole clause within
    `longest` (fewer model calls), else after its first clause; None for a single clause."""
    ends = [i for i in range(LEAD_IN_SHORTEST, len(breaks)) if breaks[i - 1] >= CLAUSE_BREAK]
    fitting = [i for i in ends if i <= longest]
    if fitting and not first:
        return fitting[-1]
    return ends[0] if ends else None
