"""The API as plain HTTP clients meet it: bodies compressed or in another charset, names given twice,
an async job polled until done, and OpenAI's speech events cut short by a failure."""

from __future__ import annotations

import base64
import gzip
import json
import zlib

import pytest
from werkzeug.test import EnvironBuilder

from contract import Contract, audio_of, ready_app
from fakes import ToneEngine, ToneModel, tone_app, wait_until
from tts.config import Settings
from tts.errors import JobNotReady
from tts.service.jobs import CANCELLED
from tts.web.captions import captioned
from tts.web.context import service, synthesis_request
from tts.web.openai import speech_events
from tts.web.responses import streamed_audio
from tts.engines.base import EngineInfo
from tts.engines.lifecycle import ManagedEngine
from tts.synthesizer import Synthesizer

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


def raw_deflate(data: bytes) -> bytes:
    packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
    return packer.compress(data) + packer.flush()


def test_a_raw_deflate_body_is_read_too(client):
    """'deflate' without its zlib wrapper (what several clients and proxies send) was a 400."""
    body = json.dumps({"text": TEXT, "format": "pcm"}).encode()
    response = post(client, raw_deflate(body), **{"Content-Encoding": "deflate"})
    assert response.status_code == 200 and response.get_data() == plain(client)


def test_a_gzip_body_of_several_members_is_read_whole(client):
    """Only the first member was read: the rest of the body was dropped without a word."""
    body = json.dumps({"text": TEXT, "format": "pcm"}).encode()
    response = post(client, gzip.compress(body[:10]) + gzip.compress(body[10:]), **{"Content-Encoding": "gzip"})
    assert response.status_code == 200 and response.get_data() == plain(client)


@pytest.mark.parametrize("coding, pack", [("gzip", gzip.compress), ("deflate", zlib.compress)])
def test_bytes_after_the_compressed_data_are_a_400_naming_the_body(client, coding, pack):
    packed = pack(json.dumps({"text": TEXT, "format": "pcm"}).encode()) + b"trailing junk"
    response = post(client, packed, **{"Content-Encoding": coding})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_gzip_members_that_inflate_past_the_limit_together_are_a_413(client, app):
    half = gzip.compress(b" " * (app.config["MAX_CONTENT_LENGTH"] // 2 + 1))
    response = post(client, half + half, **{"Content-Encoding": "gzip"})
    assert response.status_code == 413 and response.get_json()["error"]["field"] == "body"


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


@pytest.mark.parametrize("charset", ["utf-7", "cp037"])
def test_a_charset_browsers_refuse_is_a_415_though_python_decodes_it(client, charset):
    """UTF-7 and EBCDIC were read: a proxy reading the body as UTF-8 saw other names than we did."""
    body = json.dumps({"text": TEXT, "format": "pcm"}).encode(charset)
    response = client.post("/tts", data=body, headers={"Content-Type": f"application/json; charset={charset}"})
    assert response.status_code == 415 and response.get_json()["error"]["field"] == "Content-Type"


@pytest.mark.parametrize("content_type", ['application/json; charset="utf\x00x"',
                                          "application/json; charset*=utf-8''utf%00x",
                                          "application/json; charset*=UTF-8''%00"])
def test_a_charset_with_a_nul_in_it_is_a_415_not_a_500(client, content_type):
    """codecs.lookup raises ValueError for a NUL, which was not caught: 500 internal_error."""
    response = client.post("/tts", data=b'{"text": "x"}', headers={"Content-Type": content_type})
    assert response.status_code == 415 and response.get_json()["error"]["field"] == "Content-Type"


def test_bytes_not_of_the_named_charset_are_a_400_naming_the_body(client):
    response = client.post("/tts", data=b'{"text": "\x81"}', headers={"Content-Type": "application/json; charset=gbk"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "body"


def test_a_name_given_twice_is_a_400_naming_it(client):
    """The last one was taken: a proxy that checked the first saw another request than we served."""
    response = post(client, b'{"text": "\xe4\xbd\xa0\xe5\xa5\xbd", "text": "x"}')
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "text"


@pytest.mark.parametrize("body, path, field", [
    (b'{"text": "x", "x": {"a": 1, "a": 2}}', "/tts", "x"),
    (b'{"model": "tts-1", "input": "x", "voice": {"id": "alloy", "id": "nova"}}', "/v1/audio/speech", "voice"),
    (b'{"text": "x", "x": [1, [{"b": {"a": 1, "a": 2}}]]}', "/tts", "x"),
    (b'[{"a": 1, "a": 2}]', "/tts", "body")])
def test_a_name_given_twice_inside_a_value_names_the_field_that_holds_it(client, body, path, field):
    """The inner name was the field ("id" for a voice object): no field of the request, a client could not find it."""
    response = post(client, body, path)
    error = response.get_json()["error"]
    assert response.status_code == 400 and error.get("field", error.get("param")) == field


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
        assert int(status.headers["Retry-After"]) >= 1 and status.headers["Cache-Control"] == "no-cache"
        for link, route in (("audio", "/tts/jobs/{job_id}/audio"), ("captions", "/tts/jobs/{job_id}/captions")):
            early = client.get(accepted.get_json()["links"][link])
            assert early.status_code == 409 and int(early.headers["Retry-After"]) >= 1
            contract.check(route, "get", early)
    model.release.set()
    wait_until(lambda: client.get(queued.headers["Location"]).get_json()["status"] == "done")
    done = client.get(queued.headers["Location"])
    assert "Retry-After" not in done.headers and done.headers["Cache-Control"] == "no-cache"


class CostlyTone(ToneEngine):
    cpu_per_audio_second = 100.0   # declared so: a job queued behind another is expected in many minutes


@pytest.mark.parametrize("ttl, most", [(600, 60), (40, 10)])
def test_retry_after_never_outlives_a_finished_result(ttl, most):
    """It was the whole expected wait: jobs ahead that end early leave ours done, dropped after the TTL,
    before the poll the header advised (404 for a job that succeeded)."""
    model = ToneModel(hang_seconds=30)
    synthesizer = Synthesizer({"tone": ManagedEngine(EngineInfo.of(CostlyTone), lambda: model, preload=True)},
                              default_voice="tone")
    with ready_app(synthesizer, Settings(cache_mb=0, singleflight=False, job_ttl_seconds=ttl)) as app:
        client = app.test_client()
        client.post("/tts", json={"text": "挂住了。" * 20, "voice": "tone", "async": True})
        queued = client.post("/tts", json={"text": "你好。" * 20, "voice": "tone", "async": True})
        polled = client.get(queued.headers["Location"])
        model.release.set()
    assert int(queued.headers["Retry-After"]) == int(polled.headers["Retry-After"]) == most


@pytest.mark.parametrize("framing", ["speech events", "caption lines", "audio"])
def test_a_stream_whose_job_was_cancelled_before_any_audio_is_a_409_in_every_framing(held, framing):
    """The three streams each had their own 'no first chunk' branch: caption lines answered 200 with an empty
    body, and speech events an audio answer's (one helper now: tts.web.responses.framed_stream)."""
    app, model = held
    answer = {"speech events": speech_events, "caption lines": lambda job: captioned(job, "json"),
              "audio": streamed_audio}[framing]
    with app.test_request_context():
        service().submit(synthesis_request({"text": "挂住了。", "voice": "tone"}))
        wait_until(lambda: model.calls)   # the worker holds that one: the next waits in the queue
        job = service().submit(synthesis_request({"text": "你好。", "voice": "tone", "stream": True}))
        job.cancel()
        wait_until(lambda: job.status == CANCELLED)
        with pytest.raises(JobNotReady, match="cancelled"):
            answer(job)


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
