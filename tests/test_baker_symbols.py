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


def test_a_latin_token_is_set_off_by_a_break_on_both_sides_and_its_letters_stay_together(symbols):
    from tts.frontend import analyze_text

    phrase = analyze_text("这块GPU很强。").phrases[0]
    assert phrase.syllables[2:5] == ("ji1", "pi1", "you1")
    said = " ".join(names(symbols, symbols.encode(phrase)))
    assert "k uai4 #2 j i1 #0 p i1 #0 ^ iou1 #2 h en3" in said   # 块 | G P U | 很: no break between the letters


def test_two_latin_tokens_are_set_apart_and_pinyin_is_not(symbols):
    from tts.frontend import analyze_text
    from tts.engines.baker_symbols import latin_edges

    good_night = analyze_text("她说了声Good night。").phrases[0]
    first = good_night.syllables.index("ji1")
    assert latin_edges(good_night)[first - 1] == 2
    assert latin_edges(good_night)[good_night.english[-1][0] - 1] == 2   # Good | night
    beijing = analyze_text("我在Beijing工作。").phrases[0]
    assert latin_edges(beijing) == list(beijing.breaks)                # Mandarin read as Mandarin


def test_a_phrase_built_by_hand_keeps_its_breaks(symbols):
    from tts.engines.baker_symbols import latin_edges

    assert latin_edges(Phrase(("ni3", "hao3"), (1, 3))) == [1, 3]
