"""The page in a real browser (headless Chromium), on the real server, under its real CSP."""

from __future__ import annotations

import base64
import json
import random
import re

import pytest
import requests
from playwright.sync_api import expect

from browsing import ARTIFACTS, MAX_CHARS, QUEUE_SIZE, Visit, refuse_once, wait_for
from helpers import decode
from live import LiveServer
from tts.request import TTS
from tts.web.security import CONTENT_SECURITY_POLICY

pytestmark = pytest.mark.browser

SAY = "今天天气很好，我们去公园散步吧。"
HOLD = "挂一下。" * 10   # ten phrases on the tone voice, each held 4 s by tests/servers/faulty.py: 40 s on the worker


@pytest.fixture()
def held_server():
    """The browser server's limits (a queue of two), plus the tone voice whose 挂 phrases hold the worker:
    a full queue that no timing can free while the page asks."""
    server = LiveServer("tests/servers/faulty.py", TTS_QUEUE_SIZE=str(QUEUE_SIZE), TTS_MAX_TEXT_CHARS=str(MAX_CHARS),
                        TTS_LOG_LEVEL="WARNING", TTS_CACHE_MB="0", TTS_SINGLEFLIGHT="0", TTS_KOKORO="0")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def hold(server) -> str:
    """An async job that holds the worker (or its place in the queue) for 40 s; its URL, to delete it."""
    response = requests.post(f"{server.url}/tts", json={"text": HOLD, "voice": "tone", "async": True}, timeout=10)
    assert response.status_code == 202, response.text
    return server.url + response.json()["links"]["self"]


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


def watch_buttons(page) -> None:
    """Record in the page whether 合成 was ever disabled and 停止 ever enabled (states too brief to poll)."""
    page.evaluate("""() => {
        const speak = document.querySelector('#speak'), stop = document.querySelector('#stop');
        window.seenButtons = {speakDisabled: false, stopEnabled: false};
        new MutationObserver(() => {
            if (speak.disabled) window.seenButtons.speakDisabled = true;
            if (!stop.disabled) window.seenButtons.stopEnabled = true;
        }).observe(document.body, {attributes: true, subtree: true, attributeFilter: ['disabled']});
    }""")


def test_type_toggle_eco_synthesize_and_play_nothing_by_itself(visit, server, axe_source):
    page = visit.page
    response = visit.open()
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"

    voices = requests.get(f"{server.url}/v1/audio/voices", timeout=5).json()["voices"]
    by_gender = [v["id"] for gender in ("female", "male") for v in voices if v["gender"] == gender]
    assert page.locator("#voice option").evaluate_all("os => os.map(o => o.value)") == by_gender
    assert page.locator("#voice optgroup").evaluate_all("gs => gs.map(g => g.label)") == ["女声", "男声"]

    page.fill("#text", SAY)
    expect(page.locator("#count")).to_have_text(f"{len(SAY)} / {MAX_CHARS} 字")
    expect(page.locator("#eco")).not_to_be_checked()
    page.check("#eco")
    assert page.evaluate("() => localStorage.getItem('tts.eco')") == "1"
    page.uncheck("#local")   # eco mode turns browser vocoding on (test_browser_vocoder.py); this is the server's audio

    watch_buttons(page)
    with page.expect_response(lambda r: r.url.endswith("/tts") and r.request.method == "POST") as streamed:
        page.click("#speak")
        expect_done(page)
    # while it ran (however briefly: a quiet machine makes this sentence in a blink) 合成 was off and 停止 on
    assert page.evaluate("() => window.seenButtons") == {"speakDisabled": True, "stopEnabled": True}
    expect(page.locator("#speak")).to_be_enabled()
    assert streamed.value.request.post_data_json["stream"] is True
    assert streamed.value.headers["x-sample-rate"] == "16000"   # eco mode reached the server: 16 kHz

    seconds = float(re.search(r"(\d+\.\d) 秒", page.locator("#status").text_content()).group(1))
    state = audio_state(page)   # the streamed audio, kept as a WAV for replay: loaded, not playing
    assert state["src"].startswith("blob:")
    assert state["duration"] == pytest.approx(seconds, abs=0.06) and state["duration"] > 0
    assert state["paused"] and state["currentTime"] == 0 and not state["autoplay"]

    download = page.locator("#download")
    expect(download).to_be_visible()
    assert download.get_attribute("download") == "语音-今天天气很好我们去公园散-baker-1.00x-节能.wav"
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


def test_the_page_has_no_serious_accessibility_violation_before_a_result_or_after_an_error(visit, axe_source):
    page = visit.page
    visit.open()

    def serious() -> list[dict]:
        return [v for v in axe_violations(page, axe_source) if v["impact"] in ("serious", "critical")]

    assert not serious(), serious()
    page.fill("#text", "。。。")
    page.click("#speak")
    expect(page.locator("#status")).to_have_class(re.compile(r"\berror\b"))
    assert not serious(), serious()
    visit.assert_clean(400)


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
    assert order == ["text", "voice", "preview", "format", "speed", "pitch", "volume", "eco", "local"]
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.id") == "speak"   # 停止 is disabled: not a stop on the way

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
    for _ in range(4):
        page.keyboard.press("Shift+Tab")                  # back in the text box (format, 试听, voice, text)
    assert page.evaluate("() => document.activeElement.id") == "text"
    page.keyboard.press("Control+A")
    page.keyboard.type("春天来了。")

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tts")) as sent:
        page.keyboard.press("Control+Enter")
    body = sent.value.post_data_json
    assert body["text"] == "春天来了。" and body["speed"] == 1.05 and body["eco"] is True and body["stream"] is True
    assert body["pitch"] == 1 and body["volume"] == -1
    expect_done(page)
    expect(page.locator("#history li")).to_have_count(1)
    assert page.evaluate("() => document.activeElement.id") == "text"   # the text box keeps the focus
    visit.assert_clean()


def test_too_long_text_is_refused_in_chinese_without_asking_the_server(visit):
    page = visit.page
    visit.open()
    page.fill("#text", "好" * (MAX_CHARS + 1))
    expect(page.locator("#count")).to_have_text(f"{MAX_CHARS + 1} / {MAX_CHARS} 字，超出 1 字")
    expect(page.locator("#count")).to_have_class(re.compile(r"\bover\b"))

    sent_before = len(visit.requests)
    page.click("#speak")
    status = page.locator("#status")
    expect(status).to_have_text(f"文字太长：共 {MAX_CHARS + 1} 字，最多 {MAX_CHARS} 字。请删去一些或分段合成。")
    expect(status).to_have_class(re.compile(r"\berror\b"))
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#speak")).to_be_enabled()
    assert not [url for url in visit.requests[sent_before:] if url.endswith("/tts")]   # nothing was sent

    page.locator("#text").press("Backspace")              # editing clears the mark, and the error about it
    expect(page.locator("#text")).not_to_have_attribute("aria-invalid", "true")
    expect(status).to_have_text("")
    visit.assert_clean()


def choose_a_retired_voice(page) -> None:
    """Some text, and a voice the page offers but the server no longer has (it answers 400 naming `voice`)."""
    page.fill("#text", "你好。")
    page.evaluate("""() => { const s = document.getElementById("voice");
                            s.add(new Option("旧声音", "retired_voice")); s.value = "retired_voice"; }""")


def test_an_error_about_one_field_stays_while_another_changes_and_goes_when_its_own_does(visit):
    page = visit.page
    visit.open()
    choose_a_retired_voice(page)
    page.click("#speak")
    status = page.locator("#status")
    expect(status).to_have_text("服务器没有这个声音，请重新选择。")
    page.fill("#text", "你好啊。")                       # not what the error is about: it stands
    expect(page.locator("#voice")).to_have_attribute("aria-invalid", "true")
    expect(status).to_have_text("服务器没有这个声音，请重新选择。")
    page.select_option("#voice", "baker")                # chosen anew: the error no longer stands
    expect(page.locator("#voice")).not_to_have_attribute("aria-invalid", "true")
    expect(status).to_have_text("")
    expect(page.locator("#status-detail")).to_be_hidden()
    visit.assert_clean(400)


def test_a_field_the_server_refuses_is_named_in_chinese_with_its_text_as_detail(visit):
    page = visit.page
    visit.open()
    choose_a_retired_voice(page)
    with page.expect_response(lambda r: r.url.endswith("/tts")) as answer:
        page.click("#speak")
    assert answer.value.status == 400
    error = answer.value.json()["error"]
    assert error["field"] == "voice"
    expect(page.locator("#status")).to_have_text("服务器没有这个声音，请重新选择。")
    expect(page.locator("#status-detail")).to_have_text(f"详情：{error['message']}")
    expect(page.locator("#status-detail [lang=en]")).to_have_text(error["message"])   # read as English, not Chinese
    expect(page.locator("#voice")).to_have_attribute("aria-invalid", "true")
    visit.assert_clean(400)


@pytest.mark.parametrize("text, said", [
    ("。。。！", "这段文字里没有可以朗读的内容"),
    ("αβγ", "这段文字里没有可以朗读的内容"),
    ("<speak>你好", "文字里的 SSML 标记或拼音注音"),
    ("银行{xyz2}", "文字里的 SSML 标记或拼音注音"),
])
def test_a_text_with_nothing_to_say_or_a_markup_mistake_is_said_in_chinese_for_what_it_is(visit, text, said):
    page = visit.page
    visit.open()
    page.fill("#text", text)
    with page.expect_response(lambda r: r.url.endswith("/tts")) as answer:
        page.click("#speak")
    assert answer.value.status == 400
    expect(page.locator("#status")).to_contain_text(said)
    expect(page.locator("#status-detail")).to_have_text(f"详情：{answer.value.json()['error']['message']}")
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")
    visit.assert_clean(400)


def test_words_no_voice_reads_are_said_to_be_left_out(visit):
    """The README's promise: the page's stream (the captioned one) counts them in X-Omitted-Tokens."""
    page = visit.page
    visit.open()
    page.fill("#text", "你好αβγ世界")
    page.click("#speak")
    expect_done(page)
    expect(page.locator("#status")).to_contain_text("1 处文字无法朗读，已略过。")
    expect(page.locator("#history li").first).to_contain_text("1 处文字无法朗读，已略过。")
    visit.assert_clean()


def test_a_network_failure_is_said_in_chinese(visit):
    page = visit.page
    visit.open()
    page.fill("#text", "你好。")
    page.route("**/tts", lambda route: route.abort("connectionrefused"))   # as if the server were gone
    page.click("#speak")
    expect(page.locator("#status")).to_have_text("无法连接服务器：请确认服务器在运行、网络正常，然后重试。")
    expect(page.locator("#status-detail")).to_have_text("详情：Failed to fetch")
    expect(page.locator("#speak")).to_be_enabled()
    expect(page.locator("#stop")).to_be_disabled()
    assert not visit.page_errors
    assert all("ERR_CONNECTION_REFUSED" in text for text in visit.console_errors)


def test_an_error_answered_while_the_page_asks_for_the_voices_state_stays_said(visit):
    """While no audio has come the page asks the server every second whether the voice's model is loading.
    An error answered while such a question is out is the last word of that run: the answer to the
    question, when it comes, neither covers the error with a "waiting" line nor asks again (the page asks
    once more after every run, for the voices' states; that is all)."""
    page = visit.page
    visit.open()
    page.fill("#text", "你好。")
    held = {"tts": [], "voices": []}
    asked = []

    def hold_the_first_question(route):
        asked.append(route)
        if len(asked) == 1:
            held["voices"].append(route)
        else:
            route.continue_()

    page.route("**/tts", lambda route: held["tts"].append(route))
    page.route("**/v1/audio/voices", hold_the_first_question)
    page.click("#speak")
    wait_for(page, lambda: held["tts"] and held["voices"], "the request and the page's question about its voice")
    held["tts"][0].fulfill(status=400, json={"error": {"code": "invalid_request", "field": "voice",
                                                       "message": "no voice 'x'"}})
    said = "服务器没有这个声音，请重新选择。"
    expect(page.locator("#status")).to_have_text(said)
    question = held["voices"][0]
    with page.expect_response(lambda response: response.request == question.request):
        question.continue_()                      # its answer has come to the page
    page.wait_for_timeout(1500)                   # longer than the page waits between two questions
    assert page.text_content("#status") == said
    assert len(asked) <= 2                        # the question, and the states after the run: nothing since
    expect(page.locator("#speak")).to_be_enabled()
    visit.assert_clean(400)


def test_an_error_the_server_reports_midway_through_the_stream_is_said_for_what_it_is(visit):
    """A stream that fails after its first audio (the server stopping, a stalled model) ends with a JSON line
    naming the error before the connection is cut (tts/web/captions.py): the page says that error."""
    page = visit.page
    visit.open()
    page.fill("#text", "你好。")
    silence = base64.b64encode(bytes(4800)).decode("ascii")   # 0.1 s of 16-bit silence at 24 kHz
    lines = [{"audio": silence, "audio_format": "audio/pcm", "sample_rate": 24000,
              "captions": [{"text": "你", "start": 0.0, "end": 0.1}]},
             {"error": {"code": "shutting_down", "message": "the server is shutting down", "field": None}}]
    page.route("**/tts", lambda route: route.fulfill(
        status=200, headers={"X-Sample-Rate": "24000"}, content_type="application/x-ndjson",
        body="".join(json.dumps(line) + "\n" for line in lines)))
    page.click("#speak")
    expect(page.locator("#status")).to_have_text("服务器正在停止或重启，请稍后重试。")
    expect(page.locator("#status-detail")).to_have_text("详情：the server is shutting down")
    expect(page.locator("#speak")).to_be_enabled()
    expect(page.locator("#history li")).to_have_count(0)
    visit.assert_clean()


def test_what_was_heard_is_kept_as_wav_when_the_server_cannot_make_the_chosen_format(visit):
    """The MP3 is a second request after the stream (an async job): when the server refuses it (busy now),
    the result the listener has just heard is kept as WAV, and the page says why, not lost with an error."""
    page = visit.page
    visit.open()
    page.select_option("#format", "mp3")
    page.fill("#text", "你好。")

    def busy_for_files(route):
        if json.loads(route.request.post_data or "{}").get("async"):
            route.fulfill(status=503, headers={"Retry-After": "3"}, json={"error": {
                "code": "queue_full", "message": "the queue is full (2 requests); retry in 3 s", "field": None}})
        else:
            route.continue_()

    page.route("**/tts", busy_for_files)
    page.click("#speak")
    expect(page.locator("#status")).to_have_text(re.compile(
        r"^完成：\d+\.\d 秒的语音.*MP3 文件没能准备好，已改存为 WAV：服务器正忙，排队已满，请 3 秒后重试。"))
    expect(page.locator("#status-detail")).to_have_text("详情：the queue is full (2 requests); retry in 3 s")
    expect(page.locator("#download")).to_have_attribute("download", re.compile(r"\.wav$"))
    expect(page.locator("#history li")).to_have_count(1)
    visit.assert_clean(503)


def test_a_full_queue_shows_the_servers_503_and_when_to_retry(chromium, held_server):
    """Both places held for 40 s each (with real voices as blockers, shortest-first freed one in time)."""
    visit = Visit(chromium, held_server)
    try:
        page = visit.page
        visit.open()
        page.fill("#text", "你好。")
        jobs = [hold(held_server), hold(held_server)]         # one running, one waiting: the queue of two is full
        with page.expect_response(lambda r: r.url.endswith("/tts")) as answer:
            page.click("#speak")
        assert answer.value.status == 503
        retry = int(answer.value.headers["retry-after"])
        message = answer.value.json()["error"]["message"]
        expect(page.locator("#status")).to_have_text(f"服务器正忙，排队已满，请 {retry} 秒后重试。")
        expect(page.locator("#status-detail")).to_have_text(f"详情：{message}")
        expect(page.locator("#speak")).to_be_enabled()
        expect(page.locator("#history li")).to_have_count(0)
        visit.assert_clean(503)
        for job in jobs:   # cancelled: the server stops at once, without draining 80 s of held jobs
            assert requests.delete(job, timeout=10).status_code == 204
    finally:
        visit.close()


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
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('tts.history'))")
    assert [r["format"] for r in stored] == formats[:0:-1]          # the store is bounded too: the last five
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


def test_text_settings_and_history_survive_a_reload(visit):
    page = visit.page
    visit.open()
    said = "春眠不觉晓，处处闻啼鸟。"
    page.fill("#text", said)
    page.locator("#speed").fill("1.25")
    page.locator("#speed").dispatch_event("change")
    page.click("#speak")
    expect_done(page)

    page.fill("#text", "还没合成的草稿。")
    page.reload()
    page.locator("#voice option:not([value=''])").first.wait_for(state="attached")
    expect(page.locator("#text")).to_have_value("还没合成的草稿。")
    expect(page.locator("#speed-value")).to_have_text("1.25 倍")
    item = page.locator("#history li")
    expect(item).to_have_count(1)
    expect(item.locator(".said")).to_have_text(said)
    expect(item.locator(".hint")).to_contain_text("1.25 倍")
    assert item.locator("a[download]").count() == 0             # the audio itself is not kept across visits

    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tts")) as sent:
        item.get_by_role("button", name=re.compile("^重新合成")).click()
    assert sent.value.post_data_json["text"] == said and sent.value.post_data_json["speed"] == 1.25
    expect_done(page)
    expect(page.locator("#history li")).to_have_count(2)
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('tts.history'))")
    assert [r["text"] for r in stored] == [said, said]
    visit.assert_clean()


def test_downloads_are_named_by_text_and_settings(visit):
    page = visit.page
    visit.open()
    page.fill("#text", "下载的名字，要说明设置。")
    page.select_option("#format", "mp3")
    page.click("#speak")
    expect_done(page)
    first = page.locator("#download").get_attribute("download")
    assert first == "语音-下载的名字要说明设置-baker-1.00x.mp3"

    held = []                                                   # the next synthesis waits until we let it go
    page.route("**/tts", lambda route: held.append(route) if route.request.method == "POST" else route.continue_())
    page.click("#speak")
    expect(page.locator("#download")).to_be_hidden()             # the previous result is gone at once
    expect(page.locator("#result-empty")).to_be_visible()
    assert page.locator("#player").get_attribute("src") is None
    page.click("#stop")
    expect(page.locator("#status")).to_have_text("已停止。")
    page.unroute("**/tts")

    page.locator("#pitch").fill("2")
    page.locator("#pitch").dispatch_event("change")
    page.locator("#volume").fill("-3")
    page.locator("#volume").dispatch_event("change")
    with page.expect_response(lambda r: r.url.endswith("/audio")) as encoded:   # the MP3 is the server's
        page.click("#speak")
        expect_done(page)
    assert encoded.value.headers["content-type"] == "audio/mpeg"
    assert page.locator("#download").get_attribute("download") == "语音-下载的名字要说明设置-baker-1.00x-音高+2-音量-3dB.mp3"
    visit.assert_clean()


@pytest.mark.parametrize("text", ['<speak>银行<break time="300ms"/>开门了</speak>', "银行{yin2 hang2}开门了"])
def test_a_download_is_named_by_what_is_said_not_by_its_markup(visit, text):
    page = visit.page
    visit.open()
    page.fill("#text", text)
    page.click("#speak")
    expect_done(page)
    assert page.locator("#download").get_attribute("download") == "语音-银行开门了-baker-1.00x.wav"
    visit.assert_clean()


@pytest.mark.parametrize(("text", "stem"), [("当x<5且y>3时", "当x5且y3时"), ("{通知}明天放假", "通知明天放假")])
def test_a_download_keeps_what_the_server_reads_as_text_not_markup(visit, text, stem):
    """Only `<speak`/`<?xml` text is SSML and only pinyin in braces is a reading: other <, > and braces are said."""
    page = visit.page
    visit.open()
    page.fill("#text", text)
    page.click("#speak")
    expect_done(page)
    assert page.locator("#download").get_attribute("download") == f"语音-{stem}-baker-1.00x.wav"
    visit.assert_clean()


def test_each_voice_shows_gender_and_description_and_previews_on_click(visit, server):
    page = visit.page
    visit.open()
    voices = {v["id"]: v for v in requests.get(f"{server.url}/v1/audio/voices", timeout=5).json()["voices"]}
    page.select_option("#voice", "baker")
    hint = page.locator("#voice-hint")
    expect(hint).to_have_text(voices["baker"]["description"].split(" / ")[0])
    assert "女声" in hint.text_content()
    page.select_option("#voice", "zm_yunjian")
    expect(hint).to_have_text(re.compile("^男声，低沉"))       # (and whether its model is loaded yet)

    page.select_option("#voice", "baker")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tts")) as sent:
        page.click("#preview")
    body = sent.value.post_data_json
    assert body["voice"] == "baker" and body["stream"] is True and "标贝" in body["text"]
    expect(page.locator("#status")).to_have_text(f"试听：{voices['baker']['name']}。")   # its name says 女声 already
    expect(page.locator("#history li")).to_have_count(0)           # a preview is not a result
    expect(page.locator("#download")).to_be_hidden()
    visit.assert_clean()


def test_stop_while_the_server_encodes_the_download_deletes_its_job_and_keeps_what_was_heard(visit):
    """停止 while the server makes the MP3 (the speech has all come, and may still be playing): the job is
    cancelled, and what was heard stays to replay and download, as WAV, as when the server cannot make it."""
    page = visit.page
    visit.open()
    page.select_option("#format", "mp3")
    page.fill("#text", "停止时，服务器上的任务也要取消。")
    held = []
    page.route(re.compile(r"/tts/jobs/[^/]+$"),                  # the job's first poll hangs; the DELETE goes through
               lambda route: held.append(route) if route.request.method == "GET" else route.continue_())
    page.click("#speak")
    expect(page.locator("#status")).to_have_text(re.compile("^正在准备 MP3 文件"))
    wait_for(page, lambda: held, "the page's poll of the job")   # that poll is held
    with page.expect_request(lambda r: r.method == "DELETE") as deleted:
        page.click("#stop")
    assert held and deleted.value.url == held[0].request.url   # the job the page was following
    answer = deleted.value.response()
    assert answer is not None and answer.status in (200, 202, 204, 404, 405, 409)   # 405 until DELETE is served
    expect(page.locator("#status")).to_have_text(re.compile(r"^已停止：MP3 文件没有准备，已合成的 \d+\.\d 秒语音存为 WAV。$"))
    expect(page.locator("#download")).to_have_attribute("download", re.compile(r"\.wav$"))
    expect(page.locator("#history li")).to_have_count(1)
    assert audio_state(page)["duration"] > 0
    visit.assert_clean(404, 405, 409)   # a server without DELETE (yet) answers 405: nothing to undo


def test_the_voice_hint_says_the_model_is_not_loaded_only_until_it_is(visit, server):
    """The hint's "not loaded yet, the first synthesis waits longer" is as the server says after each run,
    not as it said when the page was opened."""
    page = visit.page
    cold = requests.get(f"{server.url}/v1/audio/voices", timeout=5).json()
    for voice in cold["voices"]:
        voice["state"] = "declared"
    page.route("**/v1/audio/voices", lambda route: route.fulfill(json=cold), times=1)   # as the page opens
    visit.open()
    expect(page.locator("#voice")).to_have_value("baker")   # the first voice, chosen by no one
    expect(page.locator("#voice-hint")).to_contain_text("模型还没加载")
    page.fill("#text", "你好。")
    page.click("#speak")
    expect_done(page)
    expect(page.locator("#voice-hint")).not_to_contain_text("模型还没加载")
    visit.assert_clean()


def test_a_voice_without_speed_control_gets_neither_speed_nor_pitch(visit, server):
    page = visit.page
    listed = requests.get(f"{server.url}/v1/audio/voices", timeout=5).json()
    for v in listed["voices"]:   # the server's own list, as a server with such a voice (Sambert) lists it
        v["rate_control"] = v["id"] != "baker"
    page.route("**/v1/audio/voices", lambda route: route.fulfill(json=listed))
    visit.open()
    page.select_option("#voice", "baker")
    expect(page.locator("#speed")).to_be_disabled()
    expect(page.locator("#pitch")).to_be_disabled()
    expect(page.locator("#voice-hint")).to_contain_text("不能调节语速和音高")
    page.fill("#text", "这个声音只有一种语速。")
    with page.expect_request(lambda r: r.method == "POST" and r.url.endswith("/tts")) as sent:
        page.click("#speak")
    assert "speed" not in sent.value.post_data_json and "pitch" not in sent.value.post_data_json
    expect_done(page)
    page.select_option("#voice", "zm_yunxi")
    expect(page.locator("#speed")).to_be_enabled()
    visit.assert_clean()


def test_pieces_are_scheduled_back_to_back_and_odd_bytes_carried_over(visit):
    """The player's arithmetic, in Chromium's own Web Audio: every piece starts where the last one ends."""
    page = visit.page
    visit.open()
    result = page.evaluate("""async () => {
        const { PcmDecoder, StreamPlayer, pcm16 } = await import("/static/player.js");
        const tone = new Float32Array(24000).map((_, i) => Math.sin(i / 10) / 2);
        const bytes = pcm16(tone);
        const decoder = new PcmDecoder();
        const sound = new StreamPlayer(24000);          // no click here: it stays suspended, its clock at 0
        const decoded = [];
        for (const [from, to] of [[0, 4801], [4801, 4802], [4802, 20001], [20001, 48000]]) {
            const samples = decoder.decode(bytes.subarray(from, to));
            decoded.push(...samples);
            sound.push(samples);
        }
        sound.stop();
        const gaps = sound.segments.slice(1).map((s, i) => s.at - (sound.segments[i].at + sound.segments[i].seconds));
        const worst = Math.max(...decoded.map((x, i) => Math.abs(x - tone[i])));
        return { gaps, count: decoded.length, offsets: sound.segments.map((s) => s.offset), worst, seconds: sound.seconds };
    }""")
    assert result["count"] == 24000 and result["seconds"] == 1.0
    assert all(abs(gap) < 1e-9 for gap in result["gaps"]), result["gaps"]
    # 2400 samples + an odd byte; that byte and the next make one sample; 7599 + a byte; 14000
    assert result["offsets"] == pytest.approx([0, 2400 / 24000, 2401 / 24000, 10000 / 24000])
    assert result["worst"] <= 1 / 32768
    visit.assert_clean()


def test_a_server_still_loading_its_voices_is_waited_for_after_the_click(visit):
    """503 warming_up (what tts.errors.WarmingUp answers while the worker loads): the page says a model is
    loading and sends again after Retry-After. The first answer is that real error's shape, replayed,
    since a live server's warm-up is over too soon to click into reliably."""
    page = visit.page
    visit.open()
    page.fill("#text", "等模型加载好再读。")
    answers = []

    def warming_once(route):
        if route.request.method != "POST" or answers:
            route.continue_()
            return
        answers.append(503)
        route.fulfill(status=503, headers={"Retry-After": "1"}, json={"error": {
            "code": "warming_up", "message": "the server is still loading its voices; retry in a few seconds",
            "field": None}})

    page.route("**/tts", warming_once)
    page.click("#speak")
    expect(page.locator("#status")).to_have_text("正在加载模型…（服务器刚启动，稍后自动继续）")
    expect_done(page)
    assert answers == [503]
    visit.assert_clean(503)


def test_after_a_stall_the_player_buffers_longer_before_it_plays_on(visit):
    """A stream slower than real time: the next run starts with twice the slack (fewer gaps after)."""
    page = visit.page
    visit.open()
    page.evaluate("""() => {
        document.getElementById("preview").addEventListener("click", async (event) => {
            event.stopImmediatePropagation();                      // this click is the test's own gesture
            const { StreamPlayer } = await import("/static/player.js");
            const sound = new StreamPlayer(24000);
            await sound.resume();
            sound.push(new Float32Array(2400));                   // 0.1 s, then nothing for longer than that
            await new Promise((r) => setTimeout(r, 600));
            const before = sound.context.currentTime;
            sound.push(new Float32Array(2400));
            const runs = sound.segments.map((s) => s.at);
            window.stalled = { stalls: sound.stalls, lead: runs[1] - before, state: sound.context.state };
            sound.stop();
        }, { capture: true });
    }""")
    page.click("#preview")
    page.wait_for_function("() => window.stalled")
    stalled = page.evaluate("() => window.stalled")
    assert stalled["state"] == "running" and stalled["stalls"] == 1
    assert stalled["lead"] == pytest.approx(0.3, abs=0.03)       # 2 × the first slack of 0.15 s
    visit.assert_clean()


def every_error() -> list[dict]:
    """Every typed error the server answers with (tts/errors.py), as its JSON body says it."""
    import tts.errors as errors

    def subclasses(cls):
        for sub in cls.__subclasses__():
            yield sub
            yield from subclasses(sub)

    return [{"status": cls.status, "code": cls.code, "field": None} for cls in {errors.TTSError, *subclasses(errors.TTSError)}]


def test_every_error_code_and_field_the_server_has_reads_in_chinese(visit):
    page = visit.page
    visit.open()
    fields = [None, "Content-Type", *(f.name for f in TTS.fields), "body", "id", "misspelled"]
    said = page.evaluate("""async ({ errors, fields }) => {
        const { ApiError, describeError } = await import("/static/messages.js");
        const limits = { maxChars: 120, chars: 3, ranges: { speed: [0.25, 4] } };
        return fields.flatMap((field) => errors.map((e) => ({ code: e.code, field,
            ...describeError(new ApiError(e.status, { code: e.code, field, message: "server text" }, 3), limits) })));
    }""", {"errors": every_error(), "fields": fields})
    assert len(said) == len(fields) * len(every_error())
    for answer in said:
        assert re.search(r"[\u4e00-\u9fff]", answer["message"]), answer        # Chinese...
        assert "server text" not in answer["message"] and answer["detail"] == "server text", answer   # ...detail apart
        assert not re.search(r"\b(?:undefined|null)\b", answer["message"]), answer
    visit.assert_clean()


# ~6 s of speech, made in well under a second: it is still playing when the stream is done
PLAYS_ON = "今天天气很好，我们去公园散步吧。公园里有很多人，有的跑步，有的打太极拳。"


def test_the_status_stops_saying_it_plays_once_the_speech_has_played(visit):
    """"完成：… 正在播放" is true while the speech plays; once it has played, the status no longer says so,
    and 停止 goes off: a keyboard user's focus on it goes to 合成, not to the page's body."""
    page = visit.page
    visit.open()
    page.fill("#text", PLAYS_ON)
    page.click("#speak")
    expect_done(page)                                             # (said while the speech still plays)
    page.focus("#stop")
    expect(page.locator("#stop")).to_be_disabled(timeout=30_000)   # the live player has played it all
    expect(page.locator("#speak")).to_be_focused()
    expect(page.locator("#status")).to_have_text(re.compile(r"^完成：\d+\.\d 秒的语音。$"))
    expect(page.locator("#status")).to_have_class(re.compile(r"\bdone\b"))
    visit.assert_clean()


def test_a_preview_does_not_talk_over_the_result_being_replayed(visit):
    page = visit.page
    visit.open()
    page.fill("#text", PLAYS_ON)
    page.click("#speak")
    expect_done(page)
    page.click("#stop")                                           # the live playback: stopped
    page.evaluate("() => document.getElementById('player').play()")   # the result, replayed
    page.wait_for_function("() => !document.getElementById('player').paused")
    page.click("#preview")
    assert page.evaluate("() => document.getElementById('player').paused")   # one sound at a time
    expect(page.locator("#status")).to_have_text(re.compile("^试听："))
    visit.assert_clean()


@pytest.mark.parametrize("expected, said", [(4, "约 4 秒"), (0.0, "约 1 秒")])   # a short job is not "about 0 s"
def test_the_download_status_follows_its_job_from_the_queue_to_the_file(visit, expected, said):
    """While the server encodes the chosen format, the status says where the job is now: in the queue
    (its place), its turn come, the file on its way; never a place in the queue it has left."""
    page = visit.page
    visit.open()
    page.select_option("#format", "mp3")
    page.fill("#text", "你好。")

    def third_in_line(route):   # the new job's answer: third in line, as a busy server says it
        if not json.loads(route.request.post_data or "{}").get("async"):
            route.continue_()
            return
        job = route.fetch().json()
        route.fulfill(status=202, json={**job, "status": "queued", "position": 3, "expected_seconds": expected})

    polls, files = [], []
    page.route("**/tts", third_in_line)
    page.route(re.compile(r"/tts/jobs/[0-9a-f]+$"), lambda route: polls.append(route) if len(polls) < 2 else route.continue_())
    page.route(re.compile(r"/tts/jobs/[0-9a-f]+/audio$"), lambda route: files.append(route))
    page.click("#speak")
    expect(page.locator("#status")).to_have_text(f"正在准备 MP3 文件：排队第 3 位，{said}…")
    wait_for(page, lambda: polls, "the page's first poll of the job")
    job = polls[0].fetch().json()
    polls[0].fulfill(json={**job, "status": "running", "position": 0})   # its turn has come
    expect(page.locator("#status")).to_have_text("正在准备 MP3 文件…")
    wait_for(page, lambda: len(polls) >= 2, "the page's second poll of the job")
    polls[1].continue_()                                          # the server's own answer: done (or running)
    expect(page.locator("#status")).to_have_text("正在下载 MP3 文件…")
    wait_for(page, lambda: files, "the page's request for the file")
    files[0].continue_()
    expect_done(page)
    expect(page.locator("#download")).to_have_attribute("download", re.compile(r"\.mp3$"))
    visit.assert_clean()


def focused(page) -> str:
    return page.evaluate("() => document.activeElement.id || document.activeElement.tagName")


def test_the_keyboards_focus_comes_back_to_the_button_a_run_disabled(visit):
    """试听 and 停止 are disabled while they have the focus (a preview runs; the stop is done): a keyboard
    user's focus is not left on the page's body but put back on 试听, or on 合成 after 停止."""
    page = visit.page
    visit.open()
    page.focus("#preview")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text(re.compile("^试听："))
    expect(page.locator("#preview")).to_be_enabled()
    assert focused(page) == "preview"

    held = []
    page.route("**/tts", lambda route: held.append(route))    # the next run waits for the server
    page.fill("#text", "你好。")
    page.focus("#text")
    page.keyboard.press("Control+Enter")
    expect(page.locator("#stop")).to_be_enabled()
    page.focus("#stop")
    page.keyboard.press("Enter")
    expect(page.locator("#status")).to_have_text("已停止。")
    expect(page.locator("#speak")).to_be_enabled()
    assert focused(page) == "speak"
    assert not visit.page_errors


def test_a_past_result_cannot_be_made_again_while_a_run_is_on(visit):
    """重新合成 (a result from an earlier visit) puts its text in the form and synthesizes: while another run
    is on, it is off like 合成, instead of replacing the text under that run and doing nothing."""
    page = visit.page
    visit.open()
    page.fill("#text", "上次的结果。")
    page.click("#speak")
    expect_done(page)
    page.reload()
    again = page.get_by_role("button", name="重新合成：上次的结果。")
    expect(again).to_be_enabled()
    held = []
    page.route("**/tts", lambda route: held.append(route))    # the next run waits for the server
    page.fill("#text", "这次的文字。")
    page.click("#speak")
    expect(again).to_be_disabled()
    wait_for(page, lambda: held, "the page's POST /tts")
    held[0].continue_()
    expect_done(page)
    expect(again).to_be_enabled()
    expect(page.locator("#text")).to_have_value("这次的文字。")
    visit.assert_clean()


def test_two_tabs_of_the_page_keep_one_history_neither_losing_the_others_results(visit):
    page = visit.page
    visit.open()
    other = visit.context.new_page()
    other.goto(visit.server.url + "/")
    other.locator("#voice option:not([value=''])").first.wait_for(state="attached")
    for tab, said in ((page, "甲。"), (other, "乙。"), (page, "丙。")):
        tab.fill("#text", said)
        tab.click("#speak")
        expect_done(tab)
        for each in (page, other):                                # at once in both tabs (the `storage` event)
            expect(each.locator("#history .said").first).to_have_text(said)
    stored = page.evaluate("() => JSON.parse(localStorage.getItem('tts.history')).map((r) => r.text)")
    assert stored == ["丙。", "乙。", "甲。"]   # the other tab's result was not written over
    expect(page.locator("#history .said")).to_have_text(["丙。", "乙。", "甲。"])
    expect(page.get_by_role("button", name="重新合成：乙。")).to_be_visible()   # its audio is the other tab's
    visit.assert_clean()


@pytest.mark.parametrize("status", [502, 504])
def test_a_proxy_that_cannot_reach_the_server_is_said_to_be_so(visit, status):
    """Behind nginx (deploy/), a server that is down or restarting is the proxy's 502 or 504, an HTML page:
    the page says the server cannot be reached, as it does without a proxy, not that the server failed."""
    page = visit.page
    visit.open()
    page.route("**/tts", lambda route: route.fulfill(status=status, content_type="text/html",
                                                     body="<html><body>Bad Gateway</body></html>"))
    page.fill("#text", "你好。")
    page.click("#speak")
    expect(page.locator("#status")).to_have_text(f"代理无法连接服务器（HTTP {status}）：请确认服务器在运行，然后重试。")
    visit.assert_clean(status)


def test_a_voice_list_that_did_not_come_comes_with_the_next_run(visit, server):
    """The voices' list failed as the page opened (the server was restarting): the default voice works, and
    the run that finds the server back fills the voice choice, not only the page's memory of the list."""
    page = visit.page
    page.clock.install(time=0)
    page.clock.pause_at(1000)             # the page's own retries (timers) stand still: only the run can bring it
    refused = []
    page.route("**/v1/audio/voices", refuse_once(lambda route: route.abort(), refused))
    page.goto(server.url + "/")
    wait_for(page, lambda: refused, "the page's question for the voice list")
    expect(page.locator("#voice option")).to_have_count(1)   # 默认声音: the server's default
    page.fill("#text", "你好。")
    page.click("#speak")
    expect_done(page)
    listed = requests.get(f"{server.url}/v1/audio/voices", timeout=5).json()["voices"]
    expect(page.locator("#voice option")).to_have_count(len(listed))
    expect(page.locator("#voice")).to_have_value("baker")
    assert not visit.page_errors


def test_synthesize_is_off_until_the_pages_script_runs(visit, server):
    """On a slow network the page shows before its script has run: 合成 is off until then, else a click sends
    the form the browser's own way, a reload with the text in its URL (history, access logs) and no speech."""
    page = visit.page
    held = []
    page.route("**/static/app.js", lambda route: held.append(route))
    page.goto(server.url + "/", wait_until="commit")
    page.locator("#speak").wait_for(state="attached")
    wait_for(page, lambda: held, "the page's request for app.js")
    expect(page.locator("#speak")).to_be_disabled()
    held[0].continue_()
    expect(page.locator("#speak")).to_be_enabled()
    page.fill("#text", "你好。")
    page.click("#speak")
    expect_done(page)
    assert page.url == server.url + "/"
    assert not visit.page_errors


def from_an_earlier_visit(text: str, **fields) -> dict:
    """A history entry as the page stores it (its audio is not kept across visits)."""
    return {"text": text, "voice": "baker", "voiceName": "baker", "speed": 1, "pitch": 0, "volume": 0, "eco": False,
            "format": "wav", "seconds": 1.0, "omitted": 0, "id": "1", "at": 1, **fields}


def store_history(visit, *entries: dict) -> None:
    page = visit.page
    page.evaluate("(entries) => localStorage.setItem('tts.history', JSON.stringify(entries))", list(entries))
    page.reload()
    page.locator("#voice option:not([value=''])").first.wait_for(state="attached")


def test_the_keyboards_focus_stays_on_synthesize_after_a_past_result_is_made_again(visit):
    """重新合成 is disabled and then redrawn by its own run: the focus goes to 合成, not to the page's body."""
    page = visit.page
    visit.open()
    store_history(visit, from_an_earlier_visit("上次的结果。"))
    page.get_by_role("button", name="重新合成：上次的结果。").focus()
    page.keyboard.press("Enter")
    expect_done(page)
    expect(page.locator("#speak")).to_be_focused()
    assert not visit.page_errors


def test_a_stored_history_entry_of_another_shape_is_dropped_not_a_dead_page(visit):
    """localStorage outlives page versions (and can be edited): an entry whose fields are not what this page
    writes is left out, instead of throwing on every load with 合成 never switched on."""
    page = visit.page
    visit.open()
    store_history(visit, from_an_earlier_visit("好的条目。", id="2", at=2), from_an_earlier_visit("坏的条目。", format=5))
    expect(page.locator("#speak")).to_be_enabled()
    expect(page.locator("#status")).to_have_text("")
    expect(page.locator("#history .said")).to_have_text(["好的条目。"])
    visit.assert_clean()


def test_a_page_whose_script_did_not_load_says_so(visit, server):
    """A module that failed to load (a network error, a stale cache after a deploy): 合成 stays off, as it must
    (no native form submit), but the page says what to do instead of showing a dead button."""
    page = visit.page
    page.route("**/static/player.js", lambda route: route.abort())
    page.goto(server.url + "/")                                   # (until "load": the modules ran or failed)
    expect(page.locator("#speak")).to_be_disabled()
    expect(page.locator("#status")).to_have_text("页面加载中…如果一直这样，请刷新。")

