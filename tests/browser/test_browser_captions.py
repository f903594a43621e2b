"""Captions on the page (static/captions.js), in headless Chromium on the real server: the text
arrives with the streamed speech, the character being spoken is marked live, and again when
the result is replayed and sought in the player."""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

SAY = "春天来了，花儿都开了。"
SAID = "春天来了花儿都开了"


def test_the_spoken_character_is_marked_live_and_on_replay(visit, server):
    page = visit.page
    visit.open()
    page.evaluate("""() => {
        window.ended = false;
        document.addEventListener("tts:end", () => { window.ended = true; });
        window.marked = new Set();
        new MutationObserver(() => {
            const mark = document.querySelector("#captions mark");
            if (mark) window.marked.add(mark.textContent);
        }).observe(document.body, { childList: true, subtree: true });
    }""")
    page.fill("#text", SAY)
    with page.expect_request(lambda r: r.url.endswith("/tts") and r.method == "POST") as sent:
        page.click("#speak")
    assert sent.value.post_data_json["captions"] == "json" and sent.value.post_data_json["format"] == "pcm"
    line = page.locator("#captions")
    expect(line).to_have_text(SAID)                              # the text came with the stream
    page.wait_for_function("() => window.marked.size >= 3", timeout=30_000)   # marks followed the live speech
    expect(page.locator("#status")).to_have_class(re.compile(r"\bdone\b"), timeout=30_000)

    # the same request's captions from the API, to place the player's clock on known characters
    body = {"text": SAY, "captions": "json", "format": "pcm", "voice": page.input_value("#voice") or None}
    captions = requests.post(f"{server.url}/tts", json={k: v for k, v in body.items() if v}, timeout=30).json()["captions"]
    assert "".join(c["text"] for c in captions) == SAID
    page.wait_for_function("() => window.ended", timeout=30_000)   # the live playback is over: the player's clock counts
    page.wait_for_function("() => document.getElementById('player').readyState >= 1")
    for caption in (captions[1], captions[5], captions[-1]):    # replayed: seeking moves the mark
        middle = (caption["start"] + caption["end"]) / 2
        page.evaluate("(t) => { document.getElementById('player').currentTime = t; }", middle)
        expect(line.locator("mark")).to_have_text(caption["text"])
    page.evaluate("(t) => { document.getElementById('player').currentTime = t; }", captions[-1]["end"] + 0.01)
    expect(line.locator("mark")).to_have_count(0)               # after the last caption, nothing is spoken
    visit.assert_clean()
