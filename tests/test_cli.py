"""`python -m tts say` synthesizes without a server: every format, the request's controls, clean errors."""

import io
import subprocess
import sys

import av
import numpy as np
import pytest

from helpers import ROOT, decode, median_f0


def say(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "tts", "say", *args], cwd=ROOT, input=stdin,
                          capture_output=True, timeout=120)


def test_say_writes_a_wav_file(tmp_path):
    out = tmp_path / "out.wav"
    result = say("你好，世界。", "-o", str(out))
    assert result.returncode == 0, result.stderr
    samples, rate = decode(out.read_bytes())
    assert rate == 24000 and len(samples) > 24000 * 0.6


def test_say_reads_standard_input_and_honours_eco():
    result = say("--eco", stdin="春天来了。".encode())
    assert result.returncode == 0, result.stderr
    samples, rate = decode(result.stdout)
    assert rate == 16000 and len(samples) > 16000 * 0.6   # four syllables


def test_say_reports_bad_input_without_a_traceback():
    result = say("--speed", "9", "你好")
    assert result.returncode == 2
    assert b"speed" in result.stderr and b"Traceback" not in result.stderr


def test_frontend_cli_shows_normalized_text_and_pinyin():
    result = subprocess.run([sys.executable, "-m", "tts.frontend", "我有3个苹果。"], cwd=ROOT,
                            capture_output=True, timeout=60, text=True)
    assert result.returncode == 0, result.stderr
    assert "我有三个苹果" in result.stdout and "ge4" in result.stdout


def test_symbols_shows_what_each_engine_reads():
    result = subprocess.run([sys.executable, "-m", "tts", "symbols", "我有3个苹果。"], cwd=ROOT,
                            capture_output=True, timeout=60, text=True)
    assert result.returncode == 0, result.stderr
    embedded, kokoro = (line for line in result.stdout.splitlines() if line.startswith("  "))
    assert "sil" in embedded and "g e4" in embedded.replace("^", "")
    assert kokoro.split(":", 1)[1].strip()


def container(data: bytes) -> tuple[str, float, int]:
    """What ffmpeg's demuxers make of the bytes: (format name, decoded seconds, sample rate)."""
    with av.open(io.BytesIO(data)) as audio:
        frames = [frame.to_ndarray() for frame in audio.decode(audio=0)]
        rate = audio.streams.audio[0].codec_context.sample_rate
        return audio.format.name, sum(f.shape[-1] for f in frames) / rate, rate


@pytest.mark.parametrize("name, demuxer", [("out.mp3", "mp3"), ("out.aac", "aac"), ("out.opus", "ogg"),
                                           ("out.flac", "flac"), ("out.wav", "wav")])
def test_the_format_follows_the_file_name(tmp_path, name, demuxer):
    out = tmp_path / name
    result = say("你好，世界。", "-o", str(out))
    assert result.returncode == 0, result.stderr
    found, seconds, _ = container(out.read_bytes())
    assert found == demuxer and 0.6 < seconds < 2.0


def test_format_option_wins_over_the_name_and_pcm_is_raw_samples(tmp_path):
    out = tmp_path / "speech.bin"
    result = say("你好，世界。", "-o", str(out), "--format", "pcm")
    assert result.returncode == 0, result.stderr
    data = out.read_bytes()
    assert data[:4] != b"RIFF" and len(data) % 2 == 0 and 0.6 < len(data) / 2 / 24000 < 2.0


def test_standard_output_streams_any_format():
    result = say("你好，世界。", "--format", "mp3")
    assert result.returncode == 0, result.stderr
    assert container(result.stdout)[0] == "mp3"


def test_success_prints_one_summary_line_and_no_runtime_log(tmp_path):
    result = say("你好。", "-o", str(tmp_path / "a.wav"), "--voice", "alloy")
    assert result.returncode == 0
    lines = result.stderr.decode().splitlines()
    assert len(lines) == 1 and "a.wav: wav" in lines[0] and "(baker)" in lines[0], lines


def test_an_unwritable_path_is_one_line_before_any_synthesis(tmp_path):
    # the text has nothing to say: had the synthesis run first, that would be the error
    result = say("。。。", "-o", str(tmp_path / "missing" / "a.wav"))
    assert result.returncode == 2
    assert result.stderr.decode().splitlines() == [
        f"error: cannot write {tmp_path / 'missing' / 'a.wav'}: No such file or directory"]


def test_an_unknown_suffix_asks_for_format(tmp_path):
    result = say("你好。", "-o", str(tmp_path / "a.xyz"))
    assert result.returncode == 2 and b"--format" in result.stderr and not (tmp_path / "a.xyz").exists()


def test_a_failed_synthesis_leaves_no_file(tmp_path):
    out = tmp_path / "a.wav"
    result = say("。。。", "-o", str(out))
    assert result.returncode == 2 and b"nothing speakable" in result.stderr and b"Traceback" not in result.stderr
    assert not out.exists()


def test_pitch_and_volume_reach_the_audio():
    plain, _ = decode(say("春天来了，花儿都开了。").stdout)
    shifted, rate = decode(say("春天来了，花儿都开了。", "--pitch", "4", "--volume", "-6").stdout)
    assert median_f0(shifted, rate) / median_f0(plain, rate) == pytest.approx(2 ** (4 / 12), rel=0.08)
    rms = lambda x: float(np.sqrt(np.mean(x ** 2)))   # noqa: E731
    assert rms(shifted) / rms(plain) == pytest.approx(10 ** (-6 / 20), rel=0.15)


def test_voices_lists_ids_genders_and_openai_names():
    result = subprocess.run([sys.executable, "-m", "tts", "say", "--voices"], cwd=ROOT, capture_output=True,
                            timeout=60, text=True)
    assert result.returncode == 0 and not result.stderr
    baker = next(line for line in result.stdout.splitlines() if line.startswith("baker\t"))
    assert "female" in baker and "alloy" in baker
