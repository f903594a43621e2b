"""How much audio phrases will make, known before any engine runs: the per-request budget.

One request must not take the box: a few characters inside nested <prosody rate="25%">,
hundreds of long <break>s, a say-as of thousands of digits or 5,000 × 啊 each asked for
15 minutes to hours of audio. Every one of them is phrases by the time the frontend is done,
so one estimate covers them all: syllables at the speaking rate (the request's speed times
the phrase's SSML rate), each phrase's edge silence, and the pauses between phrases.

The figures lean long, so a request refused up front would really have overrun: measured at
speed 1, ordinary text takes 0.19–0.24 s per syllable on the embedded voice and on Kokoro
(0.08–0.2 s for a run of 啊), and each phrase adds ~0.3 s of edge silence.
"""

from __future__ import annotations

from typing import Sequence

from tts.errors import AudioTooLong
from tts.frontend.phrase import Phrase

SECONDS_PER_SYLLABLE = 0.25
SECONDS_PER_PHRASE = 0.3


def audio_seconds(phrases: Sequence[Phrase], speed: float = 1.0) -> float:
    """Estimated seconds of audio for `phrases` read at `speed` (the pause after the last is not sent)."""
    spoken = sum((len(p.syllables) * SECONDS_PER_SYLLABLE + SECONDS_PER_PHRASE) / (speed * p.rate) for p in phrases)
    paused = sum(p.pause_ms for p in phrases[:-1]) / 1000
    return spoken + paused


def check_budget(phrases: Sequence[Phrase], speed: float, max_seconds: float | None) -> None:
    """Raise AudioTooLong (422, field text) when the phrases would make more than `max_seconds`."""
    if max_seconds is None:
        return
    seconds = audio_seconds(phrases, speed)
    if seconds > max_seconds:
        raise AudioTooLong(
            f"'text' would make about {seconds:,.0f} s of audio at speed {speed:g}; one request may make "
            f"{max_seconds:,.0f} s (TTS_MAX_AUDIO_SECONDS): send less text, fewer or shorter breaks, or a faster rate",
            field="text")
