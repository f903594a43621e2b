"""The OpenAI speech dialect, used through the real `openai` client against a live server."""

import io

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


@pytest.fixture(scope="module")
def durations(sdk):
    """Decoded duration of the same request in every format."""
    result = {"pcm": pcm_seconds(speech(sdk, response_format="pcm"))}
    for fmt in ("wav", "flac", "mp3", "opus"):
        samples, rate = decode(speech(sdk, response_format=fmt))
        assert rate == 24000 and np.sqrt(np.mean(samples ** 2)) > 0.02
        result[fmt] = len(samples) / rate
    return result


@pytest.mark.parametrize("fmt", ["wav", "flac", "mp3", "opus"])
def test_every_format_decodes_to_the_same_duration(durations, fmt):
    assert durations[fmt] == pytest.approx(durations["pcm"], abs=0.05)


def test_default_format_is_mp3(sdk):
    data = speech(sdk)
    assert data[:3] == b"ID3" or data[0] == 0xFF
    assert soundfile.info(io.BytesIO(data)).format == "MP3"


@pytest.mark.parametrize("fmt, media_type", [("wav", "audio/wav"), ("pcm", "audio/pcm"), ("flac", "audio/flac"),
                                              ("mp3", "audio/mpeg"), ("opus", "audio/ogg")])
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
    assert {"tts-1", "embedded"} <= set(models)


def test_streaming_with_the_sdk_yields_the_same_pcm_as_a_whole_response(sdk):
    whole = speech(sdk, response_format="pcm")
    with sdk.audio.speech.with_streaming_response.create(
            model="tts-1", voice="alloy", input=TEXT, response_format="pcm", extra_body={"stream": True}) as response:
        streamed = b"".join(response.iter_bytes())
    assert streamed == whole
