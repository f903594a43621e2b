"""Speed, pitch, volume and sample rate, measured on the audio itself."""

import numpy as np
import pytest

from helpers import median_f0
from tts.request import SynthesisRequest

TEXT = "今天天气很好，我们去公园散步吧。"


def synth(synthesizer, **options):
    return synthesizer.synthesize(SynthesisRequest(text=TEXT, voice="baker", **options))


@pytest.fixture(scope="module")
def plain(synthesizer):
    return synth(synthesizer)


def test_pitch_up_an_octave_doubles_the_fundamental_and_keeps_the_duration(synthesizer, plain):
    base, rate = plain
    high, _ = synth(synthesizer, pitch=12.0)
    assert median_f0(high, rate) / median_f0(base, rate) == pytest.approx(2.0, rel=0.12)
    assert len(high) / len(base) == pytest.approx(1.0, abs=0.03)


def test_pitch_down_an_octave_halves_the_fundamental(synthesizer, plain):
    base, rate = plain
    low, _ = synth(synthesizer, pitch=-12.0)
    assert median_f0(low, rate) / median_f0(base, rate) == pytest.approx(0.5, rel=0.12)


def test_volume_gain_in_db_scales_the_level(synthesizer):
    # both under the limiter's ceiling (at volume 0 the voice's calibration may take a loud phrase to it)
    base, _ = synth(synthesizer, volume=-6.0)
    quiet, _ = synth(synthesizer, volume=-18.0)
    rms = lambda x: np.sqrt(np.mean(x ** 2))  # noqa: E731
    assert 20 * np.log10(rms(quiet) / rms(base)) == pytest.approx(-12.0, abs=0.2)


def test_loud_volume_is_limited_never_clipped(synthesizer):
    base, _ = synth(synthesizer, volume=-12.0)
    loud, _ = synth(synthesizer, volume=12.0)
    assert np.abs(loud).max() <= 0.97 + 1e-6
    assert np.sqrt(np.mean(loud ** 2)) > 1.3 * np.sqrt(np.mean(base ** 2))


@pytest.mark.parametrize("rate", [8000, 16000, 22050, 44100, 48000])
def test_sample_rates_keep_the_duration(synthesizer, plain, rate):
    base, base_rate = plain
    samples, got = synth(synthesizer, sample_rate=rate)
    assert got == rate
    assert len(samples) / rate == pytest.approx(len(base) / base_rate, abs=0.01)


def test_eco_means_16khz_unless_a_rate_is_asked_for(synthesizer):
    assert synth(synthesizer, eco=True)[1] == 16000
    assert synth(synthesizer, eco=True, sample_rate=8000)[1] == 8000


@pytest.mark.parametrize("speed", [1.5, 3.0])
def test_fast_speech_keeps_the_fundamental_and_takes_the_time_asked(synthesizer, plain, speed):
    base, rate = plain
    fast, _ = synth(synthesizer, speed=speed)
    assert median_f0(fast, rate) / median_f0(base, rate) == pytest.approx(1.0, rel=0.08)
    assert len(fast) / len(base) == pytest.approx(1 / speed, rel=0.08)


def test_fast_speech_with_pitch_down_is_still_speech(synthesizer, plain):
    """speed 4 at -12 semitones asks the engine for 8× (the pitch shift's resampling slows it by half)."""
    base, rate = plain
    low, _ = synth(synthesizer, speed=4.0, pitch=-12.0)
    assert np.sqrt(np.mean(low ** 2)) > 0.6 * np.sqrt(np.mean(base ** 2))
    assert len(low) / len(base) == pytest.approx(0.25, rel=0.1)
