"""Starting `python app.py` where it cannot go on: one line that says what to change, at once, and
an exit status that tells a process manager whether trying again can help (deploy/tts.service)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from live import ROOT
from tts.web.server import EXIT_ADDRESS_IN_USE, EXIT_BAD_SETTINGS


def start(status: int, **env: str) -> subprocess.CompletedProcess:
    """`python app.py` with these TTS_* settings, which must end at once with `status` and one line
    (no traceback, nothing loaded: the voices load after the checks)."""
    inherited = {name: value for name, value in os.environ.items() if not name.startswith("TTS_")}   # not the caller's
    env = {**inherited, "TTS_HOST": "127.0.0.1", "TTS_PORT": "0", **env}
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == status, done.stderr[-2000:]
    assert len(done.stderr.strip().splitlines()) == 1 and " ERROR " in done.stderr, done.stderr
    return done


def test_a_port_in_use_ends_the_start_with_one_line_and_a_status_that_is_retried():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = start(EXIT_ADDRESS_IN_USE, TTS_PORT=str(port))
    assert f"127.0.0.1:{port} is in use; set TTS_PORT" in done.stderr


def test_a_host_that_is_no_address_of_this_machine_ends_the_start_with_one_line_and_status_2():
    """Before, the start ended in a traceback (TEST-NET-3's 203.0.113.1 is nobody's address)."""
    done = start(EXIT_BAD_SETTINGS, TTS_HOST="203.0.113.1", TTS_PORT="8000")
    assert "cannot listen on 203.0.113.1:8000: Cannot assign requested address; set TTS_HOST / TTS_PORT" in done.stderr


@pytest.mark.parametrize("name, value, said", [   # (tests/test_config.py: the rest)
    ("TTS_QUEUE_SIZE", "ten", "must be a whole number, got 'ten'"),
    ("TTS_LOG_LEVEL", "loud", "must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, got 'loud'"),
    ("TTS_HOST", "", "is empty; unset it for the default '127.0.0.1'"),   # before: it listened on every interface
    ("TTS_PROT", "9000", "is not a setting (did you mean TTS_PORT?)"),    # before: a warning, then port 8000
])
def test_a_bad_setting_ends_the_start_with_one_line_naming_it_and_status_2(name, value, said):
    """Before, a traceback of SettingsError and exit status 1, which systemd restarts every 2 s for ever."""
    done = start(EXIT_BAD_SETTINGS, **{name: value})
    assert f"ERROR tts.config: {name} {said}" in done.stderr


def test_a_default_voice_not_offered_ends_the_start_with_one_line_naming_it_and_status_2():
    """Before, a ValueError's traceback and exit status 1 (restarted for ever)."""
    done = start(EXIT_BAD_SETTINGS, TTS_DEFAULT_VOICE="zf_xiaobei", TTS_KOKORO="0")
    assert "ERROR tts.config: TTS_DEFAULT_VOICE: the voice 'zf_xiaobei' is not offered; voices: baker" in done.stderr


def test_a_voice_build_missing_ends_the_start_with_one_line_saying_how_to_build_it_and_status_2(tmp_path):
    """Before, an EngineUnavailable traceback and exit status 1."""
    done = start(EXIT_BAD_SETTINGS, TTS_VOCODER_DIR=str(tmp_path))
    assert f"ERROR tts.engines: the embedded decoder file {tmp_path}/" in done.stderr and "build it with ./run.sh" in done.stderr
