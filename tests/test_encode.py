"""The encoders below HTTP: every format streams chunk by chunk, decodes to the right rate and length,
and the whole-file forms carry their totals."""

import io

import numpy as np
import pytest

from helpers import decode, decode_with_ffmpeg
from tts.audio.encode import FORMATS, StreamEncoder, WholeEncoder, encode
from tts.request import SAMPLE_RATES

# samples a decoder may add: a stream of bare MP3/AAC frames cannot tell players the encoder's delay
# (LAME's 1105 + the last frame's padding; AAC's 1024 priming + the last frame's padding)
LEAD_IN = {"mp3": 1105 + 1152, "aac": 1024 + 1024}


def speechlike(rate: int, seconds: float = 2.0) -> np.ndarray:
    """A gliding tone with syllable-rate loudness and a little noise (seeded)."""
    t = np.arange(int(rate * seconds)) / rate
    noise = np.random.default_rng(7).standard_normal(len(t))
    return (0.3 * np.sin(2 * np.pi * (150 + 40 * t) * t) * np.sin(np.pi * 4 * t) ** 2 + 0.01 * noise).astype(np.float32)


def streamed(fmt: str, samples: np.ndarray, rate: int, chunk: int) -> list[bytes]:
    encoder = StreamEncoder(fmt, rate)
    return [encoder.write(samples[i:i + chunk]) for i in range(0, len(samples), chunk)] + [encoder.finalize()]


def rates(fmt: str) -> list[int]:
    allowed = FORMATS[fmt].sample_rates
    return [r for r in SAMPLE_RATES if allowed is None or r in allowed]


@pytest.mark.parametrize("fmt, rate", [(f, r) for f in FORMATS if f != "pcm" for r in rates(f)])
def test_a_stream_decodes_at_its_rate_to_its_length(fmt, rate):
    samples = speechlike(rate)
    data = b"".join(streamed(fmt, samples, rate, rate // 4))
    decoded, decoded_rate = decode(data)
    if fmt == "opus":   # Opus players decode at 48 kHz; the header keeps the rate asked for
        assert decode_with_ffmpeg(data)[1] == 48000
    assert decoded_rate == rate
    assert len(samples) <= len(decoded) <= len(samples) + LEAD_IN.get(fmt, 0)
    assert np.sqrt(np.mean(decoded ** 2)) == pytest.approx(np.sqrt(np.mean(samples ** 2)), rel=0.1)


@pytest.mark.parametrize("fmt", list(FORMATS))
def test_every_format_hands_out_bytes_before_the_end(fmt):
    rate = 24000
    parts = streamed(fmt, speechlike(rate, 3.0), rate, rate // 2)   # half-second chunks, as phrases come
    assert parts[0], "nothing after the first chunk"
    assert sum(map(len, parts[:-1])) > 0.8 * sum(map(len, parts)), "most bytes were held back to the end"


@pytest.mark.parametrize("fmt", ["flac", "mp3", "opus", "aac", "wav"])
def test_a_whole_file_is_exactly_as_long_as_its_audio(fmt):
    rate = 24000
    samples = speechlike(rate)
    decoded, decoded_rate = decode(encode(samples, rate, fmt))
    lead_in = LEAD_IN["aac"] if fmt == "aac" else 0   # MP3's whole file has a gapless tag, ADTS has no room for one
    assert decoded_rate == rate and 0 <= len(decoded) - len(samples) <= lead_in


@pytest.mark.parametrize("fmt", ["aac", "opus", "flac", "mp3", "wav", "pcm"])
def test_the_bytes_do_not_depend_on_how_the_audio_was_cut(fmt):
    rate = 16000
    samples = speechlike(rate)
    assert b"".join(streamed(fmt, samples, rate, 4000)) == b"".join(streamed(fmt, samples, rate, 1234))


@pytest.mark.parametrize("fmt", ["aac", "opus", "flac"])
def test_no_encoder_version_is_written_into_the_audio(fmt):
    data = b"".join(streamed(fmt, speechlike(24000), 24000, 24000))
    assert b"Lavc" not in data and b"Lavf" not in data


def test_a_streamed_mp3_starts_with_a_frame_and_is_bare_frames():
    data = b"".join(streamed("mp3", speechlike(24000), 24000, 6000))
    assert data[0] == 0xFF and data[1] & 0xE0 == 0xE0 and b"Xing" not in data and not data.startswith(b"ID3")


def test_int16_steps_and_floats_give_the_same_bytes():
    rate, samples = 24000, speechlike(24000)
    steps = np.round(np.clip(samples, -1, 1) * 32767).astype(np.int16)
    for fmt in ("aac", "mp3", "opus"):
        out_f, out_i = io.BytesIO(), io.BytesIO()
        for out, audio in ((out_f, samples), (out_i, steps)):
            encoder = WholeEncoder(fmt, rate, out)
            encoder.write(audio)
            encoder.close()
        assert out_f.getvalue() == out_i.getvalue(), fmt
