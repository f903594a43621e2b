"""The OpenAI speech dialect, used through the real `openai` client against a live server."""

import base64
import io
import json
import time

import numpy as np
import openai as openai_sdk
import pytest
import requests
import soundfile

from helpers import decode

TEXT = "今天天气很好，我们去公园散步吧。"


@pytest.fixture(scope="module")
def sdk(live_server):
    return openai_sdk.OpenAI(base_url=f"{live_server.url}/v1", api_key="not-needed", max_retries=0)


def speech(sdk, **kwargs):
    args = {"model": "tts-1", "voice": "alloy", "input": TEXT, **kwargs}
    return sdk.audio.speech.create(**args).content


def pcm_seconds(data: bytes, rate: int = 24000) -> float:
    return len(data) / 2 / rate


ENCODED = ("wav", "flac", "mp3", "opus", "aac")
LEAD_IN = {"mp3": 0.1, "aac": 0.1}   # streamed MP3/AAC carry no gapless tag: decoders play the encoder's delay


@pytest.fixture(scope="module")
def durations(sdk):
    """Decoded duration of the same request in every format, streamed (the default) and whole."""
    result = {("pcm", True): pcm_seconds(speech(sdk, response_format="pcm"))}
    for fmt in ENCODED:
        for stream in (True, False):
            samples, rate = decode(speech(sdk, response_format=fmt, extra_body={"stream": stream}))
            assert rate == 24000   # libsndfile gives Opus at the rate in its header
            assert np.sqrt(np.mean(samples ** 2)) > 0.02
            result[fmt, stream] = len(samples) / rate
    return result


@pytest.mark.parametrize("fmt", ENCODED)
@pytest.mark.parametrize("stream", [True, False], ids=["streamed", "whole"])
def test_every_format_decodes_to_the_same_duration(durations, fmt, stream):
    exact = durations["pcm", True]
    lead_in = LEAD_IN.get(fmt, 0.0) if stream or fmt == "aac" else 0.0
    assert exact - 0.002 <= durations[fmt, stream] <= exact + lead_in + 0.002


def test_default_format_is_mp3_and_streamed(live_server):
    with requests.post(f"{live_server.url}/v1/audio/speech", timeout=60, stream=True,
                       json={"model": "tts-1", "voice": "alloy", "input": TEXT}) as response:
        assert response.headers["Content-Type"] == "audio/mpeg"
        assert response.headers.get("Transfer-Encoding") == "chunked" and "Content-Length" not in response.headers
        data = response.content
    assert data[0] == 0xFF and data[1] & 0xE0 == 0xE0   # an MPEG audio frame's sync word first
    assert soundfile.info(io.BytesIO(data)).format == "MP3"


def test_stream_false_sends_the_whole_file_with_its_length(live_server):
    response = requests.post(f"{live_server.url}/v1/audio/speech", timeout=60, json={
        "model": "tts-1", "voice": "alloy", "input": TEXT, "response_format": "aac", "stream": False})
    assert int(response.headers["Content-Length"]) == len(response.content)
    assert response.headers["Accept-Ranges"] == "bytes" and response.content[:2] == b"\xff\xf1"   # ADTS, MPEG-4


LONG = "今天天气很好，我们一起去公园散步吧。春天来了，花儿都开了，小鸟在树上唱歌。" * 6   # ~50 s of audio


@pytest.mark.parametrize("fmt", ["mp3", "opus", "aac", "wav", "pcm"])
def test_sdk_streaming_gets_first_bytes_long_before_synthesis_ends(sdk, fmt):
    started = time.monotonic()
    with sdk.audio.speech.with_streaming_response.create(model="tts-1", voice="alloy", input=LONG,
                                                         response_format=fmt) as response:
        chunks = response.iter_bytes()
        first = next(chunks)
        first_at = time.monotonic() - started
        body = first + b"".join(chunks)
        last_at = time.monotonic() - started
    assert first_at < last_at / 4, (first_at, last_at)
    samples, rate = (np.frombuffer(body, "<i2") / 32768, 24000) if fmt == "pcm" else decode(body)
    assert len(samples) / rate > 40 and np.sqrt(np.mean(samples ** 2)) > 0.02


def test_sdk_speech_events_arrive_as_the_audio_is_made(sdk):
    """stream_format "sse" through the real server: the first event long before the last, their audio whole."""
    started = time.monotonic()
    with sdk.audio.speech.with_streaming_response.create(model="gpt-4o-mini-tts", voice="alloy", input=LONG,
                                                         response_format="pcm", stream_format="sse") as response:
        lines = response.iter_lines()
        first = next(line for line in lines if line)
        first_at = time.monotonic() - started
        events = [json.loads(line[len("data: "):]) for line in [first, *lines] if line]
        last_at = time.monotonic() - started
    assert first_at < last_at / 4, (first_at, last_at)
    assert events[-1]["type"] == "speech.audio.done"
    pcm = b"".join(base64.b64decode(e["audio"]) for e in events[:-1])
    assert len(pcm) / 2 / 24000 > 40


@pytest.mark.parametrize("fmt, media_type", [("wav", "audio/wav"), ("pcm", "audio/pcm"), ("flac", "audio/flac"),
                                              ("mp3", "audio/mpeg"), ("opus", "audio/ogg"), ("aac", "audio/aac")])
def test_content_type_and_disposition(live_server, fmt, media_type):
    response = requests.post(f"{live_server.url}/v1/audio/speech", timeout=60, json={
        "model": "tts-1", "voice": "nova", "input": "你好。", "response_format": fmt})
    assert response.headers["Content-Type"] == media_type
    assert response.headers["Content-Disposition"].endswith(f'.{fmt}"')


def test_bearer_token_is_accepted_and_ignored(live_server):
    response = requests.post(f"{live_server.url}/v1/audio/speech", timeout=60, json={
        "model": "tts-1", "voice": "onyx", "input": "你好。", "response_format": "wav"},
        headers={"Authorization": "Bearer sk-anything"})
    assert response.status_code == 200


def test_speed_two_gives_about_half_the_duration(sdk):
    normal = pcm_seconds(speech(sdk, response_format="pcm"))
    fast = pcm_seconds(speech(sdk, response_format="pcm", speed=2.0))
    assert fast / normal == pytest.approx(0.5, abs=0.08)


@pytest.mark.parametrize("body, param", [
    ({"voice": "alloy", "input": "你好"}, "model"),
    ({"model": "dall-e-3", "voice": "alloy", "input": "你好"}, "model"),
    ({"model": "tts-1", "input": "你好"}, "voice"),
    ({"model": "tts-1", "voice": "bob", "input": "你好"}, "voice"),
    ({"model": "tts-1", "voice": "alloy"}, "input"),
    ({"model": "tts-1", "voice": "alloy", "input": "你" * 4097}, "input"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "response_format": "m4a"}, "response_format"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "speed": 4.5}, "speed"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "pitch": 13}, "pitch"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "volume": "loud"}, "volume"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "sample_rate": 11025}, "sample_rate"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "response_format": "opus", "sample_rate": 44100}, "sample_rate"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "stream": "yes"}, "stream"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "eco": 1}, "eco"),
    ({"model": "tts-1", "voice": "alloy", "input": "你好", "instructions": 5}, "instructions"),
])
def test_bad_fields_are_400_in_openai_error_shape(live_server, body, param):
    response = requests.post(f"{live_server.url}/v1/audio/speech", json=body, timeout=30)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["param"] == param and error["type"] == "invalid_request_error" and error["message"]


def test_sdk_raises_bad_request_with_the_message(sdk):
    with pytest.raises(openai_sdk.BadRequestError, match="voice"):
        speech(sdk, voice="nobody")


def test_voices_and_models_list_what_the_server_has(live_server):
    voices = requests.get(f"{live_server.url}/v1/audio/voices", timeout=5).json()["voices"]
    assert "baker" in [v["id"] for v in voices]
    baker = next(v for v in voices if v["id"] == "baker")
    assert baker["gender"] == "female" and "alloy" in baker["openai_aliases"]
    models = [m["id"] for m in requests.get(f"{live_server.url}/v1/models", timeout=5).json()["data"]]
    assert {"tts-1", "tts-1-hd", "embedded"} <= set(models)


@pytest.mark.parametrize("model", ["tts-1", "tts-1-hd", "gpt-4o-mini-tts", "embedded"])
def test_each_listed_model_can_be_retrieved_with_the_sdk(sdk, model):
    found = sdk.models.retrieve(model)
    assert (found.id, found.object, found.owned_by) == (model, "model", "zh-tts")


def test_an_unknown_model_is_a_404_in_openai_shape(sdk, live_server):
    with pytest.raises(openai_sdk.NotFoundError, match="whisper-1"):
        sdk.models.retrieve("whisper-1")
    error = requests.get(f"{live_server.url}/v1/models/whisper-1", timeout=5).json()["error"]
    assert error == {"message": "The model 'whisper-1' does not exist", "type": "invalid_request_error",
                     "param": "model", "code": "model_not_found"}


@pytest.mark.parametrize("method, path, status", [("GET", "/v1/audio/speech", 405), ("POST", "/v1/audio/translations", 404),
                                                  ("DELETE", "/v1/models", 405)])
def test_a_route_or_method_the_dialect_lacks_answers_in_openai_shape(live_server, method, path, status):
    """OpenAI's clients read error.type; a 405 also says which methods the route takes (Allow, as HTTP asks)."""
    response = requests.request(method, f"{live_server.url}{path}", timeout=5)
    assert response.status_code == status
    assert set(response.json()["error"]) == {"message", "type", "param", "code"}
    assert response.json()["error"]["type"] == "invalid_request_error"
    if status == 405:
        assert set(response.headers["Allow"].split(", ")) >= {"POST" if path.endswith("speech") else "GET"}


def test_streaming_with_the_sdk_yields_the_same_pcm_as_a_whole_response(sdk):
    whole = speech(sdk, response_format="pcm", extra_body={"stream": False})
    with sdk.audio.speech.with_streaming_response.create(
            model="tts-1", voice="alloy", input=TEXT, response_format="pcm") as response:
        streamed = b"".join(response.iter_bytes())
    assert streamed == whole
