"""Access control (tts/web/access.py): Host names, API keys, the rate limit; all off by default."""

from __future__ import annotations

import socket

import openai as openai_sdk
import pytest

from live import LiveServer
from tts.config import Settings, SettingsError
from tts.web import create_app
from tts.web.access import ApiKeys, HostPolicy, RateLimiter

KEY, OTHER_KEY = "k" * 16 + "-first", "k" * 16 + "-second"
SPEECH = {"text": "你好。"}


@pytest.fixture()
def make_client(synthesizer):
    """A test client of an app with the given settings; its service is closed afterwards."""
    apps = []

    def make(**settings):
        app = create_app(Settings(**settings).validated(), synthesizer=synthesizer)
        app.config["TESTING"] = True
        assert app.extensions["tts.service"].wait_ready(60)
        apps.append(app)
        return app.test_client()

    yield make
    for app in apps:
        app.extensions["tts.service"].close()


def bearer(key: str) -> dict:
    return {"Authorization": f"Bearer {key}"}


# -- API keys ------------------------------------------------------------------------------
def test_without_keys_a_bearer_token_is_accepted_and_ignored(make_client):
    client = make_client()
    assert client.post("/tts", json=SPEECH, headers=bearer("sk-whatever-openai-clients-send")).status_code == 200


def test_with_keys_a_synthesis_needs_one_of_them(make_client):
    client = make_client(api_keys=f"{KEY}, {OTHER_KEY}")
    assert client.post("/tts", json=SPEECH, headers=bearer(KEY)).status_code == 200
    assert client.post("/tts", json=SPEECH, headers=bearer(OTHER_KEY)).status_code == 200


@pytest.mark.parametrize("headers", [{}, bearer("wrong-but-long-enough-key"), bearer(KEY[:-1]),
                                     {"Authorization": f"Basic {KEY}"}, {"Authorization": KEY}])
def test_a_missing_or_wrong_key_gets_the_same_401_without_detail(make_client, headers):
    response = make_client(api_keys=KEY).post("/tts", json=SPEECH, headers=headers)
    assert response.status_code == 401 and response.headers["WWW-Authenticate"] == "Bearer"
    assert response.get_json() == {"error": {"code": "unauthorized", "message": "a valid API key is required",
                                             "field": None}}


def test_with_keys_probes_the_page_and_the_docs_stay_open_and_the_rest_is_closed(make_client):
    client = make_client(api_keys=KEY)
    for path in ("/healthz", "/readyz", "/", "/static/app.js", "/docs", "/openapi.json"):
        assert client.get(path).status_code == 200, path
    for path in ("/metrics", "/v1/models", "/v1/audio/voices", "/tts/jobs/0123"):
        assert client.get(path).status_code == 401, path
    assert client.get("/metrics", headers=bearer(KEY)).status_code == 200


def test_openai_routes_answer_401_in_openais_shape(make_client):
    response = make_client(api_keys=KEY).post("/v1/audio/speech", json={"model": "tts-1", "input": "你好"})
    assert response.status_code == 401
    assert response.get_json()["error"]["type"] == "invalid_request_error"


@pytest.mark.parametrize("keys", ["short", f"{KEY},with space-but-long-enough", "ключ" * 8])
def test_weak_or_malformed_keys_fail_at_start(keys):
    with pytest.raises(SettingsError, match="TTS_API_KEYS"):
        Settings.from_env({"TTS_API_KEYS": keys})


def test_the_keys_never_reach_the_log_line_of_settings():
    described = Settings(api_keys=f"{KEY},{OTHER_KEY}").describe()
    assert KEY not in described and "api_keys=<2 keys>" in described


def test_a_key_is_compared_by_digest_against_every_key():
    keys = ApiKeys((KEY, OTHER_KEY))
    assert keys.match(f"Bearer {OTHER_KEY}") == "key 2" and keys.match(f"bearer  {KEY} ") == "key 1"
    assert keys.match("Bearer ") is None and keys.match("") is None and not ApiKeys(())


# -- Host names ----------------------------------------------------------------------------
@pytest.mark.parametrize("host", ["localhost", "localhost:8000", "app.localhost:8000", "127.0.0.1:8000",
                                  "[::1]:8000", "192.0.2.7", "LOCALHOST."])
def test_by_default_localhost_and_ip_addresses_are_served(make_client, host):
    assert make_client().post("/tts", json=SPEECH, headers={"Host": host}).status_code == 200


@pytest.mark.parametrize("path", ["/tts", "/", "/metrics", "/v1/models"])
def test_a_rebound_name_gets_421_before_anything_else(make_client, path):
    response = make_client(api_keys=KEY).open(path, method="POST" if path == "/tts" else "GET",
                                              json=SPEECH if path == "/tts" else None,
                                              headers={"Host": "attacker.example:8000", **bearer(KEY)})
    assert response.status_code == 421 and response.get_json()["error"]["code"] == "misdirected_request"


def test_probes_answer_whatever_name_they_are_called_by(make_client):
    client = make_client()
    assert client.get("/healthz", headers={"Host": "tts-1:8000"}).status_code == 200


@pytest.mark.parametrize("header, allowed", [
    ("tts.example.com", True), ("tts.example.com:443", True), ("TTS.Example.Com.", True),
    ("a.corp.example", True), ("corp.example", True), ("evilcorp.example", False),
    ("example.com", False), ("tts.example.com.evil.net", False), ("tts.example.com:x", False),
    ("[::1", False), ("", False),
])
def test_listed_names_and_subdomain_patterns(header, allowed):
    assert HostPolicy(("tts.example.com", ".corp.example")).allows(header) is allowed


def test_a_star_serves_any_name():
    assert HostPolicy(("*",)).allows("anything.example")


# -- rate limit ----------------------------------------------------------------------------
def test_a_client_past_its_burst_gets_429_with_retry_after(make_client):
    client = make_client(rate_limit_per_minute=6, rate_limit_burst=2)
    codes = [client.post("/tts", json=SPEECH).status_code for _ in range(3)]
    assert codes == [200, 200, 429]
    refused = client.post("/tts", json=SPEECH)
    assert refused.get_json()["error"]["code"] == "rate_limited" and 1 <= int(refused.headers["Retry-After"]) <= 10


def test_each_client_address_has_its_own_bucket_and_reads_cost_nothing(make_client):
    client = make_client(rate_limit_per_minute=1, rate_limit_burst=1)
    assert client.post("/tts", json=SPEECH, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    assert client.post("/tts", json=SPEECH, environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 429
    assert client.post("/tts", json=SPEECH, environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 200
    assert all(client.get("/v1/models", environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
               for _ in range(5))


def test_with_keys_the_bucket_is_the_keys(make_client):
    client = make_client(api_keys=f"{KEY},{OTHER_KEY}", rate_limit_per_minute=1, rate_limit_burst=1)
    assert client.post("/tts", json=SPEECH, headers=bearer(KEY), environ_base={"REMOTE_ADDR": "192.0.2.1"}).status_code == 200
    assert client.post("/tts", json=SPEECH, headers=bearer(KEY), environ_base={"REMOTE_ADDR": "192.0.2.2"}).status_code == 429
    assert client.post("/tts", json=SPEECH, headers=bearer(OTHER_KEY)).status_code == 200


def test_behind_a_trusted_proxy_the_forwarded_address_is_the_client(make_client):
    client = make_client(rate_limit_per_minute=1, rate_limit_burst=1, trusted_proxies=1)
    forwarded = lambda address: {"X-Forwarded-For": f"198.51.100.9, {address}"}   # noqa: E731
    assert client.post("/tts", json=SPEECH, headers=forwarded("192.0.2.1")).status_code == 200
    assert client.post("/tts", json=SPEECH, headers=forwarded("192.0.2.1")).status_code == 429
    assert client.post("/tts", json=SPEECH, headers=forwarded("192.0.2.2")).status_code == 200


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_the_bucket_refills_at_the_rate_up_to_the_burst():
    clock = Clock()
    limiter = RateLimiter(60, 3, clock=clock)   # one a second
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0]
    assert limiter.take("a") == pytest.approx(1.0)
    clock.now += 1.5
    assert limiter.take("a") == 0 and limiter.take("a") == pytest.approx(0.5)
    clock.now += 3600
    assert [limiter.take("a") for _ in range(3)] == [0, 0, 0] and limiter.take("a") > 0   # never above the burst


def test_the_table_of_clients_is_bounded_forgetting_the_least_recent():
    limiter = RateLimiter(60, 1, clock=Clock(), max_clients=3)
    for client in ("a", "b", "c", "a", "d"):
        limiter.take(client)
    assert len(limiter) == 3 and limiter.take("b") == 0   # b was forgotten: a fresh bucket
    assert limiter.take("a") > 0                            # a was seen recently: still empty


# -- against a live server -------------------------------------------------------------------
@pytest.fixture(scope="module")
def keyed_server():
    server = LiveServer(TTS_API_KEYS=KEY, TTS_RATE_LIMIT_PER_MINUTE="1", TTS_RATE_LIMIT_BURST="1")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


@pytest.mark.live
def test_the_openai_client_authenticates_with_the_key_and_sees_the_rate_limit(keyed_server):
    sdk = lambda key: openai_sdk.OpenAI(base_url=f"{keyed_server.url}/v1", api_key=key, max_retries=0)  # noqa: E731
    with pytest.raises(openai_sdk.AuthenticationError):
        sdk("wrong-but-long-enough-key").audio.speech.create(model="tts-1", voice="alloy", input="你好")
    audio = sdk(KEY).audio.speech.create(model="tts-1", voice="alloy", input="你好", response_format="wav")
    assert audio.content[:4] == b"RIFF"
    with pytest.raises(openai_sdk.RateLimitError):
        sdk(KEY).audio.speech.create(model="tts-1", voice="alloy", input="你好")


@pytest.mark.live
def test_a_refusal_before_the_body_is_read_closes_the_connection(keyed_server):
    with socket.create_connection(("127.0.0.1", keyed_server.port), timeout=10) as sock:
        sock.sendall(b"POST /tts HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                     b"Content-Length: 100000\r\n\r\n{")
        response = b""
        while chunk := sock.recv(65536):
            response += chunk
    assert response.startswith(b"HTTP/1.1 401 ") and b"Connection: close" in response
