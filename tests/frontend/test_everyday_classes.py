"""Classes of everyday readings fixed after the fifth blind round (blind11) and note 10's known misses.

Each class is written both ways, in words other than the held-out sentences': cases the rule must
change, and look-alikes it must leave alone. (sentence, character, occurrence, reading), as in test_g2p.
"""

from __future__ import annotations

import pytest

from tts.frontend.g2p import to_pinyin

# 为 after a subject or a modal, then someone and what is done for them (a verb of doing for, 而 and an
# effort, kin and more of the clause): "for", wei4. The copula, the passive with 所 and 为零而不是一 stay wei2.
WEI_DONE_FOR = [
    ("我们要为每一位老人提供帮助。", "为", 0, "wei4"),
    ("他每天为父亲做饭。", "为", 0, "wei4"),
    ("大家都在为比赛胜利而努力。", "为", 0, "wei4"),
    ("她为孩子的前途而担忧。", "为", 0, "wei4"),
    ("他要为其父丧事四处奔走。", "为", 0, "wei4"),
    ("其长子为其母所生。", "为", 0, "wei2"),
    ("这个数为零而不是一。", "为", 0, "wei2"),
    ("该公司为其母公司全资控股。", "为", 0, "wei2"),
    ("该校为全国首家提供免费午餐的学校。", "为", 0, "wei2"),
    ("他被选为班长。", "为", 0, "wei2"),
]

CASES = WEI_DONE_FOR


def _reading(sentence: str, char: str, nth: int) -> str:
    positions = [i for i, c in enumerate(sentence) if c == char]
    return to_pinyin(sentence)[positions[nth]]


@pytest.mark.parametrize(("sentence", "char", "nth", "expected"), CASES)
def test_everyday_reading_by_class(sentence, char, nth, expected):
    assert _reading(sentence, char, nth) == expected
