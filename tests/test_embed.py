"""GET /tts?text=…: embeddable audio that caches (ETag, 304) and seeks (byte ranges), and ranges on job audio."""

import io

import numpy as np
import pytest

from contract import drain
from helpers import decode

TEXT = "春天来了，花儿都开了。"


def get(client, headers=None, **query):
    return client.get("/tts", query_string={"text": TEXT, **query}, headers=headers or {})


def jobs_run(app) -> int:
    """Syntheses the service has taken so far (a 304 must not add one)."""
    body = app.test_client().get("/metrics").get_data(as_text=True)
    return int(sum(float(line.split()[-1]) for line in body.splitlines() if line.startswith("tts_jobs_total{")))


def test_a_url_gives_the_same_audio_as_the_json_api(client):
    by_url = get(client, format="wav", speed="1.2", pitch="-2")
    by_post = client.post("/tts", json={"text": TEXT, "format": "wav", "speed": 1.2, "pitch": -2})
    assert by_url.status_code == 200 and by_url.data == by_post.data
    assert by_url.headers["Content-Length"] == str(len(by_url.data))


@pytest.mark.parametrize("fmt, media_type", [("mp3", "audio/mpeg"), ("aac", "audio/aac"), ("opus", "audio/ogg"),
                                              ("flac", "audio/flac"), ("wav", "audio/wav")])
def test_every_format_is_a_whole_decodable_file(client, fmt, media_type):
    reference, rate = decode(get(client, format="wav").data)
    response = get(client, format=fmt)
    assert response.mimetype == media_type and int(response.headers["Content-Length"]) == len(response.data)
    samples, decoded_rate = decode(response.data)
    assert decoded_rate == rate
    lead_in = 0.1 if fmt == "aac" else 0.0   # ADTS has nowhere to say how much priming to drop
    assert len(reference) / rate - 0.002 <= len(samples) / rate <= len(reference) / rate + lead_in + 0.002


def test_mp3_is_the_default_and_the_answer_is_cacheable(client):
    response = get(client)
    assert response.mimetype == "audio/mpeg"
    assert response.headers["Cache-Control"] == "public, max-age=86400"
    assert response.headers["Accept-Ranges"] == "bytes"
    etag = response.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) == 34


def test_the_etag_is_the_content_key(client):
    etag = get(client).headers["ETag"]
    assert get(client).headers["ETag"] == etag
    assert get(client, voice="alloy").headers["ETag"] == etag   # the same voice by its OpenAI name
    for changed in ({"speed": "1.1"}, {"pitch": "1"}, {"volume": "-1"}, {"format": "wav"}, {"seed": "1"},
                    {"sample_rate": "16000"}, {"eco": "true"}, {"text": TEXT + "。"}):
        assert get(client, **changed).headers["ETag"] != etag, changed


def test_if_none_match_is_a_304_without_synthesis(app, client):
    etag = get(client).headers["ETag"]
    drain(app)
    before = jobs_run(app)
    response = get(client, {"If-None-Match": etag})
    assert response.status_code == 304 and response.data == b""
    assert response.headers["ETag"] == etag and "max-age" in response.headers["Cache-Control"]
    assert jobs_run(app) == before
    assert get(client, {"If-None-Match": '"something-else"'}).status_code == 200


@pytest.mark.parametrize("fmt", ["wav", "mp3"])
@pytest.mark.parametrize("header, span", [("bytes=0-0", (0, 1)), ("bytes=10-99", (10, 100)),
                                          ("bytes=41-48", (41, 49)), ("bytes=1001-", (1001, None)),
                                          ("bytes=-7", (-7, None))])
def test_a_range_is_206_with_exactly_those_bytes(client, fmt, header, span):
    whole = get(client, format=fmt).data
    start, stop = span
    expected = whole[start:stop] if stop is not None else whole[start:]
    response = get(client, {"Range": header}, format=fmt)
    assert response.status_code == 206 and response.data == expected
    first = start if start >= 0 else len(whole) + start
    assert response.headers["Content-Range"] == f"bytes {first}-{first + len(expected) - 1}/{len(whole)}"
    assert response.headers["Content-Length"] == str(len(expected))


def test_a_range_past_the_end_is_416_naming_the_length(client):
    length = len(get(client).data)
    response = get(client, {"Range": f"bytes={length}-"})
    assert response.status_code == 416 and response.headers["Content-Range"] == f"bytes */{length}"
    assert response.get_json()["error"]["code"] == "range_not_satisfiable"


@pytest.mark.parametrize("headers", [{"Range": "bytes=0-1,5-6"}, {"Range": "items=0-1"},
                                     {"Range": "bytes=0-1", "If-Range": '"an-old-version"'}])
def test_several_ranges_another_unit_or_an_old_if_range_get_the_whole_file(client, headers):
    response = get(client, headers)
    assert response.status_code == 200 and response.data == get(client).data


def test_if_range_with_the_current_etag_gets_the_range(client):
    etag = get(client).headers["ETag"]
    assert get(client, {"Range": "bytes=0-9", "If-Range": etag}).status_code == 206


def test_a_post_ignores_range_as_http_says(client):
    response = client.post("/tts", json={"text": TEXT}, headers={"Range": "bytes=0-9"})
    assert response.status_code == 200 and len(response.data) > 10


def test_job_audio_answers_ranges_and_revalidation(app, client):
    job = client.post("/tts", json={"text": TEXT, "async": True, "format": "wav"}).get_json()["id"]
    drain(app)
    whole = client.get(f"/tts/jobs/{job}/audio")
    assert whole.headers["Accept-Ranges"] == "bytes" and whole.headers["ETag"] == f'"{job}.wav"'
    part = client.get(f"/tts/jobs/{job}/audio", headers={"Range": "bytes=44-"})
    assert part.status_code == 206 and part.data == whole.data[44:]
    samples = np.frombuffer(part.data, "<i2")
    assert len(samples) == (len(whole.data) - 44) // 2


def test_the_text_is_bounded_by_its_own_setting(app, client):
    limit = app.config["TTS_SETTINGS"].url_max_text_chars
    response = client.get("/tts", query_string={"text": "好" * (limit + 1)})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "text"
    assert str(limit) in response.get_json()["error"]["message"]


@pytest.mark.parametrize("query, field", [({"stream": "true"}, "stream"), ({"speed": "nan"}, "speed"),
                                          ({"eco": "yes please"}, "eco")])
def test_a_bad_query_is_a_400_naming_it(client, query, field):
    response = get(client, **query)
    assert response.status_code == 400 and response.get_json()["error"]["field"] == field


@pytest.mark.parametrize("value", ["nan", "inf", "-Infinity"])
def test_a_number_that_is_no_number_is_refused_quoting_what_was_sent(client, value):
    error = get(client, speed=value).get_json()["error"]
    assert error["field"] == "speed" and error["message"] == f"'speed' must be a number; got \"{value}\""   # not "too large"


def test_a_repeated_parameter_is_refused(client):
    response = client.get("/tts?text=你好&text=再见")
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "text"


@pytest.mark.parametrize("query, field", [("text=%FF%FE", "text"), ("text=%E4%BD", "text"),
                                          ("text=%E4%BD%A0&voice=%C3", "voice"), ("text=%E4%BD%A0&%FF=1", "\\xff")])
def test_a_query_that_is_not_utf8_is_a_400_naming_it_not_its_escapes_read_aloud(client, query, field):
    response = client.get(f"/tts?{query}")
    assert response.status_code == 400, response.headers.get("X-Audio-Seconds")
    error = response.get_json()["error"]
    assert error["field"] == field and "UTF-8" in error["message"]


@pytest.mark.parametrize("raw, status", [("text=\xe5\xa5\xbd", 200), ("text=\xe4\xbd", 400)])
def test_a_query_sent_as_raw_utf8_bytes_is_read_and_one_cut_mid_character_is_a_400(client, raw, status):
    """`curl 'http://…/tts?text=好'` sends the UTF-8 bytes unescaped; cut short they were a 500."""
    response = client.get("/tts", environ_overrides={"QUERY_STRING": raw})   # WSGI: the bytes as latin-1
    assert response.status_code == status
    if status == 400:
        assert response.get_json()["error"]["field"] == "text"


def test_a_query_is_read_as_a_form_would_write_it(client):
    """Plus for a space, percent-escaped UTF-8, a literal percent sign (%25) and an empty value (the default)."""
    response = client.get("/tts?text=%E7%99%BE%E5%88%86%E4%B9%8B50%25+OK&format=wav&speed=")
    by_post = client.post("/tts", json={"text": "百分之50% OK", "format": "wav"})
    assert response.status_code == 200 and response.data == by_post.data


def test_decoded_bytes_are_what_a_range_player_would_join(client):
    whole = get(client, format="mp3").data
    parts = [get(client, {"Range": f"bytes={i}-{i + 4095}"}, format="mp3").data for i in range(0, len(whole), 4096)]
    assert b"".join(parts) == whole
    assert decode(b"".join(parts))[1] == 24000
