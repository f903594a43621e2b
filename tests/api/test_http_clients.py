"""The API as plain HTTP clients meet it: bodies compressed or in another charset, names given twice,
an async job polled until done, and OpenAI's speech events cut short by a failure."""

from __future__ import annotations

import base64
import gzip
import json
import zlib

import pytest
from werkzeug.test import EnvironBuilder

from contract import Contract, audio_of
from fakes import ToneModel, tone_app, wait_until

TEXT = "今天天气很好。"


def post(client, body: bytes, path: str = "/tts", **headers):
    return client.post(path, data=body, headers={"Content-Type": "application/json", **headers})


def plain(client, text: str = TEXT) -> bytes:
    return client.post("/tts", json={"text": text, "format": "pcm"}).get_data()


@pytest.mark.parametrize("coding, pack", [("gzip", gzip.compress), ("x-gzip", gzip.compress),
                                          ("deflate", zlib.compress), ("GZIP", gzip.compress)])
def test_a_compressed_body_is_read_as_the_json_it_holds(client, coding, pack):
    """A gzip'd body was a 400 'the body is not UTF-8 text'."""
    body = json.dumps({"text": TEXT, "format": "pcm"}).encode()
    response = post(client, pack(body), **{"Content-Encoding": coding})
    assert response.status_code == 200 and response.get_data() == plain(client)


def test_a_body_that_inflates_past_the_limit_is_a_413_naming_the_body(client, app):
    limit = app.config["MAX_CONTENT_LENGTH"]
    bomb = gzip.compress(b'{"text": "' + b" " * (limit * 40) + b'"}')
    assert len(bomb) < limit
    response = post(client, bomb, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413 and response.get_json()["error"]["field"] == "body"


@pytest.mark.parametrize("body", [b"not gzip at all", gzip.compress(b'{"text": "hello there"}')[:-12]])
def test_a_broken_or_cut_compressed_body_is_a_400_naming_the_body(client, body):
    response = post(client, body, **{"Content-Encoding": "gzip"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_a_coding_we_do_not_decode_is_a_415_saying_which_we_do(client):
    response = post(client, json.dumps({"text": TEXT}).encode(), **{"Content-Encoding": "br"})
    assert response.status_code == 415
    assert response.get_json()["error"]["field"] == "Content-Encoding"
    assert response.headers["Accept-Encoding"] == "gzip, deflate"


@pytest.mark.parametrize("charset", ["gbk", "GB18030", "big5", "utf-16", "latin-1"])
def test_a_body_in_the_charset_its_content_type_names_is_read_in_it(client, charset):
    """A GBK body with charset=gbk was a 400 'the body is not UTF-8 text'."""
    text = TEXT if charset != "latin-1" else "café"
    body = json.dumps({"text": text, "format": "pcm"}, ensure_ascii=False).encode(charset)
    response = client.post("/tts", data=body, headers={"Content-Type": f"application/json; charset={charset}"})
    assert response.status_code == 200 and response.get_data() == plain(client, text)


@pytest.mark.parametrize("charset", ["klingon", "base64", "rot13", "unicode_escape", "idna", "undefined"])
def test_a_charset_that_is_no_text_encoding_is_a_415_naming_the_content_type(client, charset):
    response = client.post("/tts", data=b'{"text": "x"}',
                           headers={"Content-Type": f"application/json; charset={charset}"})
    assert response.status_code == 415 and response.get_json()["error"]["field"] == "Content-Type"


def test_bytes_not_of_the_named_charset_are_a_400_naming_the_body(client):
    response = client.post("/tts", data=b'{"text": "\x81"}', headers={"Content-Type": "application/json; charset=gbk"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_a_name_given_twice_is_a_400_naming_it_also_inside_a_value(client):
    """The last one was taken: a proxy that checked the first saw another request than we served."""
    response = post(client, b'{"text": "\xe4\xbd\xa0\xe5\xa5\xbd", "x": {"a": 1, "a": 2}}')
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "a"


def test_a_bom_before_the_json_is_no_error(client):
    body = b"\xef\xbb\xbf" + json.dumps({"text": TEXT, "format": "pcm"}).encode()
    assert post(client, body).get_data() == plain(client)


@pytest.fixture(name="held")
def held_app():
    """An app whose worker holds a job (挂) until the test lets it go."""
    model = ToneModel(hang_seconds=30)
    with tone_app(model) as app:
        yield app, model
        model.release.set()


def test_a_polled_job_says_when_to_poll_again_until_it_is_done(held):
    """A polling client got no Retry-After (it guessed how often to ask) and a status a cache could keep."""
    app, model = held
    client, contract = app.test_client(), Contract.of(app)
    running = client.post("/tts", json={"text": "挂住了。", "voice": "tone", "async": True})
    queued = client.post("/tts", json={"text": "你好。", "voice": "tone", "async": True})
    assert running.status_code == queued.status_code == 202
    assert int(queued.headers["Retry-After"]) >= 1 and queued.headers["Location"].endswith(queued.get_json()["id"])
    wait_until(lambda: model.calls)
    for accepted in (running, queued):
        status = client.get(accepted.headers["Location"])
        contract.check("/tts/jobs/{job_id}", "get", status)
        assert status.get_json()["status"] in ("queued", "running")
        assert int(status.headers["Retry-After"]) >= 1 and status.headers["Cache-Control"] == "no-store"
        for link, route in (("audio", "/tts/jobs/{job_id}/audio"), ("captions", "/tts/jobs/{job_id}/captions")):
            early = client.get(accepted.get_json()["links"][link])
            assert early.status_code == 409 and int(early.headers["Retry-After"]) >= 1
            contract.check(route, "get", early)
    model.release.set()
    wait_until(lambda: client.get(queued.headers["Location"]).get_json()["status"] == "done")
    done = client.get(queued.headers["Location"])
    assert "Retry-After" not in done.headers and done.headers["Cache-Control"] == "no-store"


def test_a_failed_jobs_audio_is_a_409_without_retry_after(held):
    app, model = held
    model.release.set()
    client = app.test_client()
    accepted = client.post("/tts", json={"text": "坏了。", "voice": "tone", "async": True})
    wait_until(lambda: client.get(accepted.headers["Location"]).get_json()["status"] == "failed")
    response = client.get(accepted.get_json()["links"]["audio"])
    assert response.status_code == 409 and "Retry-After" not in response.headers


def test_speech_events_cut_short_by_a_failure_end_with_an_error_event(held):
    """After its first audio the response cannot become an HTTP error: an `error` event says why, then the
    server cuts the body short (no speech.audio.done: no client takes it for the whole)."""
    app, model = held
    model.release.set()
    body = {"model": "tts-1", "voice": "tone", "input": "你好。坏了。", "response_format": "pcm",
            "stream_format": "sse"}
    environ = EnvironBuilder("/v1/audio/speech", method="POST", json=body).get_environ()
    started, received = [], b""
    result = app(environ, lambda status, headers, exc_info=None: started.extend((status, headers)))
    with pytest.raises(Exception):
        try:
            for chunk in result:
                received += chunk
        finally:
            result.close()
    assert started[0].startswith("200")
    events = [json.loads(block[len("data: "):]) for block in received.decode().split("\n\n") if block]
    assert events[0]["type"] == "speech.audio.delta" and base64.b64decode(events[0]["audio"])
    assert events[-1]["type"] == "error" and events[-1]["error"]["code"] == "synthesis_failed"
    assert "speech.audio.done" not in {e["type"] for e in events}


def test_a_head_of_a_jobs_audio_leaves_the_result_kept_for_the_get(client, app):
    """A HEAD (a client asking the length first) counted as fetched: the result could be dropped for room
    before the GET that follows it."""
    accepted = client.post("/tts", json={"text": TEXT, "async": True})
    job = app.extensions["tts.service"].jobs.get(accepted.get_json()["id"])
    job.wait()
    head = client.head(accepted.get_json()["links"]["audio"])
    assert head.status_code == 200 and int(head.headers["Content-Length"]) > 0 and not job.fetched
    get = client.get(accepted.get_json()["links"]["audio"])
    assert get.status_code == 200 and len(get.data) == int(head.headers["Content-Length"]) and job.fetched   # sent whole


def test_speech_events_are_a_documented_answer(app, client):
    response = client.post("/v1/audio/speech", json={"model": "tts-1", "voice": "alloy", "input": TEXT,
                                                      "stream_format": "sse", "response_format": "wav"})
    Contract.of(app).check("/v1/audio/speech", "post", response)
    samples, rate = audio_of(response, "wav")
    assert rate == 24000 and len(samples) / rate > 0.5
