"""POST /tts and the job endpoints, through Flask's test client on the real voice."""

import json
import logging
import os
import socket
import time
import sys

import gevent
import numpy as np
import pytest

from helpers import decode
from tts.service.jobs import JOB_BYTES
from tts.web.responses import CLIENT_SOCKET

HELLO = "今天天气很好，我们去公园散步吧。"


def test_tts_returns_a_24khz_mono_wav_of_plausible_length(client):
    response = client.post("/tts", json={"text": HELLO})
    assert response.status_code == 200
    assert response.mimetype == "audio/wav"
    samples, rate = decode(response.data)
    assert rate == 24000 and samples.ndim == 1
    seconds = len(samples) / rate
    assert 0.2 * 15 <= seconds <= 0.4 * 15          # 15 characters
    assert float(response.headers["X-Audio-Seconds"]) == pytest.approx(seconds, abs=0.01)
    assert np.sqrt(np.mean(samples ** 2)) > 0.02     # speech, not silence


def test_eco_mode_gives_16khz(client):
    samples, rate = decode(client.post("/tts", json={"text": HELLO, "eco": True}).data)
    assert rate == 16000 and len(samples) > 16000


def test_longer_text_gives_longer_audio(client):
    short, _ = decode(client.post("/tts", json={"text": "你好。"}).data)
    longer, _ = decode(client.post("/tts", json={"text": HELLO}).data)
    assert len(longer) > 3 * len(short)


def test_identical_requests_give_identical_bytes(client):
    first = client.post("/tts", json={"text": HELLO, "speed": 1.2}).data
    assert client.post("/tts", json={"text": HELLO, "speed": 1.2}).data == first


def test_two_thousand_characters_are_synthesized(client):
    text = ("今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，大家都很开心。" * 60)[:2000]
    response = client.post("/tts", json={"text": text})
    assert response.status_code == 200
    samples, rate = decode(response.data)
    assert 0.15 * 2000 < len(samples) / rate < 0.4 * 2000


def test_ssml_is_spoken_with_its_breaks(client):
    plain, rate = decode(client.post("/tts", json={"text": "你好再见"}).data)
    paused, _ = decode(client.post("/tts", json={"text": '<speak>你好<break time="1s"/>再见</speak>'}).data)
    assert (len(paused) - len(plain)) / rate > 0.8


def test_pcm_format_is_raw_s16le_with_its_rate_in_a_header(client):
    response = client.post("/tts", json={"text": "你好。", "format": "pcm"})
    assert response.mimetype == "audio/pcm"
    assert response.headers["X-Sample-Rate"] == "24000"
    assert len(response.data) % 2 == 0 and len(response.data) > 24000


def test_async_job_goes_from_202_to_done_with_audio(client):
    response = client.post("/tts", json={"text": HELLO, "async": True})
    assert response.status_code == 202
    body = response.get_json()
    assert set(body) >= {"id", "status", "links"} and len(body["id"]) == 32
    assert response.headers["Location"] == body["links"]["self"]
    deadline = time.monotonic() + 30
    while (status := client.get(body["links"]["self"]).get_json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        gevent.sleep(0.05)  # the test client runs on the hub: yield so the worker can progress
    assert status["status"] == "done" and status["audio_seconds"] > 2
    samples, rate = decode(client.get(body["links"]["audio"]).data)
    assert rate == 24000 and len(samples) / rate == pytest.approx(status["audio_seconds"], abs=0.01)


def test_a_finished_jobs_status_says_until_when_its_result_is_kept(app, client):
    """A client could not tell when its result would go (a 404, now a 410) but by knowing the server's settings."""
    job = client.post("/tts", json={"text": "你好。", "async": True}).get_json()
    deadline = time.monotonic() + 30
    while (status := client.get(job["links"]["self"]).get_json())["status"] != "done":
        assert status["expires"] is None and time.monotonic() < deadline
        gevent.sleep(0.05)
    ttl = app.config["TTS_SETTINGS"].job_ttl_seconds
    assert status["expires"] == pytest.approx(status["finished"] + ttl)


def test_async_job_ids_are_random_not_a_hash_of_the_text(client):
    ids = {client.post("/tts", json={"text": "你好。", "async": True}).get_json()["id"] for _ in range(2)}
    assert len(ids) == 2


def test_unknown_job_is_404_naming_the_id(client):
    response = client.get("/tts/jobs/0123456789abcdef0123456789abcdef")
    assert response.status_code == 404
    assert response.get_json()["error"]["field"] == "id"


@pytest.mark.parametrize("path", ["/tts/jobs/{}", "/tts/jobs/{}/audio", "/tts/jobs/{}/captions"])
def test_an_unknown_jobs_404_quotes_its_id_short(client, path):
    response = client.get(path.format("a" * 5000))
    message = response.get_json()["error"]["message"]
    assert response.status_code == 404 and len(response.data) < 300 and '"aaaa' in message


def test_an_unknown_voice_is_quoted_short(client):
    voice = client.post("/tts", json={"text": "你好。", "voice": "v" * 5000})
    assert voice.status_code == 400 and "v" * 41 not in voice.get_json()["error"]["message"]


def _finished_job(client, **fields) -> dict:
    job = client.post("/tts", json={"text": "你好。", "async": True, **fields}).get_json()
    deadline = time.monotonic() + 30
    while client.get(job["links"]["self"]).get_json()["status"] != "done":
        assert time.monotonic() < deadline
        gevent.sleep(0.05)  # the test client runs on the hub: yield so the worker can progress
    return job


def test_a_jobs_audio_answers_304_to_the_etag_the_client_holds(client):
    audio = client.get(_finished_job(client)["links"]["audio"])
    etag = audio.headers["ETag"]
    again = client.get(audio.request.path, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b"" and again.headers["ETag"] == etag
    assert client.get(audio.request.path, headers={"If-None-Match": '"another"'}).data == audio.data


def test_a_job_past_its_ttl_is_410_saying_when_and_an_unknown_one_404(app, client):
    job = _finished_job(client)
    jobs = app.extensions["tts.service"].jobs
    jobs.get(job["id"]).finished -= jobs.ttl + 1   # its TTL has passed (no sleep: the verdict never hangs on time)
    gone, audio = client.get(job["links"]["self"]), client.get(job["links"]["audio"])
    error = gone.get_json()["error"]
    assert gone.status_code == audio.status_code == 410 and error["code"] == "job_expired" and error["field"] == "id"
    assert job["id"] in error["message"] and "expired at 20" in error["message"]
    assert client.get(f"/tts/jobs/{'0' * 32}").status_code == 404


def test_a_kept_result_whose_file_is_gone_reads_as_failed_and_its_audio_is_a_410(app, client):
    """It read as done, and each fetch of it was a 500."""
    job = _finished_job(client)
    os.unlink(app.extensions["tts.service"].jobs.get(job["id"]).audio._kept)
    status = client.get(job["links"]["self"]).get_json()
    audio = client.get(job["links"]["audio"])
    assert status["status"] == "failed" and status["error"]["code"] == "result_lost"
    assert audio.status_code == 410 and audio.get_json()["error"]["code"] == "result_lost"


def test_a_lost_result_is_counted_once_for_monitoring(app, client):
    """A /tmp cleaner removing kept results answered 410s (no 5xx) and moved no metric: nobody was told."""
    def lost_total() -> float:   # the app is the session's: other tests lose results too
        scrape = client.get("/metrics").get_data(as_text=True)
        return float(next(line for line in scrape.splitlines() if line.startswith("tts_results_lost_total "))[23:])

    before = lost_total()
    job = _finished_job(client)
    os.unlink(app.extensions["tts.service"].jobs.get(job["id"]).audio._kept)
    for link in ("self", "audio", "captions", "self"):
        client.get(job["links"][link])
    assert lost_total() == before + 1


def test_a_lost_results_captions_are_a_410_as_its_audio_and_no_answer_names_the_servers_path(app, client, caplog):
    """Its captions were a 409 job_not_ready ("failed": poll again), and every answer gave the client the server's
    temporary directory and pid; the path is the operator's, in the log."""
    job = _finished_job(client)
    kept = app.extensions["tts.service"].jobs.get(job["id"]).audio._kept
    os.unlink(kept)
    answers = [client.get(job["links"][link]) for link in ("self", "audio", "captions")]
    assert [answer.status_code for answer in answers] == [200, 410, 410]
    assert answers[2].get_json()["error"]["code"] == "result_lost" and answers[2].get_json()["error"]["field"] == "id"
    assert not [answer for answer in answers if os.path.dirname(kept).encode() in answer.data]
    assert [record for record in caplog.records if kept in record.getMessage()]


def test_a_kept_result_whose_file_goes_as_it_is_encoded_is_a_410_leaving_no_file_behind(app, client, monkeypatch):
    from tts.service.audio_buffer import AudioBuffer

    job = _finished_job(client, format="mp3")
    samples = app.extensions["tts.service"].jobs.get(job["id"]).audio._kept
    os.unlink(samples)
    monkeypatch.setattr(AudioBuffer, "lost", lambda self: None)   # it went after the store looked
    audio = client.get(job["links"]["audio"])
    assert audio.status_code == 410 and audio.get_json()["error"]["code"] == "result_lost"
    assert not [name for name in os.listdir(os.path.dirname(samples)) if name.endswith(".encoded")]


def test_a_kept_result_counts_as_fetched_only_once_an_answer_sent_its_last_byte(app, client):
    """A range probe or a 416 marked it fetched: the store could drop it for room before the player's next range,
    and the drain at SIGTERM stopped waiting for it mid-download."""
    job = _finished_job(client)
    kept = app.extensions["tts.service"].jobs.get(job["id"])
    path = job["links"]["audio"]
    length = int(client.head(path).headers["Content-Length"])
    assert client.get(path, headers={"Range": "bytes=0-1023"}).status_code == 206
    assert client.get(path, headers={"Range": "bytes=99999999-"}).status_code == 416
    assert not kept.fetched
    rest = client.get(path, headers={"Range": f"bytes=1024-{length - 1}"})
    assert rest.status_code == 206 and len(rest.data) == length - 1024 and kept.fetched


def test_a_kept_compressed_result_is_encoded_once_for_its_head_ranges_and_gets(app, client, monkeypatch):
    """A HEAD (asking the length first) or each range of an MP3 result encoded the whole file again: seconds of
    CPU per request for a long result, unmetered."""
    from tts.web import responses

    made = []

    class Counted(responses.WholeEncoder):
        def __init__(self, *args) -> None:
            made.append(args[0])
            super().__init__(*args)
    monkeypatch.setattr(responses, "WholeEncoder", Counted)
    job = client.post("/tts", json={"text": "你好。", "async": True, "format": "mp3"}).get_json()
    deadline = time.monotonic() + 30
    while client.get(job["links"]["self"]).get_json()["status"] != "done":
        assert time.monotonic() < deadline
        gevent.sleep(0.05)
    path = job["links"]["audio"]
    length = int(client.head(path).headers["Content-Length"])
    first = client.get(path, headers={"Range": "bytes=0-99"}).data
    whole = client.get(path).data
    assert made == ["mp3"] and len(whole) == length and whole[:100] == first
    kept = app.extensions["tts.service"].jobs.get(job["id"])
    assert kept.held_bytes - kept.audio.nbytes - kept.audio.memory_bytes - JOB_BYTES - sys.getsizeof(kept.request.text) \
        == length   # its encoding counts in the store


@pytest.mark.parametrize("stream", [False, True])
def test_a_client_that_hangs_up_before_its_audio_is_logged_as_gone_not_409(app, client, caplog, stream):
    """Nobody got anything: one error line and the access line say 499 client_closed_request (nginx's
    status for a request its client closed), under the request's id; nothing says job_not_ready."""
    ours, theirs = socket.socketpair()
    theirs.close()   # the client hung up at once
    with ours, caplog.at_level(logging.INFO):
        response = client.post("/tts", json={"text": HELLO * 20, "stream": stream}, headers={"X-Request-ID": "gone-1"},
                               environ_base={CLIENT_SOCKET: ours})
    assert response.status_code == 499
    said = [r.getMessage() for r in caplog.records if r.name in ("tts.web.errors", "tts.access", "tts.web.responses")]
    assert len(said) == 2 and all("gone-1" in line and "client_closed_request" in line for line in said), said
    assert json.loads(said[1]) | {"ms": 0} == json.loads(said[1]) | {
        "status": 499, "incomplete": True, "error": "client_closed_request", "bytes": 0, "ms": 0}


TEXT_CODES = {"": "nothing_to_say", "   \n ": "nothing_to_say", "！？。": "nothing_to_say",   # a text's own codes
              "<speak>你好": "invalid_markup", '<speak><break time="forever"/></speak>': "invalid_markup"}


@pytest.mark.parametrize("body, field", [
    ({}, "text"),
    ({"text": ""}, "text"),
    ({"text": "   \n "}, "text"),
    ({"text": 42}, "text"),
    ({"text": "你" * 3001}, "text"),
    ({"text": "！？。"}, "text"),
    ({"text": "<speak>你好"}, "text"),
    ({"text": '<speak><break time="forever"/></speak>'}, "text"),
    ({"text": "你好", "speed": 5}, "speed"),
    ({"text": "你好", "speed": 0.1}, "speed"),
    ({"text": "你好", "speed": "fast"}, "speed"),
    ({"text": "你好", "speed": True}, "speed"),
    ({"text": "你好", "eco": "yes"}, "eco"),
    ({"text": "你好", "async": 1}, "async"),
    ({"text": "你好", "voice": "alice"}, "voice"),
    ({"text": "你好", "format": "mp4"}, "format"),
    ({"text": "你好", "sample_rate": 12345}, "sample_rate"),
    ({"text": "你好", "seed": -1}, "seed"),
    (["你好"], "body"),
])
def test_bad_input_is_400_naming_the_field(client, body, field):
    response = client.post("/tts", json=body)
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == field and error["message"]
    text = body.get("text") if isinstance(body, dict) else None
    assert error["code"] == TEXT_CODES.get(text, "invalid_request")


def test_a_method_a_route_does_not_take_is_a_405_that_says_which_it_takes(client):
    response = client.put("/tts", json={"text": "你好"})
    assert response.status_code == 405 and response.get_json()["error"]["code"] == "method_not_allowed"
    assert set(response.headers["Allow"].split(", ")) == {"GET", "HEAD", "OPTIONS", "POST"}


def test_a_form_body_is_415_naming_the_content_type(client):
    response = client.post("/tts", data="text=你好", content_type="application/x-www-form-urlencoded")
    assert response.status_code == 415
    assert response.get_json()["error"]["field"] == "Content-Type"


def test_oversized_body_is_413_with_json(client):
    response = client.post("/tts", data=b"{" + b" " * 70000 + b"}", content_type="application/json")
    assert response.status_code == 413
    assert response.get_json()["error"]["field"] == "body"


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.get_json()["voices"][0] == "baker"


def test_unknown_route_is_json_404(client):
    response = client.get("/nope")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"


def test_page_has_eco_toggle_and_an_audio_player_that_never_autoplays(client):
    page = client.get("/").get_data(as_text=True)
    assert 'lang="zh-CN"' in page and 'id="eco"' in page
    assert "<audio" in page and "autoplay" not in page
    assert client.get("/static/app.js").status_code == 200
