"""Pinyin syllables → the Baker voice's symbol ids (the embedded voice's alphabet).

Every syllable becomes two symbols, initial then final+tone, as in the corpus labels;
break levels become `#0`–`#3` between syllables; a phrase is framed by `sil` and `eos`.
Erhua syllables ("huar1") follow the training layout: [h, ua1, er5] with no break
before the er. A Latin token read in Mandarin syllables (an English word, a spelled acronym) is
set off by a `#2` break on both sides (see LATIN_EDGE_LEVEL).
"""

from __future__ import annotations

import logging
import re

from tts.frontend.phrase import Phrase

log = logging.getLogger(__name__)

_SYLLABLE = re.compile(r"^([a-zü:]+?)([1-5])$")
# Interjection syllables that the corpus never labels; read them with the nearest final.
_FALLBACK = {"m": ("^", "en"), "hm": ("h", "en"), "hng": ("h", "eng"), "n": ("^", "en"), "ê": ("^", "ei"),
             # rare syllables missing from the table, spelled with the voice's own initials and finals
             "biang": ("b", "iang"), "bong": ("b", "ong"), "cei": ("c", "ei"), "din": ("d", "in"),
             "fiao": ("f", "iao"), "len": ("l", "en"), "nun": ("n", "uen"), "wong": ("^", "ueng")}
# The break on both sides of a Latin token (none between the letters of a spelled one). Whisper
# heard more English words when the voice sets them off from the Chinese around them than with
# the plain word boundary (#1) the frontend gives: on 78 sentences of our own (95 words) 15 → 22,
# paired 90 % interval [+1, +13]; `python -m tts.bench latin` 16 → 17 of 47, Chinese-part CER
# 0.0465 → 0.0436. #3 (a phrase break) gave 19 of 95, #2 only before 16, only after 20.
LATIN_EDGE_LEVEL = 2


class BakerSymbols:
    """Maps Phrases to ids with the symbol table and pinyin table of `baker_mapper.json`."""

    def __init__(self, mapper: dict) -> None:
        self._ids: dict[str, int] = mapper["symbol_to_id"]
        self._pinyin: dict[str, tuple[str, str]] = {k: tuple(v) for k, v in mapper["pinyin_dict"].items()}
        self._pinyin.update({k: v for k, v in _FALLBACK.items() if k not in self._pinyin})

    def syllable_symbols(self, syllable: str) -> list[str]:
        """The symbols of one tone-numbered syllable, or [] for one the voice cannot say."""
        match = _SYLLABLE.match(syllable.lower().replace("ü", "v").replace("u:", "v"))
        if not match:
            log.warning("skipping unreadable syllable %r", syllable)
            return []
        base, tone = match.groups()
        erhua = base != "er" and base.endswith("r") and base not in self._pinyin
        if erhua:
            base = base[:-1]
        parts = self._pinyin.get(base)
        if parts is None:
            log.warning("skipping syllable %r: not in the voice's pinyin table", syllable)
            return []
        initial, final = parts
        symbols = [initial, final + tone]
        if erhua:
            symbols.append("er5")
        return symbols

    def encode(self, phrase: Phrase) -> list[int]:
        """sil, syllables with break marks between them, sil, eos."""
        return self.layout(phrase)[0]

    def layout(self, phrase: Phrase) -> tuple[list[int], list[tuple[int, int]]]:
        """The ids, and (syllable index, position of its first id) for each syllable the voice says."""
        symbols, firsts = ["sil"], []
        for index, (syllable, level) in enumerate(zip(phrase.syllables, latin_edges(phrase))):
            parts = self.syllable_symbols(syllable)
            if parts:
                firsts.append((index, len(symbols)))
                symbols += parts + [f"#{level}"]
        if symbols[-1].startswith("#"):
            symbols.pop()
        symbols += ["sil", "eos"]
        return [self._ids[s] for s in symbols], firsts


def latin_edges(phrase: Phrase) -> list[int]:
    """The phrase's breaks, at least LATIN_EDGE_LEVEL before and after each Latin token said as
    English (its syllables are in `phrase.english`; one token's syllables read the same text span,
    so the letters of GPU stay together and Good night is two tokens)."""
    breaks = list(phrase.breaks)
    token = [None] * len(breaks)
    for start, end, _ in phrase.english:
        for index in range(start, end):
            token[index] = phrase.spans[index] if phrase.spans else True
    for index in range(len(breaks) - 1):
        if token[index] != token[index + 1]:
            breaks[index] = max(breaks[index], LATIN_EDGE_LEVEL)
    return breaks
