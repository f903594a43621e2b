"""SSML and inline pinyin: what users control, parsed safely."""

import pytest

from tts.errors import InvalidInput
from tts.frontend import analyze
from tts.frontend.markup import MAX_DEPTH, parse


def syllables(text):
    return [s for p in analyze(text) for s in p.syllables]


def test_inline_pinyin_overrides_the_characters_before_it():
    assert syllables("我们去银行{yin2 xing2}吧")[3:5] == ["yin2", "xing2"]


def test_braces_that_are_not_pinyin_stay_text():
    assert parse("价格{待定}") == parse("价格{待定}") and parse("价格{待定}")[0].text == "价格{待定}"


@pytest.mark.parametrize("text", ["银行{yin9}", "银行{yin0}", "银行{hang9}", "银行{yin2 hang0}", "银行{yin2 hang6}"])
def test_inline_pinyin_with_a_tone_number_out_of_1_to_5_is_refused_not_read_aloud(text):
    with pytest.raises(InvalidInput, match="not a Mandarin pinyin syllable") as error:
        parse(text)
    assert error.value.field == "text"


@pytest.mark.parametrize("text", ["第{0}项", "数组{12}", "公式{a b}", "接口{ipv6}", "{v8}", "引擎{v8}", "{ipv6 v8}"])
def test_braces_holding_no_letter_and_tone_pair_stay_text(text):
    assert [s.text for s in parse(text)] == [text]


def test_inline_pinyin_without_enough_characters_names_the_text_field():
    with pytest.raises(InvalidInput) as error:
        parse("好{hao3 hao3}")
    assert error.value.field == "text"


def test_ssml_phoneme_sets_the_reading():
    assert syllables('<speak><phoneme alphabet="pinyin" ph="chang2">长</phoneme>城</speak>') == ["chang2", "cheng2"]


def test_ssml_break_ends_the_phrase_with_that_pause():
    phrases = analyze('<speak>你好<break time="1.5s"/>再见</speak>')
    assert [p.pause_ms for p in phrases][0] == 1500 and len(phrases) == 2


def test_ssml_say_as_digits_and_telephone():
    assert syllables('<speak><say-as interpret-as="digits">2024</say-as></speak>') == ["er4", "ling2", "er4", "si4"]
    assert syllables('<speak><say-as interpret-as="telephone">110</say-as></speak>') == ["yao1", "yao1", "ling2"]


def test_ssml_say_as_cardinal_reads_a_quantity():
    assert syllables('<speak><say-as interpret-as="cardinal">2024</say-as></speak>')[:2] == ["liang3", "qian1"]


def test_ssml_prosody_rate_applies_to_its_phrases():
    phrases = analyze('<speak>慢慢说。<prosody rate="150%">快点说。</prosody></speak>')
    assert [p.rate for p in phrases] == [1.0, 1.5]


@pytest.mark.parametrize("markup, problem", [
    ("<speak>你好", "well-formed"),
    ('<?xml version="1.0"?><voice>你好</voice>', "<speak>"),
    ('<speak><audio src="x.wav"/></speak>', "not supported"),
    ('<speak><break time="soon"/></speak>', "500ms"),
    ('<speak><break time="99s"/></speak>', "limited"),
    ('<speak><phoneme alphabet="ipa" ph="x">好</phoneme></speak>', "pinyin"),
    ('<speak><phoneme ph="hao3 hao3">好</phoneme></speak>', "one syllable per"),
    ('<speak><say-as interpret-as="digits">abc</say-as></speak>', "digits"),
    ('<speak><prosody rate="9000%">快</prosody></speak>', "between"),
    ('<?xml version="1.0"?><!DOCTYPE s [<!ENTITY a "aaaa">]><speak>&a;</speak>', "entity"),
    ("<speak>" + "<s>" * (MAX_DEPTH + 1) + "深" + "</s>" * (MAX_DEPTH + 1) + "</speak>", "deeper"),
])
def test_bad_ssml_is_an_invalid_input_naming_the_problem(markup, problem):
    with pytest.raises(InvalidInput) as error:
        analyze(markup)
    assert error.value.field == "text" and problem in error.value.message
