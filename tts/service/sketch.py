"""How often a key was asked for lately: a count-min sketch behind a doorkeeper (TinyLFU).

The cache's admission policy asks it whether a newcomer is wanted more than the entries
it would push out. Counters are 4-bit-like (capped at 15) and halve every `sample`
recordings, so the estimate follows the recent past; one-time keys only reach the
doorkeeper set and never dilute the counters.
"""

from __future__ import annotations

import hashlib

import numpy as np

_ROWS = 4
_CAP = 15


class FrequencySketch:
    def __init__(self, width: int) -> None:
        self._width = 1 << max(6, (width - 1).bit_length())   # a power of two, at least 64
        self._table = np.zeros((_ROWS, self._width), np.uint8)
        self._doorkeeper: set[str] = set()
        self._sample = 10 * self._width
        self._recorded = 0

    def _cells(self, key: str) -> tuple[np.ndarray, np.ndarray]:
        digest = hashlib.blake2b(key.encode(), digest_size=4 * _ROWS).digest()
        columns = np.frombuffer(digest, "<u4") & np.uint32(self._width - 1)
        return np.arange(_ROWS), columns

    def record(self, key: str) -> None:
        self._recorded += 1
        if key not in self._doorkeeper:
            self._doorkeeper.add(key)
        else:
            rows, columns = self._cells(key)
            cells = self._table[rows, columns]
            self._table[rows, columns] = np.where(cells == cells.min(), np.minimum(cells + 1, _CAP), cells)
        if self._recorded >= self._sample:
            self._table >>= 1
            self._doorkeeper.clear()
            self._recorded = 0

    def estimate(self, key: str) -> int:
        rows, columns = self._cells(key)
        return int(self._table[rows, columns].min()) + (key in self._doorkeeper)
