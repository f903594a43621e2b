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


@pytest.mark.parametrize("origins", ["app.example.com", "https://app.example.com/page", "ftp://x"])
def test_an_origin_that_is_no_origin_is_a_settings_error(origins):
    with pytest.raises(SettingsError, match="TTS_CORS_ORIGINS"):
        Settings(cors_origins=origins).validated()
