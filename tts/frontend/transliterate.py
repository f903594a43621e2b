"""English pronunciation (ARPAbet) → the nearest Mandarin syllables, for voices without English sounds.

The way Chinese speakers say English words they know (hello → hā lōu, Google → gǔ gē, test →
tài sī tè): every vowel of the word keeps a syllable of its own, a consonant cluster gets an
epenthetic vowel per extra consonant (s-t-r → sī tè r…), a coda n/ng stays a nasal final,
other codas become a syllable of their own (t → tè, s and z → sī, l → ér). Each syllable is checked
against Mandarin's syllable inventory; when an initial and a final do not combine (fi, rai),
the next-closest final or initial is taken.

Tones: the stressed syllable is read with tone 1 (high, as loanwords are usually said), the
others with tone 1 too except a final unstressed one, which is neutral — see _tone.
"""

from __future__ import annotations

from tts.frontend.english import is_vowel
from tts.frontend.syllables import SYLLABLES

# Vowel → Mandarin finals in order of preference; the first that makes a syllable wins.
_FINALS = {
    "AA": ("a", "ao", "e"), "AE": ("ai", "a", "ei"), "AH": ("a", "e", "o"), "AO": ("ao", "uo", "o", "ou"),
    "AW": ("ao",), "AY": ("ai", "ei"), "EH": ("ai", "ei", "e"), "ER": ("e", "er", "o", "uo"), "EY": ("ei", "ai"),
    "IH": ("i", "ei", "e"), "IY": ("i", "ei"), "OW": ("ou", "uo", "o"), "OY": ("ao", "uo"), "UH": ("u", "ou"),
    "UW": ("u", "ou", "iu"),
}
_SCHWA = ("e", "a")   # AH0 and other unstressed vowels
# Vowel + nasal coda → finals.
_NASAL_FINALS = {
    ("AA", "N"): ("an", "en"), ("AE", "N"): ("an", "en"), ("AH", "N"): ("en", "an"), ("AO", "N"): ("ang", "ong"),
    ("AW", "N"): ("ang", "an"), ("AY", "N"): ("an", "en"), ("EH", "N"): ("an", "en"), ("ER", "N"): ("en",),
    ("EY", "N"): ("en", "an"), ("IH", "N"): ("in", "en"), ("IY", "N"): ("in", "en"), ("OW", "N"): ("ong", "eng", "en"),
    ("UH", "N"): ("un", "en"), ("UW", "N"): ("un", "en"),
    ("AA", "NG"): ("ang",), ("AE", "NG"): ("ang",), ("AH", "NG"): ("ang", "eng"), ("AO", "NG"): ("ang", "ong"),
    ("EH", "NG"): ("eng", "ang"), ("IH", "NG"): ("ing", "eng"), ("IY", "NG"): ("ing", "eng"),
    ("OW", "NG"): ("ong",), ("UH", "NG"): ("ong",), ("UW", "NG"): ("ong",), ("ER", "NG"): ("eng",),
}
# Consonant → pinyin initials in order of preference (before the vowel).
_INITIALS = {
    "B": ("b",), "P": ("p",), "M": ("m",), "F": ("f", "h"), "V": ("w", "f"), "D": ("d",), "T": ("t",),
    "N": ("n",), "L": ("l",), "G": ("g",), "K": ("k",), "HH": ("h",), "JH": ("zh", "j"), "CH": ("ch", "q"),
    "SH": ("sh", "x"), "ZH": ("r", "sh"), "S": ("s", "x"), "Z": ("z", "j"), "TH": ("s", "x"), "DH": ("z", "d"),
    "R": ("r", "l"), "W": ("w",), "Y": ("y",), "NG": ("n",),
}
# Before an i-like final the palatal initials are the close ones (see → xi, cheese → qi).
_BEFORE_I = {"S": ("x", "s"), "SH": ("x",), "CH": ("q",), "JH": ("j",), "Z": ("j", "z"), "TH": ("x",)}
# A consonant without a vowel of its own: a whole syllable.
_ALONE = {
    "B": "bu", "P": "pu", "D": "de", "T": "te", "G": "ge", "K": "ke", "F": "fu", "V": "fu", "S": "si", "Z": "si",
    "SH": "shi", "ZH": "ri", "CH": "qi", "JH": "ji", "TH": "si", "DH": "de", "M": "mu", "N": "en", "NG": "en",
    "L": "er", "R": "er", "HH": "he", "W": "wu", "Y": "yi",
}
_GLIDE_FINALS = {"W": "u", "Y": "i"}
_Y_FINALS = {"UW": ("ou", "u"), "UH": ("ou", "u")}   # you, YouTube: yōu, not yū   # kw, py: the glide folds into the final when the syllable exists


def _candidates(initial: str, finals: tuple[str, ...]) -> list[str]:
    """Spellings to try, the closest first: every final with the closest initial, then the next initial."""
    if not initial:
        return [_spell("", final) for final in finals]
    out = []
    for rank in range(2):
        for final in finals:
            options = _BEFORE_I.get(initial, _INITIALS[initial]) if final[0] == "i" else _INITIALS[initial]
            if rank < len(options):
                out.append(options[rank] + final)
    return out


def _spell(initial: str, final: str) -> str:
    """Pinyin spelling of initial + final (no initial: i → yi, u → wu, ia → ya...)."""
    if initial:
        return initial + final
    if final[0] == "i":
        return "y" + (final if final in ("i", "in", "ing") else final[1:])
    if final[0] == "u":
        return "w" + (final if final == "u" else final[1:])
    return "weng" if final == "ong" else final


def _syllable(onset: list[str], vowel: str, coda: str | None) -> list[str]:
    """The syllables for consonants `onset` + `vowel` (+ nasal `coda`): extra consonants first."""
    stressless = vowel[-1] == "0"
    base = vowel[:-1] if vowel[-1].isdigit() else vowel
    finals = _NASAL_FINALS.get((base, coda), ("en",)) if coda else (_SCHWA if stressless and base == "AH"
                                                                      else _FINALS[base])
    out = [_ALONE[c] for c in onset[:-1]]
    initial = onset[-1] if onset else ""
    if initial == "Y" and not coda:
        finals = _Y_FINALS.get(base, finals)
    if initial in _GLIDE_FINALS and len(onset) > 1:   # kw-, py-: try the glide inside the final
        glided = [_GLIDE_FINALS[initial] + f for f in finals]
        found = [s for s in _candidates(onset[-2], tuple(glided)) if s in SYLLABLES]
        if found:
            return out[:-1] + [found[0]]
    found = [s for s in _candidates(initial, finals) if s in SYLLABLES]
    if found:
        return out + [found[0]]
    return out + [_ALONE.get(initial, ""), _spell("", finals[0])] if initial else out + [_spell("", finals[0])]


def syllables(arpabet: str) -> list[tuple[str, bool]]:
    """Toneless pinyin syllables for an ARPAbet pronunciation, each with whether it is stressed."""
    phones = arpabet.split()
    out: list[tuple[str, bool]] = []
    onset: list[str] = []
    i = 0
    while i < len(phones):
        phone = phones[i]
        if not is_vowel(phone):
            onset.append(phone)
            i += 1
            continue
        coda = None
        after = phones[i + 1] if i + 1 < len(phones) else None
        nxt = phones[i + 2] if i + 2 < len(phones) else None
        if after == "NG" or (after in ("N", "M") and (nxt is None or not is_vowel(nxt))):   # ng is never an onset
            coda = "N" if after == "M" and nxt is not None else after
            i += 1
        if coda == "M":   # a final m: its own syllable (Tom → tang mu), the vowel nasal
            coda = None
            onset_syllables = _syllable(onset, phone, "N")
            out += [(s, False) for s in onset_syllables[:-1]] + [(onset_syllables[-1], phone[-1] != "0"), ("mu", False)]
        else:
            made = _syllable(onset, phone, coda)
            out += [(s, False) for s in made[:-1]] + [(made[-1], phone[-1] not in "0")]
        if after == "R" and (nxt is None or not is_vowel(nxt)) and phone.rstrip("012") != "ER":
            i += 1   # a coda r is not said (car → ka)
        onset = []
        i += 1
    out += [(_ALONE[c], False) for c in onset if c in _ALONE]
    return [(s, stressed) for s, stressed in out if s]


def _tone(index: int, count: int, stressed: bool) -> int:
    """High tone throughout, a neutral last syllable when unstressed (the way loanwords fall)."""
    return 5 if index == count - 1 and count > 1 and not stressed else 1


def to_pinyin(arpabet: str) -> list[str]:
    """Tone-numbered syllables: 'HH AH0 L OW1' → ['he1', 'lou1']."""
    plain = syllables(arpabet)
    return [f"{s}{_tone(i, len(plain), stressed)}" for i, (s, stressed) in enumerate(plain)]
