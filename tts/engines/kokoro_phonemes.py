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

English words (the phrase's `english` spans, ARPAbet from tts.frontend.english) are spelled in
misaki's US English alphabet, the one Kokoro's English voices were trained on and which its
Mandarin voices share the vocabulary of: diphthongs as one letter (A I O W Y), ʤ ʧ, the stress
mark before the stressed vowel, a flapped t (ɾ) before an unstressed vowel, and ᵊl for a
syllabic l (see english_phonemes); 63 % of 3,000 dictionary words come out exactly as in misaki's
gold lexicon. One deliberate difference: onset p t k are written aspirated (pʰ tʰ kʰ, ASPIRATED). Within one phrase the two alphabets mix freely, as misaki's
Chinese G2P mixes them when its English callback reads a word.
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


# ARPAbet → misaki's US English symbols (misaki.en's US_VOCAB).
# misaki's English-only symbols stay (diphthong capitals A I O W Y, ɹ, æ, stress marks): written as
# the nearest Mandarin symbols, more words were heard on our own sentences but fewer in the latin bench,
# where Whisper wrote the Mandarin-sounding words in characters (tts/bench/results/latin.md, session 7).
ENGLISH_VOWELS = {
    "AA": "ɑ", "AE": "æ", "AH": "ʌ", "AO": "ɔ", "AW": "W", "AY": "I", "EH": "ɛ", "ER": "ɜɹ", "EY": "A",
    "IH": "ɪ", "IY": "i", "OW": "O", "OY": "Y", "UH": "ʊ", "UW": "u",
}
UNSTRESSED_VOWELS = {"AH": "ə", "ER": "əɹ"}
ENGLISH_CONSONANTS = {
    "B": "b", "CH": "ʧ", "D": "d", "DH": "ð", "F": "f", "G": "ɡ", "HH": "h", "JH": "ʤ", "K": "k", "L": "l",
    "M": "m", "N": "n", "NG": "ŋ", "P": "p", "R": "ɹ", "S": "s", "SH": "ʃ", "T": "t", "TH": "θ", "V": "v",
    "W": "w", "Y": "j", "Z": "z", "ZH": "ʒ",
}
STRESS_MARKS = {"1": "ˈ", "2": "ˌ", "0": ""}
# Kokoro's Mandarin voices learned p t k as Mandarin's unaspirated b d g (misaki writes pinyin b as
# p): an English p t k in an onset is aspirated, so for them it is pʰ tʰ kʰ (App was heard ABB),
# also before an unstressed vowel (paper, lucky, ticket: 8 of 13 words recovered on our own
# sentences, 6 with a plain p t k there). A word-final p t k stays bare: released (ʰ) it gained
# one word on 9 sentences of our own and lost one in the latin bench (TechDaily, zm_yunjian).
ASPIRATED = {"P": "pʰ", "T": "tʰ", "K": "kʰ"}
_ONSET_GLIDES = frozenset({"R", "L", "W", "Y"})
FLAP_BEFORE = frozenset(ENGLISH_VOWELS)   # t between a vowel (or r) and an unstressed vowel: ɾ


def english_phonemes(arpabet: str) -> str:
    """One English word in ARPAbet ('G UW1 G AH0 L') → Kokoro symbols ('ɡˈuɡᵊl')."""
    phones = arpabet.split()
    out = []
    for i, phone in enumerate(phones):
        base, stress = phone.rstrip("012"), phone[len(phone.rstrip("012")):]
        before = phones[i - 1].rstrip("012") if i else ""
        after = phones[i + 1] if i + 1 < len(phones) else ""
        if base in ENGLISH_VOWELS:
            if base == "AH" and stress == "0" and after == "L" and not _next_is_vowel(phones, i + 1):
                out.append("ᵊ")
                continue
            vowel = UNSTRESSED_VOWELS.get(base, ENGLISH_VOWELS[base]) if stress == "0" else ENGLISH_VOWELS[base]
            out.append(STRESS_MARKS.get(stress, "") + vowel)
        elif base == "T" and (before in ENGLISH_VOWELS or before == "R") and after.endswith("0") \
                and after.rstrip("012") in FLAP_BEFORE:
            out.append("ɾ")
        elif base in ASPIRATED and before != "S" and _onset(phones, i + 1):
            out.append(ASPIRATED[base])
        else:
            out.append(ENGLISH_CONSONANTS[base])
    return "".join(out)


def _onset(phones: list[str], index: int) -> bool:
    """A vowel follows at `index`, maybe after one glide (pl-, tr-, kw-)."""
    if index < len(phones) and phones[index] in _ONSET_GLIDES:
        index += 1
    return index < len(phones) and phones[index].rstrip("012") in ENGLISH_VOWELS


def _next_is_vowel(phones: list[str], index: int) -> bool:
    return index + 1 < len(phones) and phones[index + 1].rstrip("012") in ENGLISH_VOWELS


def final_mark(phrase: Phrase) -> str:
    """The punctuation that ends the phrase, so Kokoro's intonation can follow it."""
    if phrase.continues:
        return CONTINUING_MARK
    return FINAL_MARKS.get(phrase.text.rstrip()[-1:], DEFAULT_FINAL_MARK)


# A run of English words inside Mandarin is set off by the short pause of a comma on each side:
# Whisper recovered 52 % of the English words where a plain word space gave 39 % (zf_xiaobei,
# 18 sentences of tts/bench/latin_texts.py); the words of one run, and the letters of a spelled
# token, are spaced as words. (A comma's pause between letters too: 18 of 22 acronyms recovered
# on sentences of our own where word spaces gave 15, but GPU, App and AI lost in the latin bench:
# zf_xiaobei 0.596 → 0.532; not kept.)
ENGLISH_EDGE_LEVEL = 2
ENGLISH_EDGE = BREAK_SYMBOLS[ENGLISH_EDGE_LEVEL]


def phrase_phonemes(phrase: Phrase) -> str:
    """A whole phrase → one phoneme string for one Kokoro call; English spans in English."""
    return "".join(sound + after for sound, after in phrase_pieces(phrase))


def phrase_pieces(phrase: Phrase) -> list[tuple[str, str]]:
    """Per syllable: its phonemes, and what follows them (the break's symbols; the final mark
    after the last). An English span's first syllable carries the word, its other syllables
    nothing (they are said within it). Joined they are `phrase_phonemes`; apart they say where
    each syllable's tokens begin (captions)."""
    if not phrase.syllables:
        return []
    spans = {start: (end, arpabet) for start, end, arpabet in phrase.english}
    pieces: list[list[str]] = []
    i, last, english = 0, len(phrase.syllables) - 1, False
    while i <= last:
        end, sounds, level = i + 1, syllable_phonemes(phrase.syllables[i]), phrase.breaks[i]
        if i in spans:
            if pieces and not english:   # a run of English words starts: set it off
                said = next(p for p in reversed(pieces) if p[0] or p[1])
                said[1] = ENGLISH_EDGE
            end, arpabet = spans[i]
            sounds = _english_or_mandarin(arpabet, phrase.syllables[i:end])
            level = max(phrase.breaks[end - 1], 1 if end in spans else ENGLISH_EDGE_LEVEL)
        english = i in spans
        pieces.append([sounds, BREAK_SYMBOLS[level] if end - 1 < last else ""])
        pieces.extend(["", ""] for _ in range(i + 1, end))
        i = end
    pieces[-1][1] += final_mark(phrase)
    return [(sound, after) for sound, after in pieces]


MANDARIN, ENGLISH, EDGE = "mandarin", "english", "edge"


def token_roles(phrase: Phrase, pieces: list[tuple[str, str]]) -> list[str]:
    """One role per token of `phrase_phonemes(phrase)`: ENGLISH for an English word's symbols and
    the spaces between the words of one run, EDGE for the break symbols setting a run off from the
    Mandarin on either side (and the final mark right after it), MANDARIN for the rest. The engine
    gives each role its own speed. `pieces`: the phrase's phrase_pieces (the engine has them already)."""
    starts = {start for start, _, _ in phrase.english}
    said = [i for i, (sound, after) in enumerate(pieces) if sound or after]
    english: dict[int, bool] = {}
    for k, i in enumerate(said):   # the final mark alone on a span's last syllable belongs to the word
        english[i] = i in starts or (not pieces[i][0] and k > 0 and english[said[k - 1]])
    roles: list[str] = []
    for k, i in enumerate(said):
        sound, after = pieces[i]
        following = english[said[k + 1]] if k + 1 < len(said) else None
        if english[i]:
            after_role = ENGLISH if following else EDGE
        else:
            after_role = EDGE if following else MANDARIN
        roles += [ENGLISH if english[i] else MANDARIN] * len(sound) + [after_role] * len(after)
    return roles


def _english_or_mandarin(arpabet: str, syllables: tuple[str, ...]) -> str:
    """The English symbols, unless longer than the span's Mandarin ones with their breaks: the
    token bound (syllables_fitting) counts Mandarin syllables, and must keep holding."""
    mandarin = "".join(syllable_phonemes(s) for s in syllables)
    english = english_phonemes(arpabet)
    return english if len(english) <= len(mandarin) + len(syllables) * len(BREAK_SYMBOLS[3]) else mandarin


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
