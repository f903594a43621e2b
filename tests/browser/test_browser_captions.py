"""Captions on the page (static/captions.js), in headless Chromium on the real server: the
character being spoken is marked, following the player's clock, seeking and playing alike."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SAY = "春天来了，花儿都开了。"


def test_the_spoken_character_is_marked_as_the_audio_plays(visit, server):
    page = visit.page
    visit.open()
    page.fill("#text", SAY)
    with page.expect_response(lambda r: r.url.endswith("/captions")) as listed:
        page.click("#speak")
    expect(page.locator("#status")).to_have_class(re.compile(r"\bdone\b"))
    captions = requests.get(listed.value.url, timeout=10).json()["captions"]
    assert "".join(c["text"] for c in captions) == "春天来了花儿都开了"
    line = page.locator("#captions")
    expect(line).to_have_text("春天来了花儿都开了")
    expect(line.locator("mark")).to_have_count(0)        # nothing marked before it plays

    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    for caption in (captions[1], captions[5], captions[-1]):   # seeking moves the mark
        middle = (caption["start"] + caption["end"]) / 2
        page.evaluate("(t) => { document.getElementById('player').currentTime = t; }", middle)
        expect(line.locator("mark")).to_have_text(caption["text"])

    page.evaluate("(t) => { document.getElementById('player').currentTime = t; }", captions[-1]["end"] + 0.01)
    expect(line.locator("mark")).to_have_count(0)          # after the last caption, nothing is spoken
    page.evaluate("() => { const p = document.getElementById('player'); p.currentTime = 0; p.play(); }")
    expect(line.locator("mark")).to_have_count(1)          # while it plays, one character is marked
    page.evaluate("() => document.getElementById('player').pause()")
    visit.assert_clean()
