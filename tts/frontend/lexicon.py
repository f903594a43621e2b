"""jieba's dictionary in compact form, and jieba's part-of-speech cut over it; the set-up of
the frontend's compact tables (this one and pypinyin's phrases, phrase_table.py).

`cut(text)` returns exactly what `jieba.posseg.cut(text, HMM=False)` returns (word, tag
pairs; a test compares them) and `frequency(word)` what `jieba.get_FREQ(word)` does for a
word. jieba keeps its 349,046-word dictionary as Python dicts (the words, every prefix of
every word, their frequencies and tags, and two HMM tables we do not use): ~105 MB of a
serving process. Here it is a MARISA trie memory-mapped from a file (~3 MB) plus two
arrays indexed by the trie's key ids (frequency, tag), built from jieba's own dict.txt by
`./run.sh` (importing tts.frontend builds them when missing or stale).

The trie lists each word's dictionary prefixes in one call, which is the DAG jieba builds
character by character; the route through it is jieba's (same log-frequency sums, same
tie-breaking). The jieba package is read only when the files are built.
"""

from __future__ import annotations

import importlib.metadata
import json
import logging
import re
import threading
from array import array
from math import log
from pathlib import Path

import marisa_trie

from tts.files import write_atomically

log_ = logging.getLogger(__name__)

DEFAULT_DIR = Path(__file__).resolve().parents[2] / ".cache" / "frontend"
FORMAT = 1                      # bump when the files' layout or meaning changes
_TRIE, _ARRAYS, _TABLE = "jieba_words.marisa", "jieba_words.bin", "jieba_words.json"

# jieba.posseg's block and token patterns (jieba 0.42.1), unchanged.
_HAN_INTERNAL = re.compile("([\u4E00-\u9FD5a-zA-Z0-9+#&\\._]+)")
_SKIP_INTERNAL = re.compile("(\r\n|\\s)")
_ENG = re.compile("[a-zA-Z0-9]+")
_NUM = re.compile("[\\.0-9]+")
_ENG1 = re.compile("^[a-zA-Z0-9]$", re.U)


class Lexicon:
    """The loaded tables; read-only, so one instance serves every thread."""

    def __init__(self, directory: Path) -> None:
        self._trie = marisa_trie.Trie()
        self._trie.mmap(str(directory / _TRIE))
        table = json.loads((directory / _TABLE).read_text(encoding="utf-8"))
        data = (directory / _ARRAYS).read_bytes()
        size = len(self._trie)
        self._frequencies = array("I", data[:4 * size])    # per trie key id
        self._tag_ids = array("B", data[4 * size:])         # per trie key id, into _tags
        self._tags = tuple(table["tags"])
        self._log_total = log(table["total"])

    def frequency(self, word: str) -> int:
        """The word's frequency in jieba's dictionary; 0 when it is not a word there."""
        key = self._trie.get(word)
        return 0 if key is None else self._frequencies[key]

    def cut(self, text: str) -> list[tuple[str, str]]:
        """(word, tag) pairs, as jieba.posseg.cut(text, HMM=False) yields them."""
        pairs: list[tuple[str, str]] = []
        for block in _HAN_INTERNAL.split(text):
            if _HAN_INTERNAL.match(block):
                pairs.extend(self._cut_block(block))
                continue
            for piece in _SKIP_INTERNAL.split(block):
                if _SKIP_INTERNAL.match(piece):
                    pairs.append((piece, "x"))
                    continue
                for ch in piece:
                    tag = "m" if _NUM.match(ch) else "eng" if _ENG.match(piece) else "x"
                    pairs.append((ch, tag))
        return pairs

    def _cut_block(self, sentence: str) -> list[tuple[str, str]]:
        """jieba's __cut_DAG_NO_HMM: the most probable route through the DAG of dictionary words,
        runs of single Latin letters or digits joined as "eng"."""
        route = self._route(sentence)
        pairs: list[tuple[str, str]] = []
        x, buffer = 0, ""
        while x < len(sentence):
            y = route[x] + 1
            word = sentence[x:y]
            if _ENG1.match(word):
                buffer += word
            else:
                if buffer:
                    pairs.append((buffer, "eng"))
                    buffer = ""
                key = self._trie.get(word)
                pairs.append((word, "x" if key is None else self._tags[self._tag_ids[key]]))
            x = y
        if buffer:
            pairs.append((buffer, "eng"))
        return pairs

    def _route(self, sentence: str) -> list[int]:
        """Per position, the last index of the word the best route takes from there (jieba's calc)."""
        size = len(sentence)
        scores = [0.0] * (size + 1)
        ends = [0] * size
        frequencies, log_total = self._frequencies, self._log_total
        for start in range(size - 1, -1, -1):
            candidates = [(log(frequencies[key]) - log_total + scores[start + len(word)], start + len(word) - 1)
                          for word, key in self._trie.iter_prefixes_with_ids(sentence[start:])
                          if frequencies[key]]
            if not candidates:   # no word starts here: the character alone, frequency "or 1"
                candidates = [(log(self.frequency(sentence[start]) or 1) - log_total + scores[start + 1], start)]
            scores[start], ends[start] = max(candidates)
        return ends


_lock = threading.Lock()
_lexicon: Lexicon | None = None


def lexicon() -> Lexicon:
    """The shared tables, mapped on first use (built first if missing or stale)."""
    global _lexicon
    if _lexicon is None:
        with _lock:
            if _lexicon is None:
                _ensure_built(DEFAULT_DIR)
                _lexicon = Lexicon(DEFAULT_DIR)
    return _lexicon


def install_pypinyin_tables() -> None:
    """Give pypinyin its phrase dictionary in compact form (phrase_table.py); call before pypinyin
    is first imported."""
    from tts.frontend import phrase_table

    with _lock:
        _ensure_built(DEFAULT_DIR)
    phrase_table.install(DEFAULT_DIR)


def _ensure_built(directory: Path) -> None:
    if not is_current(directory):
        log_.info("building the frontend's tables in %s (./run.sh does this at set-up)", directory)
        build(directory)


def _stamp() -> dict:
    return {"format": FORMAT, **{name: importlib.metadata.version(name) for name in ("jieba", "pypinyin", "marisa-trie")}}


def is_current(directory: Path) -> bool:
    """Whether directory holds tables built by this code from the installed jieba and pypinyin."""
    from tts.frontend import phrase_table

    try:
        table = json.loads((directory / _TABLE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    return (table.get("stamp") == _stamp() and (directory / _TRIE).is_file() and (directory / _ARRAYS).is_file()
            and phrase_table.is_built(directory))


def build(directory: Path) -> Path:
    """Read jieba's dict.txt as jieba does (the last line of a word wins; the total counts every
    line) and write the trie and tables, each under a temporary name then renamed; then
    pypinyin's phrase table. The stamp that marks them current is written last."""
    from importlib.resources import files

    from tts.frontend import phrase_table

    frequencies: dict[str, int] = {}
    tags: dict[str, str] = {}
    total = 0
    with files("jieba").joinpath("dict.txt").open("rb") as lines:
        for line in lines:
            word, frequency, tag = line.strip().decode("utf-8").split(" ")
            frequencies[word] = int(frequency)
            tags[word] = tag
            total += int(frequency)
    trie = marisa_trie.Trie(frequencies)
    tag_names = sorted(set(tags.values()))
    tag_index = {tag: i for i, tag in enumerate(tag_names)}
    frequency_array, tag_array = array("I", bytes(4 * len(trie))), array("B", bytes(len(trie)))
    for word, frequency in frequencies.items():
        key = trie[word]
        frequency_array[key], tag_array[key] = frequency, tag_index[tags[word]]
    directory.mkdir(parents=True, exist_ok=True)
    write_atomically(directory / _TRIE, trie.tobytes())
    write_atomically(directory / _ARRAYS, frequency_array.tobytes() + tag_array.tobytes())
    phrase_table.build(directory)
    write_atomically(directory / _TABLE, json.dumps({"stamp": _stamp(), "total": total, "tags": tag_names}).encode())
    return directory
