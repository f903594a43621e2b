"""The sentence cache: what its key covers, byte-identical hits, its byte bound and policy, singleflight."""

from __future__ import annotations

import dataclasses
import re
import types

import gevent
import pytest

from helpers import decode
from tts.config import Settings
from tts.engines.base import EngineOptions
from tts.frontend import Phrase
from tts.request import SynthesisRequest
from tts.service.cache import MemoryCache
from tts.synthesizer import Synthesizer, phrase_key
from tts.web import create_app

SENTENCE = "请问您需要什么帮助？"
REQUEST = SynthesisRequest(text=SENTENCE, voice="baker")


class CountingEngine:
    """The real engine, counting the phrases it is asked to make."""

    def __init__(self, engine) -> None:
        self._engine = engine
        self.calls = 0

    def __getattr__(self, name):
        return getattr(self._engine, name)

    def synthesize(self, phrase, voice, options, onsets=None):
        self.calls += 1
        return self._engine.synthesize(phrase, voice, options, onsets)


def make_app(synthesizer: Synthesizer, **settings):
    app = create_app(Settings(**settings), synthesizer=synthesizer)
    assert app.extensions["tts.service"].wait_ready(60)
    return app


def metric(client, name: str) -> float:
    match = re.search(rf"^{re.escape(name)} (\S+)$", client.get("/metrics").get_data(as_text=True), re.M)
    return float(match.group(1))


@pytest.fixture(scope="module")
def cached(synthesizer):
    return make_app(synthesizer, cache_mb=8).test_client()


@pytest.fixture(scope="module")
def uncached(synthesizer):
    return make_app(synthesizer, cache_mb=0, singleflight=False).test_client()


@pytest.fixture()
def counting(engines):
    return CountingEngine(engines["embedded"])


# -- the key -------------------------------------------------------------------------------
@pytest.mark.parametrize("change", [
    {"text": "请问您需要什么服务？"}, {"speed": 1.25}, {"pitch": 2.0}, {"volume": -6.0},
    {"sample_rate": 16000}, {"eco": True}, {"seed": 7},
])
def test_every_audio_changing_request_field_changes_the_key(synthesizer, change):
    assert synthesizer.plan(dataclasses.replace(REQUEST, **change)).keys != synthesizer.plan(REQUEST).keys


@pytest.mark.parametrize("change", [{"format": "mp3"}, {"stream": True}, {"sample_rate": 24000}])
def test_delivery_fields_keep_the_key(synthesizer, change):
    assert synthesizer.plan(dataclasses.replace(REQUEST, **change)).keys == synthesizer.plan(REQUEST).keys


class StubEngine:
    """Only what a key reads of an engine: its declaration's name and version."""

    def __init__(self, name: str = "embedded", version: str = "1") -> None:
        self.info = types.SimpleNamespace(name=name, version=version)


PHRASE = Phrase(("ni3", "hao3"), (1, 3), 300, 1.0, "你好")
KEY_INPUTS = dict(phrase=PHRASE, engine=StubEngine(), voice="baker", options=EngineOptions(), pitch=0.0,
                  calibration=0.0, volume=0.0, output_rate=24000)


@pytest.mark.parametrize("change", [
    {"phrase": dataclasses.replace(PHRASE, syllables=("ni2", "hao3"))},
    {"phrase": dataclasses.replace(PHRASE, breaks=(0, 3))},
    {"phrase": dataclasses.replace(PHRASE, pause_ms=0)},
    {"phrase": dataclasses.replace(PHRASE, rate=1.2)},
    {"phrase": dataclasses.replace(PHRASE, text="你好？")},
    {"engine": StubEngine(name="kokoro")}, {"engine": StubEngine(version="2")}, {"voice": "zf_xiaobei"},
    {"options": EngineOptions(speaking_rate=1.1)}, {"options": EngineOptions(seed=3)},
    {"pitch": 1.0}, {"calibration": 1.0}, {"volume": 1.0}, {"output_rate": 16000},
], ids=lambda change: next(iter(change)) + str(list(change.values())[0])[:40])
def test_every_input_of_the_phrase_key_changes_it(change):
    assert phrase_key(**{**KEY_INPUTS, **change}) != phrase_key(**KEY_INPUTS)


def test_request_id_format_and_async_reuse_the_cached_phrases(cached):
    body = {"text": "您的订单已发货，请注意查收。"}
    assert cached.post("/tts", json=body, headers={"X-Request-ID": "one"}).headers["X-Cache"] == "miss"
    assert cached.post("/tts", json={**body, "format": "mp3"}, headers={"X-Request-ID": "two"}).headers["X-Cache"] == "hit"
    job = cached.post("/tts", json={**body, "async": True}).get_json()
    while cached.get(job["links"]["self"]).get_json()["status"] != "done":
        gevent.sleep(0.02)   # the test client runs on the hub: let the worker progress
    assert cached.get(job["links"]["audio"]).headers["X-Cache"] == "hit"


# -- hits ------------------------------------------------------------------------------------
def comparable(data: bytes, fmt: str) -> bytes:
    """The bytes, or for Ogg (a random stream serial in every file) the decoded samples."""
    return decode(data)[0].tobytes() if fmt == "opus" else data


@pytest.mark.parametrize("fmt", ["wav", "pcm", "flac", "mp3", "opus"])
def test_a_hit_returns_the_bytes_of_a_fresh_synthesis(cached, uncached, fmt):
    body = {"text": f"今天的{fmt}格式测试已经开始了。", "format": fmt}
    miss = cached.post("/tts", json=body)
    hit = cached.post("/tts", json=body)
    fresh = uncached.post("/tts", json=body)
    assert (miss.headers["X-Cache"], hit.headers["X-Cache"]) == ("miss", "hit")
    assert comparable(hit.data, fmt) == comparable(miss.data, fmt) == comparable(fresh.data, fmt)


def test_a_hit_does_not_call_the_engine(counting):
    synthesizer, cache = Synthesizer({"embedded": counting}), MemoryCache(8 << 20)
    first, _ = synthesizer.synthesize(REQUEST, cache)
    calls = counting.calls
    again, _ = synthesizer.synthesize(REQUEST, cache)
    assert calls >= 1 and counting.calls == calls
    assert again.tobytes() == first.tobytes()


def test_a_sentence_repeated_within_a_text_is_made_once(counting):
    Synthesizer({"embedded": counting}).synthesize(SynthesisRequest(text="谢谢。谢谢。谢谢。", voice="baker"),
                                                   MemoryCache(8 << 20))
    assert counting.calls == 1


def test_some_phrases_cached_is_a_partial_hit(cached):
    cached.post("/tts", json={"text": "早上好。"})
    assert cached.post("/tts", json={"text": "早上好。欢迎来到北京。"}).headers["X-Cache"] == "partial"


def test_cache_metrics_count_phrases_and_bytes(cached):
    hits, misses = metric(cached, "tts_cache_hits_total"), metric(cached, "tts_cache_misses_total")
    cached.post("/tts", json={"text": "晚上好。"})
    cached.post("/tts", json={"text": "晚上好。"})
    assert metric(cached, "tts_cache_hits_total") == hits + 1
    assert metric(cached, "tts_cache_misses_total") == misses + 1
    assert metric(cached, "tts_cache_bytes") > 0


# -- the bound and the policy -------------------------------------------------------------------
def test_the_cache_stays_within_its_bytes():
    cache = MemoryCache(10_000, admission=False)
    for i in range(30):
        cache.put(f"k{i}", bytes(1000))
    assert cache.bytes == 10_000 and len(cache) == 10 and cache.evictions == 20


def test_the_least_recently_used_entry_leaves_first():
    cache = MemoryCache(2000, admission=False)
    cache.put("a", bytes(1000))
    cache.put("b", bytes(1000))
    cache.get_many(["a"])
    cache.put("c", bytes(1000))
    assert set(cache.get_many(["a", "b", "c"])) == {"a", "c"}


@pytest.mark.parametrize("admission, survivors", [(True, 10), (False, 0)])
def test_admission_keeps_frequent_phrases_through_a_burst_of_one_offs(admission, survivors):
    cache = MemoryCache(10_000, admission=admission)
    hot = [f"hot{i}" for i in range(10)]
    for _ in range(5):
        for key in hot:
            if not cache.get_many([key]):
                cache.put(key, bytes(1000))
    for i in range(100):
        if not cache.get_many([f"once{i}"]):
            cache.put(f"once{i}", bytes(1000))
    assert len([key for key in hot if key in cache.get_many(hot)]) == survivors


# -- singleflight ------------------------------------------------------------------------------
def test_identical_concurrent_requests_are_synthesized_once(counting):
    client = make_app(Synthesizer({"embedded": counting}), cache_mb=0, singleflight=True).test_client()
    body = {"text": "各位旅客请注意，开往上海的列车即将进站。"}
    phrases = len(Synthesizer({"embedded": counting}).plan(SynthesisRequest(text=body["text"], voice="baker")).phrases)
    calls = counting.calls
    posts = [gevent.spawn(client.post, "/tts", json=body) for _ in range(5)]
    gevent.joinall(posts, timeout=120, raise_error=True)
    bodies = {post.value.data for post in posts}
    assert [post.value.status_code for post in posts] == [200] * 5 and len(bodies) == 1
    assert counting.calls - calls == phrases
    assert metric(client, "tts_singleflight_joins_total") == 4


def test_a_follower_keeps_the_job_alive_when_the_first_caller_leaves(synthesizer):
    service = make_app(synthesizer, cache_mb=0, singleflight=True).extensions["tts.service"]
    request = SynthesisRequest(text="春天来了，花儿都开了。", voice="baker")
    first, second = service.submit(request), service.submit(request)
    first.cancel()
    second.wait()
    assert second.status == "done" and second.samples()[0].size > 0
