"""Latin-script words inside Chinese text: how each is read, for every voice.

A token (iPhone, GPU, hello, don't, WiFi, Beijing) gets two readings made together:
- Mandarin syllables, for voices that only have Mandarin sounds (the embedded voice): acronyms
  letter by letter with the Chinese letter names (letters.py); words said in a settled Mandarin
  way (hello → 哈喽) from _MANDARIN_READINGS; other words spelled up to SPELLED_UP_TO letters and
  longer ones by the nearest Mandarin syllables of their English pronunciation (transliterate.py),
  as measured with Whisper; pinyin as itself;
- its English pronunciation in ARPAbet, for voices that have English sounds (Kokoro), or none
  when the token is pinyin (Beijing, Huawei) and the Mandarin syllables are its true reading.

How a token is classified, the way a Chinese newsreader reads it:
- all capitals: up to three letters spelled (AI, GPU, CEO); longer ones read as a word when the
  dictionary knows them as one (NASA, UNESCO: the dictionary spells the letters of FBI, HTML
  itself), else spelled (JSON → J-S-O-N unless listed in _ENGLISH);
- mixed case (iPhone, YouTube, macOS, ChatGPT): the whole word from the dictionary when it has
  it and no capitals run inside (iPhone, YouTube), else part by part (mac + OS, Chat + GPT);
- lower case or Capitalized: the dictionary, then pinyin (Huawei), then a compound of two
  dictionary words, then letter-to-sound rules; a word with no vowel letter is spelled (pdf, www);
- a few words Chinese speakers spell though they are words (app → A-P-P).
Nothing is dropped: the only token not read is one longer than MAX_TOKEN_LETTERS letters (a
pasted hash or key), and it is reported as omitted with the other scripts no voice can read.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from dataclasses import dataclass

from tts.frontend import english, transliterate
from tts.frontend.letters import LETTERS
from tts.frontend.syllables import SYLLABLES

MAX_TOKEN_LETTERS = 40   # longer letter runs are keys or hashes: reported, not read for minutes
_SHORT_ACRONYM = 3
TOKEN = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)*")
_CASE_PARTS = re.compile(r"[A-Z]+(?![a-z])|[A-Z]?[a-z]+")
_INNER_CAPITALS = re.compile(r"[A-Z]{2}")
_NO_VOWEL = re.compile(r"[^aeiouy]+", re.IGNORECASE)

# Words Chinese speakers spell although English says them as words.
SPELLED_WORDS = frozenset({"app", "apps", "diy", "pk", "vip", "ppt"})
# Pronunciations the dictionary lacks, for words common in Chinese text.
_ENGLISH = {
    "covid": "K OW1 V IH0 D", "wechat": "W IY1 CH AE2 T", "tiktok": "T IH1 K T AA2 K", "json": "JH EY1 S AH0 N",
    "wifi": "W AY1 F AY2", "blog": "B L AO1 G", "vlog": "V IY1 L AO2 G", "emoji": "IH0 M OW1 JH IY0",
    "selfie": "S EH1 L F IY0", "app": "AE1 P", "ios": "AY1 OW1 EH1 S", "linkedin": "L IH1 NG K T IH2 N",
    "nvidia": "EH0 N V IH1 D IY0 AH0", "chrome": "K R OW1 M", "android": "AE1 N D R OY2 D",
    "kubernetes": "K UW2 B ER0 N EH1 T IY0 Z", "a": "AH0",
}
# Words Chinese speakers say in a settled Mandarin way (哈喽, 爱疯) that Whisper hears as the
# English word; kept to those measured so (`python -m tts.bench latin`): for other words, Whisper
# writes the nearest Mandarin syllables as characters (外飞 for WiFi, 温都私 for Windows).
_MANDARIN_READINGS = {
    "hello": "ha1 lou1", "bye": "bai1", "iphone": "ai1 feng4", "ipad": "ai1 pai4 de5", "youtube": "you1 tu1 bu4",
}
# On the Mandarin side a word without a settled reading is spelled up to this many letters (the
# listener gets the exact word: Whisper recovered twice as many words spelled as approximated by
# syllables, 26 % vs 13 %), and approximated by syllables when longer (a spelled Instagram is longer
# than a listener follows).
SPELLED_UP_TO = 8
# Pinyin written in Latin letters, with the tones the names are said with.
_PINYIN_TONES = {
    "baidu": "bai3 du4", "taobao": "tao2 bao3", "huawei": "hua2 wei2", "xiaomi": "xiao3 mi3", "weixin": "wei1 xin4",
    "alibaba": "a1 li3 ba1 ba1", "douyin": "dou3 yin1", "weibo": "wei1 bo2", "zhihu": "zhi1 hu1",
    "beijing": "bei3 jing1", "shanghai": "shang4 hai3", "shenzhen": "shen1 zhen4", "guangzhou": "guang3 zhou1",
}
# Spellings English words do not have: such a token is pinyin even when the dictionary lists it (zhang, xiao).
_PINYIN_ONLY = re.compile(r"^(?:zh|x|q(?!u))|[^aeiou]ian|iao|uai|iang|iong|uang")
_NOT_PINYIN_SYLLABLES = frozenset({"a", "e", "o", "m", "n", "ng", "hm", "hng", "er", "ei", "ou", "ai", "an", "en"})
_PINYIN_DEFAULT_TONE = 1


@dataclass(frozen=True)
class TokenReading:
    """What one Latin token became.

    syllables: tone-numbered Mandarin syllables (every voice can say them); empty = omitted.
    words: the syllables in order, as (count, ARPAbet) per English word said: one per word,
        one per letter of a spelled acronym (so a voice says C-E-O, not one blended word);
        ARPAbet "" where the Mandarin syllables are the reading itself (pinyin).
    how: dictionary | letters | pinyin | compound | rules | parts | omitted (for tests and --symbols).
    """

    text: str
    syllables: tuple[str, ...]
    words: tuple[tuple[int, str], ...]
    how: str

    @property
    def omitted(self) -> bool:
        return not self.syllables

    @property
    def arpabet(self) -> str:
        """Its whole English pronunciation ("" for pinyin)."""
        return " ".join(arpabet for _, arpabet in self.words if arpabet)


def fold(text: str) -> str:
    """Latin letters with diacritics as their base letters (café → cafe, Müller → Muller, ß → ss)."""
    if text.isascii():
        return text
    out = []
    for char in text:
        if char.isascii() or not _is_latin_letter(char):
            out.append(char)
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", char) if not unicodedata.combining(c))
        out.append(base if base.isascii() else _LIGATURES.get(char, char))
    return "".join(out)


_LIGATURES = {"ß": "ss", "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D",
              "ł": "l", "Ł": "L", "þ": "th", "ð": "d", "ı": "i"}


def is_word(letters: str) -> bool:
    """Whether `letters` is a word with a known English pronunciation (wifi, email)."""
    return letters.lower() in _ENGLISH or letters.lower() in english.dictionary()


def _is_latin_letter(char: str) -> bool:
    return char.isalpha() and "LATIN" in unicodedata.name(char, "")


@functools.lru_cache(maxsize=4096)
def read(token: str) -> TokenReading:
    """How `token` (letters, maybe inner apostrophes: TOKEN) is read aloud."""
    letters = re.sub(r"['’]", "", token)
    if len(letters) > MAX_TOKEN_LETTERS:
        return omitted(token)
    parts = _parts(token)
    if len(parts) == 1:
        syllables, words, how = _read_part(parts[0], whole=token)
        return TokenReading(token, tuple(syllables), tuple(words), how)
    read_parts = [_read_part(p) for p in parts]
    hows = {how for _, _, how in read_parts}
    return TokenReading(token, tuple(s for syllables, _, _ in read_parts for s in syllables),
                        tuple(w for _, words, _ in read_parts for w in words), hows.pop() if len(hows) == 1 else "parts")


def omitted(text: str) -> TokenReading:
    """A token no voice reads."""
    return TokenReading(text, (), (), "omitted")


def _parts(token: str) -> list[str]:
    """iPhone stays whole when the dictionary has it; macOS, ChatGPT split where the case changes."""
    plain = re.sub(r"['’]", "", token)
    if plain.islower() or plain.isupper() or (plain[0].isupper() and plain[1:].islower()):
        return [token]
    if not _INNER_CAPITALS.search(plain) and plain.lower() in english.dictionary():
        return [token]
    return _CASE_PARTS.findall(plain)


Words = list[tuple[int, str]]


def _read_part(part: str, whole: str | None = None) -> tuple[list[str], Words, str]:
    """(Mandarin syllables, the English words they say, how) for one part of a token."""
    word = whole or part
    lower = re.sub(r"['’]", "", word).lower()
    if (len(lower) == 1 and lower not in _ENGLISH) or (part.isupper() and (len(part) <= _SHORT_ACRONYM or not _acronym_word(lower))) \
            or lower in SPELLED_WORDS or _NO_VOWEL.fullmatch(lower):
        return _spelled(lower)
    if lower in _PINYIN_TONES or ((lower not in english.dictionary() or _PINYIN_ONLY.search(lower))
                                  and _pinyin(lower, shortest=1 if _PINYIN_ONLY.search(lower) else 2)):
        syllables = _pinyin_reading(lower)
        return syllables, [(len(syllables), "")], "pinyin"
    arpabet, how = _english(word)
    if lower in _MANDARIN_READINGS:
        syllables = _MANDARIN_READINGS[lower].split()
    elif len(lower) <= SPELLED_UP_TO:
        syllables = _spelled(lower)[0]
    else:
        syllables = transliterate.to_pinyin(arpabet)
    return syllables, [(len(syllables), arpabet)], how


def _acronym_word(lower: str) -> bool:
    """An all-capitals token said as a word: listed, or a dictionary word (NASA, UNESCO)."""
    return is_word(lower)


def _english(word: str) -> tuple[str, str]:
    """ARPAbet for a word and where it came from."""
    lower = word.lower().replace("’", "'")
    words = english.dictionary()
    for form in (lower, lower.replace("'", "")):
        if form in _ENGLISH:
            return _ENGLISH[form], "dictionary"
        if form in words:
            return words[form], "dictionary"
    if lower.endswith("'s") and lower[:-2] in words:
        return words[lower[:-2]] + " Z", "dictionary"
    plain = lower.replace("'", "")
    found = english.lookup(plain)
    if found:
        return found, "compound"
    return english.by_rules(plain), "rules"


def _spelled(letters: str) -> tuple[list[str], Words, str]:
    upper = letters.upper()
    return ([s for letter in upper for s in LETTERS[letter]],
            [(len(LETTERS[letter]), english.spell(letter)) for letter in upper], "letters")


def _pinyin(lower: str, shortest: int = 2) -> list[str] | None:
    """The toneless pinyin syllables that spell `lower` exactly (≥ `shortest`, each with an
    initial or a two-letter final), or None: baidu → [bai, du]."""
    @functools.lru_cache(maxsize=None)
    def split(start: int) -> tuple[str, ...] | None:
        if start == len(lower):
            return ()
        for end in range(min(len(lower), start + 6), start + 1, -1):
            piece = lower[start:end]
            if piece in SYLLABLES and piece not in _NOT_PINYIN_SYLLABLES:
                rest = split(end)
                if rest is not None:
                    return (piece, *rest)
        return None
    found = split(0)
    return list(found) if found and len(found) >= shortest else None


def _pinyin_reading(lower: str) -> list[str]:
    if _PINYIN_TONES.get(lower):
        return _PINYIN_TONES[lower].split()
    return [f"{s}{_PINYIN_DEFAULT_TONE}" for s in _pinyin(lower, shortest=1) or []]
