"""Starting `python app.py` where it cannot listen: one line that says what to change, at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from live import ROOT


def start(host: str, port: int) -> subprocess.CompletedProcess:
    """`python app.py` on host:port, which must end at once with status 2 and no traceback."""
    env = {**os.environ, "TTS_HOST": host, "TTS_PORT": str(port)}
    done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert "Traceback" not in done.stderr and "voice" not in done.stderr.lower()   # before the voices load
    return done


def test_a_port_in_use_ends_the_start_with_one_line_and_status_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = start("127.0.0.1", port)
    assert f"127.0.0.1:{port} is in use; set TTS_PORT" in done.stderr


def test_a_host_that_is_no_address_of_this_machine_ends_the_start_with_one_line_and_status_2():
    """Before, the start ended in a traceback (TEST-NET-3's 203.0.113.1 is nobody's address)."""
    done = start("203.0.113.1", 8000)
    assert "cannot listen on 203.0.113.1:8000: Cannot assign requested address; set TTS_HOST / TTS_PORT" in done.stderr
