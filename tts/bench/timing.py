"""Duration levers of the quality-lever bench (none served): the embedded voice's predicted durations reshaped at
the phrase's breaks and floored, between the acoustic model's halves (quality_levers.Speaker).

Not served: measured and none adopted (quality_levers, session 7; dev = 24 sentences × seeds 0–2,
held = 48 × 0–1, paired Δ over the 72 with 90 % intervals): the rime before the phrase's end ×1.15 /
×1.3, nasal rimes ≥ 6 frames, silences ≥ 10, #3 pauses ≥ 20 and the first initial ×2 were no better
on dev; toned rimes ≥ 5 frames (dev CER −0.007, −0.015…−0.000) and ≥ 6 were, but held did not confirm
either (Δ over 72: CER +0.000 / +0.002, pinyin −0.001 / +0.000, intervals across 0).
tts/bench/results/quality_levers.md has the figures.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import numpy as np

# edge_scale, the phrase's edges: the first syllable after the opening silence
# and the phrase's last syllable, the ones the voice swallows most (农民 → 奴民, 通车了 → 通车廊). Measured
# (quality_levers, dev then held, 72 sentences × 2 seeds): ×1.25 worse on dev; ×1.1 on both fixes
# 建设/博物馆/通车了 but breaks as many others (CER −0.003, pinyin −0.003, 90 % intervals across 0):
# not adopted (session 6; tts/bench/results/quality_levers.md).


def syllable_ends(symbols: int, firsts: list[tuple[int, int]]) -> list[int]:
    """Where each syllable's symbols end in a call laid out by BakerSymbols.layout: its break
    symbol's position, or the closing sil's for the last one."""
    return [position - 1 for _, position in firsts[1:]] + [symbols - 2]


def edge_scale(symbols: int, firsts: list[tuple[int, int]], first: float = 1.0,
               last: float = 1.0) -> np.ndarray | None:
    """Per-symbol duration multipliers [1, symbols] for a call laid out by BakerSymbols.layout
    (sil, then each syllable's symbols and its break, then sil, eos): `first` on the symbols of
    the syllable after the opening silence, `last` on those of the phrase's last syllable (its
    break symbols and the silences unchanged). None when both are 1."""
    if (first == 1.0 and last == 1.0) or not firsts:
        return None
    scale = np.ones((1, symbols), np.float32)
    ends = syllable_ends(symbols, firsts)
    scale[0, firsts[0][1]:ends[0]] *= first
    scale[0, firsts[-1][1]:ends[-1]] *= last
    return scale


_RIME = re.compile(r"([a-z]+)([1-5])")


@dataclass(frozen=True)
class Timing:
    """Reshaping of the predicted durations (whole frames) at the phrase's breaks; the defaults change
    nothing, as served. Each part is measured on its own."""
    final_rime: float = 1.0   # multiplier on the rime (final, erhua's er) of the syllable before the strongest breaks
    strongest: int = 4        # which: 4 = the phrase's end only; 3 = every #3 (comma) pause too
    first_initial: float = 1.0   # multiplier on the initial (consonant) of the syllable after the opening silence
    rime_floor: int = 0       # fewest frames of a toned (1–4) syllable's rime
    nasal_floor: int = 0      # fewest frames of a rime with a nasal coda (-n, -ng), any tone
    pause_floor: int = 0      # fewest frames of a #3 pause symbol
    silence_floor: int = 0    # fewest frames of the phrase's opening and closing `sil`

    def scale(self, symbols: int, firsts: list[tuple[int, int]], breaks: tuple[int, ...]) -> np.ndarray | None:
        """Per-symbol multipliers [1, symbols] (None: none): `final_rime` on the rime symbols of each
        syllable followed by a break of at least `strongest` (the phrase's last one counts as 4), and
        `first_initial` on the phrase's first initial; other initials, breaks and silences unchanged."""
        if (self.final_rime == 1.0 and self.first_initial == 1.0) or not firsts:
            return None
        scale = np.ones((1, symbols), np.float32)
        scale[0, firsts[0][1]] = self.first_initial
        for number, ((index, position), end) in enumerate(zip(firsts, syllable_ends(symbols, firsts)), 1):
            if number == len(firsts) or breaks[index] >= self.strongest:
                scale[0, position + 1:end] = self.final_rime
        return scale

    def floor_table(self, symbol_to_id: dict[str, int]) -> np.ndarray | None:
        """Fewest frames per symbol id (None: no floor)."""
        if not (self.rime_floor or self.nasal_floor or self.pause_floor or self.silence_floor):
            return None
        table = np.zeros(max(symbol_to_id.values()) + 1, np.int32)
        for name, number in symbol_to_id.items():
            rime = _RIME.fullmatch(name)
            if rime:
                toned = self.rime_floor if rime[2] != "5" else 0
                table[number] = max(toned, self.nasal_floor if rime[1].endswith(("n", "ng")) else 0)
        table[symbol_to_id["#3"]] = self.pause_floor
        table[symbol_to_id["sil"]] = self.silence_floor
        return table


def floored(durations: np.ndarray, ids: np.ndarray, table: np.ndarray | None) -> np.ndarray:
    """Frames per symbol raised to the fewest its symbol may have (Timing.floor_table)."""
    return durations if table is None else np.maximum(durations, table[ids]).astype(np.int32)


def combined(*scales: np.ndarray | None) -> np.ndarray | None:
    """The product of per-symbol multipliers, None when none is given."""
    given = [s for s in scales if s is not None]
    return None if not given else np.prod(given, axis=0, dtype=np.float32)
