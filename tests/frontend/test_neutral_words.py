"""Neutral-tone words (轻声词) as spoken: the last syllable loses its tone, in the right meaning only."""

from __future__ import annotations

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from tts.frontend.g2p import to_pinyin, words
from tts.frontend.neutral_words import _WORDS, neutral_positions
from tts.frontend.sandhi import apply


def spoken(text: str) -> list[str]:
    """The syllables after sandhi, one per character."""
    return [syllable for word in apply(words(text)) for syllable in word]


def at(text: str, fragment: str, nth: int = 0) -> list[str]:
    """The spoken syllables of the nth occurrence of fragment in text."""
    start = -1
    for _ in range(nth + 1):
        start = text.index(fragment, start + 1)
    return spoken(text)[start : start + len(fragment)]


@pytest.mark.parametrize(
    ("text", "fragment", "nth", "expected"),
    [
        # 东西: "thing" is neutral, "east and west" is not
        ("我去超市买东西。", "东西", 0, ["dong1", "xi5"]),
        ("这东西很好用。", "东西", 0, ["dong1", "xi5"]),
        ("好东西！", "东西", 0, ["dong1", "xi5"]),
        ("这条河东西走向。", "东西", 0, ["dong1", "xi1"]),
        ("岛屿东西长约三十公里。", "东西", 0, ["dong1", "xi1"]),
        ("铁路横贯东西。", "东西", 0, ["dong1", "xi1"]),
        ("东西方文化交流频繁。", "东西", 0, ["dong1", "xi1"]),
        # the everyday neutral-tone words
        ("那位姑娘是谁？", "姑娘", 0, ["gu1", "niang5"]),
        ("王先生，您好。", "先生", 0, ["xian1", "sheng5"]),
        ("我明白你的意思。", "明白", 0, ["ming2", "bai5"]),
        ("我明白你的意思。", "意思", 0, ["yi4", "si5"]),
        ("这件事情很重要。", "事情", 0, ["shi4", "qing5"]),
        ("他是我的朋友。", "朋友", 0, ["peng2", "you5"]),
        ("把房间收拾一下。", "收拾", 0, ["shou1", "shi5"]),
        # 地方: "place" is neutral, "local" is not
        ("这个地方真美。", "地方", 0, ["di4", "fang5"]),
        ("地方政府出台了新政策。", "地方", 0, ["di4", "fang1"]),
        ("中央和地方都要负责。", "地方", 0, ["di4", "fang1"]),
        # 大方 "generous", also split by the segmenter (很大|方); 大方向 is not
        ("他为人很大方。", "大方", 0, ["da4", "fang5"]),
        ("我们的大方向没有错。", "大方", 0, ["da4", "fang1"]),
        # 人家 "others" vs "household"
        ("人家不愿意去。", "人家", 0, ["ren2", "jia5"]),
        ("村里只有几户人家。", "人家", 0, ["ren2", "jia1"]),
        ("别人家的孩子。", "人家", 0, ["ren2", "jia1"]),
        # 大意 "careless" only after a degree word or a warning; else "main idea"
        ("你真是太大意了。", "大意", 0, ["da4", "yi5"]),
        ("文章的大意是这样的。", "大意", 0, ["da4", "yi4"]),
        # 地道 "authentic" vs "tunnel"
        ("他说一口地道的北京话。", "地道", 0, ["di4", "dao5"]),
        ("敌人挖了一条地道。", "地道", 0, ["di4", "dao4"]),
        # 精神 "lively" vs "spirit"
        ("他今天很精神。", "精神", 0, ["jing1", "shen5"]),
        ("发扬艰苦奋斗的精神。", "精神", 0, ["jing1", "shen2"]),
        # 买卖 "business" vs "buying and selling"
        ("他做点小买卖。", "买卖", 0, ["mai3", "mai5"]),
        ("双方签订了买卖合同。", "买卖", 0, ["mai3", "mai4"]),
        # 多少 "how many" vs "more or less"
        ("这个多少钱？", "多少", 0, ["duo1", "shao5"]),
        ("他多少有点累。", "多少", 0, ["duo1", "shao3"]),
        # 丈夫 "husband" vs 大丈夫 "a true man"
        ("她的丈夫是医生。", "丈夫", 0, ["zhang4", "fu5"]),
        ("男子汉大丈夫。", "丈夫", 0, ["zhang4", "fu1"]),
    ],
)
def test_neutral_tone_words_in_context(text, fragment, nth, expected):
    assert at(text, fragment, nth) == expected


def test_a_word_straddling_two_words_is_not_one():
    # 首先|生产 holds 先生 across the boundary: 生产 keeps its tones
    assert spoken("首先生产零件。")[:4] == ["shou3", "xian1", "sheng1", "chan3"]


def test_a_word_inside_a_longer_word_is_not_one():
    assert spoken("明明白白")[2:] == ["bai2", "bai2"]


def test_neutral_tone_spares_third_tone_sandhi():
    # 马虎 ma3 hu3 would otherwise become ma2 hu3
    assert at("他做事很马虎。", "马虎") == ["ma3", "hu5"]


def test_g2p_keeps_the_citation_reading():
    # the lexical reading (and the polyphone figure) is unchanged: sandhi makes it neutral
    assert to_pinyin("姑娘")[1] == "niang2"


@given(st.text(alphabet="东西姑娘先生首产大方很人家地道的买卖好我去。", max_size=20))
@example("很大方")
@example("首先生产")
def test_only_the_last_syllable_of_a_listed_word_is_neutralized(text):
    ws = words(text)
    spans, start = [], 0
    for w in ws:
        spans.append((start, start + len(w.text)))
        start += len(w.text)
    flat = [p for w in ws for p in w.pinyin]
    for i in neutral_positions(text, spans, flat):
        assert text[i - 1 : i + 1] in _WORDS


def test_the_word_list_holds_two_character_chinese_words():
    assert all(len(word) == 2 and all("\u4e00" <= ch <= "\u9fff" for ch in word) for word in _WORDS)
