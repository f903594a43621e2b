"""Questions the rules ask about the words around a number."""

from __future__ import annotations

import re

from .vocab import (
    LATIN_UNITS, MEASURES, MONEY_WORDS, NOT_LIANG_AFTER, NOT_MEASURE_WORDS, QUANTITY_WORDS, SCORE_CUES_AFTER, SCORE_CUES_BEFORE, TEAMS,
    alternation,
)

# "到3" may sit between a number and its measure word: 2到3个 is 两到三个.
_MEASURE_NEXT = re.compile(
    rf"(?:\s?到\s?[0-9]+(?:\.[0-9]+)?)?\s?(?!{alternation(NOT_LIANG_AFTER)})"
    rf"(?:{alternation(MEASURES)})"
)
_QUANTITY_NEXT = re.compile(
    rf"\s?(?!{alternation(NOT_MEASURE_WORDS)})(?:{alternation(MEASURES + QUANTITY_WORDS)}"
    rf"|(?:{alternation(LATIN_UNITS)})(?![A-Za-z]))"
)
_MONEY_NEXT = re.compile(rf"\s?(?:万|亿)?(?:{alternation(MONEY_WORDS)})")
_TEAM_BEFORE = re.compile(rf"(?:{alternation(TEAMS)}|[\u4e00-\u9fff]队) ?$")
_SCORE_CUE_BEFORE = re.compile(alternation(SCORE_CUES_BEFORE))
_SCORE_CUE_AFTER = re.compile(rf"\s?(?:{alternation(SCORE_CUES_AFTER)})")
# 第/周… possibly followed by earlier items of a list: 第一、2名 is 第一、二名; but 每周2次
# counts (每周两次), it names no weekday.
_ORDINAL_BEFORE = re.compile(r"(?:第|初|(?<!每)(?:周|星期|礼拜))(?:[0-9零一二三四五六七八九十百千]+[、，,])*$")
_ORDINAL_WINDOW = 12
_LATIN_BEFORE = re.compile(r"[A-Za-z]\s?$")
_SCORE_WINDOW = 8


def measure_follows(text: str, end: int) -> bool:
    """A measure word follows, so a bare 2 is read 两 (两个, 两年, 两到三天)."""
    return _MEASURE_NEXT.match(text, end) is not None


def quantity_follows(text: str, end: int) -> bool:
    """A measure word or unit follows, so the digits count something (not a code)."""
    return _QUANTITY_NEXT.match(text, end) is not None


def money_follows(text: str, end: int) -> bool:
    """A currency word follows: an amount, read without zero cents."""
    return _MONEY_NEXT.match(text, end) is not None


def is_ordinal(text: str, start: int) -> bool:
    """Preceded by 第/初/周…: the number names a position, never 两 (第二, 周二)."""
    return _ORDINAL_BEFORE.search(text, max(start - _ORDINAL_WINDOW, 0), start) is not None


def after_latin(text: str, start: int) -> bool:
    """Part of a Latin name or model (iPhone 5s, RTX3090)."""
    return _LATIN_BEFORE.search(text, max(start - 2, 0), start) is not None


def looks_like_score(text: str, start: int, end: int) -> bool:
    """A digit pair is a score after a team name or near words such as 比分, 战胜."""
    if quantity_follows(text, end):
        return False
    before = text[max(start - _SCORE_WINDOW, 0):start]
    return bool(
        _TEAM_BEFORE.search(before) or _SCORE_CUE_BEFORE.search(before) or _SCORE_CUE_AFTER.match(text, end)
    )
