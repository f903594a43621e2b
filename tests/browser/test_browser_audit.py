"""What a user audit of the page found (session 11): each test fails on the page as it was before, but
`test_a_server_that_dies_midway...`, which guards what the page already did right (the audit checked it)."""

from __future__ import annotations

import json
import re

import pytest
import requests
from playwright.sync_api import expect

from browsing import MAX_CHARS, Visit, wait_for
from live import LiveServer
from test_browser_page import PLAYS_ON, choose_a_retired_voice, expect_done, from_an_earlier_visit, store_history

pytestmark = pytest.mark.browser

NON_COMMERCIAL = "仅限非商业用途"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_an_off_stop_button_does_not_look_like_a_working_one(chromium, server, scheme):
    """停止 (and 试听) are secondary buttons: off, they are drawn in the muted colour, not the accent a working
    one has (`.secondary` used to win over `:disabled`, so only a grey border told them apart)."""
    visit = Visit(chromium, server, color_scheme=scheme)
    try:
        page = visit.page
        visit.open()
        expect(page.locator("#stop")).to_be_disabled()
        expect(page.locator("#preview")).to_be_enabled()
        colours = page.evaluate("""() => {
            const colour = (id) => getComputedStyle(document.getElementById(id)).color;
            const probe = document.createElement("span");
            probe.style.color = "var(--muted)";
            document.body.append(probe);
            return { stop: colour("stop"), preview: colour("preview"), muted: getComputedStyle(probe).color };
        }""")
        assert colours["stop"] != colours["preview"]
        assert colours["stop"] == colours["muted"]
    finally:
        visit.close()


def test_esc_stops_the_speech_from_the_text_box(visit):
    """A keyboard user stops with Esc where they are typing, as with 停止; the buttons say their keys."""
    page = visit.page
    visit.open()
    expect(page.locator("#speak")).to_have_attribute("aria-keyshortcuts", "Control+Enter")
    expect(page.locator("#stop")).to_have_attribute("aria-keyshortcuts", "Escape")
    page.fill("#text", PLAYS_ON)
    page.locator("#text").press("Control+Enter")
    expect(page.locator("#stop")).to_be_enabled()
    page.locator("#text").press("Escape")
    expect(page.locator("#status")).to_have_text(re.compile("^已停止"))
    expect(page.locator("#stop")).to_be_disabled()
    expect(page.locator("#speak")).to_be_enabled()
    expect(page.locator("#text")).to_be_focused()
    visit.assert_clean()


def test_esc_that_ends_an_input_methods_composition_in_webkit_does_not_stop(visit):
    """WebKit's keydown for the Esc that closes a pinyin candidate list has isComposing false and keyCode 229:
    that Esc belongs to the input method, not to 停止."""
    page = visit.page
    visit.open()
    page.fill("#text", PLAYS_ON)
    page.locator("#text").press("Control+Enter")
    expect(page.locator("#stop")).to_be_enabled()
    sent = page.evaluate("""() => {
        const event = new KeyboardEvent("keydown", { key: "Escape", keyCode: 229, bubbles: true, cancelable: true });
        const taken = !document.getElementById("text").dispatchEvent(event);
        return { keyCode: event.keyCode, composing: event.isComposing, taken,
                 stopOff: document.getElementById("stop").disabled };
    }""")
    assert sent == {"keyCode": 229, "composing": False, "taken": False, "stopOff": False}
    page.locator("#text").press("Escape")                       # the next Esc is the user's: it stops
    expect(page.locator("#status")).to_have_text(re.compile("^已停止"))
    visit.assert_clean()


def test_a_server_message_quoting_chinese_text_is_still_read_as_english(visit):
    """The server's messages are English; one that quotes the user's Chinese (a misplaced reading here) was
    marked lang="zh-CN" for its quote and read whole in a Chinese voice."""
    page = visit.page
    visit.open()
    page.fill("#text", "银 行{yin2 hang2}开门了")
    with page.expect_response(lambda r: r.url.endswith("/tts")) as answer:
        page.click("#speak")
    message = answer.value.json()["error"]["message"]
    assert answer.value.status == 400 and "银 行" in message
    expect(page.locator("#status-detail [lang=en]")).to_have_text(message)
    visit.assert_clean(400)


def test_a_polled_job_status_is_revalidated_with_its_etag(chromium):
    """An encoded download is an async job the page polls every 300 ms; with `cache: "no-store"` it never sent
    If-None-Match, so an unchanged status was sent whole each time. Now the browser revalidates each poll with
    the ETag it holds (the server answers 304 while nothing changed), and the run still ends as before."""
    server = LiveServer("tests/servers/faulty.py", TTS_LOG_LEVEL="WARNING", TTS_CACHE_MB="0", TTS_KOKORO="0",
                        TTS_SINGLEFLIGHT="0", FAULTY_HANG_SECONDS="10")   # the page's job waits its turn that long
    visit = Visit(chromium, server.wait_ready())
    try:
        page = visit.page
        visit.open()
        posted, polls = [], []

        def hold_async_posts(route):
            if route.request.method == "POST" and json.loads(route.request.post_data or "{}").get("async"):
                posted.append(route)
            else:
                route.continue_()
        page.route("**/tts", hold_async_posts)
        page.on("request", lambda r: r.method == "GET" and re.search(r"/tts/jobs/\w+$", r.url) and polls.append(r))
        page.select_option("#voice", "tone")
        page.select_option("#format", "mp3")
        page.fill("#text", "你好。")
        page.click("#speak")
        wait_for(page, lambda: posted, "the page's async job")
        holder = requests.post(f"{server.url}/tts", json={"text": "挂一下。", "voice": "tone", "async": True}, timeout=10)
        assert holder.status_code == 202, holder.text
        held = server.url + holder.json()["links"]["self"]
        wait_for(page, lambda: requests.get(held, timeout=10).json()["status"] == "running", "the worker to be held")
        posted[0].continue_()                                     # the page's job comes after the held phrase
        # A route turns the browser's HTTP cache off, and the page may poll before `unroute` is through (300 ms
        # after the 202, less than the round trip on a loaded runner): the polls answered meanwhile are not kept.
        # Any poll after one answered with the cache on revalidates; the job waits ~10 s, polled every 300 ms.
        page.unroute("**/tts")
        def revalidated():
            return [tag for poll in polls[1:] if (tag := poll.all_headers().get("if-none-match"))]
        wait_for(page, revalidated, "a poll of the job's status sent with If-None-Match")
        assert revalidated()[0].startswith('"'), revalidated()
        expect(page.locator("#status")).to_have_text(re.compile(r"^完成：\d+\.\d 秒的语音"), timeout=60_000)
        expect(page.locator("#download")).to_have_attribute("download", re.compile(r"\.mp3$"))
        visit.assert_clean()
    finally:
        visit.close()
        server.stop()


def test_a_hand_edited_slider_value_is_not_read_as_another(visit):
    """localStorage can be edited: "" is not 0 (an empty range input jumps to its middle, −9 dB) and "0x2" is not
    2 (an input that cannot parse it does the same); both leave the slider at its default."""
    page = visit.page
    visit.open()
    page.evaluate("""() => { localStorage.setItem("tts.volume", ""); localStorage.setItem("tts.speed", "0x2");
                            localStorage.setItem("tts.pitch", "高"); }""")
    page.reload()
    expect(page.locator("#volume-value")).to_have_text("0 dB")
    expect(page.locator("#speed-value")).to_have_text("1.00 倍")
    expect(page.locator("#pitch-value")).to_have_text("0 半音")
    page.evaluate("""() => localStorage.setItem("tts.speed", " 1.5 ")""")
    page.reload()
    expect(page.locator("#speed-value")).to_have_text("1.50 倍")   # a number with spaces is still that number
    visit.assert_clean()


def test_a_past_result_without_its_numbers_shows_none_rather_than_nan(visit):
    visit.open()
    entry = from_an_earlier_visit("旧的条目。")
    del entry["speed"], entry["seconds"]
    store_history(visit, entry)
    meta = visit.page.locator("#history li .hint")
    expect(meta).to_have_text("baker · WAV")
    visit.assert_clean()


def test_every_description_of_the_embedded_voice_says_its_licence_is_non_commercial(visit):
    """The Baker corpus is non-commercial: the voice list's hint says it, and so do the eco and 在本机合成
    switches, which describe that voice (they speak with it only)."""
    page = visit.page
    visit.open()
    page.select_option("#voice", "baker")
    for hint in ("#voice-hint", "#eco-hint", "#local-hint"):
        expect(page.locator(hint)).to_contain_text(NON_COMMERCIAL)
    # eco's promise as it is kept: 16 kHz from the server, 24 kHz when this browser makes the audio
    expect(page.locator("#eco-hint")).to_contain_text("由服务器合成时输出 16 kHz 音频")
    expect(page.locator("#eco-hint")).to_contain_text("在本机合成时在本浏览器里以 24 kHz 生成")
    visit.assert_clean()


def live_region(visit, selector: str):
    """How the browser's accessibility tree exposes an element to screen readers as a live region (None: not one)."""
    cdp = visit.context.new_cdp_session(visit.page)
    root = cdp.send("DOM.getDocument")["root"]["nodeId"]
    node = cdp.send("DOM.querySelector", {"nodeId": root, "selector": selector})["nodeId"]
    ax = cdp.send("Accessibility.getPartialAXTree", {"nodeId": node, "fetchRelatives": False})["nodes"][0]
    return {p["name"]: p["value"].get("value") for p in ax.get("properties", [])}.get("live")


def test_a_slider_says_its_value_once_not_again_from_its_output(visit):
    """A slider speaks its own value (aria-valuetext); the <output> beside it is an implicit live region
    (role status), so each arrow key was said twice. The page's live regions are its status lines only."""
    page = visit.page
    visit.open()
    assert live_region(visit, "#status") == "polite"
    assert live_region(visit, "#local-note") == "polite"
    for name in ("speed", "pitch", "volume"):
        assert live_region(visit, f"#{name}-value") in (None, "off")
    page.locator("#speed").press("ArrowRight")
    expect(page.locator("#speed")).to_have_attribute("aria-valuetext", "1.05 倍")
    expect(page.locator("#speed-value")).to_have_text("1.05 倍")   # still shown, only not said twice
    visit.assert_clean()


COUNT_FRAMES = """(() => {   // counts the page's requests for an animation frame; window.frames(n) waits n frames uncounted
    const ask = window.requestAnimationFrame.bind(window);
    window.frameRequests = 0;
    window.requestAnimationFrame = (callback) => { window.frameRequests += 1; return ask(callback); };
    window.framesAsked = async (n) => {
        const before = window.frameRequests;
        for (let i = 0; i < n; i += 1) await new Promise((next) => ask(next));
        return window.frameRequests - before;
    };
})()"""


def test_a_refused_run_leaves_no_frame_loop_running(visit):
    """The captions follow the clock every frame while a run is on; a run refused before its first audio
    never said "tts:end", so the idle page kept asking for a frame 60 times a second until the next run
    had played (a busy renderer, against eco's point). Counted in frames, not seconds."""
    page = visit.page
    page.add_init_script(COUNT_FRAMES)
    visit.open()
    choose_a_retired_voice(page)
    page.click("#speak")
    expect(page.locator("#status")).to_have_text("服务器没有这个声音，请重新选择。")
    assert page.evaluate("() => window.framesAsked(10)") == 0
    visit.assert_clean(400)


def test_a_server_that_dies_midway_is_said_to_have_cut_the_speech(chromium):
    """The server killed while it streams (a crash, an OOM kill): the page says in Chinese that the connection
    broke and the speech is incomplete, 停止 goes off and 合成 comes back; nothing half-made is kept."""
    server = LiveServer("tests/servers/faulty.py", TTS_LOG_LEVEL="WARNING", TTS_CACHE_MB="0", TTS_KOKORO="0",
                        FAULTY_HANG_SECONDS="600")   # the second phrase holds until the kill, however slow the run
    visit = Visit(chromium, server.wait_ready())
    try:
        page = visit.page
        visit.open()
        page.select_option("#voice", "tone")
        page.fill("#text", "你好。挂一下。")                   # a phrase, then one the tone voice holds till the kill
        page.click("#speak")
        expect(page.locator("#status")).to_have_text("正在合成，边合成边播放…", timeout=20_000)   # the first phrase plays
        server.process.kill()
        server.process.wait(30)
        expect(page.locator("#status")).to_have_text("连接中断，语音没有收全：请确认服务器在运行，然后重试。")
        expect(page.locator("#status")).to_have_class(re.compile(r"\berror\b"))
        expect(page.locator("#stop")).to_be_disabled()
        expect(page.locator("#speak")).to_be_enabled()
        expect(page.locator("#history li")).to_have_count(0)
        assert not visit.page_errors
    finally:
        visit.close()
        server.stop()


def test_a_result_made_while_an_older_one_is_replayed_waits_for_the_replay_to_end(visit):
    """播放 on a past result while a new one is made: the new one used to take the player as it landed, cutting
    the replay off, and (its live sound silenced by the replay) was said and kept as "0.0 秒". Now the replay
    plays on, the new result is counted whole, and it comes into the player once the replay pauses."""
    page = visit.page
    visit.open()
    page.fill("#text", PLAYS_ON)
    page.click("#speak")
    expect_done(page)
    page.click("#stop")
    held = []
    page.route("**/tts", lambda route: held.append(route))       # the next run's answer waits for the test
    page.fill("#text", "春天来了。")
    page.click("#speak")
    wait_for(page, lambda: held, "the new run's request")
    page.get_by_role("button", name=re.compile("^播放")).click()   # the past result, replayed (looping: it never ends)
    page.evaluate("() => { document.getElementById('player').loop = true; }")
    page.wait_for_function("() => !document.getElementById('player').paused")
    replayed = page.locator("#player").get_attribute("src")
    held[0].fulfill(response=held[0].fetch())
    expect(page.locator("#history li")).to_have_count(2)
    said = page.locator("#status").text_content()
    assert re.fullmatch(r"完成：\d+\.\d 秒的语音。", said) and said != "完成：0.0 秒的语音。", said
    assert page.locator("#player").get_attribute("src") == replayed
    assert not page.evaluate("() => document.getElementById('player').paused")   # the replay plays on
    page.evaluate("() => document.getElementById('player').pause()")
    expect(page.locator("#download")).to_have_attribute("download", re.compile("^语音-春天来了"))
    assert page.locator("#player").get_attribute("src") != replayed
    visit.assert_clean()


def test_the_player_is_shown_only_with_a_result_in_it(visit):
    """An empty <audio controls> was two tab stops of controls that do nothing, read by a screen reader as
    "Unable to play media."; it now appears with the first result and goes while a new one is made."""
    page = visit.page
    visit.open()
    expect(page.locator("#player")).to_be_hidden()
    page.focus("#speak")
    page.keyboard.press("Tab")                                    # 停止 is off: nothing else to reach in the form
    assert page.evaluate("() => document.activeElement.id") != "player"
    page.fill("#text", "你好。")
    page.click("#speak")
    expect_done(page)
    expect(page.locator("#player")).to_be_visible()
    held = []
    page.route("**/tts", lambda route: held.append(route))       # the next run, held before its answer
    page.click("#speak")
    wait_for(page, lambda: held, "the new run's request")
    expect(page.locator("#player")).to_be_hidden()
    held[0].fulfill(response=held[0].fetch())
    expect_done(page)
    expect(page.locator("#player")).to_be_visible()
    visit.assert_clean()


def test_typing_past_the_limit_is_said_at_once_and_once(visit):
    """Going over the limit only turned the count red: a screen reader user heard nothing until 合成. Now the
    status says it when the limit is crossed, keeps saying it while the text is too long, and goes after."""
    page = visit.page
    visit.open()
    page.fill("#text", "好" * MAX_CHARS)
    expect(page.locator("#status")).to_have_text("")
    page.locator("#text").press("End")
    page.keyboard.type("多")
    said = f"文字超过了 {MAX_CHARS} 字的上限：请删去一些或分段合成。"
    expect(page.locator("#status")).to_have_text(said)
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")
    page.keyboard.type("些")                                      # still too long: still said, the mark stays
    expect(page.locator("#count")).to_have_text(f"{MAX_CHARS + 2} / {MAX_CHARS} 字，超出 2 字")
    expect(page.locator("#status")).to_have_text(said)
    expect(page.locator("#text")).to_have_attribute("aria-invalid", "true")
    page.keyboard.press("Backspace")
    page.keyboard.press("Backspace")                              # within the limit again
    expect(page.locator("#status")).to_have_text("")
    expect(page.locator("#text")).not_to_have_attribute("aria-invalid", "true")
    visit.assert_clean()



def test_speak_held_down_or_double_clicked_is_one_run(visit):
    """A run served fast (a warm voice, the cache) could be over before the key's auto-repeat or the second
    click of a double click came: each made another run, cutting the first one's playback off. Held keys and
    a double click are one press; the repeat and the second click here come after the first run is done."""
    page = visit.page
    visit.open()
    posts = []
    page.on("response", lambda r: r.request.method == "POST" and r.url.endswith("/tts") and posts.append(r.status))
    page.fill("#text", "你好。")
    page.locator("#text").focus()
    page.keyboard.down("Control")
    page.keyboard.down("Enter")
    expect_done(page)
    page.keyboard.down("Enter")                                   # held: a repeat
    page.keyboard.up("Enter")
    page.keyboard.up("Control")
    page.locator("#speak").scroll_into_view_if_needed()
    box = page.locator("#speak").bounding_box()
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    page.mouse.down(click_count=1)
    page.mouse.up(click_count=1)
    expect(page.locator("#history li")).to_have_count(2)
    expect_done(page)
    page.mouse.down(click_count=2)                                # the double click's second click
    page.mouse.up(click_count=2)
    page.locator("#text").press("Control+Enter")                 # a press of its own: a run of its own
    expect(page.locator("#history li")).to_have_count(3)
    expect_done(page)
    assert posts == [200, 200, 200], posts
    visit.assert_clean()
