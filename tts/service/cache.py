"""The sentence cache in this process: phrase audio (int16 bytes) by content key, bounded by bytes.

Entries leave in least-recently-used order. With admission on (the default, chosen by
`python -m tts.bench cache`), a newcomer that would push entries out gets in only if the
frequency sketch says it is asked for more often than they are, so a burst of one-off
sentences cannot flush the greetings and notices everyone asks for. Only the gevent hub
touches it, so it needs no lock.
"""

from __future__ import annotations

from collections import OrderedDict

from tts.service.sketch import FrequencySketch

TYPICAL_ENTRY_BYTES = 64 * 1024   # a 1.3 s phrase at 24 kHz; sizes the frequency sketch


class MemoryCache:
    def __init__(self, max_bytes: int, *, admission: bool = True) -> None:
        self.max_bytes = max_bytes
        self._entries: OrderedDict[str, bytes] = OrderedDict()
        self._sketch = FrequencySketch(max_bytes // TYPICAL_ENTRY_BYTES) if admission else None
        self.bytes = 0
        self.evictions = 0
        self.rejections = 0

    def get_many(self, keys: list[str]) -> dict[str, bytes]:
        found = {}
        for key in keys:
            if self._sketch:
                self._sketch.record(key)
            data = self._entries.get(key)
            if data is not None:
                self._entries.move_to_end(key)
                found[key] = data
        return found

    def put(self, key: str, data: bytes) -> None:
        if key in self._entries or len(data) > self.max_bytes:
            return
        victims, freed = [], 0
        for victim, old in self._entries.items():
            if self.bytes - freed + len(data) <= self.max_bytes:
                break
            victims.append(victim)
            freed += len(old)
        if victims and self._sketch and not self._wanted_more(key, victims):
            self.rejections += 1
            return
        for victim in victims:
            self.bytes -= len(self._entries.pop(victim))
        self.evictions += len(victims)
        self._entries[key] = data
        self.bytes += len(data)

    def _wanted_more(self, key: str, victims: list[str]) -> bool:
        return self._sketch.estimate(key) > max(self._sketch.estimate(v) for v in victims)

    def __len__(self) -> int:
        return len(self._entries)
