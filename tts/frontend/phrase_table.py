"""pypinyin's phrase dictionary in compact form, plugged in underneath pypinyin.

pypinyin 0.55 loads its 47,111 phrases as Python lists at import (~35 MB) and builds a set
of every phrase prefix for its segmenter (~7 MB more). Here the same data is a MARISA trie
of the phrases plus one UTF-8 blob of their readings (JSON, as pypinyin ships them), built
at set-up into the frontend's table directory and memory-mapped. `install()`, run before
pypinyin is first imported (g2p.py does), registers the table as the module
`pypinyin.phrases_dict` and the trie as the segmenter's prefix set, so pypinyin's own code
reads them and behaves exactly as before (a test compares with a stock pypinyin). Phrases
added through pypinyin's `load_phrases_dict` go to a small overlay.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
import types
from array import array
from collections.abc import Iterator, MutableMapping
from pathlib import Path

import marisa_trie

from tts.files import write_atomically

log = logging.getLogger(__name__)

_TRIE, _READINGS = "pypinyin_phrases.marisa", "pypinyin_phrases.bin"


class CompactPhrases(MutableMapping):
    """phrase → [[reading], ...] as pypinyin's PHRASES_DICT, read from the built files."""

    def __init__(self, directory: Path) -> None:
        self._trie = marisa_trie.Trie()
        self._trie.mmap(str(directory / _TRIE))
        data = (directory / _READINGS).read_bytes()
        count = len(self._trie) + 1
        self._offsets = array("I", data[:4 * count])   # per trie key id: where its readings start
        self._blob = data[4 * count:]
        self._added: dict[str, list] = {}

    def __getitem__(self, phrase: str) -> list:
        if phrase in self._added:
            return self._added[phrase]
        key = self._trie.get(phrase)
        if key is None:
            raise KeyError(phrase)
        return json.loads(self._blob[self._offsets[key]:self._offsets[key + 1]])

    def __contains__(self, phrase: object) -> bool:
        return phrase in self._added or phrase in self._trie

    def __setitem__(self, phrase: str, readings: list) -> None:
        self._added[phrase] = readings

    def __delitem__(self, phrase: str) -> None:
        raise TypeError("pypinyin's phrase table is read-only")

    def __iter__(self) -> Iterator[str]:
        yield from self._trie.iterkeys()
        yield from (phrase for phrase in self._added if phrase not in self._trie)

    def __len__(self) -> int:
        return len(self._trie) + sum(phrase not in self._trie for phrase in self._added)

    def copy(self) -> "CompactPhrases":
        """pypinyin copies its dictionaries to protect the originals; this one is shared."""
        return self

    def has_prefix(self, text: str) -> bool:
        return next(self._trie.iterkeys(text), None) is not None or any(p.startswith(text) for p in self._added)


class _Prefixes:
    """The set pypinyin's segmenter keeps of every phrase prefix, answered by the trie."""

    def __init__(self, phrases: CompactPhrases) -> None:
        self._phrases = phrases
        self._added: set[str] = set()

    def __contains__(self, text: str) -> bool:
        return text in self._added or self._phrases.has_prefix(text)

    def add(self, text: str) -> None:
        self._added.add(text)


def build(directory: Path) -> None:
    """Write the trie and the readings from pypinyin's phrases_dict.json (read as a file:
    importing pypinyin would load it the expensive way)."""
    (package,) = importlib.util.find_spec("pypinyin").submodule_search_locations
    phrases = json.loads((Path(package) / "phrases_dict.json").read_text(encoding="utf-8"))
    trie = marisa_trie.Trie(phrases)
    encoded = [b""] * len(trie)
    for phrase, readings in phrases.items():
        encoded[trie[phrase]] = json.dumps(readings, ensure_ascii=False).encode("utf-8")
    offsets = array("I", [0])
    for item in encoded:
        offsets.append(offsets[-1] + len(item))
    write_atomically(directory / _TRIE, trie.tobytes())
    write_atomically(directory / _READINGS, offsets.tobytes() + b"".join(encoded))


def is_built(directory: Path) -> bool:
    return (directory / _TRIE).is_file() and (directory / _READINGS).is_file()


def install(directory: Path) -> None:
    """Give pypinyin the compact table; a no-op (full memory, same answers) if it is already loaded."""
    if "pypinyin" in sys.modules:
        if not isinstance(sys.modules["pypinyin"].constants.PHRASES_DICT, CompactPhrases):
            log.debug("pypinyin was imported before its compact phrase table could be installed")
        return
    phrases = CompactPhrases(directory)
    stub = types.ModuleType("pypinyin.phrases_dict", "pypinyin's phrase dictionary (tts.frontend.phrase_table)")
    stub.phrases_dict = phrases
    sys.modules["pypinyin.phrases_dict"] = stub
    from pypinyin.seg import mmseg

    mmseg.p_set._set = _Prefixes(phrases)   # replaces the set pypinyin just trained from the keys
