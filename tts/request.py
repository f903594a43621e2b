"""The one request model every endpoint shares, validated once, field by field.

Each reader names the field it rejects, so a client always learns which field was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from tts.errors import InvalidInput

SPEED_RANGE = (0.25, 4.0)
SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
FORMATS = ("wav", "pcm")
ECO_SAMPLE_RATE = 16000


@dataclass(frozen=True)
class SynthesisRequest:
    """What to say and how; equal requests give identical audio (seeded engines)."""

    text: str
    voice: str
    speed: float = 1.0
    eco: bool = False
    sample_rate: int | None = None   # None = the voice's own rate (16 kHz in eco mode)
    format: str = "wav"
    seed: int = 0

    def output_rate(self, engine_rate: int) -> int:
        if self.sample_rate is not None:
            return self.sample_rate
        return ECO_SAMPLE_RATE if self.eco else engine_rate


def read_text(payload: Mapping[str, Any], name: str, max_chars: int) -> str:
    value = payload.get(name)
    if value is None:
        raise InvalidInput(f"'{name}' is required", field=name)
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be a string", field=name)
    if not value.strip():
        raise InvalidInput(f"'{name}' must contain something to say", field=name)
    if len(value) > max_chars:
        raise InvalidInput(f"'{name}' has {len(value)} characters; the limit is {max_chars}", field=name)
    return value


def read_number(payload: Mapping[str, Any], name: str, default: float, low: float, high: float) -> float:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidInput(f"'{name}' must be a number", field=name)
    if not low <= value <= high:
        raise InvalidInput(f"'{name}' must be between {low} and {high}, got {value}", field=name)
    return float(value)


def read_flag(payload: Mapping[str, Any], name: str) -> bool:
    value = payload.get(name, False)
    if not isinstance(value, bool):
        raise InvalidInput(f"'{name}' must be true or false", field=name)
    return value


def read_choice(payload: Mapping[str, Any], name: str, default: Any, choices: Iterable[Any]) -> Any:
    value = payload.get(name, default)
    choices = tuple(choices)
    if isinstance(value, bool) or value not in choices:
        listed = ", ".join(str(c) for c in choices)
        raise InvalidInput(f"'{name}' must be one of {listed}; got {value!r}", field=name)
    return value


def read_int(payload: Mapping[str, Any], name: str, default: int, low: int, high: int) -> int:
    value = payload.get(name, default)
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidInput(f"'{name}' must be a whole number", field=name)
    if not low <= value <= high:
        raise InvalidInput(f"'{name}' must be between {low} and {high}, got {value}", field=name)
    return value


def parse_request(payload: Any, *, voices: Iterable[str], default_voice: str, max_chars: int) -> SynthesisRequest:
    """Validate a decoded JSON body into a SynthesisRequest (raises InvalidInput)."""
    if not isinstance(payload, Mapping):
        raise InvalidInput("the body must be a JSON object", field="body")
    return SynthesisRequest(
        text=read_text(payload, "text", max_chars),
        voice=read_choice(payload, "voice", default_voice, voices),
        speed=read_number(payload, "speed", 1.0, *SPEED_RANGE),
        eco=read_flag(payload, "eco"),
        sample_rate=read_choice(payload, "sample_rate", None, (None, *SAMPLE_RATES)),
        format=read_choice(payload, "format", "wav", FORMATS),
        seed=read_int(payload, "seed", 0, 0, 2**31 - 1),
    )
