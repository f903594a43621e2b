"""The quality-lever bench's durations at breaks (tts.bench.timing.Timing): the rime of the syllable
before the strongest breaks lengthened, never its initial; floors on rimes and #3 pauses, whole
frames, applied between the acoustic model's halves."""

import numpy as np
import pytest

from tts.bench.timing import Timing, combined, floored
from tts.engines.baker_symbols import BakerSymbols
from tts.engines.embedded import symbol_frames
from tts.engines.embedded_assets import locate
from tts.frontend.phrase import Phrase

ALONE = Phrase(("zhe4", "tiao2", "lu4", "bu4", "hao3", "zou3", "ni3", "yi2", "ge4", "ren2", "xing2", "ma5"),
               (0, 1, 1, 0, 1, 3, 1, 0, 1, 0, 0, 3))   # 这条路不好走，你一个人行吗


@pytest.fixture(scope="module")
def mapper():
    return locate().load_mapper()


def laid_out(mapper, phrase):
    layout, firsts = BakerSymbols(mapper).layout(phrase)
    names = {number: name for name, number in mapper["symbol_to_id"].items()}
    return layout, firsts, [names[i] for i in layout]


def scaled(mapper, timing, phrase=ALONE):
    layout, firsts, names = laid_out(mapper, phrase)
    scale = timing.scale(len(layout), firsts, phrase.breaks)
    return {(name, round(float(factor), 2)) for name, factor in zip(names, scale[0]) if factor != 1.0}


def test_only_the_rime_before_the_phrases_end_is_lengthened(mapper):
    assert scaled(mapper, Timing(final_rime=1.3)) == {("a5", 1.3)}   # ma5's m and the comma's zou3 unchanged


def test_at_strongest_3_the_rime_before_a_comma_pause_is_lengthened_too(mapper):
    assert scaled(mapper, Timing(final_rime=1.3, strongest=3)) == {("ou3", 1.3), ("a5", 1.3)}


def test_an_erhua_syllables_er_is_part_of_its_rime(mapper):
    phrase = Phrase(("yi4", "dianr3"), (0, 3))   # 一点儿
    assert scaled(mapper, Timing(final_rime=1.5), phrase) == {("ian3", 1.5), ("er5", 1.5)}


def test_the_served_default_changes_no_duration(mapper):
    layout, firsts, _ = laid_out(mapper, ALONE)
    assert Timing().scale(len(layout), firsts, ALONE.breaks) is None
    assert Timing().floor_table(mapper["symbol_to_id"]) is None


def test_floors_raise_short_toned_rimes_nasal_rimes_comma_pauses_and_silences_and_nothing_else(mapper):
    layout, _, names = laid_out(mapper, ALONE)
    table = Timing(rime_floor=5, nasal_floor=7, pause_floor=20, silence_floor=9).floor_table(mapper["symbol_to_id"])
    ids = np.array([layout], np.int32)
    durations = floored(np.ones_like(ids), ids, table)[0]
    by_name = {name: int(frames) for name, frames in zip(names, durations)}
    assert (by_name["e4"], by_name["iao2"], by_name["ing2"], by_name["en2"], by_name["#3"]) == (5, 5, 7, 7, 20)
    assert (by_name["a5"], by_name["zh"], by_name["x"], by_name["#1"], by_name["eos"]) == (1,) * 5
    assert durations[0] == durations[-2] == 9   # the opening and closing sil
    assert durations.dtype == np.int32


def test_a_floor_never_shortens_what_the_model_made_longer(mapper):
    layout, _, _ = laid_out(mapper, ALONE)
    ids = np.array([layout], np.int32)
    long = np.full_like(ids, 30)
    assert np.array_equal(floored(long, ids, Timing(rime_floor=5, pause_floor=20).floor_table(mapper["symbol_to_id"])),
                          long)


def test_multipliers_combine_by_product_and_the_rounding_stays_whole_frames():
    edges = np.array([[1.0, 1.25, 1.0]], np.float32)
    breaks = np.array([[1.0, 1.2, 1.5]], np.float32)
    assert combined(None, None) is None and np.array_equal(combined(edges, None), edges)
    frames = symbol_frames(np.array([[4.0, 4.0, 5.0]], np.float32), 1.0, combined(edges, breaks))
    assert frames.tolist() == [[4, 6, 8]]   # 4 × 1.5 = 6, 5 × 1.5 = 7.5 → 8 (half to even)


def test_only_the_phrases_first_initial_gets_the_onset_multiplier(mapper):
    assert scaled(mapper, Timing(first_initial=2.0)) == {("zh", 2.0)}   # not the t, l, b… after it
