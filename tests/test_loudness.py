"""Loudness measured as ITU-R BS.1770-4 says (K-weighting, gates), on signals whose answer is known,
and every voice's calibration to the common target, measured on the embedded voice's own audio."""

import numpy as np
import pytest

from tts.audio.effects import CEILING
from tts.audio.loudness import TARGET_LUFS, integrated_loudness, k_weighted, k_weighting_coefficients
from tts.request import SynthesisRequest


def sine(seconds: float, hz: float, rate: int, amplitude: float = 1.0) -> np.ndarray:
    return amplitude * np.sin(2 * np.pi * hz * np.arange(int(seconds * rate)) / rate)


def test_k_weighting_at_48_khz_is_the_standards_published_filter():
    (shelf_b, shelf_a), (high_pass_b, high_pass_a) = k_weighting_coefficients(48000)
    assert shelf_b == pytest.approx([1.53512485958697, -2.69169618940638, 1.19839281085285], abs=1e-9)
    assert shelf_a == pytest.approx([1.0, -1.69065929318241, 0.73248077421585], abs=1e-9)
    assert high_pass_b == pytest.approx([1.0, -2.0, 1.0])
    assert high_pass_a == pytest.approx([1.0, -1.99004745483398, 0.99007225036621], abs=1e-9)


def test_the_filter_is_applied_as_the_recursion_would():
    rate = 24000
    noise = np.random.default_rng(0).standard_normal(rate)
    expected = noise.copy()
    for b, a in k_weighting_coefficients(rate):   # direct form I, sample by sample
        out = np.zeros_like(expected)
        for n in range(len(expected)):
            out[n] = (b[0] * expected[n] + b[1] * expected[n - 1] * (n > 0) + b[2] * expected[n - 2] * (n > 1)
                      - a[1] * out[n - 1] * (n > 0) - a[2] * out[n - 2] * (n > 1))
        expected = out
    assert np.abs(k_weighted(noise, rate) - expected).max() < 1e-6


@pytest.mark.parametrize("rate", [16000, 24000, 48000])
def test_a_full_scale_1_khz_sine_reads_minus_3_lufs(rate):
    assert integrated_loudness(sine(3.0, 1000.0, rate), rate) == pytest.approx(-3.01, abs=0.05)


def test_a_gain_in_db_moves_the_loudness_by_as_many_lu():
    rate = 24000
    tone = sine(3.0, 440.0, rate, 0.3)
    assert integrated_loudness(tone * 10 ** (-9 / 20), rate) - integrated_loudness(tone, rate) == pytest.approx(-9.0)


def test_silence_and_much_quieter_passages_are_gated_out():
    rate = 24000
    speech = np.concatenate([np.zeros(rate), sine(3.0, 1000.0, rate, 0.5), np.zeros(rate)])
    longer_pause = np.concatenate([speech, np.zeros(5 * rate)])                        # under the absolute gate
    murmur = np.concatenate([speech, sine(2.0, 1000.0, rate, 0.002), np.zeros(rate)])  # −60 LUFS: relative gate
    assert integrated_loudness(longer_pause, rate) == pytest.approx(integrated_loudness(speech, rate), abs=1e-9)
    assert integrated_loudness(murmur, rate) == pytest.approx(integrated_loudness(speech, rate), abs=1e-9)
    assert integrated_loudness(np.zeros(rate), rate) == float("-inf")
    assert integrated_loudness(sine(0.3, 1000.0, rate), rate) == float("-inf")   # shorter than one 400 ms block


SENTENCES = ("市气象台发布消息，今晚到明天白天有中到大雨，请市民注意出行安全。",
             "妈妈，我今天在学校得了一朵小红花！",
             "经过三年的建设，这座跨江大桥终于在上周末正式通车了。")


@pytest.fixture(scope="module")
def served(synthesizer):
    return [synthesizer.synthesize(SynthesisRequest(text=text, voice="baker"))[0] for text in SENTENCES]


def test_the_embedded_voice_is_served_at_the_common_loudness(served):
    assert integrated_loudness(np.concatenate(served), 24000) == pytest.approx(TARGET_LUFS, abs=1.0)


def test_the_calibrated_voice_never_passes_the_limiters_ceiling(served):
    assert max(float(np.abs(audio).max()) for audio in served) <= CEILING + 1 / 32767


def test_a_requests_volume_comes_on_top_of_its_voices_calibration(synthesizer):
    catalogue = synthesizer.catalogue
    for voice in catalogue.voices:
        assert catalogue.calibration_db(voice.id) == voice.calibration_db
    plan = synthesizer.plan(SynthesisRequest(text="你好。", voice="baker", volume=2.0))
    assert (plan.calibration, plan.volume) == (catalogue.calibration_db("baker"), 2.0)   # each with its own limiter


class Watched:
    """The real engine, its chunks noted in `events` as it makes them."""

    def __init__(self, engine, events: list) -> None:
        self.engine, self.info, self.events = engine, engine.info, events

    def synthesize(self, *args):
        for samples in self.engine.synthesize(*args):
            self.events.append("made")
            yield samples


def events_of(synthesizer, request: SynthesisRequest) -> list[str]:
    import dataclasses

    events: list[str] = []
    plan = synthesizer.plan(request)
    plan = dataclasses.replace(plan, engine=Watched(plan.engine, events))
    for _ in synthesizer.render(plan):
        events.append("delivered")
    return events


LONG_PHRASE = "经过三年的紧张建设这座横跨长江的公路大桥终于在上个周末正式通车了"   # one phrase, several vocoder chunks


def test_the_voices_calibration_lets_the_first_chunk_out_before_the_phrase_is_made(synthesizer):
    assert synthesizer.catalogue.calibration_db("baker") != 0
    events = events_of(synthesizer, SynthesisRequest(text=LONG_PHRASE, voice="baker"))
    assert events.count("made") >= 3
    assert events.index("delivered") == 1   # the first chunk goes out as soon as it is made
    assert events == ["made", "delivered"] * events.count("made")


def test_a_listeners_volume_holds_the_phrase_for_its_peak_limiter(synthesizer):
    events = events_of(synthesizer, SynthesisRequest(text=LONG_PHRASE, voice="baker", volume=6.0))
    assert events.index("delivered") == events.count("made")   # the whole phrase first, then its audio


def test_the_loudness_bench_counts_the_phrases_and_samples_the_knee_bends():
    from tts.bench.loudness import measure

    rate = 24000
    quiet, loud = sine(1.0, 220.0, rate, 0.3), sine(1.0, 220.0, rate, 0.9)   # +3 dB: 0.42 and 1.27 at the peaks
    figures = measure([quiet, loud], [np.concatenate([quiet, loud])], rate, 3.0)
    assert figures["knee_phrases"] == 0.5 and 0 < figures["knee_samples"] < 0.5
    assert 0 < figures["knee_max_db"] < 20 * np.log10(0.9 * 10 ** (3 / 20) / 0.85)
    assert figures["served_peak_max"] <= CEILING   # rounded to 3 places
    assert measure([quiet, loud], [np.concatenate([quiet, loud])], rate, 0.0)["knee_phrases"] == 0


def test_the_loudness_bench_counts_the_phrases_a_gain_would_raise_past_the_ceiling_and_caps_its_proposal():
    from tts.bench.loudness import measure

    rate = 24000
    quiet, loud = sine(1.0, 500.0, rate, 0.1), sine(1.0, 500.0, rate, 0.5)
    phrases = [quiet] * 9 + [loud]
    row = measure(phrases, phrases, rate, calibration_db=6.0)
    assert row["limited_share"] == 0.1   # 0.5 × 2 = 1.0 passes the ceiling; 0.1 × 2 does not
    assert row["served_peak_max"] <= CEILING
    assert row["proposed_db"] == pytest.approx(min(TARGET_LUFS - row["raw_lufs"],
                                                   20 * np.log10(CEILING / np.percentile([0.1] * 9 + [0.5], 90))),
                                               abs=0.06)
