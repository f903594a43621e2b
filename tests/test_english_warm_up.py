"""The English dictionary is read while the worker warms up, not by the first request that has an
English word in it (reading it takes ~0.3 s)."""

from __future__ import annotations

from prometheus_client import CollectorRegistry

from fakes import tone_synthesizer
from tts.frontend import english
from tts.service.jobs import JobStore
from tts.service.service import SynthesisService


def test_the_english_dictionary_is_read_during_warm_up():
    english.dictionary.cache_clear()
    service = SynthesisService(tone_synthesizer(), queue_size=1, jobs=JobStore(60, 1 << 20),
                               registry=CollectorRegistry(), step_timeout=30.0, max_audio_seconds=60)
    try:
        service.start()
        assert service.wait_ready(10)
        assert english.dictionary.cache_info().currsize == 1   # read, and the warm-up text "你好。" has no English
    finally:
        service.close()
