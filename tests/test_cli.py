"""`python -m tts say` synthesizes without a server."""

import subprocess
import sys

from helpers import ROOT, decode


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
