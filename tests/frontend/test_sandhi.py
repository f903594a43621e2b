"""sandhi.apply: spoken tones from lexical pinyin.

Most cases build the words by hand so that they test the sandhi rules alone, independent
of segmentation and polyphone choice; a few run the whole g2p -> sandhi path.
"""

from __future__ import annotations

import pytest

from tts.frontend.g2p import Word, words
from tts.frontend.sandhi import apply


def w(text: str, pinyin: str, pos: str = "n") -> Word:
    """A word with space-separated lexical pinyin."""
    return Word(text, tuple(pinyin.split()), pos)


def spoken(*ws: Word) -> list[str]:
    """The flattened sandhi output for hand-made words."""
    return [p for t in apply(list(ws)) for p in t]


def spoken_text(text: str) -> list[str]:
    """The flattened sandhi output for text, through g2p."""
    return [p for t in apply(words(text)) for p in t]


# Third tone.
def test_two_third_tones_in_a_word():
    assert spoken(w("雨伞", "yu3 san3")) == ["yu2", "san3"]


def test_third_tone_chain_in_a_two_plus_one_word():
    assert spoken(w("展览馆", "zhan3 lan3 guan3")) == ["zhan2", "lan2", "guan3"]


def test_third_tone_in_a_one_plus_two_word_keeps_the_first():
    assert spoken(w("纸老虎", "zhi3 lao3 hu3")) == ["zhi3", "lao2", "hu3"]


def test_third_tone_chain_across_monosyllabic_words():
    assert spoken(w("我", "wo3", "r"), w("很", "hen3", "d"), w("好", "hao3", "a")) == ["wo2", "hen2", "hao3"]


def test_third_tone_across_verb_and_object():
    assert spoken(w("买", "mai3", "v"), w("米", "mi3")) == ["mai2", "mi3"]


def test_adverb_groups_with_the_word_after_it():
    out = spoken(w("我", "wo3", "r"), w("很", "hen3", "d"), w("喜欢", "xi3 huan1", "v"))
    assert out == ["wo3", "hen2", "xi3", "huan5"]   # 喜欢 is a neutral-tone word


def test_punctuation_blocks_third_tone_sandhi():
    assert spoken(w("好", "hao3", "a"), w("，", "，", "x"), w("我", "wo3", "r")) == ["hao3", "，", "wo3"]


def test_third_tone_before_neutral_tone_is_kept():
    assert spoken(w("姐姐", "jie3 jie5")) == ["jie3", "jie5"]


# 一
def test_yi_before_fourth_tone_is_second():
    assert spoken(w("一个", "yi1 ge4", "m")) == ["yi2", "ge4"]


def test_yi_before_first_tone_is_fourth():
    assert spoken(w("一天", "yi1 tian1", "m")) == ["yi4", "tian1"]


def test_yi_as_ordinal_keeps_first_tone():
    assert spoken(w("第一", "di4 yi1", "m")) == ["di4", "yi1"]


def test_yi_between_repeated_verbs_is_neutral():
    assert spoken(w("看一看", "kan4 yi1 kan4", "v")) == ["kan4", "yi5", "kan4"]


def test_yi_at_end_of_word_keeps_first_tone():
    assert spoken(w("统一", "tong3 yi1", "v"), w("思想", "si1 xiang3")) == ["tong3", "yi1", "si1", "xiang3"]


def test_yi_in_a_number_keeps_first_tone():
    assert spoken(w("十一", "shi2 yi1", "m")) == ["shi2", "yi1"]


def test_yi_in_a_date_keeps_first_tone():
    assert spoken(w("一月", "yi1 yue4", "m"), w("一日", "yi1 ri4", "m")) == ["yi1", "yue4", "yi1", "ri4"]


def test_yi_naming_a_number_keeps_first_tone():
    assert spoken(w("一号线", "yi1 hao4 xian4", "m")) == ["yi1", "hao4", "xian4"]


def test_yi_in_yi_x_yi_x_is_not_neutral():
    assert spoken(w("一点一点", "yi1 dian3 yi1 dian3", "m")) == ["yi4", "dian3", "yi4", "dian3"]


def test_yi_before_punctuation_keeps_first_tone():
    assert spoken(w("一", "yi1", "m"), w("。", "。", "x")) == ["yi1", "。"]


# 不
def test_bu_before_fourth_tone_is_second():
    assert spoken(w("不是", "bu4 shi4", "v")) == ["bu2", "shi4"]


def test_bu_before_other_tones_stays_fourth():
    assert spoken(w("不好", "bu4 hao3", "a")) == ["bu4", "hao3"]


def test_bu_in_a_not_a_question_is_neutral():
    assert spoken(w("好不好", "hao3 bu4 hao3", "l")) == ["hao3", "bu5", "hao3"]


def test_bu_inside_a_potential_complement_is_neutral():
    assert spoken(w("对不起", "dui4 bu4 qi3", "l")) == ["dui4", "bu5", "qi3"]


def test_bu_as_its_own_word_looks_at_the_next_word():
    assert spoken(w("不", "bu4", "d"), w("去", "qu4", "v")) == ["bu2", "qu4"]


# Neutral tones.
@pytest.mark.parametrize(
    ("particle", "lexical"),
    [("的", "de5"), ("了", "le5"), ("吗", "ma1"), ("呢", "ne1"), ("吧", "ba1"), ("着", "zhe5")],
)
def test_particles_after_a_word_are_neutral(particle, lexical):
    out = spoken(w("来", "lai2", "v"), w(particle, lexical, "y"))
    assert out[1] == lexical[:-1] + "5"


def test_sentence_initial_interjection_keeps_its_tone():
    assert spoken(w("啊", "a1", "e"), w("！", "！", "x")) == ["a1", "！"]


def test_plural_suffix_is_neutral():
    assert spoken(w("朋友们", "peng2 you5 men2", "n")) == ["peng2", "you5", "men5"]


def test_noun_suffix_zi_is_neutral():
    assert spoken_text("桌子") == ["zhuo1", "zi5"]


def test_reduplicated_kinship_noun_is_neutral():
    assert spoken(w("妈妈", "ma1 ma1")) == ["ma1", "ma5"]


def test_reduplicated_verb_is_neutral():
    assert spoken(w("看看", "kan4 kan4", "v")) == ["kan4", "kan5"]


def test_reduplicated_adverb_keeps_its_tones():
    assert spoken(w("常常", "chang2 chang2", "d")) == ["chang2", "chang2"]


# Erhua.
def test_erhua_suffix_is_marked_r():
    assert spoken(w("花儿", "hua1 er2")) == ["hua1", "r"]


def test_erhua_keeps_third_tone_sandhi_of_the_word():
    assert spoken(w("一点儿", "yi1 dian3 er2", "m")) == ["yi4", "dian3", "r"]


def test_er_meaning_child_is_a_full_syllable():
    assert spoken(w("女儿", "nv3 er2")) == ["nv3", "er2"]
    assert spoken(w("妻儿", "qi1 er2")) == ["qi1", "er2"]


def test_xiaohair_is_erhua_though_hair_alone_means_child():
    assert spoken(w("小孩儿", "xiao3 hai2 er2")) == ["xiao3", "hai2", "r"]


# Shape.
def test_one_tuple_per_word_and_one_entry_per_character():
    ws = words("我们一起去看看展览馆吧，好不好？OK")
    assert [len(t) for t in apply(ws)] == [len(x.text) for x in ws]


def test_empty_input():
    assert apply([]) == []


def test_whole_path_on_a_sentence():
    assert spoken_text("你不是一个好人。") == ["ni3", "bu2", "shi4", "yi2", "ge4", "hao3", "ren2", "。"]


def test_whole_path_groups_the_verb_phrase_apart_from_the_subject():
    assert spoken_text("我想买米") == ["wo3", "xiang2", "mai2", "mi3"]
