"""Our polyphase resampler is scipy's resample_poly, without scipy's 80 MB import."""

import numpy as np
import pytest
from scipy.signal import resample_poly

from tts.audio.resample import resample, resample_ratio


@pytest.mark.parametrize("up, down", [(2, 3), (1, 3), (2, 1), (147, 160), (147, 80), (17, 18), (18, 17), (1, 1)])
def test_matches_scipy_resample_poly(up, down):
    signal = np.random.default_rng(up * 100 + down).standard_normal(12345).astype(np.float32) * 0.2
    ours = resample_ratio(signal, up, down)
    assert ours.dtype == np.float32
    np.testing.assert_allclose(ours, resample_poly(signal, up, down), atol=1e-6)


def test_a_tone_keeps_its_frequency_and_level():
    rate = 24000
    tone = (0.5 * np.sin(2 * np.pi * 440 * np.arange(rate) / rate)).astype(np.float32)
    out = resample(tone, rate, 16000)
    spectrum = np.abs(np.fft.rfft(out))
    assert np.argmax(spectrum) * 16000 / len(out) == pytest.approx(440, abs=1)
    assert np.sqrt(np.mean(out[1000:-1000] ** 2)) == pytest.approx(0.5 / np.sqrt(2), rel=0.01)


def test_same_rate_is_untouched():
    signal = np.ones(10, np.float32)
    assert resample(signal, 24000, 24000) is signal
