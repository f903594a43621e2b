"""The per-request audio budget: estimated from the frontend's phrases, enforced before synthesis."""

import pytest

from tts.config import Settings
from tts.errors import AudioTooLong
from tts.frontend import analyze
from tts.frontend.estimate import audio_seconds
from tts.request import SynthesisRequest
from tts.synthesizer import Synthesizer

BUDGET = Settings().max_audio_seconds
NEWS = "今天天气很好，我们去公园散步吧。国家统计局发布数据显示，前三季度国内生产总值同比增长百分之五点二。"


@pytest.fixture(scope="module")
def budgeted(engines):
    return Synthesizer(engines, max_audio_seconds=BUDGET)


@pytest.mark.parametrize("text, speed", [
    (NEWS, 1.0),
    ("今天天气很好，我们去公园散步吧。", 2.0),
    ("今天天气很好，我们去公园散步吧。", 0.5),
    ("啊" * 60, 1.0),
    ('<speak><say-as interpret-as="digits">1234567890123456789012345</say-as></speak>', 1.0),
    ('<speak>你好<break time="2s"/>世界<break time="1500ms"/>再见</speak>', 1.0),
    ('<speak><prosody rate="50%">你好</prosody><prosody rate="200%">今天天气很好</prosody></speak>', 1.0),
])
def test_the_estimate_leans_long_but_stays_close_to_the_real_duration(synthesizer, text, speed):
    samples, rate = synthesizer.synthesize(SynthesisRequest(text=text, voice="baker", speed=speed))
    real = len(samples) / rate
    assert 1.0 <= audio_seconds(analyze(text), speed) / real <= 1.6


def test_the_longest_text_read_at_speed_one_fits_the_default_budget():
    text = (NEWS * 100)[:5000]
    assert audio_seconds(analyze(text), 1.0) < BUDGET


@pytest.mark.parametrize("text, speed", [
    ("<speak>" + '啊<break time="10s"/>' * 200 + "</speak>", 1.0),                       # 33 min of breaks
    ('<speak><say-as interpret-as="digits">' + "9" * 4900 + "</say-as></speak>", 0.5),    # a digit string
    ('<speak><say-as interpret-as="cardinal">' + "9" * 4900 + "</say-as></speak>", 0.5),
    ("啊" * 5000, 0.5),                                                                   # repeated characters
    ("<speak>" + '<prosody rate="x-slow">' * 3 + "今天天气很好。" * 600 + "</prosody>" * 3 + "</speak>", 1.0),
])
def test_amplification_is_refused_before_any_synthesis(budgeted, text, speed):
    with pytest.raises(AudioTooLong) as caught:
        budgeted.plan(SynthesisRequest(text=text, voice="baker", speed=speed))
    assert caught.value.status == 422 and caught.value.field == "text"
    assert f"{BUDGET:,} s" in caught.value.message


def test_nested_slow_rates_on_two_characters_are_a_few_seconds_not_minutes(budgeted):
    text = "<speak>" + '<prosody rate="25%">' * 4 + "你好" + "</prosody>" * 4 + "</speak>"
    plan = budgeted.plan(SynthesisRequest(text=text, voice="baker", speed=0.25))
    assert audio_seconds(plan.phrases, 0.25) < 20


def test_the_same_text_fits_at_a_faster_speed(budgeted):
    text = "啊" * 5000
    budgeted.plan(SynthesisRequest(text=text, voice="baker", speed=1.0))
    with pytest.raises(AudioTooLong):
        budgeted.plan(SynthesisRequest(text=text, voice="baker", speed=0.5))


def test_the_budget_is_a_setting():
    assert Settings.from_env({"TTS_MAX_AUDIO_SECONDS": "60"}).max_audio_seconds == 60
    with pytest.raises(ValueError, match="TTS_MAX_AUDIO_SECONDS"):
        Settings.from_env({"TTS_MAX_AUDIO_SECONDS": "0"})
