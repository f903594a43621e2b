"""Web pages of other origins: refused unless TTS_CORS_ORIGINS lists them; then a preflight is answered
before any key is asked for, and every answer says it may be read, our headers included."""

from __future__ import annotations

import pytest

from fakes import tone_app
from tts.config import Settings, SettingsError

KEY = "k" * 24
PAGE = "https://app.example.com"
PREFLIGHT = {"Origin": PAGE, "Access-Control-Request-Method": "POST",
             "Access-Control-Request-Headers": "authorization, content-type"}


@pytest.fixture(name="client", scope="module")
def cors_client():
    with tone_app(cors_origins=f"{PAGE}, http://localhost:5173", api_keys=KEY) as app:
        yield app.test_client()


def test_a_preflight_from_a_listed_origin_is_answered_without_a_key(client):
    """Browsers send no Authorization with a preflight: it was a 401, so no page could call the API."""
    response = client.options("/v1/audio/speech", headers=PREFLIGHT)
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == PAGE
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert {"authorization", "content-type"} <= allowed and "POST" in response.headers["Access-Control-Allow-Methods"]
    assert "Access-Control-Allow-Credentials" not in response.headers


# what a browser's preflight asks for before OpenAI's JS client (openai-node 4.x/5.x) posts: its own headers
OPENAI_NODE = ("accept, authorization, content-type, x-stainless-arch, x-stainless-lang, x-stainless-os, "
               "x-stainless-package-version, x-stainless-retry-count, x-stainless-runtime, "
               "x-stainless-runtime-version, x-stainless-timeout")


def test_a_preflight_allows_the_headers_openais_js_client_sends(client):
    """A fixed list was allowed: the browser refused every request of the OpenAI JS SDK before sending it."""
    response = client.options("/v1/audio/speech", headers={**PREFLIGHT, "Access-Control-Request-Headers": OPENAI_NODE})
    allowed = {h.strip().lower() for h in response.headers["Access-Control-Allow-Headers"].split(",")}
    assert response.status_code == 204 and {h.strip() for h in OPENAI_NODE.split(",")} <= allowed


@pytest.mark.parametrize("requested", [", ".join(f"x-h{n}" for n in range(65)), "x-ok, bad header", "x-ok, a\tb",
                                       "x-" + "a" * 70])
def test_a_preflight_asking_for_too_many_or_malformed_headers_gets_only_ours(client, requested):
    response = client.options("/v1/audio/speech", headers={**PREFLIGHT, "Access-Control-Request-Headers": requested})
    allowed = [h.strip() for h in response.headers["Access-Control-Allow-Headers"].split(",")]
    assert response.status_code == 204 and "Authorization" in allowed and not any(
        h.lower().startswith("x-h") or h.lower().startswith("x-ok") or len(h) > 64 for h in allowed)


def test_star_without_keys_is_warned_about_at_start(caplog):
    with caplog.at_level("WARNING", logger="tts.web.cors"), tone_app(cors_origins="*"):
        pass
    assert any("without API keys" in record.getMessage() for record in caplog.records)


def test_star_with_keys_or_listed_origins_without_keys_is_not_warned_about(caplog):
    with caplog.at_level("WARNING", logger="tts.web.cors"), tone_app(cors_origins="*", api_keys=KEY), \
            tone_app(cors_origins=PAGE):
        pass
    assert not [record for record in caplog.records if record.name == "tts.web.cors"]


def test_an_answer_to_a_listed_origin_may_be_read_with_its_headers(client):
    response = client.post("/tts", json={"text": "你好。", "voice": "tone"}, headers={
        "Origin": PAGE, "Authorization": f"Bearer {KEY}"})
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == PAGE
    exposed = response.headers["Access-Control-Expose-Headers"]
    assert "X-Sample-Rate" in exposed and "X-Request-ID" in exposed and "Origin" in response.headers["Vary"]


def test_an_error_to_a_listed_origin_may_be_read_too(client):
    """A page must be able to show why (here: no key)."""
    response = client.post("/tts", json={"text": "你好。"}, headers={"Origin": PAGE})
    assert response.status_code == 401 and response.headers["Access-Control-Allow-Origin"] == PAGE


def test_another_origin_gets_no_cors_headers(client):
    preflight = client.options("/v1/audio/speech", headers={**PREFLIGHT, "Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in preflight.headers
    response = client.get("/healthz", headers={"Origin": "https://evil.example"})
    assert "Access-Control-Allow-Origin" not in response.headers


def test_without_the_setting_no_answer_carries_cors_headers():
    with tone_app() as app:
        client = app.test_client()
        response = client.options("/tts", headers=PREFLIGHT)
        assert "Access-Control-Allow-Origin" not in response.headers
        assert "Access-Control-Allow-Origin" not in client.get("/healthz", headers={"Origin": PAGE}).headers


def test_any_origin_is_star():
    with tone_app(cors_origins="*") as app:
        response = app.test_client().get("/healthz", headers={"Origin": "https://anyone.example"})
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("origins", ["app.example.com", "https://app.example.com/page", "ftp://x", "https://",
                                     "https://user@app.example.com", "https://app.example.com?x",
                                     "https://app.example.com#f", "https://app.example.com:99999"])
def test_an_origin_that_is_no_origin_is_a_settings_error(origins):
    """The last five passed, and could never match the Origin a browser sends."""
    with pytest.raises(SettingsError, match="TTS_CORS_ORIGINS"):
        Settings(cors_origins=origins).validated()


@pytest.mark.parametrize("listed, sent", [("https://app.example.com:443", "https://app.example.com"),
                                          ("HTTP://Localhost:80/", "http://localhost"),
                                          ("https://bücher.example", "https://xn--bcher-kva.example")])
def test_an_origin_is_listed_as_a_browser_sends_it(listed, sent):
    """A default port or a Unicode host name was kept as written: the browser's Origin never matched it."""
    with tone_app(cors_origins=listed) as app:
        response = app.test_client().get("/healthz", headers={"Origin": sent})
    assert response.headers["Access-Control-Allow-Origin"] == sent
