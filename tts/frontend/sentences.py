"""Cutting normalized text into sentences, each with the pause that follows it."""

from __future__ import annotations

import re

# A sentence ends at these marks (with any closing quotes or brackets after them) or a line break.
_END = re.compile(r"[。！？!?；;…]+[”’」』）)》\"']*|\n+")
PAUSE_MS = {"。": 400, "！": 400, "？": 400, "!": 400, "?": 400, "…": 400, "；": 250, ";": 250, "\n": 500}
_DEFAULT_PAUSE_MS = 300


def sentence_spans(text: str) -> list[tuple[int, int, int]]:
    """(start, end, pause after in ms) of each non-blank sentence, offsets into `text`."""
    spans, start = [], 0
    for match in _END.finditer(text):
        spans.append((start, match.end(), PAUSE_MS.get(match.group()[:1], _DEFAULT_PAUSE_MS)))
        start = match.end()
    spans.append((start, len(text), _DEFAULT_PAUSE_MS))
    result = []
    for start, end, pause in spans:
        piece = text[start:end]
        if piece.strip():
            lead = len(piece) - len(piece.lstrip())
            result.append((start + lead, start + len(piece.rstrip()), pause))
    return result
