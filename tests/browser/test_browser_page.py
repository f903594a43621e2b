"""The page in a real browser (headless Chromium), on the real server, under its real CSP."""

from __future__ import annotations

import itertools
import json
import random
import re

import pytest
import requests
from playwright.sync_api import expect

from browsing import ARTIFACTS, MAX_CHARS
from helpers import decode
from tts.web.security import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser

SAY = "今天天气很好，我们去公园散步吧。"
_unique = itertools.count(1)


def fresh_text(sentences: int) -> str:
    """Text that no cache or in-flight job has seen: every sentence carries a new number."""
    return "".join(f"第{next(_unique)}号包裹，编号{random.randint(10**5, 10**6 - 1)}，已经送到门口了。"
                   for _ in range(sentences + 1))


def submit_blocker(server, sentences: int) -> dict:
    response = requests.post(f"{server.url}/tts", json={"text": fresh_text(sentences), "async": True}, timeout=10)
    assert response.status_code == 202, response.text
    return response.json()


def audio_state(page) -> dict:
    """The player's state once it has decoded the audio's header (loadedmetadata)."""
    return page.evaluate("""async () => {
        const audio = document.getElementById("player");
        if (audio.readyState < 1) {
            await new Promise((loaded, failed) => {
                audio.addEventListener("loadedmetadata", loaded, { once: true });
                audio.addEventListener("error", () => failed(new Error(`audio error ${audio.error.code}`)), { once: true });
            });
        }
        return { src: audio.currentSrc, duration: audio.duration, paused: audio.paused,
                 currentTime: audio.currentTime, autoplay: audio.autoplay };
    }""")


def axe_violations(page, axe_source: str) -> list[dict]:
    """axe-core's violations; the script is evaluated over the DevTools protocol, never served."""
    page.evaluate(axe_source)
    return page.evaluate("""async () => {
        const result = await axe.run(document, { resultTypes: ["violations"] });
        return result.violations.map((v) => ({ id: v.id, impact: v.impact, help: v.help,
                                               nodes: v.nodes.map((n) => n.target.join(" ")) }));
    }""")


def expect_done(page) -> None:
    expect(page.locator("#status")).to_have_class(re.compile(r"\bdone\b"))
    expect(page.locator("#status")).to_have_text(re.compile(r"^完成：\d+\.\d 秒的语音"))


def test_type_toggle_eco_synthesize_and_play_nothing_by_itself(visit, server, axe_source):
    page = visit.page
    response = visit.open()
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"

    ids = [v["id"] for v in requests.get(f"{server.url}/v1/audio/voices", timeout=5).json()["voices"]]
    assert page.locator("#voice option").evaluate_all("os => os.map(o => o.value)") == ids

    page.fill("#text", SAY)
    expect(page.locator("#count")).to_have_text(f"{len(SAY)} / {MAX_CHARS} 字")
    expect(page.locator("#eco")).not_to_be_checked()
    page.check("#eco")
    assert page.evaluate("() => localStorage.getItem('tts.eco')") == "1"
    page.uncheck("#local")   # eco mode turns browser vocoding on (test_browser_vocoder.py); this is the server's audio

    with page.expect_response(lambda r: r.url.endswith("/audio")) as audio_response:
        page.click("#speak")
        expect(page.locator("#speak")).to_be_disabled()
        expect_done(page)
    expect(page.locator("#speak")).to_be_enabled()

    # the same job's audio, fetched again outside the browser (the page keeps its copy as a blob)
    samples, rate = decode(requests.get(audio_response.value.url, timeout=10).content)
    assert rate == 16000 and len(samples) > 0        # eco mode reached the server: 16 kHz
    state = audio_state(page)
    assert state["src"].startswith("blob:")
    assert state["duration"] == pytest.approx(len(samples) / rate, abs=0.05) and state["duration"] > 0
    assert state["paused"] and state["currentTime"] == 0 and not state["autoplay"]

    download = page.locator("#download")
    expect(download).to_be_visible()
    assert download.get_attribute("download") == "语音-今天天气很好我们去公园散.wav"   # the first 12 characters
    assert download.get_attribute("href").startswith("blob:")
    expect(page.locator("#history li")).to_have_count(1)
    expect(page.locator("#history-empty")).to_be_hidden()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "page-after-synthesis.png"), full_page=True)
    violations = {"light": axe_violations(page, axe_source)}
    page.emulate_media(color_scheme="dark", reduced_motion="reduce")
    page.screenshot(path=str(ARTIFACTS / "page-after-synthesis-dark.png"), full_page=True)
    violations["dark"] = axe_violations(page, axe_source)
    (ARTIFACTS / "axe-violations.json").write_text(json.dumps(violations, ensure_ascii=False, indent=1))
    serious = [v for scheme in violations.values() for v in scheme if v["impact"] in ("serious", "critical")]
    assert not serious, json.dumps(serious, ensure_ascii=False, indent=1)

    visit.assert_clean()


def test_eco_choice_persists_across_reload(visit):
    page = visit.page
    visit.open()
    expect(page.locator("#eco")).not_to_be_checked()
    page.check("#eco")
    page.reload()
    expect(page.locator("#eco")).to_be_checked()
    page.uncheck("#eco")
    page.reload()
    expect(page.locator("#eco")).not_to_be_checked()
    visit.assert_clean()


def test_keyboard_only_and_ctrl_enter_synthesizes(visit):
    page = visit.page
    visit.open()
    page.locator("body").focus()
    order = []
    for _ in range(9):
        page.keyboard.press("Tab")
        order.append(page.evaluate("() => document.activeElement.id"))
    assert order == ["text", "voice", "format", "speed", "pitch", "volume", "eco", "local", "speak"]

    page.keyboard.press("Shift+Tab")                      # on the 在本机合成 switch
    page.keyboard.press("Shift+Tab")                      # on the eco switch
    page.keyboard.press("Space")
    expect(page.locator("#eco")).to_be_checked()
    page.keyboard.press("Shift+Tab")                      # on the volume slider
    page.keyboard.press("ArrowLeft")
    expect(page.locator("#volume-value")).to_have_text("-1 dB")
    page.keyboard.press("Shift+Tab")                      # on the pitch slider
    page.keyboard.press("ArrowRight")
    expect(page.locator("#pitch-value")).to_have_text("+1 半音")
    page.keyboard.press("Shift+Tab")                      # on the speed slider
    page.keyboard.press("ArrowRight")
    expect(page.locator("#speed-value")).to_have_text("1.05 倍")
    for _ in range(3):
        page.keyboard.press("Shift+Tab")                  # back in the text box
    assert page.evaluate("() => document.activeElement.id") == "text"
    page.keyboard.press("Control+A")
    page.keyboard.type("春天来了。")

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tts")) as sent:
        page.keyboard.press("Control+Enter")
    body = sent.value.post_data_json
    assert body["text"] == "春天来了。" and body["speed"] == 1.05 and body["eco"] is True and body["async"] is True
    assert body["pitch"] == 1 and body["volume"] == -1
    expect_done(page)
    expect(page.locator("#history li")).to_have_count(1)
    assert page.evaluate("() => document.activeElement.id") == "text"   # the text box keeps the focus
    visit.assert_clean()


def test_the_queue_position_shows_while_waiting(visit, idle_server):
    page = visit.page
    visit.open()
    page.fill("#text", "你好。")
    submit_blocker(idle_server, 2)                        # ~60 characters: seconds of work ahead of us
    page.click("#speak")
    expect(page.locator("#status")).to_have_text("排队中：第 1 位…")
    expect_done(page)
    visit.assert_clean()


def test_too_long_text_shows_the_servers_400_naming_the_field(visit):
    page = visit.page
    visit.open()
    page.fill("#text", "好" * (MAX_CHARS + 1))
    expect(page.locator("#count")).to_have_text(f"{MAX_CHARS + 1} / {MAX_CHARS} 字，超出 1 字")
    expect(page.locator("#count")).to_have_class(re.compile(r"\bover\b"))

    with page.expect_response(lambda r: r.url.endswith("/tts")) as answer:
        page.click("#speak")
    assert answer.value.status == 400
    error = answer.value.json()["error"]
    assert error["field"] == "text"
    status = page.locator("#status")
    expect(status).to_have_text(f"“要朗读的文字”有误（字段 text）：{error['message']}")
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#speak")).to_be_enabled()

    page.locator("#text").press("Backspace")              # editing clears the mark
    expect(page.locator("#text")).not_to_have_attribute("aria-invalid", "true")
    visit.assert_clean(400)


def test_a_full_queue_shows_the_servers_503_and_when_to_retry(visit, idle_server):
    page = visit.page
    visit.open()
    page.fill("#text", "你好。")
    submit_blocker(idle_server, 2)                        # running
    submit_blocker(idle_server, 0)                        # waiting: the queue of two is full
    with page.expect_response(lambda r: r.url.endswith("/tts")) as answer:
        page.click("#speak")
    assert answer.value.status == 503
    retry = int(answer.value.headers["retry-after"])
    message = answer.value.json()["error"]["message"]
    expect(page.locator("#status")).to_have_text(f"服务器正忙，请 {retry} 秒后重试。（{message}）")
    expect(page.locator("#speak")).to_be_enabled()
    expect(page.locator("#history li")).to_have_count(0)
    visit.assert_clean(503)


def test_every_format_plays_and_the_history_keeps_the_last_five(visit):
    page = visit.page
    visit.open()
    offered = page.locator("#format option").evaluate_all("os => os.map(o => o.value)")
    assert {"wav", "pcm"} <= set(offered)
    formats = (offered * 6)[:6]                             # six results, every format at least once
    for number, fmt in enumerate(formats, 1):
        page.select_option("#format", fmt)
        page.fill("#text", f"第{number}句，{random.randint(1000, 9999)}。")   # short and new: no cache
        page.click("#speak")
        expect_done(page)
        state = audio_state(page)                           # raw PCM plays too: wrapped as WAV for the player
        assert state["duration"] > 0 and state["paused"], (fmt, state)
        assert page.locator("#download").get_attribute("download").endswith(f".{fmt}")

    items = page.locator("#history li")
    expect(items).to_have_count(5)
    expect(items.first.locator(".said")).to_contain_text("第6句")
    expect(items.last.locator(".said")).to_contain_text("第2句")
    newest_src = page.locator("#player").get_attribute("src")
    items.last.get_by_role("button", name=re.compile("^播放")).click()   # the user asks: now it plays
    assert page.locator("#player").get_attribute("src") != newest_src
    expect(page.locator("#download")).to_have_attribute("download", re.compile(rf"\.{formats[1]}$"))
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.evaluate("() => document.getElementById('player').pause()")
    visit.assert_clean()


def test_eco_mode_speaks_with_the_embedded_voice_and_gives_the_choice_back(visit):
    page = visit.page
    visit.open()
    expect(page.locator("#voice option[value=zm_yunxi]")).to_be_enabled()
    page.select_option("#voice", "zm_yunxi")
    page.check("#eco")
    expect(page.locator("#voice")).to_have_value("baker")
    expect(page.locator("#voice option[value=zm_yunxi]")).to_be_disabled()
    page.reload()                                   # both choices are remembered
    expect(page.locator("#voice option[value=zm_yunxi]")).to_be_disabled()
    expect(page.locator("#voice")).to_have_value("baker")
    page.uncheck("#eco")
    expect(page.locator("#voice")).to_have_value("zm_yunxi")
    visit.assert_clean()
