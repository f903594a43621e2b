"""Readings a user writes (<phoneme ph>, 字{zi4}) and SSML rates: what every engine can say, nothing more."""

import re

import pytest
from pypinyin import Style
from pypinyin.pinyin_dict import pinyin_dict
from pypinyin.style import convert

from tts.engines.baker_symbols import BakerSymbols
from tts.engines.embedded_assets import locate
from tts.engines.kokoro_phonemes import syllable_phonemes
from tts.errors import InvalidInput
from tts.frontend import analyze
from tts.frontend.markup import parse
from tts.frontend.syllables import SYLLABLES, is_syllable


def test_the_inventory_is_every_toneless_reading_of_pypinyins_dictionary_but_e_circumflex():
    readings = {re.sub(r"\d", "", convert(r, Style.TONE3, strict=False, neutral_tone_with_five=True)).replace("ü", "v")
                for value in pinyin_dict.values() for r in value.split(",")}
    assert SYLLABLES == readings - {"ê"}


@pytest.fixture(scope="module")
def baker():
    return BakerSymbols(locate().load_mapper())


@pytest.mark.parametrize("tone", [1, 2, 3, 4, 5])
def test_every_syllable_a_user_may_write_is_one_the_embedded_voice_says(baker, tone):
    for base in SYLLABLES:
        assert baker.syllable_symbols(f"{base}{tone}"), base
        if base + "r" not in SYLLABLES and base != "er":   # e + r is the syllable er itself
            assert baker.syllable_symbols(f"{base}r{tone}")[-1] == "er5", base


@pytest.mark.parametrize("tone", [1, 2, 3, 4, 5])
def test_every_syllable_a_user_may_write_is_one_kokoro_says(tone):
    for base in SYLLABLES:
        assert syllable_phonemes(f"{base}{tone}"), base
        if base + "r" not in SYLLABLES and base != "er":   # e + r is the syllable er itself
            assert syllable_phonemes(f"{base}r{tone}").endswith("ɚ↗"), base


@pytest.mark.parametrize("syllable, ok", [("hang2", True), ("lv4", True), ("huar1", True), ("ng5", True),
                                          ("zzz1", False), ("lue4", False), ("hang", False), ("hang6", False),
                                          ("err2", False), ("ê1", False)])
def test_is_syllable(syllable, ok):
    assert is_syllable(syllable) is ok


@pytest.mark.parametrize("text", [
    "你好{zzz1 qqq2}",
    "你好{xx4 hao3}",
    '<speak><phoneme alphabet="pinyin" ph="zzz2">行</phoneme></speak>',
    '<speak><phoneme alphabet="pinyin" ph="lue4">略</phoneme></speak>',
])
def test_a_reading_no_engine_can_say_is_refused_naming_it(text):
    with pytest.raises(InvalidInput, match="not a Mandarin pinyin syllable") as caught:
        parse(text)
    assert caught.value.field == "text"


def test_u_umlaut_in_a_reading_is_written_v_for_the_engines():
    assert [s.pinyin for s in parse("绿{lü4}") if s.pinyin] == [("lv4",)]


def test_nested_prosody_rates_multiply_within_the_speed_range():
    nested = "<speak>" + '<prosody rate="25%">' * 15 + "你好" + "</prosody>" * 15 + "</speak>"
    assert [p.rate for p in analyze(nested)] == [0.25]
    fast = "<speak>" + '<prosody rate="x-fast">' * 6 + "你好" + "</prosody>" * 6 + "</speak>"
    assert [p.rate for p in analyze(fast)] == [4.0]
    both = '<speak><prosody rate="50%"><prosody rate="200%">你好</prosody></prosody></speak>'
    assert [p.rate for p in analyze(both)] == [1.0]
