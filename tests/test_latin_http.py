"""Latin script over HTTP: English words are spoken, and what no voice reads is reported, never
dropped silently (X-Omitted-Tokens, the job's omitted_tokens, a log line). Real embedded voice."""

import logging
import time

import gevent

from helpers import decode

MIXED = "我用iPhone给AI助手发了条微信，OK吗？"


def _seconds(client, text: str) -> float:
    samples, rate = decode(client.post("/tts", json={"text": text}).data)
    return len(samples) / rate


def test_english_words_are_spoken_not_skipped(client):
    """'Hello world, this is English.' used to give 0.8 s of audio (ai si, the rest skipped)."""
    assert _seconds(client, "Hello world, this is English.") > 2.0


def test_a_brand_in_chinese_text_adds_its_syllables(client):
    assert _seconds(client, MIXED) > _seconds(client, MIXED.replace("iPhone", "")) + 0.3


def test_every_audio_response_counts_omitted_tokens(client):
    response = client.post("/tts", json={"text": MIXED})
    assert response.status_code == 200 and response.headers["X-Omitted-Tokens"] == "0"


def test_words_no_voice_reads_are_counted_in_a_header_and_logged(client, caplog):
    with caplog.at_level(logging.INFO, logger="tts.service.service"):
        response = client.post("/tts", json={"text": "他说Привет和Ελληνικά是你好的意思。"})
    assert response.status_code == 200 and response.headers["X-Omitted-Tokens"] == "2"
    assert any("2 token(s) no voice reads" in r.getMessage() and "Привет" in r.getMessage() for r in caplog.records)


def test_an_async_job_reports_its_omitted_tokens(client):
    job = client.post("/tts", json={"text": "Привет，你好。", "async": True}).get_json()
    deadline = time.monotonic() + 30
    while (status := client.get(job["links"]["self"]).get_json())["status"] not in ("done", "failed"):
        assert time.monotonic() < deadline
        gevent.sleep(0.05)   # the test client runs on the hub: let the worker progress
    assert status["omitted_tokens"] == 1
    assert client.get(status["links"]["audio"]).headers["X-Omitted-Tokens"] == "1"


def test_text_with_only_unreadable_words_is_a_400_naming_them(client):
    response = client.post("/tts", json={"text": "Привет"})
    assert response.status_code == 400
    error = response.get_json()["error"]
    assert error["field"] == "text" and "Привет" in error["message"]


def test_captioned_responses_count_omitted_tokens_too(client):
    """The page's stream is the captioned one: without the header its "N 处文字无法朗读" note never showed."""
    text = "你好αβγ世界"
    streamed = client.post("/tts", json={"text": text, "stream": True, "captions": "json", "format": "pcm"})
    whole = client.post("/tts", json={"text": text, "captions": "json"})
    for response in (streamed, whole):
        assert response.status_code == 200 and response.headers["X-Omitted-Tokens"] == "1"
        assert response.headers["X-Cache"] in ("hit", "miss", "partial")
