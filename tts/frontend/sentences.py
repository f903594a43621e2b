"""Cutting normalized text into sentences, each with the pause that follows it."""

from __future__ import annotations

import re

# A sentence ends at these marks (with any closing quotes or brackets after them) or a line break.
_END = re.compile(r"([。！？!?；;…]+[”’」』）)》\"']*|\n+)")
PAUSE_MS = {"。": 400, "！": 400, "？": 400, "!": 400, "?": 400, "…": 400, "；": 250, ";": 250, "\n": 500}


def split_sentences(text: str) -> list[tuple[str, int]]:
    """(sentence, pause after it in ms) pairs; blank pieces are dropped."""
    pieces = _END.split(text)
    result = []
    for body, end in zip(pieces[0::2], pieces[1::2] + [""]):
        sentence = (body + end).strip()
        if sentence:
            result.append((sentence, PAUSE_MS.get(end[:1], 300)))
    return result
