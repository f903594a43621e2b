"""Playing while the server synthesizes, the stop button, and the model-loading notice, in Chromium.

On a server of its own with a Kokoro voice: its model loads on first use (seconds), and it
synthesizes a paragraph over many seconds, so "sound before the synthesis ends" and "stop
before it ends" have a wide margin rather than a race.
"""

from __future__ import annotations

import re

import pytest
import requests
from playwright.sync_api import expect

from browsing import Visit, wait_for, wait_idle
from live import LiveServer

pytestmark = pytest.mark.browser

VOICE = "zf_xiaoxiao"
LONG = ("天亮了。鸟儿叫了。风停了。湖水很静。柳树发芽了。孩子们来了。风筝飞起来了。"
        "老人在聊天。太阳升高了。花开了。我们回家吧。明天再来。")   # short phrases: a stop is heard at once
SENTENCES = "湖边的柳树刚刚发芽。几个孩子在草地上放风筝。老人们坐在长椅上聊天。"   # three phrases, several seconds of work


@pytest.fixture(scope="module")
def kokoro_server():
    server = LiveServer(TTS_MAX_TEXT_CHARS="400", TTS_LOG_LEVEL="WARNING", TTS_CACHE_MB="0",
                        TTS_SINGLEFLIGHT="0", TTS_JOB_TTL_SECONDS="120")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


@pytest.fixture()
def visit(chromium, kokoro_server):
    visit = Visit(chromium, kokoro_server)
    try:
        yield visit
    finally:
        visit.close()
        wait_idle(kokoro_server)


def listen(page) -> None:
    """Record the page's audio hooks: when each piece was scheduled, and the end of playback."""
    page.evaluate("""() => {
        window.heard = { chunks: [], ended: null };
        document.addEventListener("tts:chunk", (e) => heard.chunks.push({ at: performance.now(), offset: e.detail.offset }));
        document.addEventListener("tts:end", (e) => { heard.ended = e.detail.whole; });
    }""")


def playback_time(page) -> float:
    return page.evaluate("async () => (await import('/static/app.js')).playbackTime()")


def first_piece(page) -> None:
    page.wait_for_function("() => window.heard.chunks.length > 0", timeout=120_000)


def start(visit, text: str) -> None:
    page = visit.page
    visit.open()
    listen(page)
    page.select_option("#voice", VOICE)
    page.fill("#text", text)
    page.click("#speak")


def jobs(server, outcome: str) -> float:
    metrics = requests.get(f"{server.url}/metrics", timeout=5).text
    found = re.search(rf'^tts_jobs_total{{outcome="{outcome}"}} (\S+)$', metrics, re.M)
    return float(found.group(1)) if found else 0.0


def test_the_first_use_of_a_voice_says_its_model_is_loading(visit, kokoro_server):
    voices = requests.get(f"{kokoro_server.url}/v1/audio/voices", timeout=5).json()["voices"]
    assert next(v["state"] for v in voices if v["id"] == VOICE) == "declared"   # not loaded yet
    start(visit, "你好。")
    expect(visit.page.locator("#voice-hint")).to_contain_text("模型还没加载，第一次合成要多等一会儿")
    expect(visit.page.locator("#status")).to_have_text("正在加载模型…（第一次使用这个声音要多等一会儿）")
    expect(visit.page.locator("#status")).to_have_text(re.compile("^完成："), timeout=120_000)
    visit.assert_clean()


def test_sound_starts_while_the_server_is_still_synthesizing(visit):
    page = visit.page
    start(visit, SENTENCES)
    first_piece(page)
    wait_for(page, lambda: playback_time(page) >= 0.5, "half a second of playback")   # the AudioContext plays...
    expect(page.locator("#status")).to_have_text("正在合成，边合成边播放…")   # ...and the synthesis goes on
    assert "已全部合成" not in page.locator("#progress").text_content()
    expect(page.locator("#status")).to_have_text(re.compile(r"^完成：\d+\.\d 秒的语音"), timeout=120_000)
    heard = page.evaluate("() => window.heard")
    assert len(heard["chunks"]) > 2
    offsets = [c["offset"] for c in heard["chunks"]]
    assert offsets == sorted(offsets) and offsets[0] == 0
    visit.assert_clean()


def test_stop_silences_the_page_and_ends_the_servers_work(visit, kokoro_server):
    page = visit.page
    cancelled, done = jobs(kokoro_server, "cancelled"), jobs(kokoro_server, "done")
    start(visit, LONG)
    first_piece(page)
    page.click("#stop")
    expect(page.locator("#status")).to_have_text("已停止。")
    expect(page.locator("#stop")).to_be_disabled()
    expect(page.locator("#speak")).to_be_enabled()
    assert playback_time(page) == 0                      # nothing sounds any more
    wait_idle(kokoro_server)                             # the server's queue is free at once...
    # ...and the job ends cancelled after the chunk in hand,
    wait_for(page, lambda: jobs(kokoro_server, "cancelled") >= cancelled + 1, "the stopped job to end", timeout=60)
    assert jobs(kokoro_server, "cancelled") == cancelled + 1
    assert jobs(kokoro_server, "done") == done           # not run to its end
    expect(page.locator("#history li")).to_have_count(0)
    visit.assert_clean()
