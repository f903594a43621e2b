"""A health probe for the server: `python -m tts.probe [URL]` exits 0 when the URL answers 200.

Docker's HEALTHCHECK runs it against /healthz (liveness: the worker is alive and not stalled);
the test and benchmark harnesses wait on /readyz with `wait_ready` after starting a server.
Only the standard library: it must run in the image without the app's dependencies loaded.
"""

from __future__ import annotations

import sys
import time
import urllib.error
import urllib.request
from typing import Callable

DEFAULT_URL = "http://127.0.0.1:8000/healthz"


def answers(url: str, timeout: float = 2.0) -> bool:
    """True when `url` answers 200 within `timeout` seconds."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            return response.status == 200
    except (urllib.error.URLError, OSError):
        return False


def wait_ready(url: str, timeout: float, running: Callable[[], bool] = lambda: True) -> None:
    """Poll `url` until it answers 200; fail at once if `running()` turns false, or after `timeout` s."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if not running():
            raise RuntimeError(f"the server stopped before {url} answered")
        if answers(url):
            return
        time.sleep(0.2)
    raise TimeoutError(f"{url} did not answer 200 within {timeout:.0f} s")


if __name__ == "__main__":
    sys.exit(0 if answers(sys.argv[1] if len(sys.argv) > 1 else DEFAULT_URL) else 1)
