"""The OpenAI speech API as the real `openai` client meets it, in process (its HTTP client on a WSGI
transport): every name the client's own types offer, its custom voice object, and its SSE events.
The same client against a live server is tests/test_openai_api.py."""

from __future__ import annotations

import base64
import json
import typing

import httpx2
import openai as openai_sdk
import pytest
from openai.types.audio import speech_create_params, speech_model

from tts.request import CAPTIONED, OPENAI
from tts.web.context import synthesis_request
from tts.web.openai import model_ids

TEXT = "你好。"


def in_process(app, base_url: str = "http://localhost/v1") -> openai_sdk.OpenAI:
    """The real client, its HTTP client calling `app` directly (a WSGI transport): no server, no socket."""
    return openai_sdk.OpenAI(base_url=base_url, api_key="unused", max_retries=0,
                             http_client=httpx2.Client(transport=httpx2.WSGITransport(app=app)))


@pytest.fixture(scope="module")
def sdk(app):
    with in_process(app) as client:
        yield client


def literals(alias) -> set[str]:
    """The string values a type alias of the client's types lists (Literal[...] inside Unions)."""
    if typing.get_origin(alias) is typing.Literal:
        return set(typing.get_args(alias))
    return set().union(*(literals(arg) for arg in typing.get_args(alias)))


def test_every_model_the_client_names_is_one_we_take(app):
    """gpt-4o-mini-tts-2025-12-15 (the client's SpeechModel) was a 400 `model`."""
    models = literals(speech_model.SpeechModel)
    assert "gpt-4o-mini-tts-2025-12-15" in models and "tts-1" in models
    with app.app_context():
        assert models <= set(model_ids())


@pytest.mark.parametrize("model", sorted(literals(speech_model.SpeechModel)))
def test_each_of_the_clients_models_speaks(sdk, model):
    audio = sdk.audio.speech.create(model=model, voice="alloy", input=TEXT, response_format="wav").content
    assert audio[:4] == b"RIFF" and len(audio) > 24000


@pytest.mark.parametrize("voice", sorted(literals(speech_create_params.Voice)))
def test_each_of_the_clients_voice_names_is_one_of_ours(app, voice):
    with app.test_request_context():
        request = synthesis_request({"model": "tts-1", "voice": voice, "input": TEXT}, dialect=OPENAI,
                                    models=model_ids())
    assert request.voice in app.extensions["tts.service"].catalogue.ids


def test_the_clients_custom_voice_object_names_a_voice_by_its_id(sdk):
    """`voice: {"id": ...}` is OpenAI's custom voice shape; it was a 400 ('voice' must be a string)."""
    by_object = sdk.audio.speech.create(model="tts-1", voice={"id": "baker"}, input=TEXT, response_format="pcm")
    by_name = sdk.audio.speech.create(model="tts-1", voice="baker", input=TEXT, response_format="pcm")
    assert by_object.content == by_name.content


def test_a_custom_voice_we_do_not_have_is_a_400_naming_voice(sdk):
    with pytest.raises(openai_sdk.BadRequestError) as raised:
        sdk.audio.speech.create(model="tts-1", voice={"id": "voice_1234"}, input=TEXT)
    assert raised.value.body["param"] == "voice" and "voice_1234" in raised.value.body["message"]


def test_the_voice_list_shows_the_openai_names_each_model_gives_a_voice(app):
    """Only the names under tts-1 were listed: under model "kokoro" a client saw alloy on baker and got zf_xiaobei."""
    voices = {v["id"]: v for v in app.test_client().get("/v1/audio/voices").get_json()["voices"]}
    assert "alloy" in voices["baker"]["openai_aliases"] and "nova" in voices["zf_xiaoni"]["openai_aliases"]
    assert "alloy" in voices["zf_xiaobei"]["openai_aliases_under_model"]["kokoro"]   # as README says
    assert "nova" in voices["zf_xiaoxiao"]["openai_aliases_under_model"]["kokoro"]
    assert len(voices["baker"]["openai_aliases_under_model"]["embedded"]) == len(literals(speech_create_params.Voice))
    with app.test_request_context():
        for voice in voices.values():
            for model, names in voice["openai_aliases_under_model"].items():
                assert {synthesis_request({"model": model, "voice": name, "input": TEXT}, dialect=OPENAI,
                                          models=model_ids()).voice for name in names} == {voice["id"]}


@pytest.mark.parametrize("dialect", [OPENAI, CAPTIONED], ids=["speech", "captioned_speech"])
@pytest.mark.parametrize("model", ["kokoro", "embedded"])
def test_under_an_engine_model_openai_names_mean_that_engines_voices(app, model, dialect):
    """`model: "kokoro"` with `alloy` spoke with the embedded voice (alloy's alias under tts-1)."""
    catalogue = app.extensions["tts.service"].catalogue
    engine_voices = {v.id for v in catalogue.engines[model].info.voices}
    with app.test_request_context():
        for name in literals(speech_create_params.Voice):
            request = synthesis_request({"model": model, "voice": name, "input": TEXT}, dialect=dialect,
                                        models=model_ids())
            assert request.voice in engine_voices, (model, name, request.voice)


def test_under_an_engine_model_openai_names_keep_their_gender(app):
    catalogue = app.extensions["tts.service"].catalogue
    genders = {v.id: v.gender for v in catalogue.voices}
    with app.test_request_context():
        for name, gender in (("alloy", "female"), ("nova", "female"), ("onyx", "male"), ("echo", "male")):
            request = synthesis_request({"model": "kokoro", "voice": name, "input": TEXT}, dialect=OPENAI,
                                        models=model_ids())
            assert genders[request.voice] == gender


def test_our_voice_ids_name_one_voice_whatever_the_model(app):
    """Clients made for Kokoro-FastAPI send model "kokoro" with every voice they list, ours included."""
    with app.test_request_context():
        request = synthesis_request({"model": "kokoro", "voice": "baker", "input": TEXT}, dialect=OPENAI,
                                    models=model_ids())
    assert request.voice == "baker"


def sse_events(body: bytes) -> list[dict]:
    """Server-sent events as a client parses them: blocks split by a blank line, each one `data:` line."""
    events = []
    for block in body.decode("utf-8").split("\n\n"):
        if block.strip():
            [line] = block.split("\n")
            assert line.startswith("data: ")
            events.append(json.loads(line[len("data: "):]))
    return events


@pytest.mark.parametrize("fmt", ["pcm", "mp3"])
def test_sse_events_carry_the_same_audio_as_the_stream(sdk, fmt):
    """stream_format "sse" was a 400; its events' audio joined is the bytes the audio stream sends."""
    args = {"model": "gpt-4o-mini-tts", "voice": "alloy", "input": "今天天气很好。我们去公园散步吧。",
            "response_format": fmt}
    with sdk.audio.speech.with_streaming_response.create(**args, stream_format="sse") as response:
        assert response.headers["Content-Type"].startswith("text/event-stream")
        assert response.headers["Cache-Control"] == "no-cache"
        events = sse_events(response.read())
    *deltas, done = events
    assert {e["type"] for e in deltas} == {"speech.audio.delta"} and len(deltas) >= 2
    assert done == {"type": "speech.audio.done", "usage": {"input_tokens": 0, "output_tokens": 0,
                                                           "total_tokens": 0}}
    audio = b"".join(base64.b64decode(e["audio"]) for e in deltas)
    assert audio == sdk.audio.speech.create(**args, stream_format="audio").content


def test_instructions_are_taken_and_change_nothing(sdk):
    plain = sdk.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input=TEXT, response_format="pcm")
    styled = sdk.audio.speech.create(model="gpt-4o-mini-tts", voice="alloy", input=TEXT, response_format="pcm",
                                     instructions="Speak in a cheerful and positive tone.")
    assert styled.content == plain.content


def test_a_base_url_without_v1_is_told_so_in_openais_shape(app):
    """The client posts to /audio/speech: it got a bare 404 its NotFoundError showed as 'not found'."""
    with in_process(app, "http://localhost") as sdk:
        with pytest.raises(openai_sdk.NotFoundError, match="base_url") as raised:
            sdk.audio.speech.create(model="tts-1", voice="alloy", input=TEXT)
    assert raised.value.body["type"] == "invalid_request_error"


def test_a_model_looked_up_without_v1_is_told_so_too(app):
    """models.retrieve with a base_url missing /v1 got our error shape and no hint."""
    with in_process(app, "http://localhost") as sdk:
        with pytest.raises(openai_sdk.NotFoundError, match="base_url") as raised:
            sdk.models.retrieve("tts-1")
    assert raised.value.body["type"] == "invalid_request_error"


@pytest.mark.parametrize("path", ["/audio/transcriptions", "/audio/translations", "/models/tts-1/"])
def test_any_openai_path_without_v1_is_told_so(app, path):
    response = app.test_client().post(path)
    assert response.status_code == 404 and "base_url" in response.get_json()["error"]["message"]


@pytest.mark.parametrize("field, hint", [("lang_code", "Mandarin"), ("volume_multiplier", "'volume' in dB"),
                                         ("normalization_options", "always on")])
def test_a_kokoro_fastapi_field_is_named_with_what_to_do_instead(sdk, field, hint):
    with pytest.raises(openai_sdk.BadRequestError) as raised:
        sdk.audio.speech.create(model="kokoro", voice="alloy", input=TEXT, extra_body={field: "z"})
    assert raised.value.body["param"] == field and hint in raised.value.body["message"]
