"""Function-word polyphones (为, 得, 还 …) in the sentences of frontend review B.

Each class is written both ways: the sentence the rule once misread, and the readings beside it
that the fix must leave alone. (sentence, character, occurrence, reading), as in test_g2p.
"""

from __future__ import annotations

import pytest

from tts.frontend.g2p import to_pinyin

# A clause ends at any pause, "！" and "？" too: a 以/把 of the sentence before reaches no further.
CLAUSES = [
    ("以后再说吧！为你准备的礼物在桌上。", "为", 0, "wei4"),
    ("以后再说吧，以他为榜样。", "为", 0, "wei2"),
    ("你把书拿来！还有笔吗？", "还", 0, "hai2"),
    ("你去吧！请把书还给他。", "还", 0, "huan2"),
]


@pytest.mark.parametrize(("sentence", "char", "nth", "expected"), CLAUSES)
def test_function_word_reading_depends_on_its_clause(sentence, char, nth, expected):
    index = [i for i, c in enumerate(sentence) if c == char][nth]
    assert to_pinyin(sentence)[index] == expected
