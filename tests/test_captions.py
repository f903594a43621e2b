"""Captions: each character's start and end from the voices' own durations, on the delivered
audio's time line (speed, pitch, resampling, trims and pauses included), cached or not, as
JSON, WebVTT and SRT, on /tts and on Kokoro-FastAPI's captioned-speech route."""

from __future__ import annotations

import base64
import io
import json
import re
import threading
import time

import gevent

import numpy as np
import pytest
import soundfile

from tts.captions import Caption, PhraseTimer, Unit, cues, phrase_units, srt, webvtt
from tts.frontend import analyze
from tts.frontend.phrase import Phrase
from tts.request import SynthesisRequest
from tts.synthesizer import pack_phrase, unpack_phrase

TEXT = "今天天气很好，我们去公园散步吧。GPU价格涨了5%！花儿都开了。"
SPOKEN = "今天天气很好我们去公园散步吧GPU价格涨了百分之五花儿都开了"   # what the captions read, in order
TOLERANCE = 0.050   # seconds: the last caption ends this close to the audio's end


class DictCache:
    """A phrase cache in a dict (the service's caches hold the same bytes)."""

    def __init__(self) -> None:
        self.data: dict[str, bytes] = {}

    def get_many(self, keys):
        return {k: self.data[k] for k in keys if k in self.data}

    def put(self, key, data):
        self.data[key] = data


def render(synthesizer, request, cache=None) -> tuple[list[Caption], float]:
    chunks = list(synthesizer.stream(request, cache))
    seconds = sum(len(c.samples) for c in chunks) / chunks[0].sample_rate
    return [c for chunk in chunks for c in chunk.captions], seconds


_RENDERED: dict = {}
CACHE = DictCache()   # what `rendered` made, phrase by phrase


def rendered(synthesizer, voice: str, **options) -> tuple[list[Caption], float]:
    """`render` once per voice and options in this module (Kokoro costs seconds per text)."""
    key = (voice, tuple(sorted(options.items())))
    if key not in _RENDERED:
        _RENDERED[key] = render(synthesizer, SynthesisRequest(TEXT, voice, **options), CACHE)
    return _RENDERED[key]


def assert_well_formed(captions: list[Caption], seconds: float) -> None:
    assert "".join(c.text for c in captions) == SPOKEN   # every spoken character, once, in order
    assert all(0 <= c.start < c.end for c in captions)
    assert all(a.end <= b.start + 1e-9 for a, b in zip(captions, captions[1:]))   # increasing, no overlap
    assert captions[0].start < 0.5                                             # speech starts at once
    assert abs(captions[-1].end - seconds) <= TOLERANCE
    spoken = sum(c.end - c.start for c in captions)
    assert spoken > 0.7 * seconds   # they cover the audio: only the pauses between sentences are gaps


BAKER_CASES = [{}, {"speed": 1.5}, {"sample_rate": 16000}, {"speed": 1.5, "sample_rate": 44100}, {"pitch": 4.0},
               {"speed": 3.0}]   # 3×: past the acoustic model's own rate, time-stretched
KOKORO_CASES = [{}, {"speed": 1.5}, {"speed": 1.5, "sample_rate": 16000}]   # ~2 s of CPU per render


@pytest.mark.parametrize("voice, options", [("baker", o) for o in BAKER_CASES] + [("zf_xiaobei", o) for o in KOKORO_CASES],
                         ids=lambda value: json.dumps(value) if isinstance(value, dict) else value)
def test_captions_are_ordered_cover_the_text_and_end_with_the_audio(synthesizer, voice, options):
    assert_well_formed(*rendered(synthesizer, voice, **options))


@pytest.mark.parametrize("voice", ["baker", "zf_xiaobei"])
def test_faster_speech_has_proportionally_shorter_captions(synthesizer, voice):
    slow, _ = rendered(synthesizer, voice)
    fast, _ = rendered(synthesizer, voice, speed=1.5)
    ratio = (slow[-1].end - slow[0].start) / (fast[-1].end - fast[0].start)
    assert 1.25 < ratio < 1.6   # the pauses between sentences do not scale, the speech does


@pytest.mark.parametrize("voice", ["baker", "zf_xiaobei"])
def test_a_cached_phrase_captions_exactly_like_a_fresh_one(synthesizer, voice):
    options = {"speed": 1.5, "sample_rate": 16000}
    fresh = rendered(synthesizer, voice, **options)   # made fresh, into CACHE
    request = SynthesisRequest(TEXT, voice, **options)
    keys = synthesizer.plan(request).keys
    assert all(key in CACHE.data for key in keys)
    assert render(synthesizer, request, CACHE) == fresh


@pytest.mark.parametrize("voice", ["baker", "zf_xiaobei"])
def test_a_character_starts_where_the_voice_starts_saying_it(synthesizer, voice):
    """The captions follow the sound: a sentence's first caption starts within 60 ms of where
    its audio rises out of the pause between sentences (10 ms frames, -30 dB of the peak)."""
    chunks = list(synthesizer.stream(SynthesisRequest("你好。我们走吧。", voice)))
    samples = np.concatenate([c.samples for c in chunks])
    rate = chunks[0].sample_rate
    captions = [c for chunk in chunks for c in chunk.captions]
    second = next(c for c in captions if c.text == "我")
    frame = rate // 100
    after = int(captions[1].end * rate) // frame * frame   # the end of the first sentence
    frames = samples[after:after + (len(samples) - after) // frame * frame].reshape(-1, frame)
    rms = np.sqrt(np.mean(np.square(frames), axis=1))
    pause = np.flatnonzero(rms == 0)[0]   # the synthesizer's pause: digital silence
    sound = (after + (pause + np.flatnonzero(rms[pause:] > 0.03 * rms.max())[0]) * frame) / rate
    assert abs(second.start - sound) < 0.06


def test_a_long_sentence_cut_for_early_audio_keeps_its_characters(synthesizer):
    text = "春天来了，公园里的花儿都开了，孩子们在草地上奔跑，老人们坐在长椅上聊天，一切都显得那么美好。"
    phrases = analyze(text, 100, 8)
    assert len(phrases) > 1 and not phrases[0].text   # the head of a cut sentence has no text of its own
    captions, seconds = render(synthesizer, SynthesisRequest(text, "baker"))
    assert "".join(c.text for c in captions) == re.sub(r"[，。]", "", text)
    assert abs(captions[-1].end - seconds) <= TOLERANCE


def test_units_group_what_one_reading_covers():
    (units,) = phrase_units(analyze("GPU涨了，花儿开了。"))
    assert [u.text for u in units] == ["GPU", "涨", "了", "花儿", "开", "了"]
    assert units[0].end - units[0].first == 3 and units[2].tail == "，"   # three spelled letters, one caption


def test_a_phrase_without_spans_is_one_caption():
    (units,) = phrase_units([Phrase(("ni3", "hao3"), (0, 0), text="你好。")])
    assert units == [Unit("你好。", 0, 2)]


def test_a_timer_hands_out_a_caption_once_its_end_is_known():
    timer = PhraseTimer([Unit("你", 0, 1), Unit("好", 1, 2)], 2, offset=24000, rate=24000)
    assert timer.ready([(0, 0)]) == []
    assert timer.ready([(0, 0), (1, 6000)]) == [Caption("你", 1.0, 1.25)]
    assert timer.ready([(0, 0), (1, 6000), (2, 12000)]) == [Caption("好", 1.25, 1.5)]


def test_the_cached_layout_round_trips():
    steps = np.arange(-5, 5, dtype="<i2")
    onsets = [(0, 3), (1, 7), (2, 10)]
    assert unpack_phrase(pack_phrase(steps, onsets))[1] == onsets
    assert (unpack_phrase(pack_phrase(steps, onsets))[0] == steps).all()
    assert (unpack_phrase(pack_phrase(steps, []))[0] == steps).all()


SAMPLE = [Caption("今", 0.1, 0.3), Caption("天", 0.3, 0.5, "，"), Caption("好", 0.5, 0.9, "。"),
          Caption("A&B", 1.4, 2.0)]
VTT_CUE = re.compile(r"^(\d+)\n(\d\d:\d\d:\d\d\.\d{3}) --> (\d\d:\d\d:\d\d\.\d{3})\n(.+)$")
SRT_CUE = re.compile(r"^(\d+)\n(\d\d:\d\d:\d\d,\d{3}) --> (\d\d:\d\d:\d\d,\d{3})\n(.+)$")


def seconds_of(clock: str) -> float:
    hours, minutes, rest = clock.replace(",", ".").split(":")
    return int(hours) * 3600 + int(minutes) * 60 + float(rest)


def test_cues_end_at_punctuation_and_at_gaps():
    assert [[c.text for c in cue] for cue in cues(SAMPLE)] == [["今", "天"], ["好"], ["A&B"]]


def test_webvtt_parses_with_inline_character_times():
    text = webvtt(SAMPLE)
    header, *blocks = text.strip().split("\n\n")
    assert header == "WEBVTT"
    parsed = [VTT_CUE.match(b).groups() for b in blocks]
    assert [(seconds_of(a), seconds_of(b)) for _, a, b, _ in parsed] == [(0.1, 0.5), (0.5, 0.9), (1.4, 2.0)]
    assert parsed[0][3] == "今<00:00:00.300>天，" and parsed[2][3] == "A&amp;B"


def test_srt_parses():
    blocks = srt(SAMPLE).strip().split("\n\n")
    parsed = [SRT_CUE.match(b).groups() for b in blocks]
    assert [n for n, *_ in parsed] == ["1", "2", "3"]
    assert [(seconds_of(a), seconds_of(b), t) for _, a, b, t in parsed] == [(0.1, 0.5, "今天，"), (0.5, 0.9, "好。"),
                                                                           (1.4, 2.0, "A&B")]


def decode(audio_b64: str) -> tuple[np.ndarray, int]:
    samples, rate = soundfile.read(io.BytesIO(base64.b64decode(audio_b64)), dtype="float32")
    return samples, rate


def test_tts_with_json_captions_answers_audio_and_captions(client):
    response = client.post("/tts", json={"text": TEXT, "captions": "json", "sample_rate": 16000})
    assert response.status_code == 200 and response.mimetype == "application/json"
    body = response.get_json()
    samples, rate = decode(body["audio"])
    assert rate == body["sample_rate"] == 16000 and body["audio_format"] == "audio/wav"
    captions = [Caption(c["text"], c["start"], c["end"]) for c in body["captions"]]
    assert_well_formed(captions, len(samples) / rate)


@pytest.mark.parametrize("form, pattern", [("vtt", VTT_CUE), ("srt", SRT_CUE)])
def test_tts_with_subtitle_captions_carries_the_file(client, form, pattern):
    body = client.post("/tts", json={"text": TEXT, "captions": form}).get_json()
    blocks = body["captions"].strip().split("\n\n")
    if form == "vtt":
        assert blocks.pop(0) == "WEBVTT"
    assert all(pattern.match(b) for b in blocks) and len(blocks) >= 3


def test_tts_refuses_an_unknown_caption_format_naming_the_field(client):
    response = client.post("/tts", json={"text": "你好。", "captions": "ass"})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "captions"


def test_an_async_jobs_captions_are_served_as_webvtt(client):
    job = client.post("/tts", json={"text": TEXT, "async": True}).get_json()
    for _ in range(600):   # at most a minute
        if client.get(job["links"]["self"]).get_json()["status"] == "done":
            break
        gevent.sleep(0.05)   # the test client runs on the hub: let the worker progress
    assert job["links"]["captions"] == f"/tts/jobs/{job['id']}/captions"
    response = client.get(f"/tts/jobs/{job['id']}/captions?format=vtt")
    assert response.status_code == 200 and response.mimetype == "text/vtt"
    assert response.get_data(as_text=True).startswith("WEBVTT\n\n1\n00:00:00.")
    listed = client.get(f"/tts/jobs/{job['id']}/captions").get_json()["captions"]
    assert "".join(c["text"] for c in listed) == SPOKEN
    assert client.get(f"/tts/jobs/{job['id']}/captions?format=ass").get_json()["error"]["field"] == "format"
    misspelled = client.get(f"/tts/jobs/{job['id']}/captions?fmt=vtt")   # refused as GET /tts refuses it, never JSON
    error = misspelled.get_json()["error"]
    assert misspelled.status_code == 400 and (error["code"], error["field"]) == ("unknown_field", "fmt")
    assert "did you mean 'format'?" in error["message"]
    twice = client.get(f"/tts/jobs/{job['id']}/captions?format=vtt&format=srt")
    assert twice.status_code == 400 and twice.get_json()["error"]["field"] == "format"
    etag = response.headers["ETag"]   # a <track> revalidates like the audio beside it: a bodiless 304
    again = client.get(f"/tts/jobs/{job['id']}/captions?format=vtt", headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.data == b""
    assert client.get(f"/tts/jobs/{job['id']}/captions").headers["ETag"] != etag   # one per format


def test_captioned_speech_answers_kokoro_fastapis_shape(client):
    response = client.post("/dev/captioned_speech", json={"model": "kokoro", "input": TEXT, "voice": "baker",
                                                          "response_format": "wav", "stream": False,
                                                          "lang_code": "z", "volume_multiplier": 1.0})
    assert response.status_code == 200
    body = response.get_json()
    assert set(body) == {"audio", "audio_format", "timestamps"} and body["audio_format"] == "audio/wav"
    samples, rate = decode(body["audio"])
    words = body["timestamps"]
    assert set(words[0]) == {"word", "start_time", "end_time"}
    assert "".join(w["word"] for w in words) == SPOKEN
    assert abs(words[-1]["end_time"] - len(samples) / rate) <= TOLERANCE


def test_captioned_speech_streams_json_lines_of_audio_and_timestamps(client):
    response = client.post("/dev/captioned_speech", json={"input": TEXT, "voice": "baker", "response_format": "pcm"})
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) > 1 and all(set(line) == {"audio", "audio_format", "timestamps"} for line in lines)
    pcm = b"".join(base64.b64decode(line["audio"]) for line in lines)
    words = [w for line in lines for w in line["timestamps"]]
    assert "".join(w["word"] for w in words) == SPOKEN
    assert abs(words[-1]["end_time"] - len(pcm) / 2 / 24000) <= TOLERANCE


@pytest.mark.parametrize("text", ["😀", "。。。", "行{hang9}"])   # refused once the frontend has read it
def test_captioned_speech_names_the_text_input_as_its_clients_send_it(client, text):
    error = client.post("/dev/captioned_speech", json={"input": text}).get_json()["error"]
    assert error["field"] == "input"


def test_captioned_speech_without_timestamps_and_with_mp3(client):
    body = client.post("/dev/captioned_speech", json={"input": "你好。", "stream": False,
                                                      "return_timestamps": False}).get_json()
    assert body["timestamps"] is None and body["audio_format"] == "audio/mpeg"
    samples, rate = decode(body["audio"])   # a real MP3 file
    assert rate == 24000 and 0.3 < len(samples) / rate < 2


def test_a_captioned_mp3_stream_is_encoded_off_the_hub(client, monkeypatch):
    """MP3 costs real CPU: before, captioned streams encoded on the gevent hub (the audio routes never did)."""
    from tts.web import responses

    threads = []

    class Watched(responses.StreamEncoder):
        def __init__(self, *args) -> None:
            threads.append(threading.get_ident())
            super().__init__(*args)

        def write(self, samples):
            threads.append(threading.get_ident())
            return super().write(samples)

        def finalize(self):
            threads.append(threading.get_ident())
            return super().finalize()

    monkeypatch.setattr(responses, "StreamEncoder", Watched)
    response = client.post("/dev/captioned_speech", json={"input": TEXT, "voice": "baker", "response_format": "mp3"})
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    samples, rate = decode(base64.b64encode(b"".join(base64.b64decode(line["audio"]) for line in lines)))
    assert rate == 24000 and len(samples) > rate   # one whole MP3 file
    assert len(threads) > 3 and threading.get_ident() not in threads   # the test client runs on the hub


def test_captioned_speech_names_a_bad_field(client):
    response = client.post("/dev/captioned_speech", json={"input": "你好。", "volume_multiplier": 0})
    assert response.status_code == 400 and response.get_json()["error"]["field"] == "volume_multiplier"
    response = client.post("/dev/captioned_speech", json={"text": "你好。"})
    assert response.status_code == 400 and "calls it 'input'" in response.get_json()["error"]["message"]


def test_tts_streams_captions_with_each_chunk_as_json_lines(client):
    response = client.post("/tts", json={"text": TEXT, "captions": "vtt", "stream": True, "format": "pcm",
                                         "sample_rate": 16000})
    assert response.status_code == 200 and response.mimetype == "application/x-ndjson"
    lines = [json.loads(line) for line in response.get_data(as_text=True).splitlines()]
    assert len(lines) > 1 and all(line["sample_rate"] == 16000 for line in lines)
    pcm = b"".join(base64.b64decode(line["audio"]) for line in lines)
    captions = [Caption(c["text"], c["start"], c["end"]) for line in lines for c in line["captions"]]   # a list, streamed
    assert_well_formed(captions, len(pcm) / 2 / 16000)


def test_a_phrase_split_over_several_model_calls_keeps_its_onsets_on_one_time_line(engines):
    """At a slow rate a long phrase needs several acoustic calls (2048 frames each at most):
    the onsets go on across them and end where the joined audio ends."""
    from tts.engines.base import EngineOptions

    (phrase,) = analyze("春天来了公园里的花儿都开了孩子们在草地上奔跑老人们坐在长椅上聊天一切都显得那么美好" * 2, 100, None)
    onsets: list = []
    audio = np.concatenate(list(engines["embedded"].synthesize(phrase, "baker", EngineOptions(speaking_rate=0.3),
                                                                onsets)))
    assert len(audio) / 24000 > 2048 * 0.0125   # more than one call's worth of frames
    assert [s for s, _ in onsets] == list(range(len(phrase.syllables) + 1))
    samples = [at for _, at in onsets]
    assert samples == sorted(samples) and samples[-1] == len(audio)


@pytest.mark.parametrize("voice", ["baker", "zf_xiaobei"])
def test_an_english_word_is_one_caption_whichever_way_the_voice_reads_it(synthesizer, voice):
    """Kokoro says iPhone in English, the embedded voice in Mandarin syllables: one caption either way."""
    captions, seconds = render(synthesizer, SynthesisRequest("我用iPhone打电话。", voice))
    assert [c.text for c in captions] == ["我", "用", "iPhone", "打", "电", "话"]
    assert all(a.end <= b.start + 1e-9 for a, b in zip(captions, captions[1:]))
    assert captions[2].end - captions[2].start > 0.2 and abs(captions[-1].end - seconds) <= TOLERANCE
