"""The page on a server with API keys: it asks for the key, keeps it for the tab, and sends it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from browsing import Visit
from live import LiveServer

KEY = "page-test-key-0123456789"


@pytest.fixture(scope="module")
def keyed_server():
    server = LiveServer(TTS_API_KEYS=KEY, TTS_LOG_LEVEL="WARNING")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


@pytest.fixture()
def keyed_visit(chromium, keyed_server):
    visit = Visit(chromium, keyed_server)
    try:
        yield visit
    finally:
        visit.close()


def test_without_the_key_the_page_says_so_and_with_it_synthesizes(keyed_visit):
    page = keyed_visit.page
    page.goto(keyed_visit.server.url + "/")
    with page.expect_response(lambda r: r.url.endswith("/tts")) as answer:
        page.click("#speak")
    assert answer.value.status == 401
    expect(page.locator("#status")).to_have_text("需要有效的 API 密钥：请在“API 密钥”中填写。")
    expect(page.locator("#key")).to_have_attribute("aria-invalid", "true")

    page.fill("#key", KEY)
    page.locator("#key").dispatch_event("change")
    expect(page.locator("#key")).not_to_have_attribute("aria-invalid", "true")
    page.locator("#voice option:not([value=''])").first.wait_for(state="attached")   # voices came with the key
    page.click("#speak")
    expect(page.locator("#status")).to_have_text(re.compile(r"^完成：\d+\.\d 秒的语音"))

    page.reload()   # kept for this tab
    expect(page.locator("#key")).to_have_value(KEY)
    keyed_visit.assert_clean(401)


def test_the_key_goes_with_the_hidden_stream_when_the_page_makes_the_audio_itself(keyed_visit):
    page = keyed_visit.page
    page.goto(keyed_visit.server.url + "/")
    page.fill("#key", KEY)
    page.locator("#key").dispatch_event("change")
    page.locator("#voice option:not([value=''])").first.wait_for(state="attached")
    page.fill("#text", "今天天气很好。")
    page.check("#local")
    with page.expect_response(lambda r: r.url.endswith("/tts/hidden")) as answer:
        page.click("#speak")
    assert answer.value.status == 200
    assert answer.value.request.headers["authorization"] == f"Bearer {KEY}"
    expect(page.locator("#status")).to_have_text(re.compile(r"^完成：\d+\.\d 秒的语音"), timeout=120_000)
    assert page.evaluate("() => window.browserVocoder.last !== null")   # made on this device
    keyed_visit.assert_clean(401)   # the voice list asked for before the key was typed
