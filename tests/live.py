"""A real server process for tests: `python app.py` as production runs it, on a free loopback port
(and the real gevent server in the test's own process, for an app the test made: `served_in_process`).

Its log goes to a file, so a long test run can never fill an unread pipe and stall the
server, and a test that fails can show the log's tail. Tests that start one are marked
`live` (tests/conftest.py does it for the fixtures; modules that start their own say so).
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from tts.probe import wait_ready

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def served_in_process(app) -> Iterator[tuple[str, int]]:
    """`app` on tts.web.server's Server (the default limits) on a free loopback port of this process: its address."""
    from tts.config import Settings
    from tts.web.server import ConnectionLimits, Server

    server = Server(("127.0.0.1", 0), app, ConnectionLimits.from_settings(Settings()))
    server.start()
    try:
        yield server.server_host, server.server_port
    finally:
        server.stop()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LiveServer:
    """`server = LiveServer(TTS_QUEUE_SIZE="2").wait_ready()` … `server.stop()`; settings as TTS_* keywords."""

    def __init__(self, script: str = "app.py", **env: str) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(prefix="live-server-", suffix=".log", delete=False)
        environ = {**os.environ, "TTS_HOST": "127.0.0.1", "TTS_PORT": str(self.port), **env}
        self.process = subprocess.Popen([sys.executable, script], cwd=ROOT, env=environ, stdout=subprocess.DEVNULL,
                                        stderr=self._log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float = 120) -> "LiveServer":
        try:
            wait_ready(f"{self.url}/readyz", timeout, lambda: self.process.poll() is None)
        except (RuntimeError, TimeoutError) as error:
            raise type(error)(f"{error}; its log:\n{self.log_tail()}") from None
        return self

    def log_tail(self, characters: int = 3000) -> str:
        with open(self._log.name, encoding="utf-8", errors="replace") as f:
            return f.read()[-characters:]

    def terminate(self, timeout: float = 60) -> int:
        """SIGTERM, as a process manager stops it; its exit code once it has exited."""
        self.process.send_signal(signal.SIGTERM)
        return self.process.wait(timeout)

    def stop(self) -> None:
        """Ask it to stop (SIGTERM), insist (SIGKILL) after 30 s; then drop its log."""
        if self.process.poll() is None:
            try:
                self.terminate(30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(10)
        self._log.close()
        os.unlink(self._log.name)
