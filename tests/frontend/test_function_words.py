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
    ("商场引入各种商店，为乘客提供了方便。", "为", 0, "wei4"),
    ("他学习勤奋，为以后的治学打下了基础。", "为", 0, "wei4"),
    ("他罚中点球，为意大利扳平比分。", "为", 0, "wei4"),
    ("他进行了尝试，为将来的建筑打下基础。", "为", 0, "wei4"),
    ("该公司成立于2001年，为国内首家提供云服务的企业。", "为", 0, "wei2"),
]

# 为 "as, into" after a verb that takes it (a character, or a word: 设置为, 衍生为); "for" after a
# modal or a noun ending in such a character (应当为, 工作为), and after a 以 that is no 以…为.
TAKEN_WEI = [
    ("把首页设置为客户服务页面。", "为", 0, "wei2"),
    ("这个模块定义为日志服务。", "为", 0, "wei2"),
    ("此选项可配置为服务模式。", "为", 0, "wei2"),
    ("他的职务调整为客户服务经理。", "为", 0, "wei2"),
    ("这个词后来衍生为那个意思。", "为", 0, "wei2"),
    ("他死后转生为那户人家的孩子。", "为", 0, "wei2"),
    ("他被选为班长。", "为", 0, "wei2"),
    ("他处处为别人着想。", "为", 0, "wei4"),
    ("这个机构为老人服务。", "为", 0, "wei4"),
    ("我们应当为孩子们着想。", "为", 0, "wei4"),
    ("他的工作为大家提供了方便。", "为", 0, "wei4"),
    ("她每天辛勤工作为家人挣钱。", "为", 0, "wei4"),
    ("我可以为你做饭。", "为", 0, "wei4"),
    ("他以后会为你负责。", "为", 0, "wei4"),
    ("所以我们要为孩子着想。", "为", 0, "wei4"),
    ("他一直以来都为大家服务。", "为", 0, "wei4"),
    ("以他为榜样。", "为", 0, "wei2"),
    ("我们以人民为中心。", "为", 0, "wei2"),
    ("以此为戒。", "为", 0, "wei2"),
    ("他以公司为家。", "为", 0, "wei2"),
    # willing to be a role (甘愿为奴) or willing to do for someone (甘愿为人民服务)
    ("他甘愿为奴。", "为", 0, "wei2"),
    ("她愿为人妻。", "为", 0, "wei2"),
    ("他甘愿为人民服务。", "为", 0, "wei4"),
    ("他愿为父母分忧。", "为", 0, "wei4"),
    ("我愿意为你做任何事。", "为", 0, "wei4"),
    # the passive 为…所 (为大家所熟悉), not 所在/所有/研究所
    ("这首歌为大家所熟悉。", "为", 0, "wei2"),
    ("他的名字为人所知。", "为", 0, "wei2"),
    ("这家公司专门为所在社区提供服务。", "为", 0, "wei4"),
]


# 得 "must" (dei3) after a conjunction, a time or 主要; "got" (de2) after 一定 before 过 and after a
# name; the particle after a noun that is the verb (梦得真切).
MUST_DEI = [
    ("你一定得过这种病吧？", "得", 0, "de2"),
    ("他一定得过奖。", "得", 0, "de2"),
    ("我们一定得小心。", "得", 0, "dei3"),
    ("但是得认真准备。", "得", 0, "dei3"),
    ("因此得谨慎。", "得", 0, "dei3"),
    ("所以得小心。", "得", 0, "dei3"),
    ("不过得小心一点。", "得", 0, "dei3"),
    ("因战功而得封侯。", "得", 0, "de2"),
    ("我们主要得靠自己。", "得", 0, "dei3"),
    ("今天得很晚才能回家。", "得", 0, "dei3"),
    ("明天得交作业。", "得", 0, "dei3"),
    ("你得快点。", "得", 0, "dei3"),
    ("蒋介卿得重建后的玉泰盐铺。", "得", 0, "de2"),
    ("蒋瑞青得丰镐房。", "得", 0, "de2"),
    # a person, then a verb tried (X一X: jieba tags it an idiom) or taking care (小心, 注意: tagged nouns)
    ("这道题我得想一想。", "得", 0, "dei3"),
    ("你得试一试。", "得", 0, "dei3"),
    ("你得小心点。", "得", 0, "dei3"),
    ("你得注意安全。", "得", 0, "dei3"),
    ("你得当心。", "得", 0, "dei3"),
    ("他得了小心病。", "得", 0, "de2"),
    ("我得了一场病。", "得", 0, "de2"),
    ("他得一等奖。", "得", 0, "de2"),
    ("他得注意力缺陷症。", "得", 0, "de2"),
    # 担子菌 "basidiomycete" is dan1 beside 担子 "load" dan4
    ("担子菌亚纲的真菌。", "担", 0, "dan1"),
    ("他肩上的担子很重。", "担", 0, "dan4"),
]



@pytest.mark.parametrize(("sentence", "char", "nth", "expected"), CLAUSES + CLAUSE_OPENING_WEI + TAKEN_WEI + MUST_DEI)
def test_function_word_reading_depends_on_its_clause(sentence, char, nth, expected):
    index = [i for i, c in enumerate(sentence) if c == char][nth]
    assert to_pinyin(sentence)[index] == expected
