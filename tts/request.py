"""The one request model every endpoint shares, validated once, field by field.

Each reader names the field it rejects, so a client always learns which field was wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Iterable, Mapping

from tts.errors import InvalidInput

from tts.audio.encode import FORMATS

SPEED_RANGE = (0.25, 4.0)
PITCH_RANGE = (-12.0, 12.0)      # semitones
VOLUME_RANGE = (-30.0, 12.0)     # dB of gain; a limiter keeps peaks below full scale
SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)


@dataclass(frozen=True)
class SynthesisRequest:
    """What to say and how; equal requests give identical audio (seeded engines)."""

    text: str
    voice: str | None = None         # None until the voice catalogue resolves it (default or eco voice)
    speed: float = 1.0
    pitch: float = 0.0
    volume: float = 0.0
    eco: bool = False
    sample_rate: int | None = None   # None = the voice's own rate (16 kHz in eco mode, see tts.eco)
    format: str = "wav"
    seed: int = 0
    stream: bool = False


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


def parse_request(payload: Any, *, voices: Iterable[str], max_chars: int,
                  names: Mapping[str, str] | None = None, default_format: str = "wav") -> SynthesisRequest:
    """Validate a decoded JSON body into a SynthesisRequest (raises InvalidInput).

    `names` renames our fields to a dialect's (OpenAI calls text "input" and format
    "response_format"), so every endpoint shares this one validation path.
    """
    if not isinstance(payload, Mapping):
        raise InvalidInput("the body must be a JSON object", field="body")
    names = names or {}
    field = lambda name: names.get(name, name)  # noqa: E731
    request = SynthesisRequest(
        text=read_text(payload, field("text"), max_chars),
        voice=read_choice(payload, field("voice"), None, (None, *voices)),
        speed=read_number(payload, "speed", 1.0, *SPEED_RANGE),
        pitch=read_number(payload, "pitch", 0.0, *PITCH_RANGE),
        volume=read_number(payload, "volume", 0.0, *VOLUME_RANGE),
        eco=read_flag(payload, "eco"),
        sample_rate=read_choice(payload, "sample_rate", None, (None, *SAMPLE_RATES)),
        format=read_choice(payload, field("format"), default_format, FORMATS),
        seed=read_int(payload, "seed", 0, 0, 2**31 - 1),
        stream=read_flag(payload, "stream"),
    )
    allowed = FORMATS[request.format].sample_rates
    if allowed and request.sample_rate is not None and request.sample_rate not in allowed:
        rates = ", ".join(str(r) for r in allowed)
        raise InvalidInput(f"{request.format} supports sample rates {rates}", field="sample_rate")
    return request
