"""The request's fields, declared once, and the one validation every endpoint shares.

`TTS` (POST /tts) and `OPENAI` (POST /v1/audio/speech) list every field a client may
send: JSON type, range or choices, default and meaning. Validation reads them here; the
OpenAPI document and the README's tables are made from them (tts/web/openapi.py), and a
test holds the README to them. Rules every field follows:
- null means the field's default (clients that serialize unset options as null work);
- a number without a fraction is a whole number (16000.0 is 16000: JSON has one number type,
  and JSON Schema counts 16000.0 as an integer too);
- a field the dialect does not declare is a 400 naming it: a misspelled field is never
  silently ignored (OpenAI's own API rejects unrecognized arguments the same way);
- every error names the field, and quotes the value short and escaped (a lone surrogate or a
  200 kB string never reaches a log line or a response body raw).
"""

from __future__ import annotations

import difflib
import json
import math
from dataclasses import dataclass, field as dataclass_field
from functools import cached_property
from typing import Any, Iterable, Mapping
from urllib.parse import unquote_to_bytes

from tts.audio.encode import FORMATS
from tts.captions import FORMATS as CAPTION_FORMATS
from tts.errors import InvalidInput, NothingToSay, UnknownField, shown

SPEED_RANGE = (0.25, 4.0)
PITCH_RANGE = (-12.0, 12.0)      # semitones
VOLUME_RANGE = (-30.0, 12.0)     # dB of gain; a limiter keeps peaks below full scale
SAMPLE_RATES = (8000, 16000, 22050, 24000, 44100, 48000)
SEED_RANGE = (0, 2**31 - 1)
OPENAI_MAX_INPUT = 4096          # OpenAI's limit on `input` (and on `instructions`)
MAX_INT_DIGITS = 4000            # longer integers are read as floats (inf): int() refuses > 4300 digits


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


@dataclass(frozen=True)
class Field:
    """One field of a request body, as a client sees it."""

    name: str                  # the JSON key
    kind: str                  # JSON type: "string", "number", "integer" or "boolean"
    meaning: str               # one line for the README and the OpenAPI description
    default: Any = None        # what an absent field (or null) means; None = unset
    required: bool = False
    low: float | None = None   # numbers: inclusive range
    high: float | None = None
    choices: tuple = ()        # the allowed values, when they are fixed
    choices_from: str | None = None     # "voices" or "models": the server's, known at run time
    default_setting: str | None = None  # a Settings attribute holding the default (default_voice)
    max_length: int | None = None       # strings: characters
    text_limit: bool = False   # also held to TTS_MAX_TEXT_CHARS
    spoken: bool = False       # must hold something besides white space
    id_object: bool = False    # strings: `{"id": "<the string>"}` stands for the string (OpenAI's custom voice shape)
    target: str | None = None  # the SynthesisRequest attribute it sets; None = read by the route, or ignored

    def limit(self, max_chars: int) -> int | None:
        """The longest string accepted, given the server's TTS_MAX_TEXT_CHARS."""
        limits = [n for n in (self.max_length, max_chars if self.text_limit else None) if n is not None]
        return min(limits, default=None)


@dataclass(frozen=True)
class Dialect:
    """The fields one endpoint takes, and the names a client may have meant instead."""

    route: str
    fields: tuple[Field, ...]
    elsewhere: Mapping[str, str] = dataclass_field(default_factory=dict)   # a name it does not take → a hint
    text_setting: str = "max_text_chars"   # the Settings attribute bounding its text (text_limit fields)

    @cached_property
    def by_name(self) -> dict[str, Field]:
        return {f.name: f for f in self.fields}

    def __getitem__(self, name: str) -> Field:
        return self.by_name[name]

    def wire_name(self, attribute: str | None) -> str | None:
        """The name this dialect gives a SynthesisRequest attribute (OpenAI's `input` for `text`)."""
        return next((f.name for f in self.fields if attribute and f.target == attribute), attribute)

    def hint(self, key: str) -> str:
        if key in self.elsewhere:
            return f" ({self.elsewhere[key]})"
        close = difflib.get_close_matches(key, list(self.by_name), n=1, cutoff=0.6)
        return f" (did you mean '{close[0]}'?)" if close else ""


_NARROWER = "; ".join(f"{name} takes only " + ", ".join(str(r) for r in SAMPLE_RATES if r in spec.sample_rates)
                      for name, spec in FORMATS.items() if spec.sample_rates)


def _common(*, voice: Field, format_: Field, stream: Field | None) -> tuple[Field, ...]:
    """The fields the dialects share, in the order the tables list them."""
    return (
        voice,
        Field("speed", "number", "speaking rate (2 = twice as fast)", 1.0, low=SPEED_RANGE[0], high=SPEED_RANGE[1],
              target="speed"),
        Field("pitch", "number", "semitones", 0.0, low=PITCH_RANGE[0], high=PITCH_RANGE[1], target="pitch"),
        Field("volume", "number", "gain in dB over the voice's calibrated level (0: calibrated toward -18 LUFS), "
              "with a peak limiter (never clips)", 0.0, low=VOLUME_RANGE[0], high=VOLUME_RANGE[1], target="volume"),
        Field("sample_rate", "integer", "output rate in Hz; unset: the voice's own (24000), 16000 in eco mode; "
              f"{_NARROWER}", choices=SAMPLE_RATES, target="sample_rate"),
        Field("eco", "boolean", "eco mode: 16 kHz output and, when no voice is named, the cheapest voice "
              "(a voice you name stays that voice, at 16 kHz)", False, target="eco"),
        format_,
        *([stream] if stream else []),
        Field("seed", "integer", "seed of the voice's random part (equal requests, equal audio)", 0,
              low=SEED_RANGE[0], high=SEED_RANGE[1], target="seed"),
    )


_FORMAT_MEANING = ("audio format: pcm is raw s16le (rate in X-Sample-Rate), opus is Ogg/Opus (players decode it at "
                   "48 kHz), aac is AAC-LC in ADTS frames")


def _stream(default: bool, whole: str) -> Field:
    return Field("stream", "boolean", "send audio as it is made, chunked (every format; a streamed mp3 has no gapless "
                 f"tag, a streamed flac no total length); {whole}", default, target="stream")



_VOICE = Field("voice", "string", "a voice id from `GET /v1/audio/voices` (OpenAI's voice names work too); "
               "unset: the default voice, or in eco mode the cheapest one", choices_from="voices",
               default_setting="default_voice", target="voice")
_TEXT_MEANING = "Chinese text, or SSML starting with `<speak`; `字{zi4}` sets readings inline"

TTS = Dialect("POST /tts", (
    Field("text", "string", _TEXT_MEANING, required=True, text_limit=True, spoken=True, target="text"),
    *_common(
        voice=_VOICE,
        format_=Field("format", "string", _FORMAT_MEANING, "wav", choices=tuple(FORMATS), target="format"),
        stream=_stream(False, "false: the whole file")),
    Field("async", "boolean", "answer `202 {\"id\", \"status\", \"position\", \"expected_seconds\", \"links\"}` "
          "at once; poll `GET /tts/jobs/<id>`, cancel with `DELETE`; not with `stream`", False),
    Field("captions", "string", "answer JSON `{\"audio\": base64, \"audio_format\", \"sample_rate\", \"captions\"}` "
          "with each character's start and end (json: a list of `{\"text\", \"start\", \"end\"}` in seconds; "
          "vtt, srt: the file's text); with `stream`, one such JSON line per chunk (captions as a list); "
          "an async job's are at `GET /tts/jobs/<id>/captions` (json; `?format=vtt` or `srt` for those); "
          "unset: audio only",
          choices=CAPTION_FORMATS),
), elsewhere={"input": "POST /tts calls it 'text'", "response_format": "POST /tts calls it 'format'",
              "model": "POST /tts has no model: choose a voice"})

# Kokoro-FastAPI's own fields, which its clients may send to either of its routes
_KOKORO_FASTAPI = {"normalization_options": "our text normalization is always on and has no options",
                   "return_download_link": "no download links are kept: the audio is in the response",
                   "download_format": "the audio comes in response_format"}

OPENAI = Dialect("POST /v1/audio/speech", (
    Field("model", "string", "`tts-1`, `tts-1-hd`, `gpt-4o-mini-tts` (and its dated names), or an engine name from "
          "`GET /v1/models` (`embedded`, `kokoro`): then OpenAI's voice names map to that engine's voices; our voice "
          "ids name one voice whatever the model", required=True, choices_from="models"),
    Field("input", "string", "the text, as for `text` on `POST /tts`", required=True, max_length=OPENAI_MAX_INPUT,
          text_limit=True, spoken=True, target="text"),
    *_common(
        voice=Field("voice", "string", "an OpenAI voice name (alloy, nova, onyx, …) or one of our voice ids; "
                    "also as OpenAI's object `{\"id\": …}`", required=True, choices_from="voices", target="voice",
                    id_object=True),
        format_=Field("response_format", "string", _FORMAT_MEANING, "mp3", choices=tuple(FORMATS), target="format"),
        stream=_stream(True, "false: the whole file, with Content-Length and byte ranges (OpenAI's API streams too)")),
    Field("instructions", "string", "accepted and ignored (our voices have no style control)",
          max_length=OPENAI_MAX_INPUT),
    Field("stream_format", "string", "`audio`: the audio bytes; `sse`: server-sent events as OpenAI sends them, "
          "`speech.audio.delta` (`audio`: the next bytes of the response_format file, base64) then `speech.audio.done` "
          "(`usage` all 0: nothing is counted in tokens here); sse always streams", "audio", choices=("audio", "sse")),
), elsewhere={"text": "this endpoint calls it 'input'", "format": "this endpoint calls it 'response_format'",
              "async": "async jobs are offered on POST /tts", **_KOKORO_FASTAPI,
              "volume_multiplier": "this endpoint takes 'volume' in dB (POST /dev/captioned_speech takes "
                                   "volume_multiplier)",
              "lang_code": "every voice here speaks Mandarin: leave it out"})


HIDDEN = Dialect("POST /tts/hidden", (
    TTS["text"],
    Field("voice", "string", "a voice the browser can make: only the embedded voice (`baker`); unset: that voice",
          choices_from="voices", target="voice"),
    TTS["speed"],
    Field("pitch", "number", "only 0: a pitch shift resamples audio, which the browser makes here", 0.0,
          choices=(0.0,), target="pitch"),
    Field("volume", "number", "gain in dB over the voice's calibrated level, applied by the client (the stream's "
          "`volume_db`, after its `calibration_db`) with the same per-phrase peak limiter", 0.0,
          low=VOLUME_RANGE[0], high=VOLUME_RANGE[1], target="volume"),
    TTS["seed"],
), elsewhere={"format": "POST /tts/hidden always answers hidden states; audio formats are on POST /tts",
              "sample_rate": "the browser makes 24000 Hz audio from the hidden states",
              "stream": "POST /tts/hidden always streams", "eco": "browser vocoding is the eco choice already",
              "async": "async jobs are offered on POST /tts", "input": "POST /tts/hidden calls it 'text'"})


URL = Dialect("GET /tts", (
    Field("text", "string", _TEXT_MEANING, required=True, text_limit=True, spoken=True, target="text"),
    *_common(voice=_VOICE, stream=None,
             format_=Field("format", "string", _FORMAT_MEANING, "mp3", choices=tuple(FORMATS), target="format")),
), elsewhere={"input": "GET /tts calls it 'text'", "response_format": "GET /tts calls it 'format'",
              "stream": "GET /tts sends whole files (with byte ranges): POST /tts streams",
              "async": "async jobs are offered on POST /tts"}, text_setting="url_max_text_chars")
# The query of GET /tts/jobs/<id>/captions (read as a body is: an unknown parameter is a 400 naming it).
CAPTIONS_QUERY = Dialect("GET /tts/jobs/<id>/captions", (
    Field("format", "string", "json, or WebVTT (vtt) / SubRip (srt) for a `<track>`", "json",
          choices=CAPTION_FORMATS),
))
EXCLUSIVE = ("async", "stream")   # flags POST /tts refuses true together (the error names the second)
_EXCLUSIVE_WHY = "an async job's audio is fetched whole from GET /tts/jobs/<id>/audio once it is done"
_QUERY_TRUE, _QUERY_FALSE = ("true", "1", "yes", "on"), ("false", "0", "no", "off")


def query_values(raw: bytes) -> dict[str, list[str]]:
    """A URL's query string as a form writes it (`a=1&b=x+y`, percent-escaped UTF-8): each name → its values.

    Bytes that are not UTF-8 are a 400 naming the parameter, as a body that is not UTF-8 is:
    never read aloud as the escapes they were sent as.
    """
    values: dict[str, list[str]] = {}
    for part in raw.split(b"&"):
        if part:
            name, _, value = (unquote_to_bytes(piece.replace(b"+", b" ")) for piece in part.partition(b"="))
            key = _key(name.decode("utf-8", "backslashreplace"))
            try:
                values.setdefault(name.decode("utf-8"), []).append(value.decode("utf-8"))
            except UnicodeDecodeError:
                raise InvalidInput(f"'{key}' in the URL is not UTF-8 text (percent-escape its UTF-8 bytes)",
                                   field=key) from None
    return values


def read_params(raw: bytes, dialect: Dialect) -> dict[str, Any]:
    """A route's own URL query parameters (not a synthesis's), checked as a body's fields are."""
    return read_fields(read_query(raw, dialect), dialect, max_chars=0)


def read_query(raw: bytes, dialect: Dialect) -> dict[str, Any]:
    """A URL's query string as the JSON body it stands for.

    Numbers and booleans are read from their text (true/false, 1/0); an empty value means
    the default; what cannot be read is passed on as text, so validation names the field.
    """
    payload: dict[str, Any] = {}
    for name, values in query_values(raw).items():
        if len(values) > 1:
            raise InvalidInput(f"'{_key(name)}' is given {len(values)} times", field=_key(name))
        value: Any = values[0]
        spec = dialect.by_name.get(name)
        if spec is None or value == "":
            payload[name] = None if spec is not None else value
            continue
        if spec.kind == "boolean" and value.lower() in _QUERY_TRUE + _QUERY_FALSE:
            value = value.lower() in _QUERY_TRUE
        elif spec.kind in ("number", "integer"):
            try:
                number = float(value) if any(c in value for c in ".eEn") else int(value)
            except ValueError:
                number = None
            if number is not None and math.isfinite(number):   # nan, inf: not numbers a field takes, quoted as sent
                value = number
        payload[name] = value
    return payload


# Kokoro-FastAPI's captioned speech (POST /dev/captioned_speech), request for request.
CAPTIONED = Dialect("POST /dev/captioned_speech", (
    Field("model", "string", "as on `POST /v1/audio/speech` (an engine name maps OpenAI's voice names to its voices)",
          choices_from="models"),
    Field("input", "string", "the text, as for `text` on `POST /tts`", required=True, text_limit=True, spoken=True,
          target="text"),
    Field("voice", "string", "a voice id or an OpenAI voice name; unset: the default voice", choices_from="voices",
          default_setting="default_voice", target="voice"),
    Field("response_format", "string", _FORMAT_MEANING, "mp3", choices=tuple(FORMATS), target="format"),
    Field("speed", "number", "speaking rate (2 = twice as fast)", 1.0, low=SPEED_RANGE[0], high=SPEED_RANGE[1],
          target="speed"),
    Field("stream", "boolean", "one JSON line per chunk of audio as it is made (newline-delimited JSON)", True,
          target="stream"),
    Field("return_timestamps", "boolean", "include `timestamps` (one per character: `word`, `start_time`, "
          "`end_time` in seconds)", True),
    Field("volume_multiplier", "number", "linear gain (1 = unchanged; a peak limiter keeps it from clipping)", 1.0,
          low=round(10 ** (VOLUME_RANGE[0] / 20), 4), high=round(10 ** (VOLUME_RANGE[1] / 20), 4)),
    Field("lang_code", "string", "accepted and ignored (every voice here speaks Mandarin)", max_length=16),
), elsewhere={"text": "this endpoint calls it 'input'", "format": "this endpoint calls it 'response_format'",
              **_KOKORO_FASTAPI})


def _key(name: str) -> str:
    """A client's key fit to go back as an error's `field` (escaped, bounded)."""
    return name.encode("utf-8", "backslashreplace").decode("utf-8")[:64]


def read_value(spec: Field, value: Any, *, max_chars: int, choices: Iterable[Any] = (), default: Any = None) -> Any:
    """One field's value, checked against its declaration (raises InvalidInput naming it)."""
    name = spec.name
    if spec.id_object and isinstance(value, Mapping):
        value = _object_id(spec, value)
    if value is None:
        if spec.required:
            raise InvalidInput(f"'{name}' is required", field=name)
        return spec.default if default is None else default
    if spec.kind == "boolean":
        if not isinstance(value, bool):
            raise InvalidInput(f"'{name}' must be true or false; got {shown(value)}", field=name)
    elif spec.kind in ("number", "integer"):
        value = _number(spec, value)
    elif spec.kind == "string":
        _string(spec, value, max_chars)
    allowed = tuple(spec.choices or choices)
    if allowed and value not in allowed:
        listed = ", ".join(str(c) for c in allowed)
        raise InvalidInput(f"'{name}' must be one of {listed}; got {shown(value)}", field=name)
    return value


def _object_id(spec: Field, value: Mapping) -> Any:
    """The `id` of an object standing for a string field's value ({"id": "zf_xiaobei"} is "zf_xiaobei")."""
    if set(value) != {"id"}:
        keys = ", ".join(shown(k) for k in value) or "none"
        raise InvalidInput(f"'{spec.name}' as an object takes only 'id' (as {{\"id\": \"zf_xiaobei\"}}); "
                           f"got keys {keys}", field=spec.name)
    if value["id"] is None:
        raise InvalidInput(f"'{spec.name}' as an object needs a string 'id'; got null", field=spec.name)
    return value["id"]


def _number(spec: Field, value: Any) -> float | int:
    name, whole = spec.name, spec.kind == "integer"
    numeric = isinstance(value, (int, float)) and not isinstance(value, bool)
    if isinstance(value, float) and (not math.isfinite(value) or (whole and not value.is_integer())):
        numeric = False
    if not numeric:
        kind = "a whole number" if whole else "a number"
        raise InvalidInput(f"'{name}' must be {kind}; got {shown(value)}", field=name)
    value = int(value) if whole else float(value)
    if (spec.low is not None and value < spec.low) or (spec.high is not None and value > spec.high):
        low, high = (int(spec.low), int(spec.high)) if whole else (spec.low, spec.high)
        raise InvalidInput(f"'{name}' must be between {low} and {high}; got {shown(value)}", field=name)
    return value


def _string(spec: Field, value: Any, max_chars: int) -> None:
    name = spec.name
    if not isinstance(value, str):
        raise InvalidInput(f"'{name}' must be a string; got {shown(value)}", field=name)
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as error:
        code = ord(value[error.start])
        raise InvalidInput(f"'{name}' has a lone surrogate (\\u{code:04x}) at character {error.start}: "
                           "it is not text (send valid UTF-8 or \\u surrogate pairs)", field=name) from None
    limit = spec.limit(max_chars)
    if limit is not None and len(value) > limit:
        raise InvalidInput(f"'{name}' has {len(value)} characters; the limit is {limit}", field=name)
    if spec.spoken and not value.strip():
        raise NothingToSay(f"'{name}' must contain something to say", field=name)


def read_fields(payload: Any, dialect: Dialect, *, max_chars: int, voices: Iterable[str] = (),
                models: Iterable[str] = (), default_voice: str | None = None) -> dict[str, Any]:
    """Every field of `dialect` from a decoded JSON body, defaults filled in (raises InvalidInput)."""
    if not isinstance(payload, Mapping):
        raise InvalidInput(f"the body must be a JSON object; got {shown(payload)}", field="body")
    for key in payload:
        if key not in dialect.by_name:
            listed = ", ".join(dialect.by_name)
            raise UnknownField(f"unknown field {shown(key)}{dialect.hint(key)}; {dialect.route} takes {listed}",
                               field=_key(key))
    runtime = {"voices": tuple(voices), "models": tuple(models)}
    defaults = {"default_voice": default_voice}
    return {spec.name: read_value(spec, payload.get(spec.name), max_chars=max_chars,
                                  choices=runtime.get(spec.choices_from, ()),
                                  default=defaults.get(spec.default_setting))
            for spec in dialect.fields}


def read_flag(payload: Mapping[str, Any], name: str) -> bool:
    """A boolean of the /tts dialect (false when absent or null)."""
    return read_value(TTS[name], payload.get(name), max_chars=0)


def parse_request(payload: Any, *, voices: Iterable[str], max_chars: int, default_voice: str | None = None,
                  dialect: Dialect = TTS, models: Iterable[str] = ()) -> SynthesisRequest:
    """Validate a decoded JSON body of `dialect` into a SynthesisRequest (raises InvalidInput).

    Fields without a target (async, model, instructions) are validated here too; the route
    reads the ones it acts on.
    """
    values = read_fields(payload, dialect, max_chars=max_chars, voices=voices, models=models,
                         default_voice=default_voice)
    first, second = EXCLUSIVE
    if values.get(first) and values.get(second):
        raise InvalidInput(f"'{second}' cannot go with '{first}': {_EXCLUSIVE_WHY}", field=second)
    request = SynthesisRequest(**{spec.target: values[spec.name] for spec in dialect.fields if spec.target})
    allowed = FORMATS[request.format].sample_rates
    if allowed and request.sample_rate is not None and request.sample_rate not in allowed:
        rates = ", ".join(str(r) for r in SAMPLE_RATES if r in allowed)   # the ones `sample_rate` itself accepts
        raise InvalidInput(f"{request.format} takes only the sample rates {rates}; got {request.sample_rate}",
                           field="sample_rate")
    return request


def load_json_object(raw: bytes) -> dict:
    """A request body → the JSON object in it; anything else is a 400 naming the body.

    Bounded however hostile the bytes: nesting past Python's recursion limit, integers of
    thousands of digits (int() refuses > 4300) and NaN/Infinity (not JSON) are answered,
    not raised. A name given twice in one object is a 400 naming the request's field that holds it.
    """
    twice: list[tuple[dict, str]] = []   # (object, the name it gave twice), innermost first
    try:
        payload = json.loads(raw, parse_int=_int, parse_constant=_no_constant,
                             object_pairs_hook=lambda pairs: _unique_keys(pairs, twice))
    except RecursionError:
        raise InvalidInput("the body is nested too deeply", field="body") from None
    except UnicodeDecodeError:
        raise InvalidInput("the body is not UTF-8 text", field="body") from None
    except json.JSONDecodeError as error:
        raise InvalidInput(f"the body is not JSON: {error.msg} (line {error.lineno}, column {error.colno})",
                           field="body") from None
    if twice:
        inner, name = twice[0]
        field = name if inner is payload else _holder(payload, inner)
        where = "" if inner is payload else f" (inside {shown(field)})"
        raise InvalidInput(f"the body gives {shown(name)} more than once{where}",
                           field=_key(field) if field != "body" else field)
    if not isinstance(payload, dict):
        raise InvalidInput(f"the body must be a JSON object; got {shown(payload)}", field="body")
    return payload


def _unique_keys(pairs: list[tuple[str, Any]], twice: list[tuple[dict, str]]) -> dict:
    """A JSON object; a name given twice in it is noted in `twice` (the body is then a 400, never read two
    ways: RFC 8259 leaves which one counts to the reader, and a proxy may check the first while we took
    the last). Noted, not raised: only the whole body tells which request field holds the object."""
    payload = dict(pairs)
    if len(payload) < len(pairs):
        seen: set[str] = set()
        twice.append((payload, next(key for key, _ in pairs if key in seen or seen.add(key))))
    return payload


def _holder(payload: Any, inner: dict) -> str:
    """The top-level name whose value holds `inner` (searched without recursion: the body may nest deep);
    "body" when the body is no object."""
    for name, value in payload.items() if isinstance(payload, dict) else ():
        stack = [value]
        while stack:
            node = stack.pop()
            if node is inner:
                return name
            stack.extend(node.values() if isinstance(node, dict) else node if isinstance(node, list) else ())
    return "body"


def _int(digits: str) -> int | float:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else float(digits)


def _no_constant(name: str) -> None:
    raise InvalidInput(f"the body has {name}, which is not a JSON number", field="body")
