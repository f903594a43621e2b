"""What the browser tests share: where things are, the server's limits, and one visit of the page."""

from __future__ import annotations

import os
import re
import time
from pathlib import Path

import requests

from helpers import ROOT
from live import LiveServer

HERE = Path(__file__).resolve().parent
CHROMIUM = os.environ.get("TTS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
AXE_JS = HERE / "node_modules" / "axe-core" / "axe.min.js"
ARTIFACTS = ROOT / "tests" / "artifacts"
MAX_CHARS = 120          # the browser server's text limit: small, so a 400 is one fill away
QUEUE_SIZE = 2           # one running, one waiting: a third request is a 503
# How long a wait for the page (an action, an `expect`) may take before the test fails: Playwright's `expect`
# gives up after 5 s, which a synthesis on a loaded 2-core CI runner can exceed; a wait ends as soon as it holds
# (conftest.py sets it for `expect`).
WAIT_MS = 20_000
SETUP_HINT = "run tests/browser/setup.sh (as root: Debian's chromium, fonts-noto-cjk, npm axe-core)"


class Visit:
    """One fresh browser context on the server, recording what a test must not see."""

    def __init__(self, chromium, server: LiveServer, color_scheme: str = "light") -> None:
        self.server = server
        self.context = chromium.new_context(locale="zh-CN", viewport={"width": 900, "height": 1000},
                                            color_scheme=color_scheme, service_workers="block")
        self.page = self.context.new_page()
        self.page.set_default_timeout(WAIT_MS)
        self.console_errors: list[str] = []
        self.page_errors: list[str] = []
        self.requests: list[str] = []
        self.page.on("console", lambda message: message.type == "error" and self.console_errors.append(message.text))
        self.page.on("pageerror", lambda error: self.page_errors.append(str(error)))
        self.context.on("request", lambda request: self.requests.append(request.url))

    def open(self):
        response = self.page.goto(self.server.url + "/")
        # the voice list has arrived from the server (a select with real ids, not the placeholder)
        self.page.locator("#voice option:not([value=''])").first.wait_for(state="attached")
        return response

    def foreign_requests(self) -> list[str]:
        own = (self.server.url + "/", "blob:", "data:")
        return [url for url in self.requests if not url.startswith(own)]

    def assert_clean(self, *expected_statuses: int) -> None:
        """No script errors, no console errors but the expected HTTP statuses, nothing left the origin."""
        assert not self.page_errors
        expected = re.compile(r"Failed to load resource: the server responded with a status of (\d+)")
        unexpected = [text for text in self.console_errors
                      if not ((m := expected.match(text)) and int(m.group(1)) in expected_statuses)]
        assert not unexpected
        assert self.requests and not self.foreign_requests()

    def close(self) -> None:
        self.context.close()



def wait_idle(server: LiveServer, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while requests.get(f"{server.url}/readyz", timeout=5).json()["queue_depth"]:
        assert time.monotonic() < deadline, "the server's queue did not drain"
        time.sleep(0.1)


def wait_for(page, condition, what: str, timeout: float = 30) -> None:
    """Lets the page run until `condition()` holds; after `timeout` seconds the test fails saying what it
    waited for (there is no pytest-timeout: an unbounded loop would spin until CI kills the run)."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"waited {timeout:g} s for {what}"
        page.wait_for_timeout(50)


def refuse_once(refuse, refused: list):
    """A route handler: the first request is refused with `refuse(route)` and its URL kept in `refused`;
    the next ones go through to the server."""
    def handle(route):
        if refused:
            route.continue_()
        else:
            refused.append(route.request.url)
            refuse(route)
    return handle
