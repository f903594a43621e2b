"""Our pinyin → Kokoro phonemes against misaki's Chinese G2P (v1.0 path), the one
Kokoro v1.0 was trained with. misaki is a test-only dependency."""

from __future__ import annotations

import jieba
import pytest
from hypothesis import example, given, settings, strategies as st
from misaki import zh
from pypinyin import Style, lazy_pinyin
from pypinyin.contrib.tone_convert import to_tone3
from pypinyin.pinyin_dict import pinyin_dict

from tts.engines.kokoro import DEFAULT_VOICES_DIR, load_vocab
from tts.engines.kokoro_phonemes import (
    BREAK_SYMBOLS, FINAL_MARKS, longest_syllable, phrase_phonemes, syllable_phonemes, syllables_fitting,
)
from tts.frontend import analyze
from tts.frontend.phrase import Phrase

VOCAB = load_vocab(DEFAULT_VOICES_DIR)
COMMAS = "，、"
MARKS = "，、。！？"


@pytest.fixture(scope="module")
def misaki():
    return zh.ZHG2P()  # version None: the v1.0 path


def all_pypinyin_syllables() -> set[str]:
    """Every tone-numbered reading pypinyin knows, about 1,500 syllables."""
    return {to_tone3(r, neutral_tone_with_five=True) for v in pinyin_dict.values() for r in v.split(",")}


def phrase_like_misaki(text: str) -> Phrase:
    """What our frontend would hand over if it read the text as misaki does: jieba
    words (break 1 between them), pypinyin per word, break 3 at commas."""
    syllables, breaks = [], []
    for word in jieba.lcut(text):
        if word in MARKS:
            if word in COMMAS:
                breaks[-1] = 3
            continue
        for syllable in lazy_pinyin(word, style=Style.TONE3, neutral_tone_with_five=True):
            syllables.append(syllable)
            breaks.append(0)
        breaks[-1] = 1
    return Phrase(tuple(syllables), tuple(breaks), text=text)


def manual_phrase(syllables: str, text: str = "", breaks: dict[int, int] | None = None) -> Phrase:
    """A phrase from space-separated pinyin, break 0 except where given."""
    syls = tuple(syllables.split())
    levels = tuple((breaks or {}).get(i, 0) for i in range(len(syls)))
    return Phrase(syls, levels, text=text)


def test_every_pypinyin_syllable_matches_misaki():
    differing = {}
    for syllable in all_pypinyin_syllables():
        theirs = zh.ZHG2P.py2ipa(syllable).replace("\u032f", "")  # misaki drops U+032F later
        ours = syllable_phonemes(syllable)
        if ours != theirs:
            differing[syllable] = (ours, theirs)
    # yo: misaki's splitter yields wo; we read the interjection as jɔ on purpose.
    assert differing == {"yo1": ("jɔ→", "wo→"), "yo5": ("jɔ", "wo")}


@pytest.mark.parametrize("text", [
    "今天天气很好，我们一起去公园散步吧。",
    "中国人民银行的工作人员说，明天会下雨！",
    "你知道这件事情吗？",
    "花儿开了。",
    "她穿着绿色的裙子，坐在窗边读书。",
    "日子过得真快，转眼就是秋天了。",
])
def test_sentences_match_misaki(misaki, text):
    assert phrase_phonemes(phrase_like_misaki(text)) == misaki(text)[0]


def test_erhua_syllable_reads_like_misakis_er(misaki):
    phrase = manual_phrase("ta1 qu4 nar3 le5", "他去哪儿了？", {0: 1, 1: 1, 2: 1})
    assert phrase_phonemes(phrase) == misaki("他去哪儿了？")[0] == "tʰa→ ʨʰy↘ na↓ɚ↗ lɤ?"


def test_third_tone_sandhi_is_ours(misaki):
    """Our frontend applies 3-3 sandhi before; misaki v1.0 keeps both third tones."""
    phrase = manual_phrase("ni2 hao3", "你好。")
    assert misaki("你好。")[0] == "ni↓xau↓."
    assert phrase_phonemes(phrase) == "ni↗xau↓."


def test_liang_and_digits_come_normalized(misaki):
    """misaki's cn2an reads 2个 as 二个 and 10086 as a quantity; our frontend says 两个
    and reads a phone number digit by digit (yao1 for 1) before we ever see it."""
    assert misaki("我有2个苹果。")[0] == "wo↓ jou↓ ɚ↘kɤ↘ pʰi↗ŋkwo↓."
    ours = manual_phrase("wo2 you3 liang3 ge4 ping2 guo3", "我有两个苹果。", {0: 1, 1: 1, 3: 1})
    assert phrase_phonemes(ours) == "wo↗ jou↓ lja↓ŋkɤ↘ pʰi↗ŋkwo↓."
    assert "i→wa↘n" in misaki("电话是10086。")[0]
    phone = manual_phrase("yao1 ling2 ling2 ba1 liu4", "幺零零八六。")
    assert phrase_phonemes(phone) == "jau→li↗ŋli↗ŋpa→ljou↘."


@pytest.mark.parametrize("text, mark", [("你是谁？", "?"), ("快走！", "!"), ("好的", "."), ("然后，", ",")])
def test_phrase_ends_with_its_punctuation(text, mark):
    assert phrase_phonemes(manual_phrase("hao3 de5", text)).endswith(mark)


def test_a_cut_sentence_continues_with_a_comma_and_ends_with_its_own_mark():
    head, tail = manual_phrase("ni3 shi4 shei2 ya5", "你是谁呀？", {1: 3}).split_at(2)
    assert phrase_phonemes(head).endswith(",") and phrase_phonemes(tail).endswith("?")


def test_break_levels_map_to_space_and_comma():
    phrase = manual_phrase("a1 a1 a1 a1 a1", "啊", {0: 0, 1: 1, 2: 2, 3: 3})
    assert phrase_phonemes(phrase) == "a→a→ a→, a→, a→."


def test_every_output_symbol_is_in_kokoros_vocabulary():
    symbols = set("".join(map(syllable_phonemes, all_pypinyin_syllables())))
    symbols |= set("".join(BREAK_SYMBOLS.values())) | set("".join(FINAL_MARKS.values()))
    symbols |= set(syllable_phonemes("huar1") + syllable_phonemes("hng2") + syllable_phonemes("ê4"))
    assert symbols - set(VOCAB) == set()


def test_max_syllables_fits_the_token_limit():
    worst = max(all_pypinyin_syllables(), key=lambda s: len(syllable_phonemes(s)))
    n = syllables_fitting(510)
    phrase = Phrase((worst[:-1] + "r" + worst[-1],) * n, (3,) * n, text="。")
    assert len(phrase_phonemes(phrase)) <= 510
    assert longest_syllable() >= len(syllable_phonemes(worst[:-1] + "r" + worst[-1])) + 2


@pytest.mark.parametrize("bad", ["xyz1", "hao7", "r5"])
def test_unknown_syllables_are_refused(bad):
    with pytest.raises(ValueError, match=bad):
        syllable_phonemes(bad)


@settings(max_examples=80, deadline=None)
@given(st.text(alphabet=st.sampled_from("的了一不行长重还好中国人说话儿哪玩2024年¥%，。！？abcXYZ "), max_size=60))
@example("好X儿")   # a lone erhua "r5" used to reach the mapping and raise
def test_whatever_the_frontend_makes_maps_into_kokoros_vocabulary(text):
    for phrase in analyze(text):
        assert set(phrase_phonemes(phrase)) <= set(VOCAB)
