"""POST /tts/hidden (browser vocoding's stream of hidden states) and the graph files, through Flask's
test client on the real embedded voice: the framing, what a client needs to decode and vocode, and
what is refused."""

from __future__ import annotations

import gzip
import hashlib
import time
import re

import gevent
import numpy as np
import pytest

from helpers import BrowserReference, decode, snr_db
from tts.config import Settings
from tts.engines.embedded import VOICE
from tts.hidden import HOP, MEDIA_TYPE, read_records, unpack
from tts.web import create_app, shutdown

TEXT = "今天天气很好，我们去公园散步吧。春天来了，花儿都开了。"


def hidden_stream(client, **fields) -> list[tuple[dict, bytes]]:
    response = client.post("/tts/hidden", json={"text": TEXT, **fields})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == MEDIA_TYPE and response.headers["Cache-Control"] == "no-store"
    return read_records(response.data)


def calls(records) -> list[tuple[dict, np.ndarray, np.ndarray]]:
    return [(header, *unpack(header, payload)) for header, payload in records if header["type"] == "hidden"]


@pytest.fixture(scope="module")
def page():
    return BrowserReference(Settings().vocoder_dir)


def test_the_stream_is_start_then_one_mel_then_hidden_states_and_pauses_in_phrase_order_then_end(client):
    records = hidden_stream(client)
    types = [header["type"] for header, _ in records]
    assert types[0] == "start" and types[-1] == "end" and set(types[2:-1]) <= {"hidden", "pause"}
    assert types[1] == "mel"                  # the first call comes decoded: the first sound waits for no decoder
    assert types[-2] == "hidden" and "pause" in types   # phrases with pauses between them
    start = records[0][0]
    assert start["version"] == 3 and set(start["models"]) == {"decoder", "head", "tail"}
    assert (start["sample_rate"], start["hop"], start["frame_rate"], start["mel_bins"], start["channels"]) == \
        (24000, 300, 80.0, 80, 256)
    assert (start["hidden"]["dtype"], start["durations"]["dtype"], start["byte_order"]) == ("float16", "int32", "little")
    assert start["pitch"] == 0
    assert (start["calibration_db"], start["volume_db"]) == (VOICE.calibration_db, 0)   # the voice's calibration alone
    assert start["vocoder"]["context_frames"] >= 4 and start["vocoder"]["min_frames"] == 16
    phrases = [header["phrase"] for header, _ in records[1:-1]]
    assert phrases == sorted(phrases) and phrases[-1] == types.count("pause")   # one pause after each phrase but the last
    for header, payload in records:
        assert header["bytes"] == len(payload)
        if header["type"] == "hidden":
            assert len(payload) == header["symbols"] * (256 * 2 + 4)
        if header["type"] == "mel":
            assert len(payload) == header["frames"] * 80 * 4


def test_each_call_says_how_many_frames_its_durations_make(client):
    for header, hidden, durations in calls(hidden_stream(client)):
        assert np.isfinite(hidden).all() and (durations >= 0).all()
        assert header["decoder_frames"] == header["frames"] == durations.sum()   # speed 1: no squeeze


def test_decoding_and_vocoding_the_stream_gives_the_servers_own_audio(client, page):
    records = hidden_stream(client)
    local = page.audio(records)
    server, rate = decode(client.post("/tts", json={"text": TEXT}).data)
    assert rate == 24000 and len(local) == len(server) == records[-1][0]["samples"]
    assert snr_db(server, local) > 60   # the same numbers but for the wav's 16-bit rounding


def test_the_end_record_counts_the_audio_and_the_servers_cpu(client):
    records = hidden_stream(client)
    end = records[-1][0]
    frames = sum(header["frames"] for header, _ in records if header["type"] in ("mel", "hidden"))
    pauses = sum(header["samples"] for header, _ in records if header["type"] == "pause")
    assert end["samples"] == frames * HOP + pauses
    assert end["audio_seconds"] == pytest.approx(end["samples"] / 24000, abs=0.001)
    assert end["cpu_seconds"] > 0   # the acoustic model's first half ran on the worker thread, and was costed there


def test_speed_is_applied_by_the_server_and_volume_is_handed_to_the_client(client):
    normal, fast = hidden_stream(client), hidden_stream(client, speed=2.0, volume=-6)
    assert fast[-1][0]["samples"] < 0.6 * normal[-1][0]["samples"]
    assert (fast[0][0]["calibration_db"], fast[0][0]["volume_db"]) == (VOICE.calibration_db, -6.0)
    for header, _, durations in calls(fast):   # faster than the model's own rate: the client squeezes the mel
        assert header["stretch"] == 2.0 and header["frames"] == round(durations.sum() / 2)


def test_equal_requests_give_equal_hidden_states_and_another_seed_other_ones(client):
    first, again, other = hidden_stream(client), hidden_stream(client), hidden_stream(client, seed=7)
    assert [p for _, p in first[1:-1]] == [p for _, p in again[1:-1]]
    assert [p for _, p in first[1:-1]] != [p for _, p in other[1:-1]]


@pytest.mark.parametrize("fields, field", [
    ({"pitch": 3}, "pitch"),                   # a pitch shift resamples audio the server no longer makes
    ({"voice": "zf_xiaobei"}, "voice"),        # only the embedded voice can be made in the browser
    ({"voice": "nobody"}, "voice"),
    ({"format": "wav"}, "format"),             # fields of POST /tts that make no sense here are unknown
    ({"sample_rate": 16000}, "sample_rate"),
    ({"stream": True}, "stream"),
    ({"eco": True}, "eco"),
    ({"volume": 40}, "volume"),
    ({"speed": 0}, "speed"),
    ({"text": "  "}, "text"),
])
def test_what_cannot_be_honoured_is_a_400_naming_the_field(client, fields, field):
    response = client.post("/tts/hidden", json={"text": TEXT, **fields})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_words_no_voice_reads_are_counted_as_on_the_audio_routes(client):
    response = client.post("/tts/hidden", json={"text": "你好αβγ世界。"})
    assert response.status_code == 200 and response.headers["X-Omitted-Tokens"] == "1"
    assert client.post("/tts/hidden", json={"text": "你好世界。"}).headers["X-Omitted-Tokens"] == "0"


def test_no_voice_means_the_embedded_one(client):
    assert hidden_stream(client, voice=None)[-1][0]["samples"] == hidden_stream(client, voice="baker")[-1][0]["samples"]


def test_the_graph_files_have_hashed_immutable_names(client):
    response = client.get("/vocoder/manifest.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    manifest = response.get_json()
    assert set(manifest["models"]) == {"decoder", "head", "tail"} and manifest["voices"] == ["baker"]
    urls = [manifest["runtime"], manifest["wasm"], *manifest["models"].values()]
    total = 0
    for url in urls:
        key, name = re.fullmatch(r"/vocoder/([0-9a-f]{16})/([\w.-]+)", url).groups()
        served = client.get(url)
        assert served.status_code == 200 and "immutable" in served.headers["Cache-Control"]
        assert hashlib.sha256(served.data).hexdigest().startswith(key)
        total += len(served.data)
        assert client.get(f"/vocoder/{'0' * 16}/{name}").status_code == 404   # another content, another name
    assert manifest["bytes"] == total
    assert client.get(manifest["wasm"]).mimetype == "application/wasm"
    assert client.get(manifest["runtime"]).mimetype == "text/javascript"


def test_on_a_server_with_keys_the_page_files_need_none_and_the_stream_does(synthesizer):
    app = create_app(Settings(api_keys="k" * 32), synthesizer=synthesizer)   # the page asks for the key
    try:
        client = app.test_client()
        manifest = client.get("/vocoder/manifest.json")
        assert manifest.status_code == 200
        assert client.get(manifest.get_json()["models"]["decoder"]).status_code == 200
        assert client.post("/tts/hidden", json={"text": TEXT}).status_code == 401
    finally:
        shutdown(app)


def test_the_page_may_compile_wasm_and_nothing_more(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert "unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "") and "unsafe-inline" not in policy


def test_a_client_that_leaves_mid_stream_cancels_its_job(app, client):
    metrics = app.extensions["tts.service"].metrics
    cancelled = metrics.jobs.labels("cancelled")._value.get()
    text = "".join(f"第{n}段，今天天气很好，我们去公园散步吧。" for n in range(60))
    response = client.post("/tts/hidden", json={"text": text}, buffered=False)
    chunks = iter(response.response)
    assert read_records(next(chunks))[0][0]["type"] == "start"
    response.close()   # the client went away after the first record
    deadline = time.monotonic() + 30
    while metrics.jobs.labels("cancelled")._value.get() == cancelled:
        assert time.monotonic() < deadline, "the job was not cancelled"
        gevent.sleep(0.05)
    assert app.extensions["tts.service"].depth == 0


def test_a_browser_that_accepts_gzip_gets_the_wasm_and_the_decoder_gzipped(client):
    manifest = client.get("/vocoder/manifest.json").get_json()
    saved = 0
    for url, at_most in ((manifest["wasm"], 0.3), (manifest["models"]["decoder"], 0.7)):
        plain = client.get(url)
        packed = client.get(url, headers={"Accept-Encoding": "gzip, deflate, br"})
        assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
        assert gzip.decompress(packed.data) == plain.data and len(packed.data) < at_most * len(plain.data)
        assert packed.headers["ETag"] != plain.headers["ETag"]
        saved += len(plain.data) - len(packed.data)
    tail = client.get(manifest["models"]["tail"], headers={"Accept-Encoding": "gzip"})
    assert "Content-Encoding" not in tail.headers   # float weights barely shrink: sent as they are
    assert manifest["gzip_bytes"] <= manifest["bytes"] - saved   # what the browser downloads
