"""Context rules for a few common polyphones the classifier gets wrong in everyday text.

The classifier learnt from Wikipedia prose, where 得 is mostly "obtain" (de2) and 地 mostly
"ground" (di4); in speech-like text they are mostly the structural particles of
"V得Adj" (跑得快) and "Adv地V" (慢慢地走), or the modal 得 "must" (你得去, dei3); verbs
such as 还 "give back" are rare in prose but common in speech.
The rules use only segmentation and jieba's POS tags, and apply only where the
classifier decided (never over a dictionary phrase).
"""

from __future__ import annotations

from typing import Callable

# POS tags (jieba, ICTCLAS style; one fixed tag per dictionary word) of the words around.
_VERBAL = ("v", "a")
_DESCRIPTIVE = ("a", "b", "d", "i", "l", "v", "z")
_SUBJECT = ("r", "n", "nr", "ns", "nt", "nz")
_PAUSES = set("，。！？；：、,.!?;:")
_DEGREE = {"很", "太", "更", "最", "挺", "非常", "特别", "比较", "十分", "这么", "那么", "多么", "越来越"}

Rule = Callable[[str, str, str, str, str, str], "str | None"]


def _de_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str) -> str | None:
    """得 after a verb or adjective is the complement particle; after a subject, "must"."""
    if word != "得" or not prev or nxt.startswith("了"):
        return None
    if prev_pos.startswith(_VERBAL):
        return "de5"
    if prev_pos in _SUBJECT and nxt_pos.startswith(("v", "d")):
        return "dei3"
    return None


def _di_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str) -> str | None:
    """地 after a descriptive word (慢慢, 高兴, 认真) and before a verb is the adverbial particle.

    A two-character-or-longer word before it excludes measure words and single verbs
    (一块地, 下地干活); jieba also lists state words ending in it (静静地, tag z).
    """
    if word != "地":
        return "de5" if pos == "z" else None
    if len(prev) >= 2 and prev_pos.startswith(_DESCRIPTIVE) and nxt_pos.startswith(("v", "a", "d")):
        return "de5"
    return None


def _zhang_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str) -> str | None:
    """长 before the particle 得 is "grow" (长得很高), not "long"."""
    return "zhang3" if word == "长" and nxt == "得" else None


def _huan_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str) -> str | None:
    """还 with a one-character noun object, or ending a clause, is "give back" (还钱, 按时还).

    Longer nouns are left alone: jieba tags verb-noun words such as 主演 as nouns, and
    the adverb 还 precedes those.
    """
    if word != "还":
        return None
    clause_end = not nxt or nxt[0] in _PAUSES
    return "huan2" if clause_end or (nxt_pos == "n" and len(nxt) == 1) else None


def _zhong_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str) -> str | None:
    """重 after a degree adverb is "heavy" (很重); before a verb it is "again" (重说, 重写)."""
    if word != "重":
        return None
    if prev in _DEGREE:
        return "zhong4"
    return "chong2" if nxt_pos.startswith("v") else None


def _lv_reading(word: str, pos: str, prev: str, prev_pos: str, nxt: str, nxt_pos: str) -> str | None:
    """率 closing a compound is the suffix "rate" (利润率, 失业率), not "lead" (shuai4)."""
    return "lv4" if len(word) >= 3 else None


# Keyed by the character; each rule sees the word that ends with it and its neighbours.
_RULES: dict[str, Rule] = {
    "得": _de_reading,
    "地": _di_reading,
    "长": _zhang_reading,
    "还": _huan_reading,
    "重": _zhong_reading,
    "率": _lv_reading,
}


def correct(segments: list[tuple[str, str]], readings: list[str], open_positions: set[int]) -> list[str]:
    """readings with the rules applied at word-final characters the classifier decided."""
    end = 0
    for k, (word, pos) in enumerate(segments):
        end += len(word)
        rule = _RULES.get(word[-1:])
        if rule is not None and end - 1 in open_positions:
            prev, prev_pos = segments[k - 1] if k > 0 else ("", "")
            nxt, nxt_pos = segments[k + 1] if k + 1 < len(segments) else ("", "")
            readings[end - 1] = rule(word, pos, prev, prev_pos, nxt, nxt_pos) or readings[end - 1]
    return readings
