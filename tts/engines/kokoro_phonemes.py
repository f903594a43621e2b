"""Our Phrase (pinyin after sandhi) → Kokoro v1.0's Mandarin phoneme string.

Kokoro v1.0 learned Mandarin from misaki's Chinese G2P (its legacy, v1.0 path): an
IPA spelling of each pinyin syllable with the tone as an arrow after the vowel
(→ ↗ ↓ ↘, none for neutral), words separated by spaces, Chinese punctuation
mapped to ASCII (", " after a comma). We produce the same alphabet from syllables
our frontend already resolved, so the readings, sandhi and number expansion are
ours and the same for every engine. Knowing misaki, two deliberate choices:
- an erhua syllable ("huar1") becomes its base plus "ɚ↗", as misaki spells 花儿
  (pypinyin reads that 儿 as er2), since that is the form Kokoro was trained on;
- "yo" is read jɔ, where misaki's pinyin splitter gives wo.
"""

from __future__ import annotations

from tts.frontend.phrase import Phrase

TONE_ARROWS = {1: "→", 2: "↗", 3: "↓", 4: "↘", 5: ""}

INITIALS = {
    "b": "p", "p": "pʰ", "m": "m", "f": "f", "d": "t", "t": "tʰ", "n": "n", "l": "l",
    "g": "k", "k": "kʰ", "h": "x", "j": "ʨ", "q": "ʨʰ", "x": "ɕ",
    "zh": "ꭧ", "ch": "ꭧʰ", "sh": "ʂ", "r": "ɻ", "z": "ʦ", "c": "ʦʰ", "s": "s",
}

# Final (pinyin's full spelling, ü as v) → (part before the tone, part after it):
# the tone arrow sits after the vowel, before a nasal coda ("kʰa↘n").
FINALS = {
    "a": ("a", ""), "ai": ("ai", ""), "an": ("a", "n"), "ang": ("a", "ŋ"), "ao": ("au", ""),
    "e": ("ɤ", ""), "ei": ("ei", ""), "en": ("ə", "n"), "eng": ("ə", "ŋ"),
    "i": ("i", ""), "ia": ("ja", ""), "ian": ("jɛ", "n"), "iang": ("ja", "ŋ"), "iao": ("jau", ""),
    "ie": ("je", ""), "in": ("i", "n"), "ing": ("i", "ŋ"), "iong": ("jʊ", "ŋ"), "iou": ("jou", ""),
    "o": ("wo", ""), "ong": ("ʊ", "ŋ"), "ou": ("ou", ""),
    "u": ("u", ""), "ua": ("wa", ""), "uai": ("wai", ""), "uan": ("wa", "n"), "uang": ("wa", "ŋ"),
    "uei": ("wei", ""), "uen": ("wə", "n"), "ueng": ("wə", "ŋ"), "uo": ("wo", ""),
    "v": ("y", ""), "ve": ("ɥe", ""), "van": ("ɥɛ", "n"), "vn": ("y", "n"),
    "-i": ("ɨ", ""),  # the apical vowel of zi ci si zhi chi shi ri
}

# Syllables without an initial/final split: interjections and syllabic nasals.
WHOLE_SYLLABLES = {
    "er": "ɚ", "o": "ɔ", "io": "jɔ", "yo": "jɔ", "ê": "ɛ",
    "m": "m", "n": "n", "ng": "ŋ", "hm": "hm", "hng": "hŋ",
}

ERHUA = "ɚ" + TONE_ARROWS[2]
APICAL_INITIALS = frozenset({"z", "c", "s", "zh", "ch", "sh", "r"})
CONTRACTED = {"iu": "iou", "ui": "uei", "un": "uen", "uong": "ong"}  # wong: pypinyin's spelling of ong alone

# What follows a syllable for each break level: word boundary → space like misaki's
# word spacing; phrase and intonation boundaries → the comma misaki writes for "，".
BREAK_SYMBOLS = {0: "", 1: " ", 2: ", ", 3: ", "}
# Phrase-final mark from the phrase text's last character (misaki's mapping).
FINAL_MARKS = {"。": ".", "．": ".", ".": ".", "！": "!", "!": "!", "？": "?", "?": "?",
               "；": ";", ";": ";", "：": ":", ":": ":", "，": ",", ",": ",", "、": ","}
DEFAULT_FINAL_MARK = "."
CONTINUING_MARK = ","   # the head of a cut sentence: its intonation goes on like a clause's


def split_tone(syllable: str) -> tuple[str, int]:
    """'hao3' → ('hao', 3); no digit means neutral tone."""
    if syllable[-1:].isdigit():
        tone = int(syllable[-1])
        if tone not in TONE_ARROWS:
            raise ValueError(f"bad tone in pinyin syllable {syllable!r}")
        return syllable[:-1], tone
    return syllable, 5


def split_initial(base: str) -> tuple[str, str]:
    """'zhong' → ('zh', 'ong'); '' initial for vowel-initial spellings."""
    for size in (2, 1):
        if base[:size] in INITIALS and len(base) > size:
            return base[:size], base[size:]
    return "", base


def full_final(initial: str, rest: str) -> str:
    """Undo pinyin's spelling shortcuts (y/w, ü written u, iu ui un) to find the final."""
    if not initial and rest.startswith("y"):
        rest = "v" + rest[2:] if rest.startswith("yu") else "i" + rest[2 if rest.startswith("yi") else 1:]
    elif not initial and rest.startswith("w"):
        rest = "u" + rest[2 if rest.startswith("wu") else 1:]
    elif initial in ("j", "q", "x") and rest.startswith("u"):
        rest = "v" + rest[1:]
    if initial in APICAL_INITIALS and rest == "i":
        return "-i"
    return CONTRACTED.get(rest, rest)


def syllable_phonemes(syllable: str) -> str:
    """One tone-numbered pinyin syllable ('lv4', 'huar1') → Kokoro symbols."""
    base, tone = split_tone(syllable.lower().replace("ü", "v"))
    erhua = base.endswith("r") and base != "er"
    if erhua:
        base = base[:-1]
    arrow = TONE_ARROWS[tone]
    suffix = ERHUA if erhua else ""
    if base in WHOLE_SYLLABLES:
        return WHOLE_SYLLABLES[base] + arrow + suffix
    initial, rest = split_initial(base)
    final = full_final(initial, rest)
    if final not in FINALS:
        raise ValueError(f"not a Mandarin pinyin syllable: {syllable!r}")
    head, coda = FINALS[final]
    return INITIALS.get(initial, "") + head + arrow + coda + suffix


def final_mark(phrase: Phrase) -> str:
    """The punctuation that ends the phrase, so Kokoro's intonation can follow it."""
    if phrase.continues:
        return CONTINUING_MARK
    return FINAL_MARKS.get(phrase.text.rstrip()[-1:], DEFAULT_FINAL_MARK)


def phrase_phonemes(phrase: Phrase) -> str:
    """A whole phrase → one phoneme string for one Kokoro call."""
    return "".join(sound + after for sound, after in phrase_pieces(phrase))


def phrase_pieces(phrase: Phrase) -> list[tuple[str, str]]:
    """Per syllable: its phonemes, and what follows them (the break's symbols; the final mark
    after the last). Joined they are `phrase_phonemes`; apart they say where each syllable's
    tokens begin (captions)."""
    if not phrase.syllables:
        return []
    after = [BREAK_SYMBOLS[b] for b in phrase.breaks[:-1]] + [final_mark(phrase)]
    return [(syllable_phonemes(s), a) for s, a in zip(phrase.syllables, after)]


def longest_syllable() -> int:
    """Most symbols one syllable with its break can take: bounds tokens per phrase."""
    initial = max(map(len, INITIALS.values()))
    final = max(len(head) + len(coda) for head, coda in FINALS.values())
    whole = max(map(len, WHOLE_SYLLABLES.values()))
    arrow = max(map(len, TONE_ARROWS.values()))
    brk = max(map(len, BREAK_SYMBOLS.values()))
    return max(initial + final, whole) + arrow + len(ERHUA) + brk


def syllables_fitting(max_tokens: int) -> int:
    """Most syllables whose phonemes surely fit max_tokens (one token kept for the final mark)."""
    return (max_tokens - len(DEFAULT_FINAL_MARK)) // longest_syllable()
