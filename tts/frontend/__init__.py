"""Chinese text → phrases of pinyin with breaks:
markup → normalize → sentences → g2p → sandhi → user readings → prosody → phrases.

`normalize` and `to_pinyin` are the stable entry points other tools call; `analyze`
is what the synthesizer uses (`analyze_text` also says how each Latin token was read and
which letters no voice can read, for the omission report).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Iterator

# First: pypinyin must find its phrase dictionary in compact form before anything imports it.
from tts.frontend.lexicon import install_pypinyin_tables

install_pypinyin_tables()

from tts.frontend import english  # noqa: E402
from tts.frontend.g2p import to_pinyin, words  # noqa: E402
from tts.frontend.latin import TokenReading  # noqa: E402
from tts.frontend.markup import Segment, parse  # noqa: E402
from tts.frontend.normalize import normalize  # noqa: E402
from tts.frontend.phrase import Phrase  # noqa: E402
from tts.frontend.prosody import build_phrase, fit, lead_in  # noqa: E402
from tts.frontend.sandhi import apply as apply_sandhi  # noqa: E402
from tts.frontend.sentences import sentence_spans  # noqa: E402

__all__ = ["Analysis", "Phrase", "analyze", "analyze_text", "load", "normalize", "to_pinyin"]


def load() -> None:
    """Read now what the frontend otherwise reads on first use: the English dictionary (~0.3 s),
    so the worker's warm-up pays for it and not the first request with an English word."""
    english.dictionary()


@dataclass
class Analysis:
    """The phrases of a text, and what became of each Latin token (or run of unreadable letters) in it."""

    phrases: list[Phrase] = field(default_factory=list)
    tokens: list[TokenReading] = field(default_factory=list)

    @property
    def omitted(self) -> tuple[str, ...]:
        """The tokens no voice will say (other scripts, over-long letter runs), in order."""
        return tuple(token.text for token in self.tokens if token.omitted)


def analyze(text: str, max_syllables: int | None = 100, lead_in_syllables: int | None = 20) -> list[Phrase]:
    """The phrases to synthesize for `text` (plain, or SSML), in order; empty when nothing is speakable.

    A first sentence longer than `lead_in_syllables` starts with a short piece of its own
    (early first audio, see prosody.lead_in). `max_syllables=None` keeps every sentence whole
    (for engines that read the phrase's text).
    """
    return analyze_text(text, max_syllables, lead_in_syllables).phrases


def analyze_text(text: str, max_syllables: int | None = 100, lead_in_syllables: int | None = 20) -> Analysis:
    """`analyze`, with the reading of every Latin token and the omitted ones."""
    phrases: list[Phrase] = []
    tokens: list[TokenReading] = []
    for block, rate, pause_ms in _blocks(parse(text)):
        spoken, fixed = _spoken(block)
        made = []
        for start, end, pause in sentence_spans(spoken):
            readings = {i - start: s for i, s in fixed.items() if start <= i < end}
            phrase = sentence_phrase(spoken[start:end], readings, pause, rate, tokens)
            if phrase.syllables:
                made.extend(fit(phrase, max_syllables) if max_syllables else [phrase])
        if pause_ms and (made or phrases):
            target = made if made else phrases
            target[-1] = replace(target[-1], pause_ms=pause_ms)
        phrases.extend(made)
    if max_syllables and lead_in_syllables:
        phrases = lead_in(phrases, lead_in_syllables)
    return Analysis(phrases, tokens)


def sentence_phrase(sentence: str, readings: dict[int, str], pause_ms: int, rate: float = 1.0,
                    report: list[TokenReading] | None = None) -> Phrase:
    """One sentence's phrase; `readings` (offset → syllable) override what g2p and sandhi chose;
    the Latin tokens read go to `report` when given."""
    segmented = words(sentence)
    pinyin = [list(p) for p in apply_sandhi(segmented)]
    offset = 0
    for word, syllables in zip(segmented, pinyin):
        for i in range(len(word.text)):
            if offset + i in readings:
                syllables[i] = readings[offset + i]
        offset += len(word.text)
    return build_phrase([(w.text, p) for w, p in zip(segmented, pinyin)], pause_ms, sentence, rate, report)


def _blocks(segments: list[Segment]) -> Iterator[tuple[list[Segment], float, int]]:
    """Runs of segments read at one rate, each ended by a rate change or a break (its pause)."""
    block: list[Segment] = []
    for segment in segments:
        if block and segment.rate != block[0].rate:
            yield block, block[0].rate, 0
            block = []
        block.append(segment)
        if segment.pause_ms:
            yield block, segment.rate, segment.pause_ms
            block = []
    if block:
        yield block, block[0].rate, 0


def _normalize_lines(text: str) -> str:
    """Normalize line by line: normalize() folds line breaks, but a line break ends a sentence."""
    return "\n".join(normalize(line) for line in text.splitlines())


def _spoken(block: list[Segment]) -> tuple[str, dict[int, str]]:
    """The block's spoken text, and the fixed readings by offset into it."""
    parts, fixed, offset = [], {}, 0
    for segment in block:
        part = segment.text if segment.pinyin or segment.normalized else _normalize_lines(segment.text)
        if segment.pinyin:
            fixed.update({offset + i: s for i, s in enumerate(segment.pinyin)})
        parts.append(part)
        offset += len(part)
    return "".join(parts), fixed
