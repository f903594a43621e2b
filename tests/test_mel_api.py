"""POST /tts/mel (browser vocoding's mel stream) and the vocoder files, through Flask's test client
on the real embedded voice: the framing, what a client needs to vocode, and what is refused."""

from __future__ import annotations

import gzip
import hashlib
import time
import re

import gevent
import numpy as np
import onnxruntime as ort
import pytest

from helpers import decode
from tts.audio.effects import apply_gain
from tts.config import Settings
from tts.engines import embedded_vocoder
from tts.engines.embedded import VOICE
from tts.mel import HOP, MEDIA_TYPE, read_records

TEXT = "今天天气很好，我们去公园散步吧。春天来了，花儿都开了。"


def mel_stream(client, **fields) -> list[tuple[dict, bytes]]:
    response = client.post("/tts/mel", json={"text": TEXT, **fields})
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == MEDIA_TYPE and response.headers["Cache-Control"] == "no-store"
    return read_records(response.data)


def mels(records) -> list[np.ndarray]:
    return [np.frombuffer(payload, "<f2").reshape(header["frames"], 80) for header, payload in records
            if header["type"] == "mel"]


@pytest.fixture(scope="module")
def vocoder():
    """The server's own vocoder graphs, in one pass per mel (what chunked vocoding equals)."""
    head, tail = (ort.InferenceSession(str(path), providers=["CPUExecutionProvider"])
                  for path in embedded_vocoder.verified(Settings().vocoder_dir))

    def vocode(mel: np.ndarray) -> np.ndarray:
        (features,) = head.run(None, {"mel": mel[None].astype(np.float32)})
        (audio,) = tail.run(None, {"features": features})
        return audio[0]
    return vocode


def test_the_stream_is_start_then_mels_and_pauses_in_phrase_order_then_end(client):
    records = mel_stream(client)
    types = [header["type"] for header, _ in records]
    assert types[0] == "start" and types[-1] == "end" and set(types[1:-1]) <= {"mel", "pause"}
    assert types[1] == "mel" and types[-2] == "mel" and "pause" in types   # phrases with pauses between them
    start = records[0][0]
    assert (start["sample_rate"], start["hop"], start["frame_rate"], start["mel_bins"]) == (24000, 300, 80.0, 80)
    assert (start["dtype"], start["byte_order"], start["pitch"]) == ("float16", "little", 0)
    assert start["volume_db"] == VOICE.calibration_db   # volume 0: the voice's loudness calibration alone
    assert start["vocoder"]["context_frames"] >= 4 and start["vocoder"]["min_frames"] == 16
    phrases = [header["phrase"] for header, _ in records[1:-1]]
    assert phrases == sorted(phrases) and phrases[-1] == types.count("pause")   # one pause after each phrase but the last
    for header, payload in records:
        assert header["bytes"] == len(payload)
        if header["type"] == "mel":
            assert len(payload) == header["frames"] * 80 * 2


def test_the_mels_are_normalized_and_finite(client):
    for mel in mels(mel_stream(client)):
        assert np.isfinite(mel).all() and -5 < mel.min() < mel.max() < 5


def test_vocoding_the_stream_gives_the_servers_own_audio(client, vocoder):
    records = mel_stream(client)
    gain, made, phrase = records[0][0]["volume_db"], [], []
    for header, payload in records[1:-1] + [({"type": "pause", "samples": 0}, b"")]:
        if header["type"] == "mel":
            phrase.append(vocoder(np.frombuffer(payload, "<f2").reshape(header["frames"], 80)))
        else:   # a phrase ends: the start record's gain, then the per-phrase peak limiter (as the page does)
            made += [apply_gain(np.concatenate(phrase), gain), np.zeros(header["samples"], np.float32)]
            phrase = []
    local = np.concatenate(made)
    server, rate = decode(client.post("/tts", json={"text": TEXT}).data)
    assert rate == 24000 and len(local) == len(server) == records[-1][0]["samples"]
    noise = np.sum((server - local) ** 2)
    assert 10 * np.log10(np.sum(server ** 2) / noise) > 40   # float16 mels, 16-bit audio: ~49 dB


def test_the_end_record_counts_the_audio_and_the_servers_cpu(client):
    records = mel_stream(client)
    end = records[-1][0]
    frames = sum(header["frames"] for header, _ in records if header["type"] == "mel")
    pauses = sum(header["samples"] for header, _ in records if header["type"] == "pause")
    assert end["samples"] == frames * HOP + pauses
    assert end["audio_seconds"] == pytest.approx(end["samples"] / 24000, abs=0.001)
    assert end["cpu_seconds"] > 0   # the acoustic model ran on the worker thread, and was costed there


def test_speed_is_applied_by_the_server_and_volume_is_handed_to_the_client(client):
    normal, fast = mel_stream(client), mel_stream(client, speed=2.0, volume=-6)
    assert fast[-1][0]["samples"] < 0.6 * normal[-1][0]["samples"]
    assert fast[0][0]["volume_db"] == pytest.approx(VOICE.calibration_db - 6.0)


def test_equal_requests_give_equal_mels_and_another_seed_other_ones(client):
    first, again, other = mel_stream(client), mel_stream(client), mel_stream(client, seed=7)
    assert [p for _, p in first[1:-1]] == [p for _, p in again[1:-1]]
    assert [p for _, p in first[1:-1]] != [p for _, p in other[1:-1]]


@pytest.mark.parametrize("fields, field", [
    ({"pitch": 3}, "pitch"),                   # a pitch shift resamples audio the server no longer makes
    ({"voice": "zf_xiaobei"}, "voice"),        # only the embedded voice has a mel output
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
    response = client.post("/tts/mel", json={"text": TEXT, **fields})
    assert response.status_code == 400
    assert response.get_json()["error"]["field"] == field


def test_no_voice_means_the_embedded_one(client):
    assert mel_stream(client, voice=None)[-1][0]["samples"] == mel_stream(client, voice="baker")[-1][0]["samples"]


def test_the_vocoder_files_have_hashed_immutable_names(client):
    response = client.get("/vocoder/manifest.json")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-cache"
    manifest = response.get_json()
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


def test_the_page_may_compile_wasm_and_nothing_more(client):
    policy = client.get("/").headers["Content-Security-Policy"]
    assert "script-src 'self' 'wasm-unsafe-eval';" in policy
    assert "unsafe-eval'" not in policy.replace("'wasm-unsafe-eval'", "") and "unsafe-inline" not in policy


def test_a_client_that_leaves_mid_stream_cancels_its_job(app, client):
    metrics = app.extensions["tts.service"].metrics
    cancelled = metrics.jobs.labels("cancelled")._value.get()
    text = "".join(f"第{n}段，今天天气很好，我们去公园散步吧。" for n in range(60))
    response = client.post("/tts/mel", json={"text": text}, buffered=False)
    chunks = iter(response.response)
    assert read_records(next(chunks))[0][0]["type"] == "start"
    response.close()   # the client went away after the first record
    deadline = time.monotonic() + 30
    while metrics.jobs.labels("cancelled")._value.get() == cancelled:
        assert time.monotonic() < deadline, "the job was not cancelled"
        gevent.sleep(0.05)
    assert app.extensions["tts.service"].depth == 0


def test_a_browser_that_accepts_gzip_gets_the_wasm_gzipped(client):
    manifest = client.get("/vocoder/manifest.json").get_json()
    plain = client.get(manifest["wasm"])
    packed = client.get(manifest["wasm"], headers={"Accept-Encoding": "gzip, deflate, br"})
    assert packed.headers["Content-Encoding"] == "gzip" and packed.headers["Vary"] == "Accept-Encoding"
    assert gzip.decompress(packed.data) == plain.data and len(packed.data) < 0.3 * len(plain.data)
    assert manifest["gzip_bytes"] < 0.6 * manifest["bytes"]
