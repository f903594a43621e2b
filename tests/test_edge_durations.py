"""The embedded voice's phrase edges: per-symbol duration multipliers between the acoustic model's
halves (tts.bench.timing.edge_scale, a lever of the quality bench, not served), on the first syllable after the opening silence and the
phrase's last syllable, never on breaks or silences."""

import numpy as np
import pytest

from tts.engines.baker_symbols import BakerSymbols
from tts.bench.timing import edge_scale
from tts.engines.embedded import symbol_frames
from tts.engines.embedded_assets import locate
from tts.frontend.phrase import Phrase

FARMERS = Phrase(("nong2", "min2", "zheng4", "mang2", "zhe5", "shou1", "ge1", "xiao3", "mai4"),
                 (0, 1, 0, 1, 1, 0, 1, 0, 3))   # 农民正忙着收割小麦


@pytest.fixture(scope="module")
def symbols():
    return BakerSymbols(locate().load_mapper())


def named(symbols, phrase):
    layout, firsts = symbols.layout(phrase)
    names = {number: name for name, number in symbols._ids.items()}
    return [names[i] for i in layout], firsts


def test_the_first_and_last_syllables_symbols_are_scaled_and_nothing_else(symbols):
    layout, firsts = named(symbols, FARMERS)
    scale = edge_scale(len(layout), firsts, 1.25, 1.5)[0]
    scaled = {(name, float(factor)) for name, factor in zip(layout, scale) if factor != 1.0}
    assert scaled == {("n", 1.25), ("ong2", 1.25), ("m", 1.5), ("ai4", 1.5)}
    assert layout[:3] == ["sil", "n", "ong2"] and layout[-4:] == ["m", "ai4", "sil", "eos"]


def test_a_one_syllable_phrase_gets_both_multipliers(symbols):
    layout, firsts = named(symbols, Phrase(("hao3",), (3,)))
    scale = edge_scale(len(layout), firsts, 1.25, 1.2)[0]
    assert [round(float(f), 4) for f in scale] == [1.0, 1.5, 1.5, 1.0, 1.0]   # sil h ao3 sil eos


def test_no_multiplier_leaves_the_models_durations(symbols):
    layout, firsts = named(symbols, FARMERS)
    assert edge_scale(len(layout), firsts, 1.0, 1.0) is None
    predicted = np.array([[3.4, 5.5, 6.5, 2.0]], np.float32)
    assert np.array_equal(symbol_frames(predicted, 1.0, np.ones((1, 4), np.float32)), symbol_frames(predicted, 1.0))


def test_scaled_durations_are_whole_frames_rounded_after_the_multiplier():
    predicted = np.array([[4.0, 6.0, 10.0]], np.float32)
    frames = symbol_frames(predicted, 1.0, np.array([[1.0, 1.25, 1.25]], np.float32))
    assert frames.dtype == np.int32 and frames.tolist() == [[4, 8, 12]]   # 7.5 → 8, 12.5 → 12 (half to even)
