"""The frontend's output: voice-neutral phrases that an engine turns into audio.

A phrase is the unit one acoustic-model call synthesizes: a sentence, or a piece of a
long one that fits the model's limits. It carries pinyin after tone sandhi, so every
engine reads the text the same way; each engine maps the syllables to its own symbols.
"""

from __future__ import annotations

from dataclasses import dataclass

# Break levels after a syllable, the Baker corpus' prosody marks:
# 0 = inside a prosodic word (#0), 1 = prosodic-word boundary (#1),
# 2 = phrase boundary (#2), 3 = intonation-phrase boundary / comma pause (#3).
BREAK_LEVELS = (0, 1, 2, 3)


@dataclass(frozen=True)
class Phrase:
    """One synthesis unit.

    syllables: tone-numbered pinyin after sandhi, tone 5 = neutral, ü written v
        ("ni2", "hao3", "lv4"); an erhua syllable keeps its r before the tone ("huar1").
    breaks: the break level after each syllable (same length as syllables); the
        last entry is ignored by engines because a phrase ends in silence anyway.
    pause_ms: silence to put after this phrase's audio (sentence end, SSML break).
    rate: speaking-rate multiplier for this phrase on top of the request's speed
        (SSML <prosody rate>), 1.0 normally.
    text: the normalized text of the sentence the phrase was made from; empty for the
        head of a sentence cut in two, whose speech goes on in the next phrase.
    english: spans (start, end, ARPAbet) of syllables[start:end] that are an English word
        (latin.py): the syllables are its Mandarin reading, which every engine can say; an
        engine with English sounds (Kokoro) says the ARPAbet instead.
    spans: for each syllable, the [start, end) characters of the sentence's text it reads
        (a spelled Latin run gives all its syllables the run's span; an erhua syllable
        covers its 儿 too); the head of a cut sentence points into the text of the phrase
        that ends the sentence. Empty when unknown (a phrase built by hand). Captions use it.
    """

    syllables: tuple[str, ...]
    breaks: tuple[int, ...]
    pause_ms: int = 0
    rate: float = 1.0
    text: str = ""
    english: tuple[tuple[int, int, str], ...] = ()
    spans: tuple[tuple[int, int], ...] = ()

    def __post_init__(self) -> None:
        if len(self.syllables) != len(self.breaks):
            raise ValueError("a phrase needs exactly one break level per syllable")
        if any(b not in BREAK_LEVELS for b in self.breaks):
            raise ValueError(f"break levels must be in {BREAK_LEVELS}")
        if any(not 0 <= start < end <= len(self.syllables) for start, end, _ in self.english):
            raise ValueError("an English span must cover syllables of the phrase")
        if self.spans and len(self.spans) != len(self.syllables):
            raise ValueError("a phrase's spans, when given, are one per syllable")

    @property
    def continues(self) -> bool:
        """True for the head of a cut sentence: it should end like a clause, not a sentence."""
        return not self.text

    def split(self) -> tuple["Phrase", "Phrase"]:
        """Two halves cut after the strongest break nearest the middle.

        Used when a phrase turns out too long for one model call; the first half
        gets no pause, the second keeps this phrase's pause.
        """
        if len(self.syllables) < 2:
            raise ValueError("a one-syllable phrase cannot be split")
        middle = len(self.syllables) / 2
        return self.split_at(max(range(1, len(self.syllables)), key=lambda i: (self.breaks[i - 1], -abs(i - middle))))

    def split_at(self, cut: int) -> tuple["Phrase", "Phrase"]:
        """The syllables before `cut` (no pause, no text: it continues) and the rest, which
        keeps this phrase's pause and text (its final punctuation still ends the sentence).
        An English span the cut goes through is left to its Mandarin syllables."""
        head = Phrase(self.syllables[:cut], self.breaks[:cut], 0, self.rate, "",
                      tuple(span for span in self.english if span[1] <= cut), self.spans[:cut])
        tail = Phrase(self.syllables[cut:], self.breaks[cut:], self.pause_ms, self.rate, self.text,
                      tuple((start - cut, end - cut, a) for start, end, a in self.english if start >= cut),
                      self.spans[cut:])
        return head, tail
