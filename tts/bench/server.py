"""A server under test: ours (`app.py`) or the article's baseline, on a free loopback port.

The bench reads the server's CPU time and memory from /proc, so the figures are the
server process's own, not the load generator's. Its log goes to a file: a pipe nobody
reads would fill up during a long run and stall the server.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile

from tts import procstat
from tts.bench.report import ROOT
from tts.probe import wait_ready

SCRIPTS = {"ours": "app.py", "ours-litert": "app.py", "baseline": "tts/bench/baseline_article.py"}
KIND_ENV = {"ours-litert": {"TTS_VOCODER_RUNTIME": "litert"}}   # our server with the old vocoder path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a running process."""
    fields = procstat.stat_fields(pid)
    if fields is None:
        raise ProcessLookupError(f"no process {pid}")
    return procstat.cpu_seconds(fields)


def memory_mb(pid: int) -> dict:
    """Current (VmRSS) and peak (VmHWM) resident memory of a process, in MB."""
    values = {}
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM"):
                values[key] = round(int(rest.split()[0]) / 1024, 1)
    return {"rss_mb": values.get("VmRSS"), "peak_rss_mb": values.get("VmHWM")}


class BenchServer:
    """`with BenchServer("ours", TTS_QUEUE_SIZE="10") as server: ...` starts, waits, stops."""

    def __init__(self, kind: str, **env: str) -> None:
        self.kind = kind
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile(prefix=f"bench-{kind}-", suffix=".log", delete=False)
        environ = {**os.environ, "TTS_HOST": "127.0.0.1", "TTS_PORT": str(self.port), **KIND_ENV.get(kind, {}), **env}
        self.process = subprocess.Popen([sys.executable, SCRIPTS[kind]], cwd=ROOT, env=environ,
                                        stdout=subprocess.DEVNULL, stderr=self._log)

    @property
    def pid(self) -> int:
        return self.process.pid

    def wait_ready(self, timeout: float = 120) -> "BenchServer":
        try:
            wait_ready(f"{self.url}/readyz", timeout, lambda: self.process.poll() is None)
        except (RuntimeError, TimeoutError) as error:
            raise type(error)(f"{self.kind}: {error}:\n{self.log_tail()}") from None
        return self

    def log_tail(self) -> str:
        with open(self._log.name, encoding="utf-8", errors="replace") as f:
            return f.read()[-3000:]

    def stop(self) -> None:
        """Ask the server to stop (SIGTERM), insist (SIGKILL) after 10 s; then drop its log."""
        for send in (self.process.terminate, self.process.kill):
            send()
            try:
                self.process.wait(10)
                break
            except subprocess.TimeoutExpired:
                continue
        self._log.close()
        os.unlink(self._log.name)

    def __enter__(self) -> "BenchServer":
        return self.wait_ready()

    def __exit__(self, *exc) -> None:
        self.stop()
