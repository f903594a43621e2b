"""Tone sandhi: from lexical pinyin (g2p.Word) to the tones actually spoken.

apply(words) returns, per word, one entry per character, in this order of rules:
1. neutral tones: particles (的 地 得 了 着 吗 呢 吧 啊 ...), the suffix 们, the second
   syllable of reduplicated nouns and verbs (妈妈 ma1 ma5, 看看 kan4 kan5) and of neutral-tone
   words (姑娘 niang5, 东西 "thing" xi5 but "east-west" xi1: neutral_words); some lexical
   neutral tones (桌子 zi5, 石头 tou5) already come from g2p's dictionary;
2. 一 and 不 (一个 yi2, 一天 yi4, 第一 yi1, 看一看 yi5; 不是 bu2, 好不好 bu5, 对不起 bu5);
3. third-tone sandhi inside prosodic words (see _prosodic_words): 展览馆 zhan2 lan2 guan3,
   纸老虎 zhi3 lao2 hu3, 我很好 wo2 hen2 hao3, 买米 mai2 mi3;
4. erhua: a word-final 儿 suffix (花儿, 一点儿, 玩儿) gets the entry "r", and the consumer
   merges it into the previous syllable ("hua1", "r" -> "huar1"); 儿 meaning "child"
   (女儿, 婴儿) stays "er2".
Entries that are not pinyin (punctuation, Latin letters) pass through unchanged.
"""

from __future__ import annotations

import re

from tts.frontend.g2p import Word, is_dictionary_word, is_hanzi
from tts.frontend.neutral_words import neutral_positions

_SYLLABLE = re.compile(r"([a-z]+)([1-5])")

# Single-character words read with a neutral tone when they carry this syllable.
_PARTICLES = {
    "的": "de", "地": "de", "得": "de", "了": "le", "着": "zhe", "吗": "ma", "嘛": "ma",
    "呢": "ne", "吧": "ba", "啊": "a", "呀": "ya", "啦": "la", "哇": "wa", "么": "me",
}  # fmt: skip
_NUMERALS = set("零〇一二三四五六七八九十百千万亿两几第")
_DIGITS = set("零〇一二三四五六七八九十")
_DAY = set("日号份")
# X儿 words where 儿 means "child" and keeps its own syllable.
_CHILD = {
    "女儿", "婴儿", "幼儿", "孤儿", "健儿", "男儿", "胎儿", "患儿", "少儿",
    "宠儿", "孩儿", "育儿", "弃儿", "乳儿", "生儿", "血儿", "运儿",
    "妻儿", "侄儿", "孙儿", "形儿", "产儿", "潮儿", "馨儿", "娇儿", "犬儿", "浪儿",
}  # fmt: skip
_ERHUA_WORDS = {"小孩儿"}   # ends like a child word, but is the erhua form of 小孩
_MAX_PROSODIC_WORD = 3


def apply(words: list[Word]) -> list[tuple[str, ...]]:
    """Per word, its pinyin after tone sandhi (one entry per character; 儿 suffix as "r")."""
    text = "".join(w.text for w in words)
    spans = _spans(words)
    flat = [p for w in words for p in w.pinyin]
    _neutral_tones(words, spans, text, flat)
    _yi_bu(spans, text, flat)
    _third_tones(words, spans, flat)
    _erhua(words, spans, flat)
    return [tuple(flat[a:b]) for a, b in spans]


def _spans(words: list[Word]) -> list[tuple[int, int]]:
    """Start and end offset of each word in the flat syllable list."""
    spans, start = [], 0
    for w in words:
        spans.append((start, start + len(w.text)))
        start += len(w.text)
    return spans


def _tone(syllable: str) -> int | None:
    """The tone number of a pinyin syllable, None for anything else."""
    m = _SYLLABLE.fullmatch(syllable)
    return int(m.group(2)) if m else None


def _base(syllable: str) -> str:
    """The syllable without its tone ("" for anything that is not pinyin)."""
    m = _SYLLABLE.fullmatch(syllable)
    return m.group(1) if m else ""


def _retone(flat: list[str], i: int, tone: int) -> None:
    """Give flat[i] another tone, if it is a pinyin syllable."""
    if _tone(flat[i]) is not None:
        flat[i] = f"{_base(flat[i])}{tone}"


def _neutral_tones(words: list[Word], spans: list[tuple[int, int]], text: str, flat: list[str]) -> None:
    """Particles, the plural suffix 们, reduplicated nouns and verbs, and the last syllable of
    neutral-tone words (东西 "thing", 姑娘: neutral_words) lose their tone."""
    for i in neutral_positions(text, spans, flat):
        _retone(flat, i, 5)
    for k, (w, (a, b)) in enumerate(zip(words, spans)):
        if len(w.text) == 1 and _PARTICLES.get(w.text) == _base(flat[a]) and a > 0 and _tone(flat[a - 1]):
            _retone(flat, a, 5)
        for i in range(a + 1, b):
            if text[i] == "们":
                _retone(flat, i, 5)
        if w.text == "们" and a > 0:
            _retone(flat, a, 5)
        if _reduplicated(words, k):
            _retone(flat, b - 1, 5)


def _reduplicated(words: list[Word], k: int) -> bool:
    """A noun or verb AA (妈妈, 看看), or a verb repeated as two words (看 看)."""
    w = words[k]
    if not w.pos.startswith(("n", "v")):
        return False
    if len(w.text) == 2:
        return w.text[0] == w.text[1]
    return len(w.text) == 1 and k > 0 and words[k - 1].text == w.text and w.pos.startswith("v")


def _yi_bu(spans: list[tuple[int, int]], text: str, flat: list[str]) -> None:
    """一 and 不 take their tone from the syllable after them."""
    word_end = {b - 1 for a, b in spans if b - a > 1}
    middle = {a + 1 for a, b in spans if b - a == 3}
    for i, ch in enumerate(text):
        if ch == "一" and _base(flat[i]) == "yi":
            _retone(flat, i, _yi_tone(text, flat, i, i in word_end))
        elif ch == "不" and _base(flat[i]) == "bu":
            _retone(flat, i, _bu_tone(text, flat, i, i in middle))


def _between_same(text: str, i: int) -> bool:
    """text[i] sits between two equal characters (看一看, 好不好), not in 一X一X (一点一点)."""
    if not (0 < i < len(text) - 1 and text[i - 1] == text[i + 1] and is_hanzi(text[i - 1])):
        return False
    return i < 2 or text[i - 2] != text[i]


def _yi_tone(text: str, flat: list[str], i: int, ends_word: bool) -> int:
    """yi5 in 看一看; yi1 when counting or at a word's end; else yi2 before tone 4, yi4."""
    if _between_same(text, i):
        return 5
    if ends_word or _counting(text, i):
        return 1
    return 2 if _tone(flat[i + 1]) in (4, 5) else 4


def _counting(text: str, i: int) -> bool:
    """一 as the number one rather than "a": in digit strings and ordinals (十一, 一九, 第一),
    numbers and dates (一号线, 一月份, 一月一日), or before a pause."""
    prev, nxt, after = (text[j] if 0 <= j < len(text) else "" for j in (i - 1, i + 1, i + 2))
    if not is_hanzi(nxt) or prev in _NUMERALS or nxt in _DIGITS or nxt == "号":
        return True
    return (nxt == "月" and (after in _NUMERALS or after in _DAY)) or (prev == "月" and nxt in _DAY)


def _bu_tone(text: str, flat: list[str], i: int, mid_word: bool) -> int:
    """bu5 in A不A and V不C (好不好, 对不起); bu2 before a fourth tone; else bu4."""
    if _between_same(text, i) or mid_word:
        return 5
    nxt = flat[i + 1] if i + 1 < len(flat) else ""
    return 2 if _tone(nxt) == 4 else 4


def _third_tones(words: list[Word], spans: list[tuple[int, int]], flat: list[str]) -> None:
    """3-3 becomes 2-3 inside prosodic words, structure-aware for longer words.

    Parts are processed right to left; a boundary sees the right part's first tone after
    that part's own sandhi when the part is a word (纸|老虎: lao2, so 纸 stays 3) but its
    original tone when it is one syllable (我|很|好: all but the last become 2).
    """
    original = [_tone(s) for s in flat]
    for unit in _prosodic_words(words, spans):
        for a, b in unit:
            _chain(flat, a, b)
        for (a, b), (c, d) in reversed(list(zip(unit, unit[1:]))):
            right = original[c] if d - c == 1 else _tone(flat[c])
            if original[b - 1] == 3 and _tone(flat[b - 1]) == 3 and right == 3:
                _retone(flat, b - 1, 2)


def _chain(flat: list[str], a: int, b: int) -> None:
    """Inside one part: every third tone followed by a third tone becomes second."""
    for i in range(a, b - 1):
        if _tone(flat[i]) == 3 and _tone(flat[i + 1]) == 3:
            _retone(flat, i, 2)


def _prosodic_words(words: list[Word], spans: list[tuple[int, int]]) -> list[list[tuple[int, int]]]:
    """Group words into prosodic words, each a list of parts (offset spans).

    Built from the right, because Chinese phrases branch to the right (很|喜欢, 买|水果):
    a one-syllable word joins the group to its right, or a word joins a one-syllable group,
    while the group stays within three syllables (我很好, 我想|买水果); a longer word
    stands alone, split into its dictionary sub-words (展览|馆, 纸|老虎, 2+2 for idioms).
    Non-Chinese words are boundaries.
    """
    units: list[list[tuple[int, int]]] = []
    current: list[tuple[int, int]] = []
    for w, (a, b) in reversed(list(zip(words, spans))):
        if not all(is_hanzi(ch) for ch in w.text):
            units.append(current)
            current = []
            continue
        size = sum(d - c for c, d in current)
        if current and size + (b - a) <= _MAX_PROSODIC_WORD and (size == 1 or b - a == 1):
            current.insert(0, (a, b))
            continue
        units.append(current)
        current = [(a, b)] if b - a <= 2 else _sub_words(w.text, a)
    units.append(current)
    return [u for u in units if u]


def _sub_words(text: str, start: int) -> list[tuple[int, int]]:
    """Split a word of three or more characters: 2+1 or 1+2 by jieba's dictionary, else pairs."""
    if len(text) == 3:
        first = 1 if not is_dictionary_word(text[:2]) and is_dictionary_word(text[1:]) else 2
        return [(start, start + first), (start + first, start + 3)]
    return [(start + i, min(start + i + 2, start + len(text))) for i in range(0, len(text), 2)]


def _erhua(words: list[Word], spans: list[tuple[int, int]], flat: list[str]) -> None:
    """A word-final 儿 suffix becomes "r", to be merged into the syllable before it.

    The polyphone classifier may also read a 儿 as the bare suffix "r5" (its class for
    erhua); that merges the same way after a syllable, and is a full er2 anywhere else
    (after a letter or a sign, 好X儿): a lone "r" is no syllable any voice can say.
    """
    for w, (a, b) in zip(words, spans):
        for i in range(a, b):
            if _base(flat[i]) == "r":
                flat[i] = "r" if i > 0 and _tone(flat[i - 1]) is not None else "er2"
        child = w.text[-2:] in _CHILD and w.text not in _ERHUA_WORDS
        if len(w.text) > 1 and w.text[-1] == "儿" and not child and _base(flat[b - 1]) == "er":
            if _tone(flat[b - 2]) is not None:
                flat[b - 1] = "r"
