"""Hypothesis fuzzing of the HTTP layer: a real app on the real embedded voice, bodies built from the
field declaration (valid values, wrong types, huge and fractional numbers, SSML and pinyin pieces,
lone surrogates, unknown fields) and raw bytes under any media type.

Whatever arrives, the answer is a status the served document lists for the route, shaped as it
says, never a 500; a 4xx names a field; a 200 decodes to audio that is not silent and fits the
audio budget. Derandomized with no example database, so every run tests the same examples
(HYPOTHESIS_EXPLORE=1 explores afresh); each failure ever found stays below as an @example.
"""

from __future__ import annotations

import json
import math
import os

import numpy as np
import pytest
from hypothesis import HealthCheck, event, example, given, settings, strategies as st

from contract import audio_of, drain
from tts.config import Settings
from tts.request import CAPTIONED, OPENAI, TTS, Dialect, Field

SETTINGS = Settings()          # the shipped limits, as the app of conftest.py has them
EXPLORE = bool(os.environ.get("HYPOTHESIS_EXPLORE"))


def fuzz(examples: int) -> settings:
    """Derandomized in every run but an exploring one, which also tries ten times as many."""
    return settings(max_examples=examples * (10 if EXPLORE else 1), deadline=None, derandomize=not EXPLORE,
                    database=settings.default.database if EXPLORE else None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])


PIECES = ["你好", "今天天气很好", "。", "，", "？", "银行", "2024年5月", "3.5%", "110", "ABC", "😀", " ", "\n",
          "{yin2 hang2}", "{zzz1}", "{ni3}", "{lv4}", "\ud800", "\udfff", "&amp;", "<", ">", "&", "\x00",
          "<speak>", "</speak>", '<break time="300ms"/>', '<break time="10s"/>', '<break strength="x-strong"/>',
          '<prosody rate="25%">', '<prosody rate="x-fast">', "</prosody>", '<phoneme ph="hang2">行</phoneme>',
          '<phoneme ph="zzz2">行</phoneme>', '<say-as interpret-as="digits">12</say-as>',
          '<say-as interpret-as="cardinal">-3.5</say-as>', '<sub alias="世界">W</sub>', "<p>", "</p>", "<s>",
          "</s>", '<audio src="x"/>', '<?xml version="1.0"?>']
SPOKEN = st.lists(st.sampled_from(["你好", "今天天气很好", "银行{yin2 hang2}", "2024年5月", "3.5%", "，", "。", "ABC"]),
                  min_size=1, max_size=4).map("".join)
TEXT = st.lists(st.sampled_from(PIECES) | st.text(max_size=3), max_size=8).map("".join)
SSML = st.lists(st.sampled_from(PIECES), max_size=8).map(lambda parts: "<speak>" + "".join(parts) + "</speak>")
SCALARS = (st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False)
           | st.text(max_size=6) | st.sampled_from([0, -0.0, 1e300, -1e300, 10**20, 2**31, 2**63, 0.5, 16000.0]))
JSON_VALUES = st.recursive(SCALARS, lambda inner: st.lists(inner, max_size=3)
                           | st.dictionaries(st.text(max_size=4), inner, max_size=3), max_leaves=6)
VOICES = {"POST /tts": ["baker"], "POST /v1/audio/speech": ["alloy", "baker"],
          "POST /dev/captioned_speech": ["baker"]}
MODELS = ["tts-1", "tts-1-hd", "embedded"]


def valid(spec: Field, dialect: Dialect) -> st.SearchStrategy:
    """Values the declaration accepts (text-like fields get text that may still be refused)."""
    if spec.choices:
        return st.sampled_from(spec.choices)
    if spec.kind == "boolean":
        return st.booleans()
    if spec.kind == "integer":
        whole = st.integers(int(spec.low), int(spec.high))
        return whole | whole.map(float)
    if spec.kind == "number":
        return st.floats(spec.low, spec.high)
    if spec.choices_from == "voices":
        return st.sampled_from(VOICES[dialect.route])
    if spec.choices_from == "models":
        return st.sampled_from(MODELS)
    return SPOKEN | TEXT | SSML


def field_values(spec: Field, dialect: Dialect) -> st.SearchStrategy:
    return st.one_of(valid(spec, dialect), valid(spec, dialect), valid(spec, dialect), JSON_VALUES)


def bodies(dialect: Dialect) -> st.SearchStrategy:
    """Mostly the dialect's fields (required ones nearly always there), sometimes an unknown one too."""
    fields = st.fixed_dictionaries(
        {}, optional={f.name: field_values(f, dialect) for f in dialect.fields})
    required = st.fixed_dictionaries({f.name: valid(f, dialect) for f in dialect.fields if f.required})
    unknown = st.dictionaries(st.text(min_size=1, max_size=6), JSON_VALUES, max_size=1)
    return st.builds(lambda r, f, u: {**r, **f, **u}, required, fields, st.sampled_from([{}, {}, {}]) | unknown)


def holds_to_the_contract(app, contract, path: str, response, body: dict | None = None) -> None:
    contract.check(path, "post", response)
    status = response.status_code
    event(f"status {status}")
    if 400 <= status < 500:
        error = response.get_json()["error"]
        field = error.get("field") or error.get("param")
        assert field, f"{status} names no field: {error}"
        event(f"{status} names {field}")
    elif status == 202:   # an async job: cancel it and let the queue empty, as a client that leaves would
        app.extensions["tts.service"].jobs.get(response.get_json()["id"]).cancel()
        drain(app)
    else:
        samples, rate = audio_of(response, (body or {}).get("response_format") or "mp3")
        seconds = len(samples) / rate
        assert 0 < seconds <= SETTINGS.max_audio_seconds
        volume = (body or {}).get("volume") or 0
        if (body or {}).get("volume_multiplier"):   # /dev/captioned_speech's linear gain
            volume = 20 * math.log10(body["volume_multiplier"])
        assert np.abs(samples).max() > 0.01 * 10 ** (volume / 20), "silent audio"


def post(app, path: str, body: dict):
    return app.test_client().post(path, data=json.dumps(body), content_type="application/json")


@fuzz(150)
@given(body=bodies(TTS))
@example(body={"text": "你好", "sample_rate": 16000.0})
@example(body={"text": "<speak>\ud800你好</speak>"})
@example(body={"text": "你好{zzz1}"})
@example(body={"text": "你好", "async": True})   # a harness bug found: async jobs left behind filled the queue
@example(body={"text": "<speak>" + '<prosody rate="25%">' * 8 + "你好" + "</prosody>" * 8 + "</speak>"})
def test_any_tts_body_gets_a_documented_answer(app, contract, body):
    holds_to_the_contract(app, contract, "/tts", post(app, "/tts", body), body)


@fuzz(100)
@given(body=bodies(OPENAI))
@example(body={"model": "tts-1", "voice": "alloy", "input": "你好", "sample_rate": 16000.0})
@example(body={"model": "tts-1", "voice": "alloy", "input": "<speak>你好</speak>", "response_format": "pcm"})
@example(body={"model": "embedded", "voice": {"id": "alloy"}, "input": "你好", "stream_format": "sse",
               "response_format": "wav"})
def test_any_openai_body_gets_a_documented_answer(app, contract, body):
    holds_to_the_contract(app, contract, "/v1/audio/speech", post(app, "/v1/audio/speech", body), body)


@fuzz(60)
@given(body=bodies(CAPTIONED))
@example(body={"input": "你好", "response_format": "pcm"})
def test_any_captioned_speech_body_gets_a_documented_answer(app, contract, body):
    holds_to_the_contract(app, contract, "/dev/captioned_speech", post(app, "/dev/captioned_speech", body), body)


MEDIA_TYPES = ["application/json", "application/json; charset=utf-8", "application/problem+json", "text/plain",
               "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "", "application/xml",
               "APPLICATION/JSON", "application/jsonp", "application/json-patch+json", "text/json"]
RAW = (st.binary(max_size=64)
       | st.text(alphabet='{}[]":,0123456789.eE-+ tnulrfas\\u', max_size=64).map(str.encode)
       | st.sampled_from([b"[" * 5000, b"{" * 5000, b"9" * 5000, b"NaN", b'"\xed\xa0\x80"', b"\xef\xbb\xbf{}"]))


# a charset parameter as clients spell it: a token, quoted, or RFC 2231's charset*= (which werkzeug decodes)
CHARSET_LABELS = st.sampled_from(["utf-8", "gbk", "utf-16", "utf-7", "cp037", "latin-1", "klingon", ""]) | st.text(
    alphabet=st.characters(codec="latin-1"), max_size=8)
CHARSETS = st.one_of(CHARSET_LABELS.map(lambda label: f"; charset={label}"),
                     CHARSET_LABELS.map(lambda label: f'; charset="{label}"'),
                     CHARSET_LABELS.map(lambda label: "; charset*=utf-8''" + "".join(f"%{b:02X}" for b in
                                                                                       label.encode("latin-1"))))
CODINGS = st.sampled_from(["", "gzip", "deflate", "x-gzip", "identity", "br", "gzip, deflate"])


@fuzz(200)
@given(raw=RAW, media_type=st.sampled_from(MEDIA_TYPES), charset=st.none() | CHARSETS, coding=CODINGS,
       path=st.sampled_from(["/tts", "/v1/audio/speech"]))
@example(raw=b"{}", media_type="application/json", charset="; charset*=utf-8''utf%00x", coding="",
         path="/tts")   # a NUL in the charset was a 500
def test_any_bytes_under_any_media_type_get_a_documented_answer(app, contract, raw, media_type, charset, coding,
                                                                 path):
    headers = {"Content-Type": media_type + (charset or "")} if media_type else {}
    if coding:
        headers["Content-Encoding"] = coding
    response = app.test_client().post(path, data=raw, headers=headers)
    holds_to_the_contract(app, contract, path, response)
