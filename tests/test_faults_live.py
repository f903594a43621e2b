"""Fault injection against the real server process: after each fault the next request is served,
and liveness tells the truth. The faults come from the tone engine (tests/fakes.py) served beside
the real voices by tests/servers/faulty.py, and from the Kokoro idle unload with a short idle time."""

from __future__ import annotations

import json
import re
import resource
import time

import pytest
import requests

from live import LiveServer
from sandbox import children_run

pytestmark = pytest.mark.live
STEP_TIMEOUT = 1   # seconds; the tone engine's 挂 holds the worker for 4


def post(server, body, timeout=60):
    return requests.post(f"{server.url}/tts", json=body, timeout=timeout)


def healthz(server) -> int:
    return requests.get(f"{server.url}/healthz", timeout=5).status_code


@pytest.fixture(scope="module")
def faulty():
    server = LiveServer("tests/servers/faulty.py", TTS_STEP_TIMEOUT_SECONDS=str(STEP_TIMEOUT), TTS_CACHE_MB="0",
                        TTS_KOKORO="0")
    try:
        yield server.wait_ready()
    finally:
        server.stop()


def served(server) -> bool:
    return post(server, {"text": "你好。"}).status_code == 200


@pytest.mark.parametrize("text", ["坏了。", "怪了。"], ids=["engine raises", "engine raises SystemExit"])
def test_an_engine_that_raises_fails_its_request_only(faulty, text):
    response = post(faulty, {"text": text, "voice": "tone"})
    assert response.status_code == 500 and response.json()["error"]["code"] == "synthesis_failed"
    assert healthz(faulty) == 200 and served(faulty)


@pytest.mark.parametrize("path, body", [
    ("/tts", {"text": "你好。坏了。", "voice": "tone", "stream": True}),
    ("/v1/audio/speech", {"model": "tts-1", "input": "你好。坏了。", "voice": "tone", "response_format": "mp3",
                          "stream": True}),
    ("/dev/captioned_speech", {"model": "tts-1", "input": "你好。坏了。", "voice": "tone", "stream": True}),
], ids=["tts", "openai", "captioned"])
def test_a_stream_whose_engine_fails_after_its_first_bytes_is_cut_short_not_ended_cleanly(faulty, path, body):
    """A clean end would pass a short file off as whole: the response ends without the chunked
    terminator (the client sees it incomplete), and the server logs it in one line, no traceback."""
    logged = len(whole_log(faulty))
    received = b""
    with requests.post(f"{faulty.url}{path}?text=not-for-the-log", json=body, stream=True, timeout=60) as response:
        assert response.status_code == 200
        with pytest.raises(requests.exceptions.ChunkedEncodingError):
            for data in response.iter_content(4096):
                received += data
    assert received   # the first phrase arrived before the engine failed on the second
    if path == "/dev/captioned_speech":   # its JSON lines say why in the last one
        assert json.loads(received.splitlines()[-1])["error"]["code"] == "synthesis_failed"
    log = whole_log(faulty)[logged:]
    (line,) = about_the_response(log)   # one line, no gevent traceback
    assert "\n" not in line and "cut short" in line and path in line and "synthesis failed" in line
    assert "not-for-the-log" not in line   # the path without its query (a user's text may be in it)
    [access] = access_lines(log, response.headers["X-Request-ID"])
    assert access["status"] == 200 and access["incomplete"] is True and access["error"] == "synthesis_failed"
    assert access["bytes"] >= len(received) and "not-for-the-log" not in json.dumps(access)
    assert healthz(faulty) == 200 and served(faulty)


def test_a_stream_whose_engine_fails_before_its_first_byte_is_answered_with_a_json_error(faulty):
    """AAC gives no bytes for its first 1,600 samples: the first phrase (one syllable, a 1 ms break)
    went to the encoder, none of it to the client, when the second failed. Before, the connection
    closed with no answer at all."""
    logged = len(whole_log(faulty))
    response = post(faulty, {"text": '<speak>你<break time="1ms"/>坏了。</speak>', "voice": "tone", "format": "aac",
                             "stream": True})
    assert response.status_code == 500 and response.headers["Content-Type"] == "application/json"
    assert response.json()["error"]["code"] == "synthesis_failed"
    assert response.headers["X-Content-Type-Options"] == "nosniff" and "Content-Security-Policy" in response.headers
    log = whole_log(faulty)[logged:]
    [line] = about_the_response(log)   # the error's own line, as for any answer
    assert f'"request_id": "{response.headers["X-Request-ID"]}"' in line
    [access] = access_lines(log, response.headers["X-Request-ID"])   # it said 200 before: the view had returned
    assert access["status"] == 500 and access["error"] == "synthesis_failed"
    assert healthz(faulty) == 200 and served(faulty)


def access_lines(log: str, request_id: str) -> list[dict]:
    lines = [json.loads(line.partition(" tts.access: ")[2]) for line in log.splitlines() if " tts.access: " in line]
    return [line for line in lines if line["request_id"] == request_id]


def whole_log(server) -> str:
    return server.log_tail(1 << 30)


def about_the_response(log: str) -> list[str]:
    """The records (each with its traceback, if any) the server logged about a response, but for its
    access line and the job's own failure (the service logs that, with the engine's traceback)."""
    records = re.split(r"\n(?=\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3} )", log.strip())
    return [record for record in records if record and " tts.access: " not in record.split("\n")[0]
            and " tts.service." not in record.split("\n")[0]]


def test_a_hanging_engine_is_timed_out_and_liveness_fails_until_it_returns(faulty):
    started = time.monotonic()
    response = post(faulty, {"text": "挂住了。", "voice": "tone"})
    assert response.status_code == 503 and response.json()["error"]["code"] == "worker_stalled"
    assert int(response.headers["Retry-After"]) >= 1
    assert time.monotonic() - started < 4               # answered at the step timeout, not when the call returned
    assert healthz(faulty) == 503                        # stalled: the process manager may restart it
    refused = post(faulty, {"text": "你好。"})
    assert refused.status_code == 503 and refused.json()["error"]["code"] == "worker_stalled"
    deadline = time.monotonic() + 30
    while healthz(faulty) != 200:
        assert time.monotonic() < deadline
        time.sleep(0.2)
    assert served(faulty)


def test_a_kokoro_voice_speaks_again_after_its_idle_unload():
    server = LiveServer(TTS_KOKORO_IDLE_SECONDS="1", TTS_CACHE_MB="0")
    try:
        server.wait_ready()
        assert post(server, {"text": "今天天气很好。", "voice": "zf_xiaobei"}).status_code == 200
        deadline = time.monotonic() + 30
        while "unloaded the kokoro engine" not in server.log_tail(20000):
            assert time.monotonic() < deadline, server.log_tail()
            time.sleep(0.2)
        assert healthz(server) == 200
        again = post(server, {"text": "我们去公园散步吧。", "voice": "zf_xiaobei"})
        assert again.status_code == 200 and len(again.content) > 24000
        assert served(server) and healthz(server) == 200
    finally:
        server.stop()


SENTENCE = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，大家都很开心。"   # ~370 kB of 24 kHz audio
FILE_LIMIT = 512 * 1024   # no file the server writes may grow past this: its temporary disk is "full"


def small_files() -> None:
    """Run in the child: writes past FILE_LIMIT fail (EFBIG; Python ignores SIGXFSZ), as on a full disk."""
    resource.setrlimit(resource.RLIMIT_FSIZE, (FILE_LIMIT, FILE_LIMIT))


def test_a_full_temporary_disk_fails_the_work_that_needs_it_with_503_disk_full_and_serves_the_rest(monkeypatch):
    """Past 1 MB a result spills to TMPDIR, and a kept async result goes there whole when finished.
    Before, a full disk failed those with 500 synthesis_failed and an engine-bug traceback."""
    with children_run(monkeypatch, small_files):
        server = LiveServer(TTS_CACHE_MB="0", TTS_KOKORO="0")
    try:
        server.wait_ready()
        long = post(server, {"text": SENTENCE * 12})   # ~4.4 MB: spills past 1 MB, and the disk takes 512 kB
        assert long.status_code == 503 and long.json()["error"]["code"] == "disk_full"
        assert int(long.headers["Retry-After"]) >= 1
        job = post(server, {"text": SENTENCE * 2, "async": True}).json()   # ~730 kB: made in memory, kept on disk
        deadline = time.monotonic() + 60
        while (state := requests.get(server.url + job["links"]["self"], timeout=10).json())["status"] != "failed":
            assert state["status"] in ("queued", "running") and time.monotonic() < deadline
            time.sleep(0.1)
        assert state["error"]["code"] == "disk_full"
        assert requests.get(server.url + job["links"]["audio"], timeout=10).status_code == 409
        assert healthz(server) == 200 and served(server)   # what fits in memory goes on
        assert "Traceback" not in server.log_tail(50000)
    finally:
        server.stop()
