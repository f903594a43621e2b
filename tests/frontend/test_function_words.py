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


# 为 opening a clause is "in order to, for" only before a person served, a purpose, a verb or an
# adverb; before a noun it is the copula of encyclopedic and news text, before a role "act as".
CLAUSE_OPENING_WEI = [
    ("它是一种草本植物，为十字花科植物。", "为", 0, "wei2"),
    ("该医院位于市中心，为二级甲等医院。", "为", 0, "wei2"),
    ("这家公司成立于1998年，为国有独资企业。", "为", 0, "wei2"),
    ("为人父母，最怕孩子生病。", "为", 0, "wei2"),
    ("为师者要以身作则。", "为", 0, "wei2"),
    ("为将之道，在于知人。", "为", 0, "wei2"),
    ("为进一步方便群众，银行延长了营业时间。", "为", 0, "wei4"),
    ("为纪念他，人们建了一座塔。", "为", 0, "wei4"),
    ("为人们带来欢乐是他的心愿。", "为", 0, "wei4"),
    ("1967年：为适应铁路电气化需要进行了扩建。", "为", 0, "wei4"),
]


@pytest.mark.parametrize(("sentence", "char", "nth", "expected"), CLAUSES + CLAUSE_OPENING_WEI)
def test_function_word_reading_depends_on_its_clause(sentence, char, nth, expected):
    index = [i for i, c in enumerate(sentence) if c == char][nth]
    assert to_pinyin(sentence)[index] == expected
