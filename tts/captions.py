"""Captions: when each character of the text is spoken, from the voices' own durations.

An engine that knows its durations (FastSpeech2 predicts frames per symbol, Kokoro's graph
computes frames per token) reports where each syllable of a phrase starts in the phrase's
audio, and where that audio ends (`Onsets`, see tts.engines.base). The frontend recorded
which characters each syllable reads (`Phrase.spans`). Here the two meet: a caption is the
characters one syllable reads (a Latin run spelled letter by letter is one caption, 花儿
read as one erhua syllable is one), from its syllable's start to the next one's start; the
last caption of a phrase ends with the phrase's audio. So captions follow one another
without overlap and cover each phrase's audio; the pauses between phrases are gaps.
Punctuation has no caption of its own (it shows inside a cue's text in WebVTT/SRT).

Times are seconds from the start of the delivered audio, after speed, pitch, resampling,
trims and pauses: the synthesizer places them (tts.synthesizer).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Iterable, Sequence

if TYPE_CHECKING:   # read only: importing this module stays light (tts.request takes FORMATS from here)
    from tts.frontend.phrase import Phrase

FORMATS = ("json", "vtt", "srt")
MEDIA_TYPES = {"json": "application/json", "vtt": "text/vtt; charset=utf-8",
               "srt": "application/x-subrip; charset=utf-8"}
CUE_CHARACTERS = 16       # a subtitle line: at most this many captions
CUE_BREAKS = set("，。！？；：、,.!?;:—…")   # a cue ends after these (and at every gap in the audio)


@dataclass(frozen=True)
class Caption:
    text: str
    start: float   # seconds from the start of the audio
    end: float
    tail: str = ""   # the punctuation after it in the text (shown in cues, ends a cue)

    def as_json(self) -> dict:
        return {"text": self.text, "start": round(self.start, 3), "end": round(self.end, 3)}


@dataclass(frozen=True)
class Unit:
    """What one caption shows: `text`, read by syllables [first, end) of its phrase."""

    text: str
    first: int
    end: int
    tail: str = ""


def phrase_units(phrases: Sequence["Phrase"]) -> list[list[Unit]]:
    """Each phrase's caption units. A phrase that heads a cut sentence reads the text of the
    phrase that ends it; consecutive syllables reading the same characters make one unit."""
    units: list[list[Unit]] = []
    text = ""
    for phrase in reversed(phrases):
        text = phrase.text or text
        if not phrase.spans:   # built without the frontend: the sentence is one caption
            units.append([Unit(phrase.text, 0, len(phrase.syllables))] if phrase.text and phrase.syllables else [])
            continue
        grouped: list[Unit] = []
        for index, (start, end) in enumerate(phrase.spans):
            if grouped and phrase.spans[grouped[-1].first] == (start, end):
                grouped[-1] = Unit(grouped[-1].text, grouped[-1].first, index + 1)
            else:
                grouped.append(Unit(text[start:end], index, index + 1))
        units.append([Unit(u.text, u.first, u.end, _tail(text, phrase.spans[u.first][1])) for u in grouped])
    return units[::-1]


def _tail(text: str, end: int) -> str:
    """The punctuation right after position `end` (up to the next letter, digit or character)."""
    stop = end
    while stop < len(text) and not text[stop].isalnum():
        stop += 1
    return text[end:stop].strip()


class PhraseTimer:
    """One phrase's captions, made as the engine's onsets arrive.

    `offset` is where the phrase starts in the delivered audio, and onsets are in delivered
    samples too (at `rate`). `ready` returns the captions whose start and end are both known
    by now, each once.
    """

    def __init__(self, units: list[Unit], syllables: int, offset: int, rate: int) -> None:
        self._units = units
        self._syllables = syllables
        self._offset = offset
        self._rate = rate
        self._known: dict[int, int] = {}
        self._seen = 0
        self._next = 0

    def ready(self, onsets: list[tuple[int, int]]) -> list[Caption]:
        for syllable, sample in onsets[self._seen:]:
            self._known[syllable] = sample
        self._seen = len(onsets)
        last = max(self._known, default=-1)
        made = []
        while self._next < len(self._units):
            unit = self._units[self._next]
            if last < unit.end:
                break
            self._next += 1
            said = [s for s in range(unit.first, unit.end) if s in self._known]
            if not said:
                continue   # a syllable the voice could not say
            stop = next(s for s in range(unit.end, self._syllables + 1) if s in self._known)
            made.append(Caption(unit.text, (self._offset + self._known[said[0]]) / self._rate,
                                (self._offset + self._known[stop]) / self._rate, unit.tail))
        return made


def as_json(captions: Iterable[Caption]) -> list[dict]:
    return [c.as_json() for c in captions]


def cues(captions: Sequence[Caption], longest: int = CUE_CHARACTERS) -> list[list[Caption]]:
    """Captions grouped into subtitle cues: a cue ends at punctuation, at a gap, or when full."""
    grouped: list[list[Caption]] = []
    for caption in captions:
        current = grouped[-1] if grouped else None
        if (current is None or len(current) >= longest or caption.start > current[-1].end
                or any(mark in CUE_BREAKS for mark in current[-1].tail)):
            grouped.append([caption])
        else:
            current.append(caption)
    return grouped


def _clock(seconds: float, separator: str) -> str:
    millis = round(seconds * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{separator}{rest % 1000:03d}"


def _shown(caption: Caption) -> str:
    return caption.text + caption.tail


def webvtt(captions: Sequence[Caption]) -> str:
    """WebVTT: one cue per group, each later character's start as an inline timestamp
    (karaoke-style highlighting in players that support it)."""
    lines = ["WEBVTT", ""]
    for number, cue in enumerate(cues(captions), 1):
        lines.append(str(number))
        lines.append(f"{_clock(cue[0].start, '.')} --> {_clock(cue[-1].end, '.')}")
        body = _escape(_shown(cue[0])) + "".join(f"<{_clock(c.start, '.')}>{_escape(_shown(c))}" for c in cue[1:])
        lines.extend([body, ""])
    return "\n".join(lines)


def _escape(text: str) -> str:
    """& < > are markup in a WebVTT cue."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def srt(captions: Sequence[Caption]) -> str:
    """SubRip: one numbered cue per group."""
    blocks = []
    for number, cue in enumerate(cues(captions), 1):
        blocks.append(f"{number}\n{_clock(cue[0].start, ',')} --> {_clock(cue[-1].end, ',')}\n"
                      f"{''.join(map(_shown, cue))}\n")
    return "\n".join(blocks)


def render(captions: Sequence[Caption], form: str) -> str:
    """Captions as `form` (json, vtt or srt) text."""
    if form == "vtt":
        return webvtt(captions)
    if form == "srt":
        return srt(captions)
    return json.dumps(as_json(captions), ensure_ascii=False)
