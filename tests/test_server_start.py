"""Starting `python app.py` where it cannot listen: one line that says what to change, at once."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

from live import ROOT


def test_a_port_in_use_ends_the_start_with_one_line_and_status_2():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        env = {**os.environ, "TTS_HOST": "127.0.0.1", "TTS_PORT": str(port)}
        done = subprocess.run([sys.executable, "app.py"], cwd=ROOT, env=env, capture_output=True, text=True,
                              timeout=120)
    assert done.returncode == 2, done.stderr[-2000:]
    assert f"127.0.0.1:{port} is in use; set TTS_PORT" in done.stderr
    assert "Traceback" not in done.stderr and "voice" not in done.stderr.lower()   # before the voices load
