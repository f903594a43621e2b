"""Browser fixtures: Debian's Chromium driven by Playwright, against `python app.py` on a loopback port.

Nothing here skips: a missing browser, Playwright or axe-core fails with what to run
(tests/browser/setup.sh installs Chromium, a CJK font and axe-core).
"""

from __future__ import annotations

import os

import pytest

from browsing import AXE_JS, CHROMIUM, CHROMIUM_ARGS, MAX_CHARS, QUEUE_SIZE, SETUP_HINT, WAIT_MS, Visit, wait_idle
from live import LiveServer

try:
    from playwright.sync_api import expect, sync_playwright
except ImportError as error:   # a clear failure, not a skip
    raise ImportError("tests/browser needs the Python package playwright==1.65.2 "
                      "(pip install -r requirements-dev.txt)") from error

expect.set_options(timeout=WAIT_MS)


@pytest.fixture(scope="session")
def server():
    """The real server, with a small text limit and a queue of two."""
    server = LiveServer(TTS_QUEUE_SIZE=str(QUEUE_SIZE), TTS_MAX_TEXT_CHARS=str(MAX_CHARS),
                        TTS_JOB_TTL_SECONDS="120", TTS_LOG_LEVEL="WARNING",
                        TTS_CACHE_MB="0", TTS_SINGLEFLIGHT="0")   # every synthesis does its work: queue tests stay honest
    try:
        server.wait_ready()
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="session")
def chromium():
    if not os.access(CHROMIUM, os.X_OK):
        pytest.fail(f"Chromium is not installed at {CHROMIUM}: {SETUP_HINT}", pytrace=False)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="session")
def axe_source() -> str:
    if not AXE_JS.is_file():
        pytest.fail(f"axe-core is not installed at {AXE_JS}: {SETUP_HINT}", pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")


@pytest.fixture()
def visit(chromium, server):
    visit = Visit(chromium, server)
    try:
        yield visit
    finally:
        visit.close()


@pytest.fixture()
def idle_server(server):
    """The server with an empty queue afterwards, whatever the test left running."""
    yield server
    wait_idle(server)
