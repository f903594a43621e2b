"""The request declaration's rules, below HTTP: what a field accepts, and how a body is decoded."""

import pytest

from tts.errors import InvalidInput, shown
from tts.request import OPENAI, TTS, load_json_object, parse_request

VOICES = ("baker", "zf_xiaobei")


def parse(payload, dialect=TTS):
    return parse_request(payload, voices=VOICES, default_voice="baker", max_chars=100, dialect=dialect,
                         models=("tts-1",))


def rejected(payload, dialect=TTS) -> InvalidInput:
    with pytest.raises(InvalidInput) as caught:
        parse(payload, dialect)
    return caught.value


def test_null_means_the_default():
    request = parse({"text": "你好", "voice": None, "speed": None, "sample_rate": None, "format": None, "seed": None})
    assert (request.voice, request.speed, request.sample_rate, request.format, request.seed) == ("baker", 1.0, None,
                                                                                                "wav", 0)


def test_a_whole_number_written_with_a_fraction_is_that_integer():
    request = parse({"text": "你好", "sample_rate": 16000.0, "seed": 1e4})
    assert request.sample_rate == 16000 and type(request.sample_rate) is int
    assert request.seed == 10000 and type(request.seed) is int


@pytest.mark.parametrize("value", [16000.5, float("inf"), True, "16000", [16000]])
def test_an_integer_field_refuses_what_is_not_a_whole_number(value):
    assert rejected({"text": "你好", "seed": value}).field == "seed"


def test_a_rate_the_format_cannot_carry_is_refused_offering_only_rates_the_field_takes():
    error = rejected({"text": "你好", "format": "opus", "sample_rate": 22050})
    assert error.field == "sample_rate"
    assert error.message == "opus takes only the sample rates 8000, 16000, 24000, 48000; got 22050"   # not Opus's 12000


def test_required_fields_are_named():
    assert rejected({"model": "tts-1", "input": "你好"}, OPENAI).field == "voice"
    assert rejected({"text": None}).field == "text"


def test_an_unknown_field_is_named_with_the_nearest_known_one():
    error = rejected({"text": "你好", "sped": 2})
    assert error.field == "sped" and "did you mean 'speed'" in error.message


def test_the_other_dialects_name_is_pointed_out():
    assert "calls it 'text'" in rejected({"input": "你好"}).message
    assert "calls it 'input'" in rejected({"model": "tts-1", "voice": "baker", "text": "你好"}, OPENAI).message


def test_an_unknown_field_with_a_lone_surrogate_comes_back_escaped():
    error = rejected({"text": "你好", "\ud800x": 1})
    assert error.field == "\\ud800x"
    error.message.encode("utf-8")


def test_a_lone_surrogate_in_a_string_field_is_refused_naming_it():
    error = rejected({"text": "你好\udc80"})
    assert error.field == "text" and "\\udc80" in error.message


def test_openai_input_is_held_to_the_smaller_of_its_limit_and_the_servers():
    assert rejected({"model": "tts-1", "voice": "baker", "input": "你" * 101}, OPENAI).field == "input"


def test_values_in_messages_are_short_and_escaped():
    assert shown("x" * 10_000).endswith('…"') and len(shown("x" * 10_000)) <= 40
    assert shown("\ud800") == '"\\ud800"'
    assert shown(10 ** 4000) == "a very large number"
    assert shown(float("inf")) == "a number too large to hold"
    assert shown({"a": [1]}) == "an object" and shown([[[]]]) == "a list"


@pytest.mark.parametrize("raw, says", [
    (b"[" * 100_000 + b"]" * 100_000, "nested too deeply"),
    (b'{"text": "\xff"}', "not UTF-8"),
    (b'{"speed": NaN}', "NaN"),
    (b'{"speed": -Infinity}', "-Infinity"),
    (b'{"text": ', "not JSON"),
    (b"", "not JSON"),
    (b'["text"]', "must be a JSON object"),
])
def test_a_body_that_is_not_a_json_object_is_a_400_naming_the_body(raw, says):
    with pytest.raises(InvalidInput, match=says) as caught:
        load_json_object(raw)
    assert caught.value.field == "body"


def test_an_integer_of_thousands_of_digits_is_read_not_raised():
    payload = load_json_object(b'{"seed": ' + b"9" * 5000 + b"}")
    assert rejected({"text": "你好", **payload}).field == "seed"


def test_utf8_encoded_surrogates_reach_validation_and_are_refused_there():
    payload = load_json_object(b'{"text": "\xed\xa0\x80"}')
    assert rejected(payload).field == "text"


def test_errors_found_during_synthesis_take_the_dialects_names():
    assert [OPENAI.wire_name(a) for a in ("text", "format", "speed", None)] == ["input", "response_format", "speed",
                                                                                None]
    assert TTS.wire_name("text") == "text"
