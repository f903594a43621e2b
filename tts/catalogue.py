"""Every voice the server offers, known at start from the engines' declarations.

A request's voice is resolved here once, while it is parsed: a voice id, an OpenAI voice
name (alloy, nova, onyx, ...: spread over our voices of the same gender, so clients with
hard-coded names work), or nothing (the default voice, or eco mode's voice). When the
request's OpenAI `model` names one of our engines (`kokoro`, `embedded`), OpenAI's names
spread over that engine's voices alone: alloy under kokoro is a Kokoro voice, never the
embedded one. Our own voice ids name one voice whatever the model says (clients made for
Kokoro-FastAPI send `model: "kokoro"` with every voice they list). Everything after that
trusts the voice: no engine checks it again.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Mapping, Sequence

from tts import eco
from tts.engines.base import Voice
from tts.engines.lifecycle import ManagedEngine
from tts.errors import InvalidInput, shown
from tts.request import SynthesisRequest

OPENAI_VOICES = {
    "alloy": "female", "coral": "female", "nova": "female", "sage": "female", "shimmer": "female",
    "marin": "female", "ash": "male", "ballad": "male", "echo": "male", "fable": "male", "onyx": "male",
    "verse": "male", "cedar": "male",
}


class UnknownDefaultVoice(ValueError):
    """The default voice given is none of the engines' voices (Synthesizer.from_settings names the setting)."""


class VoiceCatalogue:
    def __init__(self, engines: Mapping[str, ManagedEngine], default_voice: str) -> None:
        self.engines = dict(engines)
        self._by_voice = {v.id: e for e in self.engines.values() for v in e.info.voices}
        self.voices = tuple(v for e in self.engines.values() for v in e.info.voices)
        self._calibration = {v.id: v.calibration_db for v in self.voices}
        if default_voice not in self._by_voice:
            raise UnknownDefaultVoice(f"the voice {default_voice!r} is not offered; "
                                f"voices: {', '.join(self.ids)}")
        self.default_voice = default_voice
        self.eco_voice = eco.eco_voice(e.info for e in self.engines.values()).id
        self.aliases = _openai_aliases(self.voices)
        self._engine_aliases = {name: _openai_aliases(e.info.voices) for name, e in self.engines.items()}

    @property
    def ids(self) -> list[str]:
        return [v.id for v in self.voices]

    def names(self) -> list[str]:
        """Every name a request may use for a voice: our ids, then OpenAI's names."""
        return [*self.ids, *self.aliases]

    def engine(self, voice: str) -> ManagedEngine:
        return self._by_voice[voice]

    def calibration_db(self, voice: str) -> float:
        """The gain every chunk of the voice's audio gets to reach the common loudness (through the
        soft knee of tts.audio.effects.calibrate, on the server or the page); a request's `volume`
        comes on top of it, under the per-phrase peak limiter."""
        return self._calibration[voice]

    def resolve(self, name: str | None, *, eco_mode: bool = False, engine: str | None = None) -> str:
        """The voice id a request means (raises InvalidInput naming the field); `engine`, the one the
        request's model names, if any: OpenAI's voice names then mean that engine's voices."""
        if name is None:
            return self.eco_voice if eco_mode else self.default_voice
        voice = (self.aliases if engine is None else self._engine_aliases[engine]).get(name, name)
        if voice not in self._by_voice:
            raise InvalidInput(f"unknown voice {shown(name)}; GET /v1/audio/voices lists them", field="voice")
        return voice

    def bind(self, request: SynthesisRequest, engine: str | None = None) -> SynthesisRequest:
        """The request with its voice resolved (`engine`: see resolve), refused when the voice cannot
        honour its controls."""
        voice = self.resolve(request.voice, eco_mode=request.eco, engine=engine)
        if not self.engine(voice).info.rate_control:
            for name, neutral in (("speed", 1.0), ("pitch", 0.0)):
                if getattr(request, name) != neutral:
                    raise InvalidInput(f"the {voice} voice has no {name} control; leave '{name}' out", field=name)
        return replace(request, voice=voice)

    def describe(self, voice: Voice) -> dict:
        """A voice as the API lists it."""
        return {"id": voice.id, "name": voice.name, "engine": voice.engine, "gender": voice.gender,
                "language": voice.language, "description": voice.description,
                "eco": voice.id == self.eco_voice, "state": self._by_voice[voice.id].state,
                "rate_control": self._by_voice[voice.id].info.rate_control,
                "sample_rate": self._by_voice[voice.id].info.sample_rate,
                "openai_aliases": _named(self.aliases, voice.id),
                "openai_aliases_under_model": {engine: _named(aliases, voice.id)
                                               for engine, aliases in self._engine_aliases.items()
                                               if voice.id in aliases.values()}}


def _named(aliases: Mapping[str, str], voice: str) -> list[str]:
    """The OpenAI names `aliases` map to `voice`."""
    return sorted(name for name, target in aliases.items() if target == voice)


def _openai_aliases(voices: Sequence[Voice]) -> dict[str, str]:
    """OpenAI name → our voice id: each gender's names spread over our voices of that gender."""
    aliases = {}
    for gender in ("female", "male"):
        ours = [v.id for v in voices if v.gender == gender] or [v.id for v in voices]
        names = [name for name, g in OPENAI_VOICES.items() if g == gender]
        aliases.update({name: ours[i % len(ours)] for i, name in enumerate(names)})
    return aliases
