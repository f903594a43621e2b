"""The served OpenAPI document against the server's real behaviour, and the README against the declaration.

Every status code the document lists for a route is produced by a real request here, and
the answer is held to the document (media type, JSON schema, typed headers). Every request
field is tried with values the document accepts (the server must too) and values it refuses
(the server must answer 400 naming that field).
"""

from __future__ import annotations

import threading

import pytest
from jsonschema import Draft202012Validator

from contract import drain, serving
from tts.config import Settings
from tts.request import CAPTIONED, HIDDEN, OPENAI, TTS, URL
from tts.synthesizer import Synthesizer
from tts.engines.lifecycle import ManagedEngine
from tts.web import create_app, shutdown
from tts.web.openapi import openapi_document, readme_formats, readme_table
from helpers import ROOT

SETTINGS = Settings(queue_size=1, max_text_chars=3000)
LONG = "今天天气很好，我们去公园散步吧。" * 150          # ~40 s of work: still running when we look
BASES = {"/tts": {"text": "你好。"}, "/v1/audio/speech": {"model": "tts-1", "voice": "alloy", "input": "你好。"},
         "/tts/hidden": {"text": "你好。"}, "/dev/captioned_speech": {"input": "你好。"}}
REQUESTS = {"/tts": "TTSRequest", "/v1/audio/speech": "OpenAISpeechRequest", "/tts/hidden": "HiddenRequest",
            "/dev/captioned_speech": "CaptionedSpeechRequest"}


@pytest.fixture(scope="module")
def app(engines):
    """A server whose queue holds one request, so a second one meets a full queue."""
    with serving(engines, SETTINGS) as app:
        yield app


@pytest.fixture()
def client(app):
    return app.test_client()


def long_job(app, client) -> str:
    """An async job that keeps the only queue slot busy; cancelled by `release`."""
    response = client.post("/tts", json={"text": LONG, "async": True})
    assert response.status_code == 202
    return response.get_json()["id"]


def release(app, job_id: str) -> None:
    app.extensions["tts.service"].jobs.get(job_id).cancel()
    drain(app)


def finished_job(app, client) -> str:
    job_id = client.post("/tts", json={"text": "你好。", "async": True}).get_json()["id"]
    drain(app)
    return job_id


def while_busy(app, client, send):
    job_id = long_job(app, client)
    try:
        return send()
    finally:
        release(app, job_id)


def not_ready(engines):
    """/readyz of a server whose voice is still loading."""
    loaded = threading.Event()
    embedded = engines["embedded"]
    slow = ManagedEngine(embedded.info, lambda: (loaded.wait(30), embedded.model())[1], preload=True)
    app = create_app(SETTINGS, synthesizer=Synthesizer({**engines, "embedded": slow}))
    try:
        return app.test_client().get("/readyz")
    finally:
        loaded.set()
        app.extensions["tts.service"].wait_ready(60)
        shutdown(app)


def read_to_end(app, response):
    response.get_data()
    drain(app)
    return response


def synthesis_examples(path: str) -> dict:
    base = BASES[path]
    return {
        "200": lambda app, c: c.post(path, json=base),
        "400": lambda app, c: c.post(path, json={**base, "speed": 9}),
        "413": lambda app, c: c.post(path, data=b"{" + b" " * SETTINGS.max_body_bytes + b"}",
                                     content_type="application/json"),
        "415": lambda app, c: c.post(path, data=b"{}", content_type="text/plain"),
        "422": lambda app, c: c.post(path, json={**{k: v for k, v in base.items() if k not in ("text", "input")},
                                                 ("input" if "input" in base else "text"): "啊" * 2500, "speed": 0.25}),
        "503": lambda app, c: while_busy(app, c, lambda: c.post(path, json=base)),
        **keyed_and_metered(lambda app, c: c.post(path, json=base)),
    }


def get(path: str, headers: dict | None = None, **query):
    """A GET whose query is `query` (values as a URL writes them)."""
    return lambda app, c: c.get(path, query_string={"text": "你好。", **query}, headers=headers or {})


def etag_then(app, c, headers: dict):
    """GET /tts once for its ETag, then again with `headers` naming it."""
    etag = c.get("/tts", query_string={"text": "你好。"}).headers["ETag"]
    return c.get("/tts", query_string={"text": "你好。"}, headers={k: v.format(etag=etag) for k, v in headers.items()})


def on_an_app(settings: Settings, request, times: int = 1):
    """`request` sent `times` times to an app of its own with `settings` (the last answer)."""
    def send(app, c):
        engines = app.extensions["tts.service"].synthesizer.engines
        with serving(engines, settings) as other:
            client = other.test_client()
            return [request(other, client) for _ in range(times)][-1]
    return send


def on_a_small_budget(request):
    """`request` to an app whose requests may make one second of audio (for a reachable 422)."""
    return on_an_app(Settings(max_audio_seconds=1), request)


KEYED = Settings(api_keys="k" * 32)
METERED = Settings(rate_limit_per_minute=1, rate_limit_burst=1)


def keyed_and_metered(send) -> dict:
    """401 and 429 examples for a synthesis route."""
    return {"401": on_an_app(KEYED, send), "429": on_an_app(METERED, send, times=2)}


def expired_job(app, c) -> str:
    """A finished job's id once its TTL has passed (its finish moved back past it)."""
    job_id = finished_job(app, c)
    jobs = app.extensions["tts.service"].jobs
    jobs.get(job_id).finished -= jobs.ttl + 1
    return job_id


def job_audio(headers: dict):
    return lambda app, c: c.get(f"/tts/jobs/{finished_job(app, c)}/audio", headers=headers)


EXAMPLES = {
    ("/tts", "get"): {
        "200": get("/tts"),
        "206": get("/tts", {"Range": "bytes=0-99"}),
        "304": lambda app, c: etag_then(app, c, {"If-None-Match": "{etag}"}),
        "400": get("/tts", speed="fast"),
        "416": get("/tts", {"Range": "bytes=99999999-"}),
        "422": on_a_small_budget(get("/tts", text="今天天气很好，我们去公园散步吧。" * 4)),
        "503": lambda app, c: while_busy(app, c, lambda: get("/tts")(app, c)),
        **keyed_and_metered(get("/tts"))},
    ("/v1/models/{model}", "get"): {
        "200": lambda app, c: c.get("/v1/models/tts-1"),
        "404": lambda app, c: c.get("/v1/models/whisper-1")},
    ("/tts", "post"): {**synthesis_examples("/tts"),
                       "202": lambda app, c: (c.post("/tts", json={"text": "你好。", "async": True}), drain(app))[0]},
    ("/v1/audio/speech", "post"): synthesis_examples("/v1/audio/speech"),
    ("/dev/captioned_speech", "post"): synthesis_examples("/dev/captioned_speech"),
    ("/tts/jobs/{job_id}/captions", "get"): {
        "200": lambda app, c: c.get(f"/tts/jobs/{finished_job(app, c)}/captions?format=vtt"),
        "304": lambda app, c: (lambda url: c.get(url, headers={"If-None-Match": c.get(url).headers["ETag"]}))(
            f"/tts/jobs/{finished_job(app, c)}/captions"),
        "400": lambda app, c: c.get(f"/tts/jobs/{finished_job(app, c)}/captions?format=ass"),
        "404": lambda app, c: c.get("/tts/jobs/0123456789abcdef0123456789abcdef/captions"),
        "410": lambda app, c: c.get(f"/tts/jobs/{expired_job(app, c)}/captions"),
        "409": lambda app, c: (lambda job: (c.get(f"/tts/jobs/{job}/captions"), release(app, job))[0])(long_job(app, c))},
    ("/tts/hidden", "post"): {**synthesis_examples("/tts/hidden"),   # a stream: read it to the end before the next
                           "200": lambda app, c: read_to_end(app, c.post("/tts/hidden", json=BASES["/tts/hidden"]))},
    ("/vocoder/manifest.json", "get"): {"200": lambda app, c: c.get("/vocoder/manifest.json")},
    ("/vocoder/{key}/{name}", "get"): {
        "200": lambda app, c: c.get(c.get("/vocoder/manifest.json").get_json()["models"]["tail"]),
        "404": lambda app, c: c.get("/vocoder/0123456789abcdef/mb_melgan_tail.onnx")},
    ("/tts/jobs/{job_id}", "get"): {
        "200": lambda app, c: c.get(f"/tts/jobs/{finished_job(app, c)}"),
        "304": lambda app, c: (lambda url: c.get(url, headers={"If-None-Match": c.get(url).headers["ETag"]}))(
            f"/tts/jobs/{finished_job(app, c)}"),
        "404": lambda app, c: c.get("/tts/jobs/0123456789abcdef0123456789abcdef"),
        "410": lambda app, c: c.get(f"/tts/jobs/{expired_job(app, c)}")},
    ("/tts/jobs/{job_id}", "delete"): {
        "204": lambda app, c: (c.delete(f"/tts/jobs/{long_job(app, c)}"), drain(app))[0],
        "404": lambda app, c: c.delete("/tts/jobs/0123456789abcdef0123456789abcdef"),
        "410": lambda app, c: c.delete(f"/tts/jobs/{expired_job(app, c)}")},
    ("/tts/jobs/{job_id}/audio", "get"): {
        "200": job_audio({}),
        "206": job_audio({"Range": "bytes=-10"}),
        "304": lambda app, c: (lambda url: c.get(url, headers={"If-None-Match": c.get(url).headers["ETag"]}))(
            f"/tts/jobs/{finished_job(app, c)}/audio"),
        "416": job_audio({"Range": "bytes=99999999-"}),
        "404": lambda app, c: c.get("/tts/jobs/0123456789abcdef0123456789abcdef/audio"),
        "410": lambda app, c: c.get(f"/tts/jobs/{expired_job(app, c)}/audio"),
        "409": lambda app, c: (lambda job: (c.get(f"/tts/jobs/{job}/audio"), release(app, job))[0])(long_job(app, c))},
    ("/v1/audio/voices", "get"): {"200": lambda app, c: c.get("/v1/audio/voices")},
    ("/v1/models", "get"): {"200": lambda app, c: c.get("/v1/models")},
    ("/healthz", "get"): {"200": lambda app, c: c.get("/healthz")},
    ("/readyz", "get"): {"200": lambda app, c: c.get("/readyz")},
    ("/metrics", "get"): {"200": lambda app, c: c.get("/metrics")},
    ("/docs", "get"): {"200": lambda app, c: c.get("/docs")},
    ("/openapi.json", "get"): {"200": lambda app, c: c.get("/openapi.json")},
    ("/", "get"): {"200": lambda app, c: c.get("/")},
}
DOCUMENTED = [(path, method, status) for path, item in openapi_document(SETTINGS)["paths"].items()
              for method, operation in item.items() for status in operation["responses"]]


def test_every_schema_in_the_document_is_valid_json_schema(contract):
    for name, schema in contract.spec["components"]["schemas"].items():
        Draft202012Validator.check_schema(schema)


SEPARATE = {("/readyz", "get", "503"), ("/healthz", "get", "503")}   # each needs an app of its own (below)


@pytest.mark.parametrize("path, method, status", [d for d in DOCUMENTED if d not in SEPARATE])
def test_every_documented_answer_is_given_as_documented(app, client, contract, path, method, status):
    example = EXAMPLES.get((path, method), {}).get(status)
    assert example, f"no example request for {method.upper()} {path} → {status}: add one"
    response = example(app, client)
    assert response.status_code == int(status), response.get_data()[:300]
    contract.check(path, method, response)


def test_readiness_while_the_voice_loads_is_a_documented_503(engines, contract):
    response = not_ready(engines)
    assert response.status_code == 503
    contract.check("/readyz", "get", response)


def test_the_document_states_this_servers_limits(contract):
    body = contract.spec["components"]["schemas"]["TTSRequest"]
    assert body["properties"]["text"]["maxLength"] == SETTINGS.max_text_chars
    assert body["properties"]["voice"]["default"] == SETTINGS.default_voice


def accepted_values(prop: dict) -> list:
    """Values the document accepts for one field (text-like fields keep their base value)."""
    values = [v for v in prop.get("enum", []) if v is not None]
    if "minimum" in prop:
        low, high = prop["minimum"], prop["maximum"]
        values += [low, high, (low + high) // 2 if "integer" in prop["type"] else (low + high) / 2]
        if "integer" in prop["type"]:
            values.append(float(high))   # a whole number written with a fraction
    if "boolean" in prop["type"]:
        values += [True, False]
    if prop.get("maxLength") and "pattern" not in prop:
        values.append("x" * prop["maxLength"])
    if "null" in prop["type"]:
        values.append(None)
    return values


def refused_values(prop: dict) -> list:
    """Values the document refuses for one field."""
    kind = prop["type"][0] if isinstance(prop["type"], list) else prop["type"]
    values = [{"string": 5, "number": "1", "integer": 1.5, "boolean": 1}[kind], ["a list"], {"an": "object"}]
    if "enum" in prop:
        values.append("nope" if kind == "string" else 12345)
    if "minimum" in prop:
        step = 1 if kind == "integer" else 0.01
        values += [prop["minimum"] - step, prop["maximum"] + step]
    if prop.get("maxLength"):
        values.append("你" * (prop["maxLength"] + 1))
    if "pattern" in prop:
        values.append(" \n ")
    if "null" not in prop["type"]:
        values.append(None)
    return values


def field_cases(path: str, pick) -> list:
    schema = openapi_document(SETTINGS)["components"]["schemas"][REQUESTS[path]]
    return [pytest.param(path, name, value, id=f"{path}:{name}={value!r:.20}")
            for name, prop in schema["properties"].items() for value in pick(prop)]


@pytest.mark.parametrize("path, name, value", [case for path in BASES for case in field_cases(path, accepted_values)])
def test_a_value_the_document_accepts_is_accepted(app, client, contract, path, name, value):
    body = {**BASES[path], name: value}
    assert contract.accepts(path, body)
    response = client.post(path, json=body)
    drain(app)
    assert response.status_code in (200, 202), response.get_data()[:300]
    contract.check(path, "post", response)


@pytest.mark.parametrize("path, name, value", [case for path in BASES for case in field_cases(path, refused_values)])
def test_a_value_the_document_refuses_is_a_400_naming_the_field(client, contract, path, name, value):
    body = {**BASES[path], name: value}
    assert not contract.accepts(path, body)
    response = client.post(path, json=body)
    assert response.status_code == 400
    contract.check(path, "post", response)
    error = response.get_json()["error"]
    assert (error.get("field") or error.get("param")) == name


@pytest.mark.parametrize("path", BASES)
def test_an_unknown_field_is_refused_by_both(client, contract, path):
    body = {**BASES[path], "sped": 2}
    assert not contract.accepts(path, body)
    response = client.post(path, json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert (error.get("field") or error.get("param")) == "sped"


def test_a_sample_rate_opus_cannot_carry_is_refused_by_both(client, contract):
    body = {"text": "你好。", "format": "opus", "sample_rate": 22050}
    assert not contract.accepts("/tts", body) and contract.accepts("/tts", {**body, "sample_rate": 16000})
    assert client.post("/tts", json=body).get_json()["error"]["field"] == "sample_rate"


@pytest.mark.parametrize("dialect, heading", [(TTS, "### `POST /tts`"), (URL, "### `GET /tts`"),
                                              (OPENAI, "### OpenAI-compatible: `POST /v1/audio/speech`"),
                                              (HIDDEN, "### Browser vocoding: `POST /tts/hidden`"),
                                              (CAPTIONED, "### Captions")])
def test_the_readme_tables_are_the_declaration(dialect, heading):
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index(heading):]
    section = section[:section.index("\n### ", 1)]
    expected = readme_table(dialect, Settings())
    assert expected in section, f"README's table under {heading!r} must be:\n\n{expected}\n"


def test_liveness_of_a_dead_worker_is_a_documented_503(engines, contract):
    with serving(engines, SETTINGS) as app:
        app.extensions["tts.service"]._loops[0].kill()   # the dispatcher, gone
        response = app.test_client().get("/healthz")
    assert response.status_code == 503
    contract.check("/healthz", "get", response)


def test_the_readme_lists_the_formats_as_declared():
    assert readme_formats() in (ROOT / "README.md").read_text(encoding="utf-8")


def query_cases(pick) -> list:
    parameters = openapi_document(SETTINGS)["paths"]["/tts"]["get"]["parameters"]
    return [pytest.param(p["name"], value, id=f"GET /tts:{p['name']}={value!r:.20}")
            for p in parameters if p["name"] != "text" for value in pick(p["schema"])]


def as_query(value) -> str:
    """A JSON value as a URL writes it: true/false, numbers as text, null as nothing (the default)."""
    return "" if value is None else str(value).lower() if isinstance(value, bool) else str(value)


@pytest.mark.parametrize("name, value", query_cases(accepted_values))
def test_a_query_value_the_document_accepts_is_accepted(app, client, contract, name, value):
    response = client.get("/tts", query_string={"text": "你好。", name: as_query(value)})
    drain(app)
    assert response.status_code == 200, response.get_data()[:300]
    contract.check("/tts", "get", response)


@pytest.mark.parametrize("name, value", [("speed", "9"), ("speed", "fast"), ("eco", "maybe"), ("seed", "1.5"),
                                         ("format", "m4a"), ("sample_rate", "11025"), ("sped", "2"),
                                         ("stream", "true"), ("text", "你" * (SETTINGS.url_max_text_chars + 1))])
def test_a_query_value_the_document_refuses_is_a_400_naming_it(client, contract, name, value):
    response = client.get("/tts", query_string={"text": "你好。", name: value})
    assert response.status_code == 400
    contract.check("/tts", "get", response)
    assert response.get_json()["error"]["field"] == name


def test_stream_with_async_is_refused_by_both(client, contract):
    body = {"text": "你好。", "async": True, "stream": True}
    assert not contract.accepts("/tts", body) and contract.accepts("/tts", {**body, "stream": False})
    assert client.post("/tts", json=body).get_json()["error"]["field"] == "stream"
