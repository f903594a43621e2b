"""Pinyin → the Baker voice's symbols, laid out as its training labels were."""

import pytest

from tts.engines.baker_symbols import BakerSymbols
from tts.engines.embedded_assets import locate
from tts.frontend.phrase import Phrase


@pytest.fixture(scope="module")
def symbols():
    return BakerSymbols(locate().load_mapper())


def names(symbols, ids):
    table = {v: k for k, v in symbols._ids.items()}
    return [table[i] for i in ids]


def test_phrase_is_framed_by_sil_and_eos_with_breaks_between(symbols):
    ids = symbols.encode(Phrase(("ni3", "hao3"), (0, 3)))
    assert names(symbols, ids) == ["sil", "n", "i3", "#0", "h", "ao3", "sil", "eos"]


@pytest.mark.parametrize("syllable, expected", [
    ("yi1", ["^", "i1"]), ("wu3", ["^", "u3"]), ("yuan2", ["^", "van2"]), ("ju4", ["j", "v4"]),
    ("lv4", ["l", "v4"]), ("nve4", ["n", "ve4"]), ("zi5", ["z", "ii5"]), ("zhi1", ["zh", "iii1"]),
    ("liu2", ["l", "iou2"]), ("gui4", ["g", "uei4"]), ("er2", ["^", "er2"]),
    ("huar1", ["h", "ua1", "er5"]), ("m2", ["^", "en2"]),
])
def test_spellings_map_to_initial_and_final(symbols, syllable, expected):
    assert symbols.syllable_symbols(syllable) == expected


def test_unreadable_syllables_are_skipped_not_fatal(symbols):
    ids = symbols.encode(Phrase(("ni3", "xyz9", "qqq1"), (1, 0, 0)))
    assert names(symbols, ids) == ["sil", "n", "i3", "sil", "eos"]
