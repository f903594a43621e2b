"""In Chromium: GET /docs (the vendored Swagger UI under the strict CSP) and GET /tts as an `<audio>` source."""


def test_docs_page_renders_every_route_without_a_csp_violation(visit):
    response = visit.page.goto(visit.server.url + "/docs")
    assert response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    operations = visit.page.locator(".opblock")
    operations.first.wait_for()
    paths = set(visit.page.locator(".opblock-summary-path").all_inner_texts())
    assert {"/v1/audio/speech", "/tts", "/v1/models/{model}", "/tts/jobs/{job_id}/audio"} <= {
        p.replace("\u200b", "") for p in paths}
    visit.assert_clean()   # no script error, no CSP report in the console, nothing fetched from elsewhere


def test_docs_page_shows_a_routes_fields_and_formats(visit):
    visit.page.goto(visit.server.url + "/docs")
    visit.page.locator(".opblock-summary-path", has_text="/v1/audio/speech").first.click()
    visit.page.get_by_text("response_format").first.wait_for()
    assert visit.page.get_by_text("audio/aac").count() >= 1
    visit.assert_clean()


def test_a_tts_url_plays_and_seeks_in_an_audio_element(visit):
    """GET /tts as `<audio src>`: Chromium reads its length, can seek anywhere (byte ranges), and plays."""
    visit.page.goto(visit.server.url + "/docs")
    state = visit.page.evaluate("""async () => {
        const audio = new Audio("/tts?" + new URLSearchParams({text: "春天来了，花儿都开了，小鸟在树上唱歌。", format: "mp3"}));
        audio.muted = true;
        await new Promise((ok, fail) => { audio.onloadedmetadata = ok; audio.onerror = () => fail(audio.error); });
        const end = audio.seekable.length ? audio.seekable.end(0) : 0;
        audio.currentTime = audio.duration * 0.75;
        await new Promise(ok => { audio.onseeked = ok; });
        await audio.play();
        return {duration: audio.duration, seekableEnd: end, at: audio.currentTime};
    }""")
    assert 2.5 < state["duration"] < 6
    # Seekable to the end: an MP3's length is estimated from its first frames and refined as more
    # is read, so the two agree within one frame (1152 samples at 24 kHz), not to the sample.
    assert abs(state["seekableEnd"] - state["duration"]) < 1152 / 24000
    assert state["at"] >= 0.7 * state["duration"]
    assert any("/tts?" in url for url in visit.requests)
    visit.assert_clean()
